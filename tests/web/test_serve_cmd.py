"""`takevault serve`: prints its URL, serves the API, refuses the network without a token."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx
import pytest

from takevault.cli.app import main
from takevault.cli.serve_cmd import is_loopback, server_url
from tests.web.conftest import Seeded, free_port


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("127.0.0.2", True),
        ("0.0.0.0", False),
        ("192.168.1.20", False),
        ("::", False),
        ("example.org", False),
    ],
)
def test_is_loopback(host: str, loopback: bool):
    assert is_loopback(host) is loopback


def test_server_url():
    assert server_url("127.0.0.1", 8470) == "http://127.0.0.1:8470/"
    assert server_url("::1", 9000) == "http://[::1]:9000/"


def test_network_address_needs_a_token(seeded: Seeded, capsys: pytest.CaptureFixture[str]):
    code = main(["--vault", str(seeded.root), "serve", "--host", "0.0.0.0", "--port", str(free_port())])
    assert code == 2
    err = capsys.readouterr().err
    assert "--token" in err and "Traceback" not in err


def test_busy_port_is_a_clear_error(seeded: Seeded, capsys: pytest.CaptureFixture[str]):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code = main(["--vault", str(seeded.root), "serve", "--port", str(port)])
    assert code == 2
    assert "--port" in capsys.readouterr().err


def test_serve_without_a_vault(tmp_path, capsys: pytest.CaptureFixture[str]):
    assert main(["--vault", str(tmp_path), "serve"]) == 2
    assert "takevault init" in capsys.readouterr().err


@pytest.mark.slow
def test_serve_prints_the_url_and_answers(seeded: Seeded):
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "takevault",
            "--vault",
            str(seeded.root),
            "serve",
            "--port",
            str(port),
            "--token",
            "tok",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = proc.stdout.readline().strip()
        assert url == f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 20
        while True:
            try:
                r = httpx.get(url + "api/info", headers={"Authorization": "Bearer tok"}, timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, proc.stderr.read() if proc.poll() is not None else "no answer"
                time.sleep(0.1)
        assert r.status_code == 200 and r.json()["token_required"] is True
        assert httpx.get(url + "api/takes", timeout=2).status_code == 401
        assert httpx.get(url, timeout=2).status_code == 200
    finally:
        proc.terminate()
        proc.wait(10)
        proc.stdout.close()
        proc.stderr.close()
