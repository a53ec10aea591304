"""Bulk import, fsck and catalog rebuild."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from takevault.errors import ConflictError, InvalidInputError
from takevault.vault import Vault
from takevault.vault import add as adding
from tests.clips import make_clip


@pytest.fixture
def drop(tmp_path: Path, clips: dict[str, Path]) -> Path:
    """A delivery folder: section/shot folders, shot codes in names, a bad file, a note, a companion PNG."""
    root = tmp_path / "delivery"
    (root / "SEQ01" / "SH010").mkdir(parents=True)
    shutil.copy(clips["a"], root / "SEQ01" / "SH010" / "anything.mp4")
    shutil.copy(clips["b"], root / "SH020_take3.mp4")
    shutil.copy(clips["b"], root / "sh020_again.mp4")  # same bytes as SH020_take3.mp4
    (root / "SH020_broken.mp4").write_text("not a video")
    (root / "readme.txt").write_text("notes")
    (root / "orphan.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    make_clip(root / "misc" / "nocode.mp4", frames=4, scenes=((0, 9),))
    return root


def test_import_with_default_pattern_creates_shots_and_reports_each_file(vault, drop: Path) -> None:
    report = vault.import_paths([drop], create_shots=True)
    by_name = {Path(i.path).name: i for i in report.items}
    assert by_name["anything.mp4"].status == "added" and by_name["anything.mp4"].ref == "SEQ01/SH010/video_01"
    assert by_name["SH020_take3.mp4"].ref == "SH020/video_01"
    assert by_name["sh020_again.mp4"].status == "skipped" and "same bytes" in by_name["sh020_again.mp4"].reason
    assert by_name["SH020_broken.mp4"].status == "failed" and "not a video" in by_name["SH020_broken.mp4"].reason
    assert by_name["nocode.mp4"].status == "failed" and "--map" in by_name["nocode.mp4"].reason
    assert by_name["readme.txt"].status == "skipped" and by_name["orphan.png"].status == "skipped"
    assert (report.count("added"), report.count("failed")) == (2, 2)
    assert [s.path for s in vault.list_shots()] == ["SH020", "SEQ01/SH010"]
    assert report.to_json()["added"] == 2
    again = vault.import_paths([drop], create_shots=True, allow_duplicates=True)
    assert again.count("added") == 3  # duplicates allowed: every readable video is added once more


def test_import_dry_run_and_missing_shots_change_nothing(vault, drop: Path) -> None:
    from tests.vault.takes_helpers import snapshot

    before = snapshot(vault)
    planned = vault.import_paths([drop], dry_run=True, create_shots=True)
    assert planned.dry_run and planned.count("planned") == 2
    refused = vault.import_paths([drop])
    assert refused.count("added") == 0
    assert sum("--create-shots" in (i.reason or "") for i in refused.failed) == 3
    assert snapshot(vault) == before


def test_import_with_fixed_shot_and_custom_map(vault, drop: Path, clips: dict[str, Path]) -> None:
    vault.add_shot("SH900")
    report = vault.import_paths([drop / "misc" / "nocode.mp4", clips["c"]], shot="SH900")
    assert [i.ref for i in report.items] == ["SH900/video_01", "SH900/video_02"]
    vault.add_shot("misc")
    custom = vault.import_paths([drop / "misc"], map_pattern=r"(?P<shot>[a-z]+)/", allow_duplicates=True)
    assert [i.ref for i in custom.items] == ["misc/video_01"]
    with pytest.raises(InvalidInputError, match="named group 'shot'"):
        vault.import_paths([drop], map_pattern=r"(SH\d+)")
    with pytest.raises(InvalidInputError, match="not a valid regular expression") as info:
        vault.import_paths([drop], map_pattern=r"(?P<shot>SH\d+")
    # The pattern as typed (no doubled backslashes), and what to do about it.
    assert "(?P<shot>SH\\d+ " in str(info.value) and "; " in str(info.value)


def test_fsck_finds_unreferenced_and_damaged_versions(vault, clips: dict[str, Path]) -> None:
    vault.add_shot("SH010")
    take = vault.add(clips["a"], shot="SH010")
    vault.replace(take.ref, clips["b"])
    assert vault.fsck().ok
    # What an add interrupted between the put and the catalog insert leaves behind:
    with clips["c"].open("rb") as fh:
        vault.store.put("main/_/SH010/video_02.mov", fh, {"take-id": "lost"})
    report = vault.fsck()
    assert [p.kind for p in report.problems] == ["interrupted_upload"]
    assert report.to_json()["ok"] is False
    blob = vault.store.blob_path(take.key, take.current.version_id)
    blob.chmod(0o644)
    blob.write_bytes(b"rotten")
    kinds = sorted(p.kind for p in vault.fsck().problems)
    assert kinds == ["damaged_bytes", "interrupted_upload"]


def test_catalog_rebuild_recovers_takes_from_store_metadata(tmp_path: Path, clips: dict[str, Path]) -> None:
    with Vault.init(tmp_path / "v") as vault:
        vault.add_section("SEQ01")
        vault.add_shot("SH010", section="SEQ01")
        vault.add_shot("SH020")
        one = vault.add(clips["a"], shot="SH010", kind="edit")
        vault.replace(one.ref, clips["c"])
        gone = vault.add(clips["b"], shot="SH020")
        vault.add(clips["b"], shot="SH020")
        vault.delete(gone.ref)
        before = {t.ref: t.to_json() for t in vault.takes(deleted=None)}
    (tmp_path / "v" / "catalog.db").unlink()
    for extra in (tmp_path / "v").glob("catalog.db-*"):
        extra.unlink()
    # A store written before the catalog journal existed: only the object metadata tells.
    shutil.rmtree(tmp_path / "v" / "store" / "keys" / ".takevault")
    with Vault.open(tmp_path / "v") as vault:
        report = vault.rebuild_catalog()
        assert (report.takes_added, report.versions_added, report.shots_added) == (3, 4, 2)
        assert report.journal_entries == 0
        after = {t.ref: t.to_json() for t in vault.takes(deleted=None)}
        assert set(after) == set(before)
        for ref, data in before.items():
            for key in ("id", "number", "kind", "deleted", "version", "versions", "sha256", "size", "media"):
                assert after[ref][key] == data[key], (ref, key)
        assert vault.add(clips["c"], shot="SH020").number == 3
        with pytest.raises(ConflictError, match="not empty"):
            vault.rebuild_catalog()
        assert vault.fsck().ok


def test_rebuild_never_revives_what_a_crashed_replace_left_in_the_store(tmp_path: Path, clips: dict[str, Path]) -> None:
    from takevault.media.probe import probe

    with Vault.init(tmp_path / "v") as vault:
        vault.add_shot("SH010")
        take = vault.add(clips["a"], shot="SH010")
        # A replace that died between the store put and the catalog row: the user saw it fail.
        meta = adding.object_metadata(vault, take.id, vault.shot("SH010"), 1, "raw", "take_b.mp4", probe(clips["b"]))
        orphan = adding.put_file(vault, take.key, clips["b"], meta, None)
        problems = vault.fsck().problems
        assert [(p.kind, p.version_id, p.take_ref) for p in problems] == [
            ("interrupted_upload", orphan.version_id, take.ref)
        ]
        repaired = vault.fsck(repair=True)
        assert repaired.ok and repaired.repaired
        assert [n.kind for n in repaired.notes] == ["kept_leftover"]
        # The bytes stay (fsck never deletes them) and never become a version.
        assert vault.store.head(take.key, orphan.version_id).sha256 == orphan.sha256
        assert [v.version_id for v in vault.history(take.ref)] == [take.current.version_id]
    (tmp_path / "v" / "catalog.db").unlink()
    with Vault.open(tmp_path / "v") as vault:
        vault.rebuild_catalog()
        rebuilt = vault.take(take.ref)
        assert (rebuilt.versions_count, rebuilt.current.version_id) == (1, take.current.version_id)
        assert vault.fsck().ok
