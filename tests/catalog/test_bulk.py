"""`Catalog.bulk_insert_takes`: many takes in one transaction, rows of different shapes, counters kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.catalog.scale_helpers import MEDIA
from tests.vault.takes_helpers import CATALOGS, make_vault


@pytest.fixture(params=CATALOGS)
def vault(request: pytest.FixtureRequest, tmp_path: Path):
    with make_vault(request, tmp_path / "vault", request.param) as v:
        yield v


def test_rows_with_and_without_optional_columns_all_keep_their_values(vault) -> None:
    from datetime import UTC, datetime

    shot = vault.add_shot("SH010")
    when = datetime.now(UTC)
    take_rows, version_rows = [], []
    for n in (1, 2, 3):
        take_id = f"00000000-0000-4000-8000-{n:012d}"
        take_rows.append({"id": take_id, "shot_id": shot.id, "number": n, "name": f"video_{n:02d}",
                          "key": f"main/SH010/video_{n:02d}.mp4", "tags": [], "created_at": when,
                          "created_by": "t", "deleted": False,
                          **({"note": "late note"} if n == 3 else {})})  # fmt: skip
        extra = {"png_status": "present", "params": {"generation": {"positive": "owl"}}} if n == 2 else {}
        version_rows.append({"take_id": take_id, "number": 1, "key": f"k{n}", "version_id": "v1",
                             "sha256": f"{n:064x}", "size": 1, "created_at": when, "created_by": "t",
                             **MEDIA, **extra})  # fmt: skip
    vault.catalog.bulk_insert_takes(take_rows, version_rows)
    assert [t.note for t in vault.takes()] == [None, None, "late note"]
    assert [t.ref for t in vault.takes(search="owl")] == ["SH010/video_02"]
    assert vault.take("SH010/video_02").current.png.status == "present"
    # The shot's counter moved past the bulk numbers: the next take is video_04.
    assert vault.catalog.reserve_take_number(shot.id) == 4
