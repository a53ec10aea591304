"""Where noted frames of version A went in version B, and whether their picture changed there.

A note covers frames `first..last` of A (and, with a drawing, a region of them).
The frame alignment of `align.align` says which B frame shows each A frame; the
note lands where its first frame went (or, when that one was cut, the first
surviving one). It is:

- `gone` when no noted frame survives in B,
- `changed` when some noted frames were cut, or any surviving pair differs in
  the noted region (the whole picture without a drawing) beyond encoding noise
  and the motion between neighbouring frames,
- `unchanged` otherwise.

The comparison works on the 32x18 YUV fingerprints the alignment already keeps,
so a region is measured in those cells (a drawn box covers at least one).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from takevault.compare.align import MEAN_SHIFT, SAME_ABS, SAME_MOTION, Run, align, pair_change
from takevault.compare.frames import iter_frames
from takevault.compare.signatures import TINY_H, TINY_W, Track


@dataclass(frozen=True)
class Span:
    first: int
    last: int
    region: tuple[float, float, float, float] | None = None
    """(x0, y0, x1, y1) as fractions of the picture, or None for the whole frame."""


@dataclass(frozen=True)
class Followed:
    state: str  # changed | unchanged | gone
    first: int  # B frame the note lands on (where the material was, when gone)
    last: int
    change: float  # the largest change score of a surviving pair; 1.0 is the threshold
    missing: int  # noted A frames with no B frame


def track_of(path: Path) -> Track:
    track = Track()
    for t, frame in iter_frames(path):
        track.add(t, frame)
    return track


def follow(path_a: Path, path_b: Path, spans: Sequence[Span]) -> list[Followed]:
    """Follow every span of A into B (one decode of each file, one alignment)."""
    ta, tb = track_of(path_a), track_of(path_b)
    return follow_tracks(ta, tb, spans)


def follow_tracks(ta: Track, tb: Track, spans: Sequence[Span]) -> list[Followed]:
    path = align(ta, tb).path if len(ta) and len(tb) else np.full(len(tb), -1)
    return [_follow_one(ta, tb, path, span) for span in spans]


def _follow_one(ta: Track, tb: Track, path: np.ndarray, span: Span) -> Followed:
    inside = np.flatnonzero((path >= span.first) & (path <= span.last))
    noted = span.last - span.first + 1
    if len(inside) == 0:
        after = np.flatnonzero(path > span.last)
        where = int(after[0]) if len(after) else max(len(tb) - 1, 0)
        return Followed("gone", where, where, 0.0, noted)
    b_frames = inside.astype(int)
    a_frames = path[b_frames].astype(int)
    missing = noted - len(set(a_frames.tolist()))
    starts = b_frames[a_frames == span.first]
    first = int(starts[0]) if len(starts) else int(b_frames[0])
    last = max(first, int(b_frames[-1]))
    if span.region is None:
        scores = pair_change(ta, tb, Run(b=b_frames, a=a_frames))
    else:
        scores = region_change(ta, tb, a_frames, b_frames, span.region)
    change = float(scores.max()) if len(scores) else 0.0
    state = "changed" if missing > 0 or change > 1.0 else "unchanged"
    return Followed(state, first, last, round(change, 3), missing)


def region_cells(region: tuple[float, float, float, float]) -> tuple[slice, slice]:
    x0, y0, x1, y1 = region
    c0 = min(TINY_W - 1, max(0, math.floor(x0 * TINY_W)))
    r0 = min(TINY_H - 1, max(0, math.floor(y0 * TINY_H)))
    c1 = max(c0 + 1, min(TINY_W, math.ceil(x1 * TINY_W)))
    r1 = max(r0 + 1, min(TINY_H, math.ceil(y1 * TINY_H)))
    return slice(r0, r1), slice(c0, c1)


def region_change(
    ta: Track, tb: Track, a_frames: np.ndarray, b_frames: np.ndarray, region: tuple[float, float, float, float]
) -> np.ndarray:
    """Per pair, how far the region differs (1.0 = a change), allowing for motion as `align.pair_change` does."""
    rows, cols = region_cells(region)
    tiny_a, tiny_b = ta.tiny, tb.tiny
    out = np.zeros(len(b_frames), dtype=np.float64)
    for i, (ia, ib) in enumerate(zip(a_frames.tolist(), b_frames.tolist(), strict=True)):
        x = tiny_a[ia][:, rows, cols].astype(np.float32)
        y = tiny_b[ib][:, rows, cols].astype(np.float32)
        shift = float(np.abs(x.mean(axis=(1, 2)) - y.mean(axis=(1, 2))).max())
        motion = 0.0
        for nb in (ia - 1, ia + 1):
            if 0 <= nb < len(tiny_a):
                motion = max(motion, float(np.abs(tiny_a[nb][:, rows, cols].astype(np.float32) - x).mean()))
        diff = float(np.abs(x - y).mean())
        out[i] = max(shift / MEAN_SHIFT, diff / (SAME_ABS + SAME_MOTION * motion))
    return out
