"""Crash injection and catalog rebuild: what random SIGKILLs leave, and how long a rebuild takes.

    python bench/crash_injection.py [--rounds 5] [--backends local,s3] [--seed 1]
    python bench/crash_injection.py --rebuild 10000 [--backends local,s3]

Crash injection: each round runs add, replace, import, revert, restore, png attach, star and
export once left alone (timed; it is also "the next command" after the previous kill) and once
killed with SIGKILL at a random moment of that time, then checks the vault: committed versions
lost, catalog rows pointing at nothing, leftovers fsck found, problems left after
`fsck --repair`, failed next commands (harness: tests/vault/crash_harness.py). S3 runs on
SeaweedFS on 127.0.0.1, started here by the tests' launcher.

Rebuild: a vault of N versions (N/10 takes of 10 versions each: add, delete + restore,
8 reverts; in 10 shots, every take with a note and a rating, a star per shot), catalog
deleted, `rebuild_catalog()` timed and its takes compared with the ones before. Reference in
the same run: reading every journal object from the store without replaying it (the floor
the store sets).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from takevault.vault import lookup

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))


def crash_runs(backend: str, rounds: int, seed: int, workdir: Path) -> None:
    from tests.vault.crash_harness import COMMANDS, CrashBench

    init = None
    if backend == "s3":
        init = _seaweedfs(workdir)
    bench = CrashBench(workdir / f"crash-{backend}", init=init, seed=seed)
    start = time.monotonic()
    totals = bench.run(rounds)
    elapsed = time.monotonic() - start
    leftovers = ", ".join(f"{k} {n}" for k, n in sorted(totals.leftovers.items())) or "none"
    print(f"\n{backend}: {totals.runs} killed runs ({rounds} per command: {', '.join(COMMANDS)}), {elapsed:.0f} s")
    print(
        "| backend | runs | killed mid-command | versions lost | rows pointing at nothing | "
        "leftovers found by fsck | failures after fsck --repair |"
    )
    print("| --- | ---: | ---: | ---: | ---: | --- | ---: |")
    print(
        f"| {backend} | {totals.runs} | {totals.killed} | {totals.versions_lost} | "
        f"{totals.rows_pointing_at_nothing} | {leftovers} | {len(totals.failures_after)} |"
    )
    for failure in totals.failures_after:
        print(f"  failure: {failure}")


_SERVERS: list = []


def _seaweedfs(workdir: Path) -> dict[str, str]:
    from tests.s3_servers import new_bucket_name, start_server

    server = start_server("seaweedfs", workdir / "seaweedfs")
    _SERVERS.append(server)
    os.environ.update(server.env())
    bucket = new_bucket_name("bench")
    client = server.client()
    client.create_bucket(Bucket=bucket)
    client.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    client.close()
    return {"store": f"s3://{bucket}/vault", "endpoint_url": server.endpoint_url}


def rebuild_time(backend: str, versions: int, workdir: Path) -> None:
    from tests.clips import make_clip

    from takevault.vault import Vault
    from takevault.vault.journal import read_entries, stored_seqs

    init = _seaweedfs(workdir) if backend == "s3" else {}
    root = workdir / f"rebuild-{backend}"
    takes = max(1, versions // 10)
    start = time.monotonic()
    with Vault.init(root, **init) as vault:
        for s in range(10):
            vault.add_shot(f"SH{s:03d}0")
        refs = []
        for t in range(takes):
            # Bytes of its own per take (an add of bytes already in the shot may be refused).
            own = make_clip(workdir / "clips" / f"t{t}.mp4", frames=2, scenes=((0, t + 1),))
            take = vault.add(own, shot=f"SH{t % 10:03d}0", note=f"take {t}")
            refs.append(take.ref)
        for ref in refs:  # v2: deleted and restored
            vault.delete(ref)
            vault.restore(ref)
        for _ in range(8):  # v3..v10: reverts to v1
            for ref in refs:
                vault.revert(ref, to_version=1)
        for ref in refs[:10]:
            vault.star(ref)
        for ref in refs:
            vault.set(ref, rating=3)
        made = len(vault.catalog.all_versions(lookup.project_row(vault)))
        before = [t.to_json() for t in vault.takes(deleted=None)]
    print(
        f"\nrebuild on {backend}: made a vault of {made} versions in {takes} takes in {time.monotonic() - start:.0f} s"
    )
    _drop_catalog(root)
    with Vault.open(root) as vault:
        t0 = time.monotonic()
        seqs = stored_seqs(vault.store)
        entries = read_entries(vault.store, seqs)
        read_s = time.monotonic() - t0
        size = sum(len(p) for _, p in entries)
    _drop_catalog(root)
    with Vault.open(root) as vault:
        t0 = time.monotonic()
        report = vault.rebuild_catalog()
        rebuild_s = time.monotonic() - t0
        after = [t.to_json() for t in vault.takes(deleted=None)]
    assert after == before, "the rebuilt catalog differs"
    print(
        "| backend | versions | journal entries | journal size | read the journal (reference) | "
        "catalog rebuild | ratio |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(
        f"| {backend} | {report.versions_added} | {report.journal_entries} | {size / 1e6:.1f} MB | "
        f"{read_s:.1f} s | {rebuild_s:.1f} s | {rebuild_s / read_s:.2f}× |"
    )


def _drop_catalog(root: Path) -> None:
    for name in ("catalog.db", "catalog.db-wal", "catalog.db-shm"):
        (root / name).unlink(missing_ok=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="killed runs per command")
    parser.add_argument("--backends", default="local,s3")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--rebuild",
        type=int,
        default=0,
        metavar="VERSIONS",
        help="instead of crash runs, time the rebuild of a vault of this many versions",
    )
    parser.add_argument("--dir", default=None, help="work folder (default: a temp folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="takevault-crash-", dir=args.dir) as tmp:
        try:
            for backend in args.backends.split(","):
                if args.rebuild:
                    rebuild_time(backend, args.rebuild, Path(tmp))
                else:
                    crash_runs(backend, args.rounds, args.seed, Path(tmp))
        finally:
            for server in _SERVERS:
                server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
