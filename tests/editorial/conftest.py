"""A small real project: two sections, three shots, takes at 23.976 fps, stars on two shots."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import pytest

from tests.clips import make_clip

NTSC = Fraction(24000, 1001)


@dataclass
class Project:
    vault: object
    clips: dict[str, Path]
    refs: dict[str, str]


@pytest.fixture(scope="session")
def editorial_clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("edclips")
    return {
        "a1": make_clip(d / "a1.mp4", frames=24, fps=NTSC, scenes=((0, 1),)),
        "a2": make_clip(d / "a2.mp4", frames=30, fps=NTSC, scenes=((0, 2),)),
        "b1": make_clip(d / "b1.mp4", frames=18, fps=NTSC, scenes=((0, 3),)),
        "c1": make_clip(d / "c1.mov", frames=12, fps=NTSC, scenes=((0, 4),)),
        "a1v2": make_clip(d / "a1v2.mp4", frames=36, fps=NTSC, scenes=((0, 5),)),
    }


@pytest.fixture
def project(local_vault, editorial_clips) -> Project:
    v = local_vault
    v.add_section("SEQ01", name="Opening")
    v.add_section("SEQ02")
    v.add_shot("SH010", section="SEQ01")
    v.add_shot("SH020", section="SEQ01")
    v.add_shot("SH030", section="SEQ02")
    refs = {
        "a1": v.add(editorial_clips["a1"], shot="SEQ01/SH010").ref,
        "a2": v.add(editorial_clips["a2"], shot="SEQ01/SH010").ref,
        "b1": v.add(editorial_clips["b1"], shot="SEQ01/SH020").ref,
        "c1": v.add(editorial_clips["c1"], shot="SEQ02/SH030").ref,
    }
    v.star(refs["a2"])
    v.star(refs["c1"])
    return Project(v, editorial_clips, refs)
