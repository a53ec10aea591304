"""Vaults with many takes, made fast through `Catalog.bulk_insert_takes` (no media: these test the catalog)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from takevault.catalog.rows import NewTake, NewVersion
from takevault.models import MediaInfo

MEDIA = MediaInfo.from_json(
    {"container": "mp4", "codec": "h264", "width": 64, "height": 48, "fps": "24", "frames": 24, "duration": 1.0}
)


def bulk_takes(vault: Any, shots: int, per_shot: int, *, note: str = "pass {n}") -> list[NewTake]:
    """`shots` shots (SH0010, SH0020, … in SEQ01) with `per_shot` takes of two versions each; returns the takes."""
    vault.add_section("SEQ01")
    made = [vault.add_shot(f"SH{(i + 1) * 10:04d}", section="SEQ01") for i in range(shots)]
    when = datetime.now(UTC)
    new_takes: list[NewTake] = []
    versions: list[tuple[str, int, NewVersion]] = []
    n = 0
    for shot in made:
        for number in range(1, per_shot + 1):
            n += 1
            take_id = str(uuid.uuid4())
            key = f"main/SEQ01/{shot.code}/video_{number:02d}.mp4"
            new_takes.append(
                NewTake(
                    id=take_id, shot_id=shot.id, number=number, name=f"video_{number:02d}", key=key, kind="raw",
                    note=note.format(n=n), created_at=when, created_by="test",
                )
            )  # fmt: skip
            for v in (1, 2):
                version = NewVersion(key, f"{n}.{v}", f"{n:056x}{v:08x}", 1000 + v, None, when, "test", MEDIA)
                versions.append((take_id, v, version))
    vault.catalog.bulk_insert_takes(new_takes, versions)
    return new_takes
