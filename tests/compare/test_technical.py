"""The technical diff: exact frame rates, and warnings for what breaks an edit."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from takevault.compare.technical import describe, technical_diff
from tests.clips import make_clip


def test_ntsc_rate_is_not_24_and_breaks_the_edit(tmp_path: Path) -> None:
    a = make_clip(tmp_path / "a.mp4", fps=Fraction(24000, 1001), audio=True)
    b = make_clip(tmp_path / "b.mov", fps=Fraction(24), width=80, height=48)
    diff = technical_diff(describe(a)[0], describe(b)[0])
    assert diff["a"]["fps"] == "24000/1001" and diff["b"]["fps"] == "24/1"
    fields = {d["field"] for d in diff["differences"]}
    assert {"fps", "resolution", "container", "audio"} <= fields
    text = " ".join(diff["warnings"])
    assert "Frame rates differ (24000/1001 vs 24/1" in text
    assert "Resolutions differ (64x48 vs 80x48)" in text
    assert "Audio differs (aac stereo 48000 Hz vs none)" in text


def test_same_settings_have_no_warnings(tmp_path: Path) -> None:
    a = make_clip(tmp_path / "a.mp4")
    b = make_clip(tmp_path / "b.mp4", shift=(0, 5, 20))
    diff = technical_diff(describe(a)[0], describe(b)[0])
    assert diff["warnings"] == []
    assert diff["a"]["color_range"] in ("unknown", "tv", "pc")
    assert set(diff["a"]) >= {"codec", "profile", "pix_fmt", "sample_aspect_ratio", "bit_rate", "duration", "frames"}
