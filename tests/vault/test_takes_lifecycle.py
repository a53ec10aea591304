"""The whole life of a take, on SQLite and PostgreSQL: add, replace, star, delete, restore, revert, purge, get."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from takevault.errors import ConflictError, NotFoundError
from takevault.vault import lookup


def test_add_numbers_takes_and_records_media_and_metadata(vault, clips: dict[str, Path]) -> None:
    vault.add_section("SEQ01", name="Opening")
    vault.add_shot("SH010", section="SEQ01", name="Wide")
    first = vault.add(clips["a"], shot="SH010", note="first try")
    second = vault.add(clips["c"], shot="SEQ01/SH010", kind="edit")
    assert (first.name, second.name) == ("video_01", "video_02")
    assert first.ref == "SEQ01/SH010/video_01"
    assert first.key == "main/SEQ01/SH010/video_01.mp4"
    assert second.key.endswith("video_02.mov")
    assert second.current.media.fps == Fraction(24000, 1001)
    assert second.to_json()["media"]["fps"] == "24000/1001"
    assert second.current.media.audio and second.current.media.audio[0].channels == 2
    assert first.current.media.frames == 24 and first.current.media.width == 64
    assert first.note == "first try" and second.kind == "edit"
    head = vault.store.head(first.key)
    assert head.metadata["take-id"] == first.id
    assert head.metadata["take-number"] == "1"
    assert head.metadata["original-name"] == "take_a.mp4"
    assert head.metadata["section"] == "SEQ01" and head.metadata["shot"] == "SH010"
    data = first.to_json()
    for key in ("id", "ref", "project", "section", "shot", "number", "name", "kind", "starred", "deleted"):
        assert key in data
    for key in ("version", "versions", "sha256", "size", "media", "png_status", "note", "rating", "status", "tags"):
        assert key in data
    assert data["created_at"]
    assert vault.take(first.id) == vault.take("SH010/video_01")


def test_replace_keeps_number_star_and_metadata_and_old_version(vault, clips: dict[str, Path], tmp_path) -> None:
    vault.add_shot("SH010")
    take = vault.add(clips["a"], shot="SH010")
    other = vault.add(clips["b"], shot="SH010")
    vault.star(take.ref)
    vault.set(take.ref, note="keep", rating=4, status="review", add_tags=["hero", "night"])
    vault.link(take.ref, other.ref, kind="alternate")
    replaced = vault.replace(take.ref, clips["b"])
    assert replaced.number == 1 and replaced.starred
    assert (replaced.note, replaced.rating, replaced.status, replaced.tags) == ("keep", 4, "review", ("hero", "night"))
    assert [link.other_ref for link in replaced.links] == [other.ref]
    assert replaced.current.number == 2 and replaced.versions_count == 2
    assert replaced.current.media.frames == 12
    history = vault.history(take.ref)
    assert [v.number for v in history] == [2, 1] and history[0].is_current and not history[1].is_current
    vault.get(f"{take.ref}@v1", tmp_path / "v1.mp4")
    vault.get(take.ref, tmp_path / "v2.mp4")
    assert (tmp_path / "v1.mp4").read_bytes() == clips["a"].read_bytes()
    assert (tmp_path / "v2.mp4").read_bytes() == clips["b"].read_bytes()
    with vault.open_version(f"{take.ref}@v1") as path:
        assert path.read_bytes() == clips["a"].read_bytes()


def test_star_moves_and_unstar_clears_with_history_in_the_log(vault, clips: dict[str, Path]) -> None:
    vault.add_shot("SH010")
    one = vault.add(clips["a"], shot="SH010")
    two = vault.add(clips["b"], shot="SH010")
    vault.star(one.ref)
    vault.replace(one.ref, clips["c"])
    vault.star(two.ref)
    assert [t.ref for t in vault.takes(starred=True)] == [two.ref]
    assert vault.shot("SH010").starred_take_id == two.id
    shot = vault.unstar("SH010")
    assert shot.starred_take_id is None and vault.takes(starred=True) == []
    stars = [(e.action, e.details["take_id"], e.details["version"]) for e in vault.events() if "star" in e.action]
    assert stars == [("star", one.id, 1), ("star", two.id, 1), ("unstar", two.id, 1)]


def test_delete_restore_purge_and_numbers_are_never_reused(vault, clips: dict[str, Path]) -> None:
    vault.add_shot("SH010")
    one = vault.add(clips["a"], shot="SH010")
    two = vault.add(clips["b"], shot="SH010")
    vault.star(two.ref)
    deleted = vault.delete(two.ref)
    assert deleted.deleted and not deleted.starred
    assert vault.shot("SH010").starred_take_id is None
    assert vault.store.list_versions(two.key).__next__().is_delete_marker
    assert [t.ref for t in vault.takes()] == [one.ref]
    assert [t.ref for t in vault.takes(deleted=True)] == [two.ref]
    assert len(vault.takes(deleted=None)) == 2
    with pytest.raises(ConflictError, match="star it"):
        vault.star(two.ref)
    three = vault.add(clips["c"], shot="SH010")
    assert three.number == 3
    restored = vault.restore(two.ref)
    assert not restored.deleted and not restored.starred
    assert restored.current.number == 2 and restored.current.source == "restore"
    assert vault.store.head(two.key).sha256 == restored.current.sha256
    vault.purge(two.ref)
    with pytest.raises(NotFoundError):
        vault.take(two.ref)
    assert list(vault.store.list_versions(two.key)) == []
    assert vault.add(clips["b"], shot="SH010").number == 4
    actions = [e.action for e in vault.events()]
    assert actions.count("unstar") == 1  # deleting the starred take logged the star's end
    assert "purge" in actions and vault.events(take=two.id)[-1].action == "purge"


def test_revert_copies_an_old_version_to_a_new_one(vault, clips: dict[str, Path], tmp_path: Path) -> None:
    vault.add_shot("SH010")
    take = vault.add(clips["a"], shot="SH010")
    vault.replace(take.ref, clips["b"])
    reverted = vault.revert(take.ref, to_version="v1")
    assert reverted.current.number == 3 and reverted.current.source_version == 1
    assert reverted.current.sha256 == take.current.sha256
    vault.get(take.ref, tmp_path)
    assert (tmp_path / "SH010_video_01_v3.mp4").read_bytes() == clips["a"].read_bytes()
    with pytest.raises(ConflictError, match="already the current"):
        vault.revert(take.ref, to_version=3)


def test_listing_filters_and_order(vault, clips: dict[str, Path]) -> None:
    vault.add_section("SEQ02")
    vault.add_section("SEQ01", order=5)
    vault.add_shot("SH020", section="SEQ01")
    vault.add_shot("SH010", section="SEQ01", order=1)
    vault.add_shot("SH010", section="SEQ02")
    a = vault.add(clips["a"], shot="SEQ02/SH010", kind="final")
    b = vault.add(clips["b"], shot="SH020")
    c = vault.add(clips["c"], shot="SEQ01/SH010")
    vault.set(b.ref, rating=5, status="approved", add_tags=["Hero_shot"])
    vault.set(c.ref, note="100% sure", rating=2)
    vault.star(c.ref)
    assert [t.ref for t in vault.takes()] == [c.ref, b.ref, a.ref]
    assert [t.ref for t in vault.takes(section="SEQ02")] == [a.ref]
    assert [t.ref for t in vault.takes(shot="SEQ01/SH010")] == [c.ref]
    assert [t.ref for t in vault.takes(shot="SH010")] == [c.ref, a.ref]
    assert [t.ref for t in vault.takes(kind="final")] == [a.ref]
    assert [t.ref for t in vault.takes(status="approved")] == [b.ref]
    assert [t.ref for t in vault.takes(min_rating=3)] == [b.ref]
    assert [t.ref for t in vault.takes(starred=True)] == [c.ref]
    assert [t.ref for t in vault.takes(search="hero_")] == [b.ref]
    assert [t.ref for t in vault.takes(search="100%")] == [c.ref]
    assert [s.path for s in vault.list_shots()] == ["SEQ01/SH010", "SEQ01/SH020", "SEQ02/SH010"]
    assert [s.path for s in vault.list_shots(section="SEQ02")] == ["SEQ02/SH010"]
    untagged = vault.set(b.ref, remove_tags=["Hero_shot"], note="")
    assert untagged.tags == () and untagged.note is None


def test_a_shot_without_section_is_reachable_when_its_code_also_lives_in_a_section(vault, clips) -> None:
    from datetime import UTC, datetime

    import sqlalchemy as sa

    from takevault.catalog.schema import shots

    vault.add_section("SEQ01")
    vault.add_shot("SH010")
    # takevault refuses this pair now; a vault made by an older version may still hold it.
    section_id = vault.list_sections()[0].id
    with vault.catalog.write() as conn:
        conn.execute(
            sa.insert(shots).values(
                project_id=lookup.project_row(vault).id,
                section_id=section_id,
                code="SH010",
                sort_order=10,
                next_take_number=1,
                created_at=datetime.now(UTC),
            )
        )
    loose = vault.add(clips["a"], shot="SH010")
    inside = vault.add(clips["b"], shot="SEQ01/SH010")
    # The refs the vault prints must lead back to the same take.
    assert loose.ref == "SH010/video_01" and vault.take(loose.ref).id == loose.id
    assert vault.take(inside.ref).id == inside.id
    assert vault.shot("SH010").section is None
    assert [t.ref for t in vault.takes(shot="SH010")] == ["SH010/video_01"]
