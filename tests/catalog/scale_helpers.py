"""Vaults with many takes, made fast through `Catalog.bulk_insert_takes` (no media: these test the catalog)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from takevault.catalog import records
from takevault.models import MediaInfo

MEDIA = records.media_columns(
    MediaInfo.from_json(
        {"container": "mp4", "codec": "h264", "width": 64, "height": 48, "fps": "24", "frames": 24, "duration": 1.0}
    )
)


def bulk_takes(vault: Any, shots: int, per_shot: int, *, note: str = "pass {n}") -> list[dict[str, Any]]:
    """`shots` shots (SH0010, SH0020, … in SEQ01) with `per_shot` takes of two versions each; returns the take rows."""
    vault.add_section("SEQ01")
    made = [vault.add_shot(f"SH{(i + 1) * 10:04d}", section="SEQ01") for i in range(shots)]
    when = datetime.now(UTC)
    take_rows, version_rows = [], []
    n = 0
    for shot in made:
        for number in range(1, per_shot + 1):
            n += 1
            take_id = str(uuid.uuid4())
            key = f"main/SEQ01/{shot.code}/video_{number:02d}.mp4"
            take_rows.append(
                {
                    "id": take_id, "shot_id": shot.id, "number": number, "name": f"video_{number:02d}",
                    "key": key, "kind": "raw", "tags": [], "note": note.format(n=n), "created_at": when,
                    "created_by": "test", "deleted": False,
                }
            )  # fmt: skip
            for v in (1, 2):
                version_rows.append(
                    {
                        "take_id": take_id, "number": v, "key": key, "version_id": f"{n}.{v}",
                        "sha256": f"{n:056x}{v:08x}", "size": 1000 + v, "source": "upload",
                        "created_at": when, "created_by": "test", **MEDIA,
                    }
                )  # fmt: skip
    vault.catalog.bulk_insert_takes(take_rows, version_rows)
    return take_rows
