"""The flat rows of whole listings (`iter_listed_takes`) hold what the full records hold, in the same order,
under every filter, and their JSON text is byte for byte what `json.dumps` writes of `Take.to_json()`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from takevault.catalog import listed_rows, listing_groups
from takevault.catalog.rows import NewTake, NewVersion
from takevault.cli import take_json
from takevault.models import MediaInfo, PngRecord, TakeFilter
from tests.catalog.scale_helpers import MEDIA, bulk_takes
from tests.vault.takes_helpers import CATALOGS, make_vault


@pytest.fixture(params=CATALOGS)
def vault(request: pytest.FixtureRequest, tmp_path: Path):
    with make_vault(request, tmp_path / "vault", request.param) as v:
        yield v


def _varied(vault) -> None:
    """Takes of every shape a listing meets: sections and none, tags, stars, deletions, PNG states, odd text."""
    vault.add_section("SEQ01")
    in_section = vault.add_shot("SH010", section="SEQ01")
    loose = vault.add_shot("SH020")
    empty = vault.add_shot("SH030", section="SEQ01")
    assert empty.takes_count == 0
    when = datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=UTC)
    rich = MediaInfo.from_json(
        {**MEDIA.to_json(), "fps": "24000/1001", "bit_rate": None, "profile": "High", "sample_aspect_ratio": "4:3",
         "audio": [{"codec": "aac", "channels": 2, "layout": "stereo", "sample_rate": 48000}]}
    )  # fmt: skip
    halves = MediaInfo.from_json({**MEDIA.to_json(), "fps": "48/2", "duration": 2.5})
    no_fps = MediaInfo.from_json({**MEDIA.to_json(), "fps": None, "duration": 0.1 + 0.2})
    present = PngRecord("p.png", "pv1", "1" * 64, 5, "present", None, {"generation": {"positive": "a dawn rider"}})
    invalid = PngRecord("q.png", "qv1", "2" * 64, 0, "invalid", "not a PNG")
    shapes = [
        (in_section, {"tags": ("hero", "night"), "note": 'a "quoted" note, 100% done\tand\nmore'}, {}, 1),
        (in_section, {"deleted": True, "deleted_at": when, "note": "gone"}, {"png": present}, 2),
        (loose, {"note": "Ünïcödé — 撮影 ✓"}, {"media": rich, "source": "revert", "source_version": 1}, 3),
        (loose, {"kind": "edit", "tags": ("a/b", "\\back")}, {"png": invalid, "media": no_fps}, 1),
        (in_section, {"kind": "final"}, {"media": halves}, 2),
    ]
    new_takes, versions = [], []
    for n, (shot, take_extra, version_extra, count) in enumerate(shapes, 1):
        take_id = f"00000000-0000-4000-8000-{n:012d}"
        fields = {"kind": "raw", "note": None, **take_extra}
        made = when.replace(microsecond=0) if n == 5 else when  # ISO text then has no fraction
        new_takes.append(NewTake(id=take_id, shot_id=shot.id, number=n, name=f"video_{n:02d}", key=f"k{n}",
                                 created_at=made, created_by="tëst", **fields))  # fmt: skip
        for number in range(1, count + 1):
            extra = version_extra if number == count else {}
            fields = {"media": MEDIA, **extra}
            versions.append((take_id, number, NewVersion(f"k{n}", f"v{number}", f"{n:064x}", 10**10 * n, None, when,
                                                         "t", **fields)))  # fmt: skip
    vault.catalog.bulk_insert_takes(new_takes, versions)
    vault.set("SEQ01/SH010/video_01", rating=4, status="approved")
    vault.set("SH020/video_04", rating=0, status="needs a look")
    vault.star("SEQ01/SH010/video_01")
    vault.link("SH020/video_03", "SEQ01/SH010/video_01", kind="derived-from")


FILTERS = [
    TakeFilter(),
    TakeFilter(deleted=None),
    TakeFilter(deleted=True),
    TakeFilter(starred=True),
    TakeFilter(starred=False),
    TakeFilter(kind="edit"),
    TakeFilter(min_rating=0),
    TakeFilter(status="approved"),
    TakeFilter(search="dawn", deleted=None),
    TakeFilter(search="quoted"),
    TakeFilter(section="SEQ01", deleted=None),
    TakeFilter(shot="SH020"),
]


@pytest.mark.parametrize("where", FILTERS, ids=repr)
def test_listed_rows_hold_what_the_full_records_hold(vault, where: TakeFilter) -> None:
    _varied(vault)
    full = [t.to_json() for t in vault.iter_takes(where)]
    listed = list(vault.iter_listed_takes(where))
    assert [t.to_json() for t in listed] == full
    assert full


def test_their_json_text_is_byte_for_byte_the_plain_encoders(vault) -> None:
    _varied(vault)
    listed = list(vault.iter_listed_takes(deleted=None))
    assert len(listed) == 5 and any(t.links for t in listed) and any(t.tags for t in listed)
    for take in listed:
        plain = take.to_json()
        assert take_json.line(take) == json.dumps(plain, default=str, ensure_ascii=False)
        assert take_json.block(take) == json.dumps(plain, indent=2, default=str, ensure_ascii=False).replace(
            "\n", "\n  "
        )


def test_a_listing_over_many_reads_keeps_edit_order(vault, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(listing_groups, "FIRST_GROUP_TAKES", 7)
    monkeypatch.setattr(listing_groups, "MAX_GROUP_TAKES", 30)
    bulk_takes(vault, shots=9, per_shot=11)
    vault.add_section("SEQ00", order=0)
    vault.add_shot("SH0005", section="SEQ00")
    refs = [t.ref for t in vault.iter_listed_takes()]
    assert refs == [t.ref for t in vault.iter_takes()]
    assert len(refs) == 99 and refs[0] == "SEQ01/SH0010/video_01" and refs[-1] == "SEQ01/SH0090/video_11"


def test_frame_rates_read_as_the_records_reduce_them() -> None:
    from fractions import Fraction

    for num, den in ((48, 2), (24000, 1001), (30, 1), (50, -2)):
        rate = Fraction(num, den)
        assert listed_rows._fps(num, den)[0] == f"{rate.numerator}/{rate.denominator}"
    assert listed_rows._fps(48, 2)[1] == "24" and listed_rows._fps(24000, 1001)[1] == "23.976 (24000/1001)"
    assert listed_rows._fps(None, 1) == (None, None) and listed_rows._fps(24, 0) == (None, None)


def test_a_listing_closed_early_or_failing_leaves_no_reader_behind(vault, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    monkeypatch.setattr(listing_groups, "FIRST_GROUP_TAKES", 5)
    monkeypatch.setattr(listing_groups, "MAX_GROUP_TAKES", 10)
    bulk_takes(vault, shots=6, per_shot=10)
    before = threading.active_count()
    rows = vault.iter_listed_takes()
    assert [next(rows).ref for _ in range(3)] == [f"SEQ01/SH0010/video_0{n}" for n in (1, 2, 3)]
    rows.close()  # a reader that went away: the group being read ahead is waited for
    assert threading.active_count() == before
    vault.set("SEQ01/SH0020/video_01", rating=3)  # the catalog is free for writes again
    vault.link("SEQ01/SH0030/video_01", "SEQ01/SH0010/video_01")

    def broken(*_args: object) -> None:
        raise RuntimeError("the read failed")

    monkeypatch.setattr(type(vault.catalog), "_links", broken)
    with pytest.raises(RuntimeError, match="the read failed"):
        list(vault.iter_listed_takes())
    assert threading.active_count() == before
