"""Cuts from the thumbnails agree with known cuts (and with FFmpeg's scdet on bikes.mp4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from takevault.compare.frames import iter_frames
from takevault.compare.scenes import detect_cuts
from takevault.compare.signatures import Track
from tests.clips import make_clip
from tests.compare.footage import BIKES_CUTS


def _track(path: Path) -> Track:
    track = Track()
    for t, frame in iter_frames(path):
        track.add(t, frame)
    return track


def test_bikes_cuts(footage: dict[str, Path]) -> None:
    track = _track(footage["a"])
    assert detect_cuts(track.tiny, track.sig, track.time) == pytest.approx([c / 25 for c in BIKES_CUTS])


def test_no_cuts_in_one_moving_shot(footage: dict[str, Path]) -> None:
    track = _track(footage["foreign"])  # Big Buck Bunny's opening: one shot
    assert detect_cuts(track.tiny, track.sig, track.time) == []


def test_synthetic_cuts(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "c.mp4", frames=60, scenes=((0, 1), (12, 2), (40, 3)))
    track = _track(clip)
    assert detect_cuts(track.tiny, track.sig, track.time) == pytest.approx([0.5, 40 / 24])
