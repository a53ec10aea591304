"""What hostile traffic costs a running `takevault serve`: memory and descriptors before and after.

    python bench/server_resources.py [--projects 1000] [--slow 300] [--half-open 800] [--workdir DIR]

Starts the real server (`python -m takevault serve`, product defaults: 10 s to send request
headers, 30 s of body silence before an upload is dropped) on a free loopback port, then:
1. asks for 1,000 distinct `?project=` names (20 of them real projects);
2. opens 300 uploads that send 1 KiB of a declared 10 MiB and go silent;
3. opens 800 connections that send half a request line and go silent.
After each phase it waits for the server's timeouts and prints the server's RSS (VmRSS) and
open descriptors (/proc/PID/fd), with their ratio to the level measured at the start of the same
run. Targets: descriptors back to the start level (+5), RSS within 1.5x of the start, and the
server still answering. Exits non-zero when a target is missed. Loopback only; every loop is bounded.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

HEADER_SECONDS = 10
BODY_SECONDS = 30


def rss_mb(pid: int) -> float:
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", text).group(1)) / 1024  # type: ignore[union-attr]


def fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(vault: Path, port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "takevault", "--vault", str(vault), "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/info", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start: " + (proc.stderr.read() if proc.stderr else ""))


def sockets(port: int, count: int, payload: bytes) -> list[socket.socket]:
    opened = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(payload)
        opened.append(s)
    return opened


def answers(opened: list[socket.socket]) -> dict[str, int]:
    """How the server ended each connection: its status line, or a plain close."""
    seen: dict[str, int] = {}
    for s in opened:
        s.settimeout(0.5)
        try:
            data = s.recv(200)
            key = data.split(b"\r\n", 1)[0].decode(errors="replace") or "closed"
        except (TimeoutError, OSError):
            key = "still open"
        seen[key] = seen.get(key, 0) + 1
        s.close()
    return seen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--slow", type=int, default=300)
    parser.add_argument("--half-open", type=int, default=800)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    from takevault.vault import Vault

    work = Path(args.workdir or tempfile.mkdtemp(prefix="tv-bench-res-"))
    vault = work / "vault"
    with Vault.init(vault) as v:
        v.add_shot("SH010")
    for n in range(20):
        with Vault.open(vault, project=f"real{n:02d}") as v:
            v.add_section("S1")
    port = free_port()
    proc = start_server(vault, port)
    pid = proc.pid
    base = f"http://127.0.0.1:{port}"
    rows: list[tuple[str, float, int, str]] = []
    ok = True
    try:
        with httpx.Client(base_url=base) as c:
            for _ in range(50):  # warm up: imports, first vault, thread pool
                c.get("/api/takes")
        start_rss, start_fds = rss_mb(pid), fds(pid)

        def record(phase: str, note: str = "") -> None:
            rows.append((phase, rss_mb(pid), fds(pid), note))

        record("start")
        with httpx.Client(base_url=base) as c:
            statuses: dict[int, int] = {}
            for n in range(args.projects):
                name = f"real{n % 20:02d}" if n % 50 == 0 else f"made-up-{n:04d}"
                code = c.get("/api/sections", params={"project": name}).status_code
                statuses[code] = statuses.get(code, 0) + 1
        record(f"after {args.projects} distinct projects", f"answers {statuses}")

        head = (
            b"POST /api/shots/SH010/takes?filename=slow.mp4 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/octet-stream\r\nContent-Length: 10485760\r\n\r\n"
        )
        slow = sockets(port, args.slow, head + b"\0" * 1024)
        time.sleep(1)
        record(f"{args.slow} slow bodies in flight")
        time.sleep(BODY_SECONDS + 3)
        record(f"{BODY_SECONDS + 4} s later", f"answers {answers(slow)}")

        half = sockets(port, args.half_open, b"GET /api/takes HTTP/1.1\r\nHost: 127.0")
        time.sleep(1)
        record(f"{args.half_open} half-open requests")
        time.sleep(HEADER_SECONDS + 3)
        record(f"{HEADER_SECONDS + 4} s later", f"answers {answers(half)}")
        time.sleep(1)
        alive = httpx.get(f"{base}/api/info", timeout=5).status_code == 200
        record("end", "still answering" if alive else "NOT ANSWERING")
        ok = alive
    finally:
        proc.terminate()
        proc.wait(10)
    uploads = vault / "cache" / "uploads"
    left = sum(1 for _ in uploads.iterdir()) if uploads.exists() else 0
    print(f"{'phase':<40} {'RSS MB':>8} {'x start':>8} {'fds':>6} {'x start':>8}  note")
    for phase, rss, fd, note in rows:
        print(f"{phase:<40} {rss:8.1f} {rss / start_rss:8.2f} {fd:6d} {fd / start_fds:8.2f}  {note}")
    print(f"upload temp folders left: {left}")
    end_rss, end_fds = rows[-1][1], rows[-1][2]
    if end_fds > start_fds + 5:
        print(f"TARGET MISSED: descriptors {end_fds} > start {start_fds} + 5")
        ok = False
    if end_rss > start_rss * 1.5:
        print(f"TARGET MISSED: RSS {end_rss:.1f} MB > 1.5x start {start_rss:.1f} MB")
        ok = False
    if left:
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
