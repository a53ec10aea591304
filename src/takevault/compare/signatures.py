"""Per-frame fingerprints small enough to keep for a whole video.

Each frame becomes a 32x18 YUV thumbnail (area-averaged by swscale, about
1.7 KB), from which we derive what matching needs:

- `sig`: the 16x9 luma, zero-mean and unit-norm, so a gain or offset change
  (a grade, a brightness tweak, limited vs full range) does not break a match;
  their dot product is a correlation in [-1, 1].
- `dhash`: 64 bits of "is this pixel brighter than its right neighbour" on 9x8
  luma; robust to encoding noise, cheap to compare as a Hamming distance.
- the thumbnail itself, whose colour statistics tell `same` from `changed`.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

import av
import numpy as np
from av.video.reformatter import VideoReformatter

TINY_W, TINY_H = 32, 18
SIG_W, SIG_H = 16, 9


def tiny_yuv(frame: av.VideoFrame, reformatter: VideoReformatter | None = None) -> np.ndarray:
    """The frame as a (3, 18, 32) uint8 array of Y, U, V planes, area-averaged.

    Pass one `reformatter` for a whole video: it keeps swscale's context, whose set-up
    for a 1080p-to-32x18 area filter costs more than the scaling itself.
    """
    reformatter = reformatter or VideoReformatter()
    small = reformatter.reformat(frame, TINY_W, TINY_H, format="yuv444p", interpolation="AREA")
    planes = []
    for plane in small.planes:
        # memoryview: the plane is a buffer, but the av stubs do not declare it as one.
        raw = np.frombuffer(memoryview(plane), dtype=np.uint8).reshape(plane.height, plane.line_size)
        planes.append(raw[:TINY_H, :TINY_W])
    return np.stack(planes)


def signature(tiny: np.ndarray) -> np.ndarray:
    """Zero-mean unit-norm 16x9 luma (flattened, float32); all zeros for a flat frame."""
    y = tiny[0].astype(np.float32)
    small = y.reshape(SIG_H, 2, SIG_W, 2).mean(axis=(1, 3)).ravel()
    small -= small.mean()
    norm = float(np.linalg.norm(small))
    if norm < 1e-3 * small.size:
        return np.zeros_like(small)
    return small / norm


def dhash(tiny: np.ndarray) -> np.uint64:
    """64-bit difference hash of the luma."""
    y = tiny[0].astype(np.float32)
    cols = np.linspace(0, TINY_W, 10).astype(int)
    rows = np.linspace(0, TINY_H, 9).astype(int)
    grid = np.add.reduceat(np.add.reduceat(y, rows[:-1], axis=0), cols[:-1], axis=1)
    grid /= np.outer(np.diff(rows), np.diff(cols))
    bits = (grid[:, 1:] > grid[:, :-1]).ravel()
    return np.uint64(int(np.packbits(bits).view(">u8")[0]))


def hamming(a: np.ndarray, b: np.ndarray | np.uint64) -> np.ndarray:
    """Bit distance between hash arrays (broadcasting)."""
    x = np.bitwise_xor(a, b)
    return np.unpackbits(x.view(np.uint8).reshape(*x.shape, 8), axis=-1).sum(axis=-1)


@dataclass
class Track:
    """Fingerprints of every frame of one video, in decode order, grown chunk by chunk."""

    times: list[float] = field(default_factory=list)
    keys: list[int] = field(default_factory=list)  # indices of key frames: where a seek lands without decoding a GOP
    _tiny: list[np.ndarray] = field(default_factory=list)
    _cache: dict[str, np.ndarray] = field(default_factory=dict)
    _reformatter: VideoReformatter = field(default_factory=VideoReformatter)

    def add(self, t: float, frame: av.VideoFrame) -> np.ndarray:
        tiny = tiny_yuv(frame, self._reformatter)
        if frame.key_frame:
            self.keys.append(len(self.times))
        self.times.append(t)
        self._tiny.append(tiny)
        self._cache.clear()
        return tiny

    def __len__(self) -> int:
        return len(self.times)

    def _get(self, name: str) -> np.ndarray:
        if name not in self._cache:
            tiny = self.tiny
            if name == "sig":
                value = np.stack([signature(t) for t in tiny]) if len(tiny) else np.zeros((0, SIG_W * SIG_H))
            elif name == "dhash":
                value = np.array([dhash(t) for t in tiny], dtype=np.uint64)
            elif name == "time":
                value = np.asarray(self.times, dtype=np.float64)
            else:
                raise KeyError(name)
            self._cache[name] = value
        return self._cache[name]

    @property
    def tiny(self) -> np.ndarray:
        if "tiny" not in self._cache:
            if self._tiny:
                stacked = np.stack(self._tiny)
                # The list becomes views of the stacked block, so the thumbnails are not held twice.
                self._tiny = list(stacked)
            else:
                stacked = np.zeros((0, 3, TINY_H, TINY_W), dtype=np.uint8)
            self._cache["tiny"] = stacked
        return self._cache["tiny"]

    @property
    def sig(self) -> np.ndarray:
        return self._get("sig")

    @property
    def hashes(self) -> np.ndarray:
        return self._get("dhash")

    @property
    def time(self) -> np.ndarray:
        return self._get("time")

    def frame_duration(self) -> float:
        """The typical distance between frames (median), for boundaries and tolerances."""
        t = self.time
        if len(t) < 2:
            return 1 / 24
        steps = np.diff(t)
        steps = steps[steps > 0]
        return float(np.median(steps)) if len(steps) else 1 / 24

    def seek_cost(self, idx: int) -> int:
        """Frames decoded to reach frame `idx` after a seek: from the key frame at or before it."""
        if not self.keys:
            return idx
        k = bisect.bisect_right(self.keys, idx) - 1
        return idx - self.keys[k] if k >= 0 else idx

    def is_key(self, idx: int) -> bool:
        k = bisect.bisect_left(self.keys, idx)
        return k < len(self.keys) and self.keys[k] == idx

    def end_time(self) -> float:
        return float(self.time[-1] + self.frame_duration()) if len(self) else 0.0
