"""Hard cuts from the per-frame thumbnails we already keep, so finding them costs no extra decode.

A cut is a frame whose difference to the previous one (mean absolute YUV
difference on the 32x18 thumbnail, plus how much the luma *pattern* changed,
which ignores flashes and fades) is both large and much larger than the
differences around it. The local comparison is what keeps fast motion and
camera shake from reading as cuts.
"""

from __future__ import annotations

import numpy as np

from takevault.compare.scratch import forget

MIN_SCENE_FRAMES = 4  # a shot shorter than this is a flash, not a scene
ABS_THRESHOLD = 0.18  # combined score below which nothing is a cut
LOCAL_RATIO = 2.5  # how far a cut must stand above its neighbours
WINDOW = 6
CHUNK = 256  # frames differenced at a time


def cut_scores(tiny: np.ndarray, sig: np.ndarray) -> np.ndarray:
    """Score of a cut *before* each frame (0 for the first)."""
    n = len(tiny)
    scores = np.zeros(n, dtype=np.float64)
    if n < 2:
        return scores
    # In chunks: a float copy of every thumbnail would be 4x the track (150 MB for 5 minutes of two takes).
    # File-backed tracks hand each window's pages back once it is done, so only a window stays resident.
    mad = np.empty(n - 1, dtype=np.float64)
    corr = np.empty(n - 1, dtype=np.float32)
    for lo in range(0, n - 1, CHUNK):
        window = tiny[lo : lo + CHUNK + 1]
        t = window.astype(np.float32)
        mad[lo : lo + len(t) - 1] = np.abs(t[1:] - t[:-1]).mean(axis=(1, 2, 3)) / 64.0
        s = sig[lo : lo + CHUNK + 1]
        corr[lo : lo + len(s) - 1] = np.einsum("ij,ij->i", s[1:], s[:-1])
        forget(window)
        forget(s)
    pattern = np.clip(1.0 - corr, 0.0, 2.0) / 2.0
    # Both must move: a pattern change alone is motion on a flat frame, a level change alone is a flash.
    scores[1:] = np.sqrt(np.clip(mad, 0, None) * pattern * 4.0)
    return scores


def detect_cuts(tiny: np.ndarray, sig: np.ndarray, times: np.ndarray) -> list[float]:
    """Times (seconds) of the first frame of every new shot after the first."""
    return [round(float(times[i]), 6) for i in detect_cut_frames(tiny, sig)]


def detect_cut_frames(tiny: np.ndarray, sig: np.ndarray) -> list[int]:
    """Indices of the first frame of every new shot after the first."""
    scores = cut_scores(tiny, sig)
    n = len(scores)
    cuts: list[int] = []
    for i in range(1, n):
        s = scores[i]
        if s < ABS_THRESHOLD:
            continue
        lo, hi = max(1, i - WINDOW), min(n, i + WINDOW + 1)
        neighbours = np.concatenate([scores[lo:i], scores[i + 1 : hi]])
        local = float(np.median(neighbours)) if len(neighbours) else 0.0
        if s < LOCAL_RATIO * max(local, 0.02):
            continue
        if cuts and i - cuts[-1] < MIN_SCENE_FRAMES:
            if s > scores[cuts[-1]]:
                cuts[-1] = i
            continue
        cuts.append(i)
    return cuts
