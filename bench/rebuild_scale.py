"""Catalog rebuild at scale: replay the journal of a 10,000-version vault into a lost catalog.

    python bench/rebuild_scale.py [--versions 10000] [--dir /var/tmp] [--keep]

Builds the vault through the product's API, fast: `Vault.init`, sections and shots with
`add_section` / `add_shot`, takes and versions with `Catalog.bulk_insert_takes` (2,000
takes per transaction; every transaction is one journal entry in the store, as for an
import), then a star per shot and a note and a rating on 20 takes through `Vault.star`
and `Vault.set` (one journal entry each, as a team makes them). Then it lists
everything the CLI shows (`section list`, `shot list`, `takes`, `takes --deleted`, `log`,
all as JSON), deletes the catalog file, times `Vault.rebuild_catalog()` (what
`takevault catalog rebuild` runs, in process, so start-up is not in the figure), lists
again and compares. Prints versions per second and the journal's size; the last line is
the result as JSON. Exits 1 when a listing differs after the rebuild.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import random
import shutil
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from takevault.catalog.rows import NewTake, NewVersion  # noqa: E402
from takevault.cli.app import main as cli_main  # noqa: E402
from takevault.models import MediaInfo  # noqa: E402
from takevault.vault import Vault  # noqa: E402

VERSIONS_PER_TAKE = 2.5
TAKES_PER_SHOT = 20
SECTIONS = 4
LISTINGS = (
    ("section", "list", "--json"),
    ("shot", "list", "--json"),
    ("takes", "--json"),
    ("takes", "--deleted", "--json"),
    ("log", "--json"),
)
MEDIA = {
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


def build(root: Path, n_versions: int) -> dict[str, int]:
    """The vault at `root` with `n_versions` versions; returns what it holds."""
    n_takes = max(1, round(n_versions / VERSIONS_PER_TAKE))
    n_shots = max(1, n_takes // TAKES_PER_SHOT)
    rng = random.Random(11)
    when = datetime.now(UTC)
    media = MediaInfo.from_json(MEDIA)
    with Vault.init(root) as vault:
        for s in range(SECTIONS):
            vault.add_section(f"SEQ{s + 1:02d}")
        shots = [vault.add_shot(f"SH{(i + 1) * 10:04d}", section=f"SEQ{i % SECTIONS + 1:02d}") for i in range(n_shots)]
        new_takes: list[NewTake] = []
        versions: list[tuple[str, int, NewVersion]] = []
        extra = n_versions - n_takes
        for t in range(n_takes):
            shot = shots[t % n_shots]
            number = t // n_shots + 1
            take_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            key = f"main/{shot.section}/{shot.code}/video_{number:02d}.mp4"
            new_takes.append(
                NewTake(
                    id=take_id,
                    shot_id=shot.id,
                    number=number,
                    name=f"video_{number:02d}",
                    key=key,
                    kind=("raw", "edit", "final")[t % 3],
                    note=None,
                    created_at=when,
                    created_by="bench",
                    tags=("hero",) if t % 25 == 0 else (),
                    deleted=t % 41 == 0,
                    deleted_at=when if t % 41 == 0 else None,
                )
            )
            count = max(0, 1 + extra // n_takes + (1 if t < extra % n_takes else 0))
            for v in range(1, count + 1):
                version = NewVersion(
                    key=key,
                    version_id=f"{t:08d}.{v}",
                    sha256=f"{t:056x}{v:08x}",
                    size=10_000_000 + v,
                    original_name=f"render_{t}.mp4",
                    created_at=when,
                    created_by="bench",
                    media=media,
                )
                versions.append((take_id, v, version))
        vault.catalog.bulk_insert_takes(new_takes, versions)
        live = [t for t in new_takes if not t.deleted]
        for shot in shots:
            first = next((t for t in live if t.shot_id == shot.id), None)
            if first is not None:
                vault.star(first.id)
        for take in live[:: max(1, len(live) // 20)]:
            vault.set(take.id, note=f"pick {take.name}", rating=4, status="approved")
    return {"takes": n_takes, "versions": len(versions), "shots": n_shots}


def listings(root: Path) -> dict[str, Any]:
    """What the CLI prints for each listing, parsed, through `takevault.cli.app.main` in process."""
    seen: dict[str, Any] = {}
    for argv in LISTINGS:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = cli_main(["--vault", str(root), *argv])
        if code != 0:
            raise SystemExit(f"takevault {' '.join(argv)} failed with exit code {code}")
        seen[" ".join(argv)] = json.loads(out.getvalue())
    return seen


def lose_catalog(root: Path) -> None:
    for name in ("catalog.db", "catalog.db-wal", "catalog.db-shm"):
        (root / name).unlink(missing_ok=True)


def journal_size(root: Path) -> tuple[int, int]:
    """(objects, bytes) of the journal in the local store."""
    with Vault.open(root) as vault:
        found = [v for v in vault.store.list_versions(".takevault/journal/", prefix=True) if not v.is_delete_marker]
    return len(found), sum(v.size or 0 for v in found)


def run(root: Path, n_versions: int) -> dict[str, Any]:
    start = time.perf_counter()
    held = build(root, n_versions)
    build_s = time.perf_counter() - start
    before = listings(root)
    entries, size = journal_size(root)
    lose_catalog(root)
    start = time.perf_counter()
    with Vault.open(root) as vault:
        report = vault.rebuild_catalog()
    rebuild_s = time.perf_counter() - start
    after = listings(root)
    differs = [name for name in before if before[name] != after[name]]
    return {
        **held,
        "build_s": round(build_s, 2),
        "journal_entries": entries,
        "journal_bytes": size,
        "rebuild_s": round(rebuild_s, 3),
        "versions_per_s": round(held["versions"] / rebuild_s),
        "rebuilt_takes": report.takes_added,
        "rebuilt_versions": report.versions_added,
        "listings_equal": not differs and report.versions_added == held["versions"],
        "differs": differs,
        "listed_takes": len(before["takes --json"]) + len(before["takes --deleted --json"]),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--versions", type=int, default=10_000)
    parser.add_argument("--dir", type=Path, default=None, help="where the vault is built (default: a temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the vault afterwards")
    args = parser.parse_args()
    if args.versions < 1:
        parser.error("--versions needs a positive number of versions")
    base = Path(tempfile.mkdtemp(prefix="takevault-rebuild-", dir=args.dir))
    try:
        result = run(base / "vault", args.versions)
    finally:
        if args.keep:
            print(f"vault kept in {base / 'vault'}")
        else:
            shutil.rmtree(base, ignore_errors=True)
    print(
        f"{result['takes']} takes, {result['versions']} versions in {result['shots']} shots "
        f"(built in {result['build_s']} s)"
    )
    print(f"journal: {result['journal_entries']} entries, {result['journal_bytes'] / 1e6:.1f} MB")
    print(
        f"catalog rebuild: {result['rebuild_s']} s, {result['versions_per_s']} versions/s "
        f"({result['rebuilt_takes']} takes, {result['rebuilt_versions']} versions)"
    )
    same = "equal" if result["listings_equal"] else f"DIFFERENT ({', '.join(result['differs']) or 'version count'})"
    print(f"listings before and after ({', '.join(' '.join(a) for a in LISTINGS)}): {same}")
    print(json.dumps(result))
    return 0 if result["listings_equal"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
