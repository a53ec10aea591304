"""Fixtures for the take tests: a vault per catalog backend, and small clips with known properties."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.clips import make_clip
from tests.vault.takes_helpers import CATALOGS, make_vault


@pytest.fixture(params=CATALOGS)
def vault(request: pytest.FixtureRequest, tmp_path: Path):
    """A fresh vault on the local store with the catalog on SQLite, then on PostgreSQL."""
    with make_vault(request, tmp_path / "vault", request.param) as v:
        yield v


@pytest.fixture(scope="session")
def clips(clip_dir: Path) -> dict[str, Path]:
    """Three different tiny clips: a (24 frames), b (12 frames, 25 fps), c (NTSC 24000/1001 with audio)."""
    from fractions import Fraction

    return {
        "a": make_clip(clip_dir / "take_a.mp4"),
        "b": make_clip(clip_dir / "take_b.mp4", frames=12, fps=Fraction(25), scenes=((0, 3),)),
        "c": make_clip(clip_dir / "take_c.mov", frames=10, fps=Fraction(24000, 1001), audio=True, scenes=((0, 5),)),
    }
