"""Long takes: past the pair budget the candidate search anchors on every few B frames, and finds the same edit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from takevault.compare.align import align, candidates
from takevault.compare.frames import iter_frames
from takevault.compare.signatures import Track


def _track(path: Path) -> Track:
    track = Track()
    for t, frame in iter_frames(path):
        track.add(t, frame)
    return track


def _edit(alignment) -> list[tuple]:
    return [(s.kind, s.a, s.b) for s in alignment.segments]


@pytest.mark.parametrize("name", ["remove", "insert", "swap", "speed", "fps30"])
def test_anchored_search_finds_the_same_edit(footage: dict[str, Path], name: str) -> None:
    a, b = _track(footage["a"]), _track(footage[name])
    tiny_budget = 2_000  # far below 250 x 250 pairs: anchors every 12 frames
    exhaustive = candidates(a, b)
    anchored = candidates(a, b, budget=tiny_budget)
    best = exhaustive[np.arange(len(b)), 0]
    # Nearly every frame's best match is still found (and the Viterbi continuations cover the rest).
    assert (anchored == best[:, None]).any(axis=1).mean() > 0.97
    assert _edit(align(a, b, budget=tiny_budget)) == _edit(align(a, b))
