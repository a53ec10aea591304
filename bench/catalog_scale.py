"""Catalog at scale: lookups, listings and the web page of a 100,000-take vault, on SQLite and PostgreSQL.

    python bench/catalog_scale.py [--takes 100000] [--versions 250000] [--backends sqlite,postgres]
                                  [--samples 50] [--dir /var/tmp] [--small] [--keep DIR | --reuse DIR]

Builds the vault through the project's own API: `Vault.init`, sections and shots with
`add_section` / `add_shot`, then takes and versions with `Catalog.bulk_insert_takes` (2,000 per
transaction, executemany; the text index fills in per row on SQLite, per batch on PostgreSQL), stars through
`Vault.star`. Then it times, in process, p50/p95 over `--samples` calls of each lookup the
CLI and the web make, and runs `takevault takes --jsonl | (reader)` as a child process for
the whole listing's first row, total time and peak RSS. Targets are printed beside each
figure; the exit code is 1 when one is missed. `--small` (2,000 takes) runs in seconds.
PostgreSQL: the server of the tests (TAKEVAULT_TEST_PG or postgres@127.0.0.1:5432/test),
in a schema of its own, dropped afterwards unless `--keep` is given. `--reuse DIR` measures the
vaults a `--keep DIR` run left (`DIR/vault-SQLite`, `DIR/vault-PostgreSQL`, whose takevault.toml
names its schema) instead of building them; work on a copy, since `star` moves stars.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sqlalchemy import text as sa_text  # noqa: E402

from takevault.catalog.rows import NewTake, NewVersion  # noqa: E402
from takevault.heap import freeze_startup_objects  # noqa: E402
from takevault.models import MediaInfo, PngRecord  # noqa: E402
from takevault.vault import Vault  # noqa: E402

PG_URL = os.environ.get("TAKEVAULT_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

# (figure, target in ms, on p95) — the listing targets are checked separately.
TARGETS_MS = {
    "resolve SEQ/SH/video_NN": 2.0,
    "resolve by UUID": 2.0,
    "star": 20.0,
    "starred list": 100.0,
    "search (rare word)": 200.0,
    "search (prompt word)": 200.0,
    "list_shots": None,
    "CLI takes --shot": None,
    "web GET /api/takes?shot=": None,
    "web GET /api/takes page": None,
}
FIRST_ROW_S, WHOLE_LISTING_S, LISTING_RSS_MB = 0.5, 5.0, 150.0
SECTIONS = 10
TAKES_PER_SHOT = 100
WORDS = ("forest", "rider", "sunset", "harbour", "neon", "rain", "desert", "glacier", "crowd", "lantern")


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def timed(samples: int, call: Callable[[int], Any]) -> tuple[float, float]:
    """p50 and p95 in ms of `samples` calls (after one warm-up call)."""
    call(-1)
    times = []
    for i in range(samples):
        start = time.perf_counter()
        call(i)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), _percentile(times, 95)


@contextmanager
def pg_schema(keep: bool = False) -> Iterator[str]:
    """A fresh schema's catalog URL; dropped afterwards unless `keep` (a `--keep` vault's toml names it)."""
    import psycopg

    dsn = PG_URL.replace("postgresql+psycopg://", "postgresql://", 1)
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{PG_URL}{'&' if '?' in PG_URL else '?'}options=-csearch_path%3D{schema}"
    finally:
        if not keep:
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def build(root: Path, catalog_url: str | None, n_takes: int, n_versions: int) -> tuple[Vault, list[Any]]:
    """The vault: sections, shots through the API; takes and versions through the bulk path."""
    vault = Vault.init(root, catalog=catalog_url)
    n_shots = max(1, n_takes // TAKES_PER_SHOT)
    shots = []
    for s in range(SECTIONS):
        vault.add_section(f"SEQ{s + 1:02d}")
    for i in range(n_shots):
        shots.append(vault.add_shot(f"SH{(i + 1) * 10:05d}", section=f"SEQ{i % SECTIONS + 1:02d}"))
    media = MediaInfo.from_json(
        {
            "container": "mp4",
            "codec": "h264",
            "width": 1920,
            "height": 1080,
            "fps": "24000/1001",
            "frames": 120,
            "duration": 5.005,
            "bit_rate": 8_000_000,
            "pix_fmt": "yuv420p",
            "audio": [],
        }
    )
    rng = random.Random(7)
    when = datetime.now(UTC)
    take_rows, version_rows = [], []
    extra = n_versions - n_takes  # versions beyond the first, spread evenly
    for t in range(n_takes):
        shot = shots[t % n_shots]
        number = t // n_shots + 1
        take_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        key = f"main/{shot.section}/{shot.code}/video_{number:02d}.mp4"
        take_rows.append(
            {
                "id": take_id,
                "shot_id": shot.id,
                "number": number,
                "name": f"video_{number:02d}",
                "key": key,
                "kind": ("raw", "edit", "final")[t % 3],
                "tags": ["hero"] if t % 50 == 0 else [],
                "note": f"{WORDS[t % len(WORDS)]} pass {t}" + (f" zebracorn{t}" if t % 1000 == 1 else ""),
                "created_at": when,
                "created_by": "bench",
                "deleted": t % 97 == 0,
            }
        )
        count = 1 + extra // n_takes + (1 if t < extra % n_takes else 0)
        for v in range(1, count + 1):
            params = None
            if v == count and t % 10 == 0:
                prompt = f"a {WORDS[(t // 10) % len(WORDS)]} at dawn, {'kestrelwing ' if t % 500 == 0 else ''}35mm"
                params = {"generation": {"positive": prompt, "seed": t}, "chunks": {}}
            png = PngRecord(key[:-4] + ".png", None, None, 0, "present", None, params) if params else None
            version = NewVersion(
                key, f"{t:08d}.{v}", f"{t:056x}{v:08x}", 10_000_000 + v, f"render_{t}.mp4", when, "bench", media, png
            )
            version_rows.append((take_id, v, version))
    new_takes = [NewTake(**{**row, "tags": tuple(row["tags"])}) for row in take_rows]
    vault.catalog.bulk_insert_takes(new_takes, version_rows)
    return vault, take_rows


def reopen(root: Path) -> tuple[Vault, list[dict[str, Any]]]:
    """A vault a `--keep` run built, with the take rows `build` would return (read back from its catalog)."""
    import sqlalchemy as sa

    from takevault.catalog.schema import takes

    vault = Vault.open(root)
    columns = (takes.c.id, takes.c.shot_id, takes.c.number, takes.c.name, takes.c.note, takes.c.deleted)
    with vault.catalog.read() as conn:
        rows = [dict(r) for r in conn.execute(sa.select(*columns).order_by(takes.c.created_at)).mappings()]
    # `build` makes take t's note "WORD pass t ...": put the rows back in that order.
    rows.sort(key=lambda r: int(r["note"].split()[2]))
    return vault, rows


def listing(root: Path, *args: str) -> tuple[float, float, float, int]:
    """`takevault takes ARGS` as a child: first line (s), whole listing (s), peak RSS (MB), lines."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    # The child reports its own high-water mark: a forked child's ru_maxrss counts the parent's pages
    # it had before exec, which here hold the whole benchmark.
    code = (
        "import sys; from takevault.cli.app import main; code = main(sys.argv[1:]); "
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]; "
        "sys.stderr.write(f'VmHWM {hwm}\\n'); sys.exit(code)"
    )
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "--vault", str(root), "takes", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None
    first = None
    lines = 0
    for _line in proc.stdout:
        if first is None:
            first = time.perf_counter() - start
        lines += 1
    total = time.perf_counter() - start
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.wait() != 0:
        raise SystemExit(f"takevault takes {' '.join(args)} failed: {err}")
    hwm_kb = int(err.split("VmHWM")[-1].split()[0])
    return first or total, total, hwm_kb / 1024, lines


def web_pages(vault_root: Path, shot_paths: list[str], samples: int) -> dict[str, tuple[float, float]]:
    import httpx

    from takevault.web.app import create_app

    app = create_app(vault_root)
    spec = app.openapi().get("paths", {}).get("/api/takes", {}).get("get", {})
    paging = any(p.get("name") == "limit" for p in spec.get("parameters", []))

    async def run() -> dict[str, tuple[float, float]]:
        out = {}
        # A loopback name: the server answers no other host without a token.
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8470") as client,
        ):
            for label, make_url in (
                ("web GET /api/takes?shot=", lambda i: f"/api/takes?shot={shot_paths[i % len(shot_paths)]}"),
                ("web GET /api/takes page", lambda i: "/api/takes?limit=100" if paging else "/api/takes?starred=true"),
            ):
                times = []
                for i in range(-1, samples):
                    start = time.perf_counter()
                    response = await client.get(make_url(i))
                    response.raise_for_status()
                    if i >= 0:
                        times.append((time.perf_counter() - start) * 1000)
                out[label] = (statistics.median(times), _percentile(times, 95))
        return out

    results = asyncio.run(run())
    note = "limit=100" if paging else "no paging yet: the starred list"
    results[f"web GET /api/takes page ({note})"] = results.pop("web GET /api/takes page")
    return results


def bench_backend(name: str, url: str | None, args: argparse.Namespace, workdir: Path) -> list[str]:
    root = workdir / f"vault-{name}"
    t0 = time.perf_counter()
    if args.reuse is not None:
        vault, take_rows = reopen(root)
    else:
        vault, take_rows = build(root, url, args.takes, args.versions)
    built = time.perf_counter() - t0
    live = [r for r in take_rows if not r["deleted"]]
    shots = vault.list_shots()
    by_id = {s.id: s for s in shots}
    refs = [f"{by_id[r['shot_id']].path}/{r['name']}" for r in live]
    rng = random.Random(11)
    if args.reuse is None:
        first_of: dict[int, dict[str, Any]] = {}
        for r in live:
            first_of.setdefault(r["shot_id"], r)
        for shot in shots:  # one star per shot, through the API
            if shot.id in first_of:
                vault.star(f"{shot.path}/{first_of[shot.id]['name']}")
    with vault.catalog.read() as conn:
        n_versions = conn.execute(sa_text("SELECT count(*) FROM take_versions")).scalar_one()
    how = (
        f"reused from {root}, opened in {built:.1f} s"
        if args.reuse is not None
        else f"built in {built:.1f} s, stars set in {time.perf_counter() - t0 - built:.1f} s"
    )
    print(f"\n## {name}: {len(take_rows):,} takes, {n_versions:,} versions, {len(shots):,} shots ({how})")
    picks = [rng.choice(live) for _ in range(args.samples + 1)]
    ids = [r["id"] for r in picks]
    ref_of = {r["id"]: ref for r, ref in zip(live, refs, strict=True)}
    pick_refs = [ref_of[i] for i in ids]
    rare = [f"zebracorn{t}" for t in range(1, len(take_rows), 1000) if not take_rows[t]["deleted"]]
    shot_paths = [s.path for s in shots]
    # The timings must not pay for this script's own bookkeeping: a full garbage collection walks every
    # live object, and the 100,000 row dicts above tripled its cost (no CLI or web process holds them).
    del take_rows, live, refs, picks, by_id, ref_of
    # Then the process stands as a server does once it is up: its start-up objects frozen (heap.py).
    freeze_startup_objects()

    from typer.testing import CliRunner

    from takevault.cli.app import app as cli_app

    runner = CliRunner()
    results: dict[str, tuple[float, float]] = {
        "resolve SEQ/SH/video_NN": timed(args.samples, lambda i: vault.take(pick_refs[i])),
        "resolve by UUID": timed(args.samples, lambda i: vault.take(ids[i])),
        "star": timed(args.samples, lambda i: vault.star(pick_refs[i])),
        "starred list": timed(args.samples, lambda i: vault.takes(starred=True)),
        "search (rare word)": timed(args.samples, lambda i: vault.takes(search=rare[i % len(rare)])),
        "search (prompt word)": timed(args.samples, lambda i: vault.takes(search="kestrelwing")),
        "list_shots": timed(args.samples, lambda i: vault.list_shots()),
        "CLI takes --shot": timed(
            args.samples,
            lambda i: runner.invoke(
                cli_app, ["--vault", str(root), "takes", "--shot", shot_paths[i % len(shot_paths)]]
            ),
        ),
    }
    results.update(web_pages(root, shot_paths, args.samples))
    failures = []
    print(f"| figure ({args.samples} calls) | p50 ms | p95 ms | target (p95) |")
    print("| --- | ---: | ---: | --- |")
    for label, (p50, p95) in results.items():
        target = TARGETS_MS.get(label)
        verdict = ""
        if target is not None:
            ok = p95 < target
            verdict = f"< {target:g} ms {'met' if ok else 'MISSED'}"
            if not ok:
                failures.append(f"{name} {label}")
        print(f"| {label} | {p50:.2f} | {p95:.2f} | {verdict} |")
    vault.close() if hasattr(vault, "close") else None
    if args.no_listing:
        return failures
    startup, _total, _rss, _lines = listing(root, "--jsonl", "--search", "nothingmatchesthisword")
    print(f"\nA child's start-up (interpreter, imports, opening the vault; an empty listing): {startup:.2f} s")
    print("| whole listing (child process) | first row s | total s | peak RSS MB | rows | targets |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    for fmt in (["--jsonl"], ["--json"], []):
        first, total, rss, lines = listing(root, *fmt)
        ok = first < FIRST_ROW_S and total < WHOLE_LISTING_S and rss < LISTING_RSS_MB
        if not ok:
            failures.append(f"{name} takes {' '.join(fmt) or '(table)'}")
        label = f"takes {' '.join(fmt)}".strip() + (" (tab-separated, piped)" if not fmt else "")
        print(
            f"| {label} | {first:.3f} | {total:.2f} | {rss:.0f} | {lines:,} | "
            f"< {FIRST_ROW_S} s, < {WHOLE_LISTING_S:g} s, < {LISTING_RSS_MB:g} MB {'met' if ok else 'MISSED'} |"
        )
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--takes", type=int, default=100_000)
    parser.add_argument("--versions", type=int, default=None, help="default: 2.5 per take")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--dir", default=None, help="where the SQLite vault is built (default: a temp folder)")
    parser.add_argument("--small", action="store_true", help="2,000 takes, 10 samples: a run of seconds")
    parser.add_argument(
        "--keep",
        type=Path,
        default=None,
        help="build the vaults in this folder and leave them there, the PostgreSQL schema too (e.g. for "
        "bench/gallery_first_page.py --vault KEEP/vault-SQLite, or a later --reuse KEEP)",
    )
    parser.add_argument("--no-listing", action="store_true", help="skip the whole listings (child processes)")
    parser.add_argument(
        "--reuse",
        type=Path,
        default=None,
        help="measure the vaults a --keep run left in this folder instead of building (--takes is then ignored)",
    )
    args = parser.parse_args()
    if args.small:
        args.takes, args.samples = min(args.takes, 2000), min(args.samples, 10)
    args.versions = args.versions or int(args.takes * 2.5)
    start = time.perf_counter()
    sum(range(10_000_000))
    print(
        f"CPU check: sum(range(10**7)) took {time.perf_counter() - start:.2f} s (about 0.15 s on a quiet machine; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
    )
    failures: list[str] = []
    if args.keep is not None and args.reuse is not None:
        raise SystemExit("give --keep (build and leave the vaults) or --reuse (measure them), not both")
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
    folder = args.keep or args.reuse
    place: Any = (
        contextlib.nullcontext(str(folder))
        if folder
        else tempfile.TemporaryDirectory(dir=args.dir, prefix="takevault-scale-")
    )
    with place as tmp:
        for backend in args.backends.split(","):
            if backend == "sqlite":
                failures += bench_backend("SQLite", None, args, Path(tmp))
            elif backend == "postgres" and args.reuse is not None:
                failures += bench_backend("PostgreSQL", None, args, Path(tmp))
            elif backend == "postgres":
                with pg_schema(keep=args.keep is not None) as url:
                    failures += bench_backend("PostgreSQL", url, args, Path(tmp))
            else:
                raise SystemExit(f"unknown backend {backend!r}; use sqlite and/or postgres")
    print("\nall targets met" if not failures else "\nmissed: " + ", ".join(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
