"""Long takes: past the pair budget the candidate search anchors on every few B frames, and finds the same edit."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from takevault.compare.align import Run, align, candidates, pair_change
from takevault.compare.frames import iter_frames
from takevault.compare.scenes import detect_cuts
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


def test_thumbnails_are_held_once_and_never_copied_whole(footage: dict[str, Path]) -> None:
    """Per-frame state is the uint8 thumbnail; cut detection and same/changed work in small pieces."""
    decoded = list(iter_frames(footage["a"]))
    tracemalloc.start()
    track = Track()
    for rep in range(16):  # 4,000 frames
        for t, frame in decoded:
            track.add(rep * 10 + t, frame)
    size = track.tiny.nbytes
    held = tracemalloc.get_traced_memory()[0]
    assert held < 1.3 * size  # not once in the list and again stacked
    track.sig, track.time  # noqa: B018 - derived arrays, computed before the measurement
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    detect_cuts(track.tiny, track.sig, track.time)
    pair_change(track, track, Run(b=np.arange(0, len(track), 20), a=np.arange(0, len(track), 20)))
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    assert peak < size  # a float copy of the thumbnails would be 4x
