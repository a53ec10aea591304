"""Unfinished multipart uploads on a real S3 server: the store lists them, `takevault fsck` reports
them, `takevault fsck --repair` aborts the abandoned ones and leaves a live one alone."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from takevault.cli.app import main
from takevault.store.s3 import S3Store
from tests.s3_servers import S3Target

pytestmark = pytest.mark.s3

MiB = 1024 * 1024
PREFIX = "films"
KEY = "proj/SH010/video_09.mp4"

CHILD = """
import sys
from takevault.store.s3 import S3Store

bucket, endpoint, key = sys.argv[1:4]
store = S3Store(bucket, "films", endpoint, "us-east-1", multipart_threshold=5 << 20, multipart_chunksize=5 << 20)
store.put(key, sys.stdin.buffer)
"""


@dataclass
class S3Vault:
    target: S3Target
    root: Path
    capsys: pytest.CaptureFixture

    def run(self, *args: str) -> tuple[int, str]:
        code = main(["--vault", str(self.root), *args])
        out, err = self.capsys.readouterr()
        return code, out + err

    def fsck(self, *args: str) -> dict:
        """`takevault fsck [args] --json`, as the report it prints."""
        main(["--vault", str(self.root), "fsck", *args, "--json"])
        out, _err = self.capsys.readouterr()
        return json.loads(out)

    def store(self) -> S3Store:
        return S3Store(self.target.bucket, PREFIX, self.target.endpoint_url, "us-east-1")

    def uploads(self) -> list[dict]:
        client = self.target.server.client()
        try:
            page = client.list_multipart_uploads(Bucket=self.target.bucket, Prefix=f"{PREFIX}/")
            return list(page.get("Uploads", []) or [])
        finally:
            client.close()

    def parts(self, upload_id: str, key: str = KEY) -> int:
        client = self.target.server.client()
        try:
            page = client.list_parts(Bucket=self.target.bucket, Key=f"{PREFIX}/{key}", UploadId=upload_id)
            return len(page.get("Parts", []) or [])
        finally:
            client.close()


@pytest.fixture
def s3_vault(s3_target: S3Target, tmp_path: Path, capsys: pytest.CaptureFixture) -> Iterator[S3Vault]:
    root = tmp_path / "vault"
    store_url = f"s3://{s3_target.bucket}/{PREFIX}"
    args = ["init", str(root), "--store", store_url, "--endpoint-url", s3_target.endpoint_url, "--create-bucket"]
    assert main(args) == 0
    capsys.readouterr()
    made = S3Vault(s3_target, root, capsys)
    _require_multipart_listing(made)
    yield made


def _require_multipart_listing(vault: S3Vault) -> None:
    """Skip, saying why, on a server that does not list unfinished uploads (nothing could find them)."""
    client = vault.target.server.client()
    try:
        probe = client.create_multipart_upload(Bucket=vault.target.bucket, Key="probe/listing")["UploadId"]
        listed = client.list_multipart_uploads(Bucket=vault.target.bucket, Prefix="probe/").get("Uploads") or []
        client.abort_multipart_upload(Bucket=vault.target.bucket, Key="probe/listing", UploadId=probe)
    finally:
        client.close()
    if not any(u.get("UploadId") == probe for u in listed):
        pytest.skip(f"{vault.target.server.name} does not list unfinished multipart uploads (ListMultipartUploads)")


def start_part_upload(vault: S3Vault, key: str = KEY) -> str:
    """An unfinished multipart upload with one 5 MiB part, made through the client as s3transfer would."""
    client = vault.target.server.client()
    try:
        full = f"{PREFIX}/{key}"
        upload_id = client.create_multipart_upload(Bucket=vault.target.bucket, Key=full)["UploadId"]
        client.upload_part(
            Bucket=vault.target.bucket, Key=full, UploadId=upload_id, PartNumber=1, Body=os.urandom(5 * MiB)
        )
        return upload_id
    finally:
        client.close()


def test_unfinished_upload_is_listed_reported_and_aborted_by_repair(s3_vault: S3Vault) -> None:
    upload_id = start_part_upload(s3_vault)
    store = s3_vault.store()
    try:
        staged = store.staged_uploads()
    finally:
        store.close()
    assert [(s.what, s.ident, s.key) for s in staged] == [("multipart upload", upload_id, KEY)]

    code, out = s3_vault.run("fsck")
    assert code != 0 and "1 problem(s)" in out
    report = s3_vault.fsck()
    assert not report["ok"]
    [problem] = report["problems"]
    assert problem["kind"] == "staged_upload" and problem["key"] == KEY
    assert upload_id in problem["message"] and "'takevault fsck --repair'" in problem["message"]
    assert [u["UploadId"] for u in s3_vault.uploads()] == [upload_id]  # reporting changes nothing

    assert s3_vault.fsck("--repair", "--idle-for", "0")["repaired"] == ["Removed 1 unfinished upload(s)."]
    assert s3_vault.uploads() == []
    code, out = s3_vault.run("fsck")
    assert code == 0 and "all good" in out


def test_repair_leaves_an_upload_that_just_sent_a_part(s3_vault: S3Vault) -> None:
    upload_id = start_part_upload(s3_vault)
    repaired = s3_vault.fsck("--repair", "--idle-for", "600")["repaired"]
    assert repaired == ["Left 1 unfinished upload(s) that may still be running."]
    assert [u["UploadId"] for u in s3_vault.uploads()] == [upload_id]


def test_idle_for_refuses_a_negative_time_and_changes_nothing(s3_vault: S3Vault) -> None:
    upload_id = start_part_upload(s3_vault)
    code, out = s3_vault.run("fsck", "--repair", "--idle-for", "-5")
    assert code != 0 and "Traceback" not in out and "idle-for" in out
    assert [u["UploadId"] for u in s3_vault.uploads()] == [upload_id]


def _child_upload(vault: S3Vault, key: str) -> subprocess.Popen:
    """A real `put` in another process, fed 11 MiB through a pipe left open: it sends two 5 MiB
    parts and then waits for more bytes, as an upload of a slow source does."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, vault.target.bucket, vault.target.endpoint_url, key],
        stdin=subprocess.PIPE,
        env=os.environ.copy(),
    )
    assert child.stdin is not None
    child.stdin.write(os.urandom(11 * MiB))
    child.stdin.flush()
    return child


def _keep_feeding(child: subprocess.Popen, stop: threading.Event) -> None:
    """What keeps an upload live: more bytes, so it sends another part every second or so."""
    assert child.stdin is not None
    with contextlib.suppress(OSError, ValueError):
        while not stop.wait(0.5):
            child.stdin.write(os.urandom(2 * MiB))
            child.stdin.flush()


def _wait_for_parts(vault: S3Vault, key: str, parts: int, timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for upload in vault.uploads():
            if upload["Key"] == f"{PREFIX}/{key}" and vault.parts(upload["UploadId"], key) >= parts:
                return upload["UploadId"]
        time.sleep(0.2)
    raise AssertionError(f"the child's upload of {key} did not send {parts} parts within {timeout:.0f}s")


@pytest.mark.slow
def test_a_killed_upload_is_aborted_and_a_running_one_is_not(s3_vault: S3Vault) -> None:
    """One upload SIGKILLed after two parts, another still sending: repair aborts only the dead one."""
    dead_key, live_key = KEY, "proj/SH020/video_01.mp4"
    dead = _child_upload(s3_vault, dead_key)
    live: subprocess.Popen | None = None
    stop = threading.Event()
    feeder: threading.Thread | None = None
    try:
        dead_id = _wait_for_parts(s3_vault, dead_key, 2)
        os.kill(dead.pid, signal.SIGKILL)
        dead.wait(timeout=30)
        time.sleep(12)  # the dead upload's last part is now older than --idle-for below
        live = _child_upload(s3_vault, live_key)
        feeder = threading.Thread(target=_keep_feeding, args=(live, stop), daemon=True)
        feeder.start()
        live_id = _wait_for_parts(s3_vault, live_key, 3)

        found = {p["version_id"] for p in s3_vault.fsck()["problems"] if p["kind"] == "staged_upload"}
        assert found == {dead_id, live_id}

        repaired = s3_vault.fsck("--repair", "--idle-for", "8")["repaired"]
        assert repaired == [
            "Removed 1 unfinished upload(s).",
            "Left 1 unfinished upload(s) that may still be running.",
        ]
        assert [u["UploadId"] for u in s3_vault.uploads()] == [live_id]
    finally:
        stop.set()
        for child in (dead, live):
            if child is not None and child.poll() is None:
                os.kill(child.pid, signal.SIGKILL)
                child.wait(timeout=30)
            if child is not None and child.stdin is not None:
                with contextlib.suppress(OSError):
                    child.stdin.close()
        if feeder is not None:
            feeder.join(timeout=30)
    s3_vault.fsck("--repair", "--idle-for", "0")
    assert s3_vault.uploads() == []
    code, out = s3_vault.run("fsck")
    assert code == 0 and "all good" in out
