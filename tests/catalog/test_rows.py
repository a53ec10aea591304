"""The typed records the catalog writes: every field is a column of its table, and writes keep their meaning."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import pytest
import sqlalchemy as sa

from takevault.catalog import rows, schema
from takevault.catalog.rows import UNCHANGED, NewEvent, NewTake, NewVersion, TakeChanges
from takevault.models import MediaInfo, PngRecord
from takevault.vault import Vault

TABLE_OF = {
    rows.NewEvent: schema.events,
    rows.NewTake: schema.takes,
    rows.NewNote: schema.notes,
    rows.NewApproval: schema.approvals,
    rows.NewReviewLink: schema.review_links,
    rows.NewGuestSession: schema.guest_sessions,
}
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("record", sorted(TABLE_OF, key=lambda r: r.__name__), ids=lambda r: r.__name__)
def test_every_field_is_a_column_of_its_table(record: type) -> None:
    columns = set(TABLE_OF[record].c.keys())
    missing = [f.name for f in dataclasses.fields(record) if f.name not in columns]
    assert not missing, f"{record.__name__} has fields its table lacks: {missing}"


def test_every_record_in_the_module_is_checked() -> None:
    made = {getattr(rows, name) for name in rows.__all__ if dataclasses.is_dataclass(getattr(rows, name))}
    assert made == {*TABLE_OF, rows.NewVersion, rows.TakeChanges}


def _media() -> MediaInfo:
    return MediaInfo(container="mp4", codec="h264", width=64, height=36, fps=Fraction(25), frames=10, duration=0.4)


def test_version_columns_are_the_columns_of_take_versions() -> None:
    png = PngRecord("k.png", "p1", "b" * 64, 12, "present", None, {"seed": 1})
    version = NewVersion("k.mp4", "v1", "a" * 64, 100, "a.mp4", NOW, "ana", _media(), png)
    found = version.columns("take-1", 3)
    assert set(found) <= set(schema.take_versions.c.keys())
    assert found["take_id"] == "take-1" and found["number"] == 3
    assert found["png_sha256"] == "b" * 64 and found["fps_num"] == 25 and found["source"] == "upload"


def test_take_changes_write_only_what_was_given_and_none_clears() -> None:
    assert TakeChanges().columns() == {}
    assert not TakeChanges()
    assert TakeChanges(note=None, tags=("a", "b")).columns() == {"note": None, "tags": ["a", "b"]}
    assert TakeChanges(rating=0).columns() == {"rating": 0}
    assert repr(UNCHANGED) == "UNCHANGED"


def test_event_details_added_inside_a_write_do_not_change_the_callers_record() -> None:
    event = NewEvent(project_id=1, at=NOW, user="ana", action="replace", details={"ref": "SH010/video_01"})
    later = event.with_details(version=4)
    assert later.details == {"ref": "SH010/video_01", "version": 4}
    assert event.details == {"ref": "SH010/video_01"}


def test_typed_writes_round_trip_through_the_catalog(tmp_path: Path) -> None:
    with Vault.init(tmp_path / "v") as vault:
        shot = vault.add_shot("SH010")
        project = vault.catalog.ensure_project(vault.project)
        take = NewTake(
            id="00000000-0000-4000-8000-000000000001",
            shot_id=shot.id,
            number=1,
            name="video_01",
            key="main/_/SH010/video_01.mp4",
            kind="raw",
            note="first",
            created_at=NOW,
            created_by="ana",
            tags=("wide",),
        )
        version = NewVersion(take.key, "v1", "a" * 64, 100, "a.mp4", NOW, "ana", _media())
        event = NewEvent(project_id=project.id, at=NOW, user="ana", action="add", take_id=take.id, shot="SH010")
        vault.catalog.insert_take(take, version, event)
        changed = dataclasses.replace(event, action="set").with_details(changes={"rating": 4})
        vault.catalog.update_take(take.id, TakeChanges(note=None, rating=4), changed)
        with vault.catalog.read() as conn:
            row = conn.execute(sa.select(schema.takes).where(schema.takes.c.id == take.id)).mappings().one()
        assert (row["note"], row["rating"], row["tags"]) == (None, 4, ["wide"])
        assert [v.number for v in vault.catalog.versions(take.id)] == [1]
        logged = vault.catalog.events(project, take_id=take.id)
        assert [(e.action, e.details.get("changes")) for e in logged] == [("add", None), ("set", {"rating": 4})]
