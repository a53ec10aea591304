"""Load on the take list: 20 concurrent clients for 30 s against a real `takevault serve`.

    python bench/server_load.py [--takes 600] [--clients 20] [--seconds 30] [--workers 1]

Builds a vault of small real takes, starts `takevault serve` in its own process,
and runs the clients (threads, one keep-alive HTTP connection each) against one
gallery page (`GET /api/takes?limit=200`, gzip). The reference, measured in the
same run with the same clients for a third of the time, is the unpaged list
(`GET /api/takes`, every take at once, as the gallery loaded it before pages).
Prints requests/s, p50/p99 latency, errors, and the server's RSS idle, after a
3 s warm-up at the same concurrency, and after the run (and its peak); exits
non-zero on any error or if RSS still grew more than 32 MB after the first third
of the run (memory for N requests at once is reached early; growth after that is a leak).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from tests.clips import make_clip  # noqa: E402

from takevault.vault import Vault  # noqa: E402

RSS_GROWTH_LIMIT_MB = 32


def build(root: Path, takes: int) -> None:
    clips = root.parent / "clips"
    shots = max(1, takes // 12)
    with Vault.init(root) as vault:
        vault.add_section("SEQ01")
        for s in range(shots):
            vault.add_shot(f"SH{(s + 1) * 10:04d}", section="SEQ01")
        for n in range(takes):
            clip = make_clip(clips / f"c{n}.mp4", width=64, height=48, frames=2, scenes=((0, n),))
            vault.add(clip, shot=f"SH{(n % shots + 1) * 10:04d}", note=f"take {n}: dawn pass", prompt="a fox at dawn")
            clip.unlink()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of a process and its children, in MB."""
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    now = peak = 0.0
    for p in pids:
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except FileNotFoundError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        now += int(fields.get("VmRSS", "0 kB").split()[0]) / 1024
        peak += int(fields.get("VmHWM", "0 kB").split()[0]) / 1024
    return now, peak


def load(url: str, path: str, clients: int, seconds: float) -> dict[str, float]:
    latencies: list[float] = []
    errors = [0]
    guard = threading.Lock()
    stop = time.monotonic() + seconds

    def client() -> None:
        mine: list[float] = []
        bad = 0
        with httpx.Client(base_url=url, timeout=30, headers={"Accept-Encoding": "gzip"}) as http:
            while time.monotonic() < stop:
                t0 = time.perf_counter()
                try:
                    ok = http.get(path).status_code == 200
                except httpx.HTTPError:
                    ok = False
                mine.append(time.perf_counter() - t0)
                bad += not ok
        with guard:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=client) for _ in range(clients)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000 if latencies else 0.0,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000 if latencies else 0.0,
        "errors": errors[0],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--takes", type=int, default=600)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=1, help="server processes (serve --workers)")
    parser.add_argument("--vault", type=Path, help="use this existing vault instead of building one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.vault or Path(tmp) / "vault"
        if args.vault is None:
            t0 = time.monotonic()
            build(root, args.takes)
            print(f"vault of {args.takes} takes built in {time.monotonic() - t0:.0f} s")
        else:
            with Vault.open(root) as vault:
                args.takes = len(vault.takes())
        port = free_port()
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        cmd = [sys.executable, "-m", "takevault", "--vault", str(root), "serve", "--port", str(port)]
        cmd += ["--workers", str(args.workers), "--job-workers", "0"]
        server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    if httpx.get(f"{url}/api/projects", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            httpx.get(f"{url}/api/takes", params={"limit": 200})  # the first request opens the vault
            cold, _ = rss_mb(server.pid)
            # Warm up with the same concurrency: memory a server needs for N requests at once is not growth.
            load(url, "/api/takes?limit=200", args.clients, 3)
            before, _ = rss_mb(server.pid)
            samples: list[float] = []
            sampling = threading.Event()

            def sample() -> None:
                while not sampling.wait(args.seconds / 6):
                    samples.append(rss_mb(server.pid)[0])

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            page = load(url, "/api/takes?limit=200", args.clients, args.seconds)
            sampling.set()
            sampler.join()
            after, peak = rss_mb(server.pid)
            reference = load(url, "/api/takes", args.clients, max(5.0, args.seconds / 3))
        finally:
            server.terminate()
            server.wait(15)
    print(f"{args.clients} clients, {args.workers} server process(es), {args.takes} takes")
    print("| request | requests/s | p50 ms | p99 ms | errors |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, r in (("one gallery page (limit=200)", page), ("every take at once (reference)", reference)):
        print(f"| {name} | {r['rps']:.0f} | {r['p50_ms']:.0f} | {r['p99_ms']:.0f} | {r['errors']} |")
    ratio = page["rps"] / reference["rps"] if reference["rps"] else float("inf")
    print(f"page vs full list: {ratio:.1f}x the requests/s")
    print(f"server RSS: {cold:.0f} MB idle, {before:.0f} MB after a 3 s warm-up at {args.clients} clients, "
          f"{after:.0f} MB after the {args.seconds:.0f} s run (peak {peak:.0f} MB)")
    print("server RSS during the run, every sixth of it: " + ", ".join(f"{m:.0f}" for m in samples) + " MB")
    # Memory for N requests at once is reached early; what counts is growth after that (a leak).
    settled = samples[len(samples) // 3] if samples else before
    grew = after - settled
    print(f"growth after the first third of the run: {grew:.0f} MB (limit {RSS_GROWTH_LIMIT_MB} MB)")
    if page["errors"] or reference["errors"] or grew > RSS_GROWTH_LIMIT_MB:
        print("FAILED: errors, or the server's memory kept growing")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
