"""`Catalog.bulk_insert_takes`: many takes in one transaction, with and without optional values, counters kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.catalog.scale_helpers import MEDIA
from tests.vault.takes_helpers import CATALOGS, make_vault


@pytest.fixture(params=CATALOGS)
def vault(request: pytest.FixtureRequest, tmp_path: Path):
    with make_vault(request, tmp_path / "vault", request.param) as v:
        yield v


def test_takes_with_and_without_optional_values_all_keep_them(vault) -> None:
    from datetime import UTC, datetime

    from takevault.catalog.rows import NewTake, NewVersion
    from takevault.models import PngRecord

    shot = vault.add_shot("SH010")
    when = datetime.now(UTC)
    new_takes, versions = [], []
    for n in (1, 2, 3):
        take_id = f"00000000-0000-4000-8000-{n:012d}"
        new_takes.append(
            NewTake(id=take_id, shot_id=shot.id, number=n, name=f"video_{n:02d}",
                    key=f"main/SH010/video_{n:02d}.mp4", kind="raw", note="late note" if n == 3 else None,
                    created_at=when, created_by="t")
        )  # fmt: skip
        png = PngRecord(None, None, None, 0, "present", None, {"generation": {"positive": "owl"}}) if n == 2 else None
        versions.append((take_id, 1, NewVersion(f"k{n}", "v1", f"{n:064x}", 1, None, when, "t", MEDIA, png)))
    vault.catalog.bulk_insert_takes(new_takes, versions)
    assert [t.note for t in vault.takes()] == [None, None, "late note"]
    assert [t.ref for t in vault.takes(search="owl")] == ["SH010/video_02"]
    assert vault.take("SH010/video_02").current.png.status == "present"
    # The shot's counter moved past the bulk numbers: the next take is video_04.
    assert vault.catalog.reserve_take_number(shot.id) == 4
