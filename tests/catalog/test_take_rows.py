"""Take records built from plain row tuples (the listings' path) equal the ones the mapping readers build."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from takevault.catalog import catalog as catalog_module
from takevault.catalog import records
from takevault.catalog.rows import NewTake, NewVersion
from takevault.models import MediaInfo, PngRecord
from tests.catalog.scale_helpers import MEDIA
from tests.vault.takes_helpers import CATALOGS, make_vault


@pytest.fixture(params=CATALOGS)
def vault(request: pytest.FixtureRequest, tmp_path: Path):
    with make_vault(request, tmp_path / "vault", request.param) as v:
        yield v


def _by_mappings(row, keys) -> object:
    """The reference: the row as a dict, read by the mapping readers."""
    mapping = dict(zip(keys, row, strict=True))
    version = records.version({k[2:]: v for k, v in mapping.items() if k.startswith("v_")}, is_current=True)
    return records.take(mapping, "main", version, ())


def test_every_kind_of_row_gives_the_same_record_both_ways(vault) -> None:
    vault.add_section("SEQ01")
    in_section = vault.add_shot("SH010", section="SEQ01")
    loose = vault.add_shot("SH020")
    when = datetime.now(UTC)
    rich = MediaInfo.from_json(
        {**MEDIA.to_json(), "fps": "24000/1001", "bit_rate": None, "profile": "High", "sample_aspect_ratio": "4:3",
         "color_space": "bt709", "audio": [{"codec": "aac", "channels": 2, "layout": "stereo", "sample_rate": 48000}]}
    )  # fmt: skip
    no_fps = MediaInfo.from_json({**MEDIA.to_json(), "fps": None})
    present = PngRecord("p.png", "pv1", "1" * 64, 5, "present", None, {"seed": 3})
    invalid = PngRecord("q.png", "qv1", "2" * 64, 0, "invalid", "not a PNG")
    shapes = [
        (in_section, {"tags": ("hero", "night"), "note": "a note"}, {}),
        (in_section, {"deleted": True, "deleted_at": when}, {"png": present}),
        (loose, {}, {"media": rich, "source": "revert", "source_version": 1}),
        (loose, {"kind": "edit"}, {"png": invalid, "media": no_fps}),
    ]
    new_takes, versions = [], []
    for n, (shot, take_extra, version_extra) in enumerate(shapes, 1):
        take_id = f"00000000-0000-4000-8000-{n:012d}"
        fields = {"kind": "raw", "note": None, **take_extra}
        new_takes.append(NewTake(id=take_id, shot_id=shot.id, number=n, name=f"video_{n:02d}", key=f"k{n}",
                                 created_at=when, created_by="t", **fields))  # fmt: skip
        for number in (1, 2):
            extra = version_extra if number == 2 else {}
            fields = {"media": MEDIA, **extra}
            versions.append((take_id, number, NewVersion(f"k{n}", f"v{number}", f"{n:064x}", 10 * n, None, when, "t",
                                                         **fields)))  # fmt: skip
    vault.catalog.bulk_insert_takes(new_takes, versions)
    vault.set("SEQ01/SH010/video_01", rating=4, status="approved")
    vault.star("SEQ01/SH010/video_01")
    keys = catalog_module._TAKE_KEYS
    with vault.catalog.read() as conn:
        rows = conn.execute(catalog_module._TAKE_ROWS_ORDERED).all()
    assert len(rows) == len(shapes)
    for row in rows:
        fast = catalog_module._take_record(row, "main", ())
        assert fast == _by_mappings(row, keys)
        assert fast.to_json() == _by_mappings(row, keys).to_json()  # type: ignore[attr-defined]
    by_number = {t.number: t for t in (catalog_module._take_record(r, "main", ()) for r in rows)}
    starred, deleted, copied, invalid = (by_number[n] for n in (1, 2, 3, 4))
    assert starred.starred and starred.tags == ("hero", "night") and starred.section == "SEQ01"
    assert deleted.deleted and deleted.current.png is not None and deleted.current.png.params == {"seed": 3}
    assert copied.section is None and copied.current.media.fps_text == "24000/1001"
    assert copied.current.media.profile == "High" and copied.current.media.audio[0].channels == 2
    assert invalid.current.png is not None and invalid.current.png.reason == "not a PNG"
    assert invalid.current.media.fps is None and invalid.versions_count == 2
