"""Recognise a clip by its pictures: fingerprints of the used range lined up against a take version.

The comparison engine does the work (`compare.signatures` fingerprints,
`compare.align` the frame-exact alignment, which is measured in seconds, so a
transcode at another rate or size lines up too). What this adds is the reading
of an alignment for a cut: where the clip's first used frame lands in the
version (the frame offset), how much of the range matched, and how close the
colours are, which tells a regraded version from the one really used.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from takevault.compare.align import Alignment, align
from takevault.compare.frames import iter_frames, iter_frames_from
from takevault.compare.signatures import Track

MIN_COVERAGE = 0.8
"""Share of the used frames that must be found in a version for the clip to count as that version."""
HIGH_DISTANCE = 12.0
"""Mean thumbnail levels apart that still count as the same grade: a rescale plus a lossy codec stays under
about 8 on test footage; a regrade of a few stops is 30 and more."""


def fingerprint(path: Path, start: float | None = None, end: float | None = None) -> Track:
    """Fingerprints of the frames of `path` whose times fall in [start, end) (all of them by default)."""
    track = Track()
    # A used range late in a long file: seek to the keyframe before it instead of decoding from the start.
    frames = iter_frames_from(path, start) if start else iter_frames(path)
    for t, frame in frames:
        if start is not None and t < start - 1e-3:
            continue
        if end is not None and t >= end - 1e-3:
            break
        track.add(t, frame)
    return track


def save_track(track: Track, path: Path) -> None:
    """Keep a version's fingerprints (about 1.7 KB a frame) so the next check need not decode it again."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{id(track)}.tmp")
    with open(tmp, "wb") as fh:
        np.savez(fh, times=track.times, tiny=track.tiny)
    tmp.replace(path)


def load_track(path: Path) -> Track | None:
    """Fingerprints saved by `save_track`, or None when there are none (or they cannot be read)."""
    try:
        with np.load(path) as data:
            times, tiny = data["times"], data["tiny"]
        return Track.from_arrays(times, tiny)
    except (OSError, ValueError, KeyError):
        return None


@dataclass(frozen=True)
class PictureMatch:
    offset: int  # the version's frame (at its own rate) showing the clip's first used frame
    coverage: float  # share of the used frames found in the version
    distance: float  # mean thumbnail difference of the matched frames, in 8-bit levels
    same_order: bool  # the matched frames follow the version frame by frame

    @property
    def score(self) -> float:
        return self.coverage - self.distance / 64.0

    def sure(self) -> str:
        if self.coverage >= 0.97 and self.distance < HIGH_DISTANCE and self.same_order:
            return "high"
        return "medium" if self.coverage >= 0.9 else "low"


def match(version: Track, version_rate: Fraction, clip: Track) -> PictureMatch | None:
    """Where the clip's frames are in `version`, or None when too few of them are there."""
    if len(version) == 0 or len(clip) == 0:
        return None
    result = align(version, clip)
    path = result.path
    hit = path >= 0
    coverage = float(hit.mean())
    if coverage < MIN_COVERAGE:
        return None
    b_idx = np.flatnonzero(hit)
    a_idx = path[hit]
    # Time in the version minus time into the clip's range: one number when the clip is a straight piece.
    rel = version.time[a_idx] - (clip.time[b_idx] - clip.time[0])
    offset = round(float(np.median(rel)) * float(version_rate))
    diff = np.abs(version.tiny[a_idx].astype(np.int16) - clip.tiny[b_idx].astype(np.int16)).mean()
    same_order = bool(np.all(np.diff(a_idx) >= 0))
    return PictureMatch(offset=max(0, offset), coverage=coverage, distance=float(diff), same_order=same_order)


def frame_map(old: Track, new: Track) -> tuple[Alignment, dict[int, int]]:
    """The alignment of `new` against `old` and, for each old frame index, the new frame showing it."""
    result = align(old, new)
    where: dict[int, int] = {}
    for b, a in enumerate(result.path.tolist()):
        if a >= 0 and a not in where:
            where[a] = b
    return result, where
