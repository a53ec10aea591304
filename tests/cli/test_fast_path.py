"""The listings' fast path (cli/fast.py) prints exactly what the normal path prints: the same rows,
the same JSON, the same one-sentence errors and exit codes, on a vault with repeated shot codes, a
shot outside sections, links, stars, deleted and purged takes, and on damaged catalogs."""

from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from takevault.catalog.sqlite_reader import NotCovered, SqliteReader
from takevault.cli import context
from takevault.cli.app import main
from takevault.cli.context import NO_FAST_PATH
from takevault.vault import Vault
from tests.clips import make_clip


@pytest.fixture(scope="module")
def vault_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fast")
    a, b = make_clip(root / "a.mp4"), make_clip(root / "b.mp4", frames=12)
    c = make_clip(root / "c.mp4", frames=8)
    with Vault.init(root / "vault") as vault:
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


def test_a_listing_longer_than_the_fast_path_holds_goes_to_the_normal_path(
    scratch: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("takevault.catalog.sqlite_reader.FAST_ROWS", 3)
    for args in (["takes"], ["log"]):
        fast, normal = run_both(scratch, args, capsys, monkeypatch, fast=False)
        assert fast == normal and fast[0] == 0


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
