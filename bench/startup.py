"""How long a listing command takes to start, against a bare interpreter on the same machine.

    python bench/startup.py [--runs 15] [--vault DIR | --catalog URL]

Makes a small vault (one shot, three takes, a replace and a star; its catalog in SQLite, or
with `--catalog postgresql+psycopg://...` in a fresh schema of that database, dropped
afterwards) unless `--vault` names one, then runs `takevault takes`, `show`, `history` and
`log` (output piped, as a script would) and the reference `python -c "import json, sqlite3"`
in turn, A B A B ..., each a fresh process. For comparison (not part of the target) it also
runs `takes` and `show` on the normal path (TAKEVAULT_NO_FAST_PATH=1: through the Vault and
SQLAlchemy), a filtered listing the fast path leaves to the normal path (`takes --starred`),
and `--version`. It prints the load average, then per command the median wall and CPU (user
+ system, from the kernel's accounting of the finished child) seconds and the median of the
per-pair ratios; pairing keeps a ratio meaningful when a shared machine's speed drifts.
Bytecode is cached (in a temporary folder) as in an installed package. Target: every listing
within 6x of the reference (CPU ratio; wall is printed too). Exits 1 when missed.
The last line is the result as JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

TARGET = 6.0
REFERENCE = [sys.executable, "-c", "import json, sqlite3"]


INFO = ("takes normal", "show normal", "takes --starred", "--version")
"""Rows printed for comparison only; the target is on the other rows."""


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, cpu) seconds of one fresh process, its output thrown away."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed with exit code {proc.returncode}")
    return wall, usage.ru_utime + usage.ru_stime


def make_vault(root: Path, catalog: str | None = None) -> Path:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.clips import make_clip

    from takevault.vault import Vault

    a, b = make_clip(root / "a.mp4"), make_clip(root / "b.mp4", frames=12)
    c = make_clip(root / "c.mp4", frames=8)
    with Vault.init(root / "vault", catalog=catalog) as vault:
        vault.add_shot("SH010")
        first = vault.add(a, shot="SH010")
        vault.add(b, shot="SH010")
        vault.add(c, shot="SH010")
        vault.replace(first.ref, b)
        vault.star(first.ref)
    return root / "vault"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--vault", type=Path, default=None)
    parser.add_argument("--catalog", default=None, help="a PostgreSQL URL: the small vault's catalog goes there")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        catalog = stack.enter_context(fresh_schema(args.catalog)) if args.catalog else None
        return measure(args.runs, args.vault, catalog)


@contextlib.contextmanager
def fresh_schema(server: str) -> Iterator[str]:
    """`server`'s URL with its connections in a new schema, dropped on the way out."""
    import uuid

    import psycopg

    schema = f"startup_{uuid.uuid4().hex[:12]}"
    dsn = server.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{server}{'&' if '?' in server else '?'}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def measure(runs: int, given: Path | None, catalog: str | None) -> int:
    env = dict(os.environ)
    src = Path(__file__).resolve().parents[1] / "src"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(src), env.get("PYTHONPATH")) if p)
    with tempfile.TemporaryDirectory(prefix="takevault-startup-") as tmp:
        # An installed takevault has its bytecode compiled; a source checkout run with
        # PYTHONDONTWRITEBYTECODE would recompile ~50 modules on every start. Cache the bytecode
        # in the temporary folder (the warm-up run writes it), never in the checkout.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        vault = given or make_vault(Path(tmp), catalog)
        base = [sys.executable, "-m", "takevault", "--vault", str(vault)]
        normal = {**env, "TAKEVAULT_NO_FAST_PATH": "1"}
        commands = {
            "takes": ([*base, "takes"], env),
            "show": ([*base, "show", "SH010/video_01"], env),
            "history": ([*base, "history", "SH010/video_01"], env),
            "log": ([*base, "log"], env),
            "takes normal": ([*base, "takes"], normal),
            "show normal": ([*base, "show", "SH010/video_01"], normal),
            "takes --starred": ([*base, "takes", "--starred"], env),
            "--version": ([*base, "--version"], env),
        }
        run_once(REFERENCE, env)
        for argv, command_env in commands.values():
            run_once(argv, command_env)  # warm the page cache and the bytecode caches
        results: dict[str, dict[str, float]] = {}
        ref_wall: list[float] = []
        ref_cpu: list[float] = []
        for name, (argv, command_env) in commands.items():
            walls, cpus, wall_ratios, cpu_ratios = [], [], [], []
            for _ in range(runs):
                w, c = run_once(argv, command_env)
                rw, rc = run_once(REFERENCE, env)
                walls.append(w)
                cpus.append(c)
                ref_wall.append(rw)
                ref_cpu.append(rc)
                wall_ratios.append(w / rw)
                cpu_ratios.append(c / rc)
            results[name] = {
                "wall_s": round(statistics.median(walls), 3),
                "cpu_s": round(statistics.median(cpus), 3),
                "wall_ratio": round(statistics.median(wall_ratios), 2),
                "cpu_ratio": round(statistics.median(cpu_ratios), 2),
            }
    reference = {"wall_s": round(statistics.median(ref_wall), 3), "cpu_s": round(statistics.median(ref_cpu), 3)}
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    print(f"reference {' '.join(REFERENCE[1:])!r}: wall {reference['wall_s']} s, cpu {reference['cpu_s']} s")
    print(f"{'command':<16} {'wall s':>8} {'cpu s':>8} {'wall x':>8} {'cpu x':>8}")
    for name, r in results.items():
        print(f"{name:<16} {r['wall_s']:>8} {r['cpu_s']:>8} {r['wall_ratio']:>8} {r['cpu_ratio']:>8}")
    listings = [r for name, r in results.items() if name not in INFO]
    ok = all(r["cpu_ratio"] <= TARGET for r in listings)
    print(f"target: every listing within {TARGET}x of the reference (cpu): {'met' if ok else 'MISSED'}")
    print(json.dumps({"reference": reference, "commands": results, "target": TARGET, "met": ok}))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
