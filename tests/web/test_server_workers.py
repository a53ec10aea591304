"""`takevault serve --workers N` starts N real server processes that answer over one vault."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx

from tests.web.conftest import Seeded, free_port


def test_several_server_processes_answer_requests(seeded: Seeded):
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    cmd = [sys.executable, "-m", "takevault", "--vault", str(seeded.root), "serve", "--port", str(port)]
    proc = subprocess.Popen(
        [*cmd, "--workers", "2", "--job-workers", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.communicate()[1]
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/api/takes", timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server processes never answered"
                time.sleep(0.2)
        assert r.status_code == 200
        takes = r.json()
        assert isinstance(takes, list) and takes, takes
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
