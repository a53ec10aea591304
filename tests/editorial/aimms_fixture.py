"""Build a small but real AIMMS project: data/shots.db in AIMMS's schema, real clips and ComfyUI-style PNGs."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from PIL import Image, PngImagePlugin

from takevault.editorial.aimms import SCHEMA_SQL
from tests.clips import make_clip

META = {
    "schema_version": "1",
    "app_version": "1.0",
    "created_at": "2025-12-01T10:00:00Z",
    "migration_date": "2025-12-01T10:00:00Z",
    "author": "Mark",
    "project_name": "The Highwayman",
    "description": "A ghost story",
}

# shot_id, order, name, section, description, video_prompt
SHOTS = (
    (1, 1, "SH010", "Act 1 - Road", "Moonlit road", "slow push in on the road"),
    (2, 2, "SH020", "Act 1 - Road", "Rider arrives", "a rider gallops"),
    (3, 3, "SH030", "Act 2 - Inn", "The inn door", "door creaks open"),
)

# shot_id, stem, starred, created, fps
TAKES = (
    (1, "video_01", 0, "2025-12-01T10:05:00Z", Fraction(24000, 1001)),
    (1, "video_02", 1, "2025-12-01T10:06:00Z", Fraction(24000, 1001)),
    (2, "video_01", 1, "2025-12-01T10:07:00Z", Fraction(24000, 1001)),
    (3, "video_01", 0, "2025-12-01T10:08:00Z", Fraction(24000, 1001)),
)


@dataclass(frozen=True)
class AimmsFixture:
    root: Path
    db: Path


def workflow_png(path: Path, prompt: str, seed: int) -> Path:
    """A ComfyUI-style PNG: a still plus `prompt` and `workflow` JSON in text chunks."""
    img = Image.new("RGB", (64, 48), (seed * 40 % 256, 80, 120))
    info = PngImagePlugin.PngInfo()
    info.add_text("prompt", json.dumps({"3": {"class_type": "KSampler", "inputs": {"seed": seed, "text": prompt}}}))
    info.add_text("workflow", json.dumps({"nodes": [{"id": 3, "type": "KSampler"}], "seed": seed}))
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, pnginfo=info)
    return path


def build_project(root: Path, *, frames: int = 12) -> AimmsFixture:
    """Write the project; every take has its video and PNG, one shot (SH030) has no star."""
    db = root / "data" / "shots.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(db)
    conn.executescript(SCHEMA_SQL)
    conn.executemany("INSERT INTO meta VALUES (?, ?)", list(META.items()))
    for shot_id, order, name, section, desc, prompt in SHOTS:
        conn.execute(
            "INSERT INTO shots (shot_id, order_number, shot_name, section, description, image_prompt, time_of_day,"
            " location, country, year, video_prompt, created_date) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                shot_id,
                order,
                name,
                section,
                desc,
                f"still of {desc}",
                "night",
                "moor",
                "England",
                "1760",
                prompt,
                "2025-12-01T10:00:00Z",
            ),
        )
    for i, (shot_id, stem, starred, created, fps) in enumerate(TAKES):
        video = make_clip(
            root / "media" / str(shot_id) / f"{stem}.mp4", frames=frames + i, fps=fps, scenes=((0, i + 1),)
        )
        workflow_png(video.with_suffix(".png"), f"take {i}", seed=i + 1)
        conn.execute(
            "INSERT INTO takes VALUES (?,?,?,?,?,?)",
            (f"t{i}v", shot_id, "final_video", f"media/{shot_id}/{stem}.mp4", starred, created),
        )
        conn.execute(
            "INSERT INTO takes VALUES (?,?,?,?,?,?)",
            (f"t{i}w", shot_id, "video_workflow", f"media/{shot_id}/{stem}.png", 0, created),
        )
    conn.execute(
        "INSERT INTO assets VALUES (?, ?, ?, ?, ?, ?)",
        ("a1", "Rider", "characters", "media/characters/rider.png", 1, "2025-12-01T09:00:00Z"),
    )
    conn.execute(
        "INSERT INTO deleted_shots (old_shot_id, shot_name, created_date) VALUES (9, 'SH090', '2025-12-01T09:30:00Z')"
    )
    conn.commit()
    conn.close()
    return AimmsFixture(root, db)


def table_rows(db: Path, table: str, order: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return [tuple(r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY {order}")]
    finally:
        conn.close()
