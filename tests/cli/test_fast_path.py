"""The listings' fast path (cli/fast.py) prints exactly what the normal path prints: the same rows,
the same JSON, the same one-sentence errors and exit codes, on SQLite and PostgreSQL, on a vault with
repeated shot codes, a shot outside sections, links, stars, deleted and purged takes, on listings of
many reads, and on damaged catalogs."""

from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from takevault.catalog.schema import takes
from takevault.catalog.sqlite_reader import NotCovered, SqliteReader
from takevault.cli import context
from takevault.cli.app import main
from takevault.cli.context import NO_FAST_PATH
from takevault.vault import Vault
from tests.clips import make_clip
from tests.vault.takes_helpers import CATALOGS


@pytest.fixture(scope="module", params=CATALOGS)
def vault_dir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp(f"fast-{request.param}")
    catalog = request.getfixturevalue("pg_module_url") if request.param == "postgres" else None
    a, b = make_clip(root / "a.mp4"), make_clip(root / "b.mp4", frames=12)
    c = make_clip(root / "c.mp4", frames=8)
    with Vault.init(root / "vault", catalog=catalog) as vault:
        vault.add_section("SEQ01")
        vault.add_section("SEQ02")
        vault.add_shot("SH010", section="SEQ01")
        vault.add_shot("SH010", section="SEQ02")
        vault.add_shot("SH020", section="SEQ02")
        vault.add_shot("SH900")
        first = vault.add(a, shot="SEQ01/SH010", note="wide")
        vault.add(b, shot="SEQ01/SH010", kind="edit")
        vault.add(c, shot="SEQ02/SH010")
        vault.add(b, shot="SH020")
        vault.add(c, shot="SH900")
        gone = vault.add(a, shot="SH900", allow_duplicates=True)
        vault.add(b, shot="SH900")
        vault.replace(first.ref, c)
        vault.star(first.ref)
        vault.set(first.ref, rating=4, status="review", add_tags=["hero", "night"])
        vault.link("SEQ01/SH010/video_02", first.ref, kind="alternate")
        vault.delete("SH900/video_03")
        vault.purge(gone.ref)
    (root / "ids").write_text(f"{first.id}\n{gone.id}\n")
    return root / "vault"


def _ids(vault_dir: Path) -> tuple[str, str]:
    first, gone = (vault_dir.parent / "ids").read_text().split()
    return first, gone


def run_both(
    vault: Path, args: list[str], capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch, *, fast: bool
) -> tuple[tuple[int, str, str], tuple[int, str, str]]:
    """(fast path first, normal path) results of one command; with `fast`, the vault must not be opened."""
    opened: list[bool] = []
    real_vault = context.CliState.vault

    def watched(self: context.CliState) -> Vault:
        opened.append(True)
        return real_vault(self)

    monkeypatch.delenv(NO_FAST_PATH, raising=False)
    monkeypatch.setattr(context.CliState, "vault", watched)
    code = main(["--vault", str(vault), *args])
    first = (code, *capsys.readouterr())
    assert not (fast and opened), f"{args}: the fast path did not answer, the vault was opened"
    monkeypatch.setenv(NO_FAST_PATH, "1")
    code = main(["--vault", str(vault), *args])
    return first, (code, *capsys.readouterr())


COVERED = [
    ["takes"],
    ["takes", "--json"],
    ["takes", "--jsonl"],
    ["takes", "--shot", "SEQ01/SH010"],
    ["takes", "--shot", "SH020", "--json"],
    ["takes", "--shot", "SH900"],
    ["show", "SEQ01/SH010/video_01"],
    ["show", "SEQ01/SH010/video_02", "--json"],
    ["show", "SH020/video_01"],
    ["show", "SH900/video_03"],
    ["show", "{first}"],
    ["history", "SEQ01/SH010/video_01"],
    ["history", "SEQ01/SH010/video_01", "--json"],
    ["history", "{first}", "--jsonl"],
    ["log"],
    ["log", "--json"],
    ["log", "SEQ01/SH010/video_01"],
    ["log", "{first}", "--jsonl"],
    ["log", "{gone}"],
]


@pytest.mark.parametrize("args", COVERED, ids=" ".join)
def test_a_covered_listing_prints_what_the_normal_path_prints(
    vault_dir: Path, args: list[str], capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, gone = _ids(vault_dir)
    filled = [a.format(first=first, gone=gone) for a in args]
    fast, normal = run_both(vault_dir, filled, capsys, monkeypatch, fast=True)
    assert fast == normal
    assert fast[0] == 0 and fast[1]


FALLBACK = [
    ["takes", "--starred"],
    ["takes", "--shot", "SH010"],
    ["takes", "--shot", "SH999"],
    ["takes", "--shot", "a/b/c"],
    ["takes", "--shot", "SH900", "--starred"],
    ["takes", "--deleted"],
    ["takes", "--section", "SEQ09"],
    ["takes", "--min-rating", "9"],
    ["takes", "--min-rating", "abc"],
    ["takes", "--search", ""],
    ["show", "SH010/video_01"],
    ["show", "SH999/video_01"],
    ["show", "SEQ01/SH010/video_99"],
    ["show", "not-a-ref"],
    ["show", "SEQ01/SH010/video_01@v1"],
    ["show", "SEQ01/SH010/video_01@v9"],
    ["show", "{gone}"],
    ["show", "00000000-0000-4000-8000-000000000000"],
    ["history", "SEQ01/SH010/video_01@v2"],
    ["history", "SH999/video_01"],
    ["log", "SH999/video_01"],
    ["log", "bad ref"],
    ["--project", "nope", "takes"],
    ["--project", "bad/name", "log"],
]


@pytest.mark.parametrize("args", FALLBACK, ids=" ".join)
def test_what_the_fast_path_does_not_cover_is_answered_by_the_normal_path(
    vault_dir: Path, args: list[str], capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    _first, gone = _ids(vault_dir)
    filled = [a.format(gone=gone) for a in args]
    fast, normal = run_both(vault_dir, filled, capsys, monkeypatch, fast=False)
    assert fast == normal


@pytest.fixture
def scratch(vault_dir: Path, tmp_path: Path) -> Path:
    """A copy of a SQLite vault, to damage."""
    if not (vault_dir / "catalog.db").is_file():
        pytest.skip("damages a SQLite vault's file")
    copy = tmp_path / "vault"
    shutil.copytree(vault_dir, copy)
    return copy


def test_an_older_schema_gets_the_normal_paths_sentence(
    scratch: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    with sqlite3.connect(scratch / "catalog.db") as db:
        db.execute("UPDATE alembic_version SET version_num = '0006'")
    for args in (["takes"], ["show", "SEQ01/SH010/video_01"], ["log"]):
        fast, normal = run_both(scratch, args, capsys, monkeypatch, fast=False)
        assert fast == normal
        assert fast[0] != 0 and "older schema" in fast[2] and len(fast[2].splitlines()) == 1


@pytest.mark.parametrize("damage", ["garbage", "empty", "missing"])
def test_a_damaged_catalog_gets_the_normal_paths_sentence(
    scratch: Path, damage: str, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = scratch / "catalog.db"
    for leftover in (scratch / "catalog.db-wal", scratch / "catalog.db-shm"):
        leftover.unlink(missing_ok=True)
    if damage == "garbage":
        db.write_bytes(b"this is not a database, just bytes " * 200)
    elif damage == "empty":
        db.write_bytes(b"")
    else:
        db.unlink()
    for args in (["takes"], ["history", "SEQ01/SH010/video_01"]):
        fast, normal = run_both(scratch, args, capsys, monkeypatch, fast=False)
        assert fast == normal
        assert fast[0] != 0 and fast[2].startswith("error: ") and len(fast[2].splitlines()) == 1


def test_a_locked_catalog_is_left_to_the_normal_path_within_a_second_or_so(scratch: Path) -> None:
    db = scratch / "catalog.db"
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("PRAGMA journal_mode=DELETE")
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        with pytest.raises(NotCovered):
            reader = SqliteReader(str(db))
            try:
                reader.check_schema()
            finally:
                reader.close()
        assert time.monotonic() - started < 10
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_row_the_fast_path_cannot_read_gets_the_normal_paths_answer(
    scratch: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    with sqlite3.connect(scratch / "catalog.db") as db:
        db.execute("UPDATE take_versions SET media = '{not json' WHERE number = 1")
    monkeypatch.delenv("TAKEVAULT_DEBUG", raising=False)
    for args in (["takes"], ["history", "SEQ01/SH010/video_01"]):
        fast, normal = run_both(scratch, args, capsys, monkeypatch, fast=False)
        assert fast == normal


def test_an_empty_vault_lists_nothing_on_both_paths(
    tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    Vault.init(tmp_path / "empty").close()
    for args in (["takes"], ["takes", "--json"], ["log", "--jsonl"]):
        fast, normal = run_both(tmp_path / "empty", args, capsys, monkeypatch, fast=True)
        assert fast == normal and fast[0] == 0


@pytest.fixture(scope="module", params=CATALOGS)
def big_vault(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1,200 takes in 12 shots (two versions each), a star, a link, a deleted take, 1,100 more log lines."""
    from takevault.catalog.rows import NewEvent
    from tests.catalog.scale_helpers import bulk_takes

    root = tmp_path_factory.mktemp(f"fast-big-{request.param}") / "vault"
    catalog = request.getfixturevalue("pg_module_url") if request.param == "postgres" else None
    if catalog is not None:
        # The module's other vault has its tables in this schema: give this one a schema of its own.
        from tests.pg_server import fresh_schema

        schemas = fresh_schema(request.getfixturevalue("pg_server"))
        catalog = schemas.__enter__()
        request.addfinalizer(lambda: schemas.__exit__(None, None, None))
    with Vault.init(root, catalog=catalog) as vault:
        made = bulk_takes(vault, shots=12, per_shot=100)
        vault.star("SEQ01/SH0030/video_07")
        vault.link("SEQ01/SH0110/video_99", "SEQ01/SH0010/video_01", kind="alternate")
        # Marked deleted in the catalog only: these takes have no bytes in the store to delete.
        with vault.catalog.write() as conn:
            conn.execute(sa.update(takes).where(takes.c.id == made[549].id).values(deleted=True))
        project = vault.catalog.find_project("main")
        assert project is not None
        when = made[0].created_at
        vault.catalog.insert_events(
            [
                NewEvent(project.id, when, "ana", "set", made[n].id, "SEQ01/SH0010", {"ref": f"line {n}", "n": n})
                for n in range(1100)
            ]
        )
    return root


BIG = [
    ["takes"],
    ["takes", "--json"],
    ["takes", "--jsonl"],
    ["takes", "--shot", "SEQ01/SH0060"],
    ["log"],
    ["log", "--json"],
    ["log", "--jsonl"],
]


@pytest.mark.parametrize("args", BIG, ids=" ".join)
def test_a_listing_of_more_than_a_thousand_rows_streams_what_the_normal_path_prints(
    big_vault: Path, args: list[str], capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast, normal = run_both(big_vault, args, capsys, monkeypatch, fast=True)
    assert fast == normal
    assert fast[0] == 0 and len(fast[1].splitlines()) > (50 if "--shot" in args else 1000)


def test_a_listing_of_many_small_reads_keeps_the_normal_paths_groups_and_order(
    big_vault: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from takevault.catalog import listing_groups

    monkeypatch.setattr(listing_groups, "FIRST_GROUP_TAKES", 7)
    monkeypatch.setattr(listing_groups, "MAX_GROUP_TAKES", 30)
    for args in (["takes", "--jsonl"], ["takes", "--shot", "SEQ01/SH0110"]):
        fast, normal = run_both(big_vault, args, capsys, monkeypatch, fast=True)
        assert fast == normal and fast[0] == 0


def test_the_first_rows_come_before_the_rest_is_read(big_vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from takevault.catalog import listing_groups
    from takevault.cli.fast import FastListings

    monkeypatch.setattr(listing_groups, "FIRST_GROUP_TAKES", 100)
    monkeypatch.setattr(listing_groups, "MAX_GROUP_TAKES", 100)
    reads: list[int] = []
    real = listing_groups.in_shot_order

    def counted(group: list[int], rows: list) -> list:
        reads.append(len(rows))
        return real(group, rows)

    monkeypatch.setattr("takevault.catalog.fast_reader.in_shot_order", counted)
    fast = FastListings.open(big_vault, "main")
    try:
        listed = fast.iter_listed_takes()
        assert reads == [100]  # the first group is read (and checked) before the listing is handed over
        assert next(listed).ref == "SEQ01/SH0010/video_01"
        assert sum(1 for _ in listed) == 1198 and len(reads) == 12
    finally:
        fast.close()


def _corrupt_takes_page(vault: Path, last: bool, table: str = "takes") -> None:
    """Garbage over one of a table's leaf pages (the last-inserted rows' one, or the first)."""
    db = vault / "catalog.db"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        leaves = "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf'"
        pages = [p for (p,) in conn.execute(leaves, (table,))]
    with db.open("r+b") as f:
        f.seek(((max(pages) if last else min(pages)) - 1) * size)
        f.write(b"\xff\x13 not a page " * (size // 13))


@pytest.fixture
def big_scratch(big_vault: Path, tmp_path: Path) -> Path:
    if not (big_vault / "catalog.db").is_file():
        pytest.skip("damages a SQLite vault's file")
    copy = tmp_path / "vault"
    shutil.copytree(big_vault, copy)
    return copy


@pytest.mark.parametrize("args", [["takes"], ["takes", "--json"], ["takes", "--jsonl"]], ids=" ".join)
def test_a_read_failing_after_the_first_rows_ends_with_the_catalogs_sentence(
    big_scratch: Path, args: list[str], capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    _corrupt_takes_page(big_scratch, last=True)
    fast, normal = run_both(big_scratch, args, capsys, monkeypatch, fast=True)
    assert fast == normal
    code, out, err = fast
    assert code == 6 and len(err.splitlines()) == 1 and 0 < out.count("SEQ01/SH") < 1199
    assert err.startswith(f"error: The catalog sqlite:///{(big_scratch / 'catalog.db').resolve()} failed (")
    assert "run 'takevault fsck'" in err
    if "--json" in args:
        assert not out.endswith("]\n")  # an unfinished array, never one that looks whole


@pytest.mark.parametrize("args", [["log"], ["log", "--json"]], ids=" ".join)
def test_a_log_read_failing_after_its_first_lines_ends_with_the_catalogs_sentence(
    big_scratch: Path, args: list[str], capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    _corrupt_takes_page(big_scratch, last=True, table="events")
    fast, normal = run_both(big_scratch, args, capsys, monkeypatch, fast=True)
    assert fast == normal
    code, out, err = fast
    assert code == 6 and len(err.splitlines()) == 1 and out.count("line ") >= 1000
    assert err.startswith("error: The catalog sqlite:///") and "failed (database disk image is malformed)" in err


def test_a_later_row_neither_path_can_read_ends_both_alike(
    big_scratch: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    with sqlite3.connect(big_scratch / "catalog.db") as db:
        db.execute("UPDATE takes SET tags = '[not json' WHERE number = 99 AND shot_id = (SELECT max(id) FROM shots)")
    monkeypatch.delenv("TAKEVAULT_DEBUG", raising=False)
    for args in (["takes", "--jsonl"], ["takes"]):
        fast, normal = run_both(big_scratch, args, capsys, monkeypatch, fast=True)
        assert fast == normal
        assert fast[0] == 70 and len(fast[2].splitlines()) == 1
        assert "SEQ01/SH0120/video_98" in fast[1].splitlines()[-1]  # every row before the bad one


def test_a_read_failing_before_the_first_row_is_the_normal_paths_answer(
    big_scratch: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    _corrupt_takes_page(big_scratch, last=False)
    fast, normal = run_both(big_scratch, ["takes", "--json"], capsys, monkeypatch, fast=False)
    assert fast == normal and fast[0] != 0


def test_an_unreachable_postgresql_gets_the_normal_paths_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = tmp_path / "vault"
    (vault / "store").mkdir(parents=True)
    (vault / "takevault.toml").write_text(
        'catalog = "postgresql+psycopg://postgres:secret@127.0.0.1:1/test"\nstore = "file://store"\n'
    )
    for args in (["takes", "--jsonl"], ["log"]):
        fast, normal = run_both(vault, args, capsys, monkeypatch, fast=False)
        assert fast == normal and fast[0] != 0 and "secret" not in fast[2]


@pytest.mark.parametrize(
    "args", [["takes", "--jsonl"], ["takes", "--shot", "SH020"], ["log"], ["show", "SH020/video_01"]]
)
def test_the_fast_path_loads_no_sqlalchemy_on_either_database(vault_dir: Path, args: list[str]) -> None:
    import json
    import os
    import subprocess
    import sys

    probe = (
        "import json, sys; from takevault.cli.app import main; code = main(sys.argv[1:]); "
        "sys.stderr.write(json.dumps([code, 'sqlalchemy' in sys.modules]))"
    )
    env = {k: v for k, v in os.environ.items() if k != NO_FAST_PATH}
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).parents[2] / "src"), *sys.path])
    done = subprocess.run(
        [sys.executable, "-c", probe, "--vault", str(vault_dir), *args], capture_output=True, text=True, env=env
    )
    assert json.loads(done.stderr.splitlines()[-1]) == [0, False], done.stderr
