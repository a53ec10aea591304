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

import av
import numpy as np
from av.video.reformatter import VideoReformatter

from takevault.compare.scratch import Scratch, forget

TINY_W, TINY_H = 32, 18
SIG_W, SIG_H = 16, 9


def tiny_yuv(
    frame: av.VideoFrame, reformatter: VideoReformatter | None = None, out: np.ndarray | None = None
) -> np.ndarray:
    """The frame as a (3, 18, 32) uint8 array of Y, U, V planes, area-averaged, written into `out` if given.

    Pass one `reformatter` for a whole video: it keeps swscale's context, whose set-up
    for a 1080p-to-32x18 area filter costs more than the scaling itself.
    """
    reformatter = reformatter or VideoReformatter()
    small = reformatter.reformat(frame, TINY_W, TINY_H, format="yuv444p", interpolation="AREA")
    out = out if out is not None else np.empty((3, TINY_H, TINY_W), dtype=np.uint8)
    for k, plane in enumerate(small.planes):
        # memoryview: the plane is a buffer, but the av stubs do not declare it as one.
        raw = np.frombuffer(memoryview(plane), dtype=np.uint8).reshape(plane.height, plane.line_size)
        out[k] = raw[:TINY_H, :TINY_W]
    return out


def signatures(tiny: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Zero-mean unit-norm 16x9 luma of each (3, 18, 32) thumbnail, (n, 144) float32; zeros for a flat frame."""
    n = len(tiny)
    out = out if out is not None else np.empty((n, SIG_W * SIG_H), dtype=np.float32)
    y = tiny[:, 0].astype(np.float32)
    small = y.reshape(n, SIG_H, 2, SIG_W, 2).mean(axis=(2, 4)).reshape(n, SIG_W * SIG_H)
    small -= small.mean(axis=1, keepdims=True)
    norm = np.sqrt(np.einsum("ij,ij->i", small, small))
    flat = norm < 1e-3 * small.shape[1]
    small /= np.where(flat, 1.0, norm)[:, None]
    small[flat] = 0.0
    out[:] = small
    return out


def signature(tiny: np.ndarray) -> np.ndarray:
    """Zero-mean unit-norm 16x9 luma of one thumbnail (flattened, float32); all zeros for a flat frame."""
    return signatures(tiny[None])[0]


def dhashes(tiny: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """64-bit difference hash of the luma of each (3, 18, 32) thumbnail, (n,) uint64."""
    n = len(tiny)
    out = out if out is not None else np.empty(n, dtype=np.uint64)
    y = tiny[:, 0].astype(np.float32)
    cols = np.linspace(0, TINY_W, 10).astype(int)
    rows = np.linspace(0, TINY_H, 9).astype(int)
    grid = np.add.reduceat(np.add.reduceat(y, rows[:-1], axis=1), cols[:-1], axis=2)
    grid /= np.outer(np.diff(rows), np.diff(cols))
    bits = (grid[:, :, 1:] > grid[:, :, :-1]).reshape(n, 64)
    out[:] = np.packbits(bits, axis=1).view(">u8").reshape(n)
    return out


def dhash(tiny: np.ndarray) -> np.uint64:
    """64-bit difference hash of the luma of one thumbnail."""
    return np.uint64(dhashes(tiny[None])[0])


def hamming(a: np.ndarray, b: np.ndarray | np.uint64) -> np.ndarray:
    """Bit distance between hash arrays (broadcasting)."""
    x = np.bitwise_xor(a, b)
    return np.unpackbits(x.view(np.uint8).reshape(*x.shape, 8), axis=-1).sum(axis=-1)


CHUNK = 4096  # frames whose signatures are derived at once: the float temporaries stay a few MB


class Track:
    """Fingerprints of every frame of one video, in decode order.

    Thumbnails, times, signatures and hashes live in one preallocated block each, sized from
    the frame count the container announces: nothing is allocated per frame, so a long video
    leaves no freed small arrays behind in the heap. A missing or low count is met by doubling
    (one copy); the unused tail of a block is never written, so its pages are never resident,
    and the properties hand out views of the filled part.

    Given a `Scratch`, the thumbnails and signatures (2.3 KB of the 2.4 KB a frame) are file-backed
    instead, and signatures are derived CHUNK frames behind decoding, while the thumbnails are
    still in cache; `release` hands their pages back, so a pass that walks the track window by
    window keeps one window resident whatever the length. Times, hashes, luma means and flat
    flags (25 bytes a frame) stay in memory: every pass wants them whole.
    """

    def __init__(self, capacity: int | None = None, scratch: Scratch | None = None) -> None:
        self.keys: list[int] = []  # indices of key frames: where a seek lands without decoding a GOP
        self._n = 0
        self._scratch = scratch
        size = capacity if capacity and capacity > 0 else 1024  # a guess when the container does not say
        self._tiny = self.block("tiny", (size, 3, TINY_H, TINY_W), np.uint8)
        self._times = np.empty(size, dtype=np.float64)
        # Derived blocks are sized on first use (to the thumbnails' block), grown there too.
        self._sig = np.empty((0, SIG_W * SIG_H), dtype=np.float32)
        self._hash = np.empty(0, dtype=np.uint64)
        self._mean = np.empty(0, dtype=np.float64)  # luma mean: flat frames are compared by level
        self._flat = np.empty(0, dtype=bool)
        self._derived = 0  # frames whose signature, hash, mean and flat flag are in their blocks
        self._reformatter = VideoReformatter()

    def block(self, name: str, shape: tuple[int, ...], dtype: type) -> np.ndarray:
        """An array for per-frame working data: file-backed when the track has a scratch folder."""
        if self._scratch is not None:
            return self._scratch.array(name, shape, dtype)
        return np.empty(shape, dtype=dtype)

    @classmethod
    def from_arrays(cls, times: np.ndarray, tiny: np.ndarray) -> Track:
        """A track of fingerprints kept earlier: `times` (n,) seconds and `tiny` (n, 3, 18, 32) uint8."""
        if tiny.shape[1:] != (3, TINY_H, TINY_W) or len(times) != len(tiny):
            raise ValueError(f"thumbnails of shape {tiny.shape} do not fit {len(times)} times")
        track = cls(capacity=len(tiny))
        track._tiny[: len(tiny)] = tiny
        track._times[: len(tiny)] = times
        track._n = len(tiny)
        return track

    def _copied(self, name: str, old: np.ndarray, size: int, rows: int) -> np.ndarray:
        """A block of `size` rows holding `old`'s first `rows`, copied a window at a time so the
        pages of both go back as it goes; the old block's file goes with it."""
        new = self.block(name, (size, *old.shape[1:]), old.dtype.type)
        for lo in range(0, rows, CHUNK):
            hi = min(rows, lo + CHUNK)
            new[lo:hi] = old[lo:hi]
            forget(new[lo:hi])
            forget(old[lo:hi])
        if self._scratch is not None:
            self._scratch.drop(old)
        return new

    def _grow(self) -> None:
        size = 2 * len(self._tiny)
        self._tiny = self._copied("tiny", self._tiny, size, self._n)
        times = np.empty(size, dtype=np.float64)
        times[: self._n] = self._times[: self._n]
        self._times = times

    def add(self, t: float, frame: av.VideoFrame) -> np.ndarray:
        if self._n == len(self._tiny):
            self._grow()
        i = self._n
        tiny = tiny_yuv(frame, self._reformatter, out=self._tiny[i])
        if frame.key_frame:
            self.keys.append(i)
        self._times[i] = t
        self._n += 1
        if self._scratch is not None and self._n - self._derived >= CHUNK:
            self._derive()
        return tiny

    def __len__(self) -> int:
        return self._n

    def _derive(self) -> None:
        """Signatures, hashes, means and flat flags of the frames added since the last call, into their blocks."""
        n = self._n
        if self._derived == n:
            return
        if len(self._sig) < n:
            size, done = len(self._tiny), self._derived
            self._sig = self._copied("sig", self._sig, size, done)
            grown = []
            for old in (self._hash, self._mean, self._flat):
                new = np.empty(size, dtype=old.dtype)
                new[:done] = old[:done]
                grown.append(new)
            self._hash, self._mean, self._flat = grown
        for lo in range(self._derived, n, CHUNK):
            hi = min(n, lo + CHUNK)
            tiny = self._tiny[lo:hi]
            signatures(tiny, out=self._sig[lo:hi])
            dhashes(tiny, out=self._hash[lo:hi])
            # Sums of at most 576 bytes are exact in float64, so these equal any other way of taking them.
            self._mean[lo:hi] = tiny[:, 0].mean(axis=(1, 2))
            self._flat[lo:hi] = ~self._sig[lo:hi].any(axis=1)
            forget(tiny)
            forget(self._sig[lo:hi])
        self._derived = n

    def release(self) -> None:
        """Hand back the resident pages of the file-backed blocks (a no-op in memory): a pass is done
        with what it read, and whatever it reads next comes back from the page cache."""
        forget(self._tiny)
        forget(self._sig)

    @property
    def tiny(self) -> np.ndarray:
        return self._tiny[: self._n]

    @property
    def times(self) -> np.ndarray:
        return self._times[: self._n]

    @property
    def sig(self) -> np.ndarray:
        self._derive()
        return self._sig[: self._n]

    @property
    def hashes(self) -> np.ndarray:
        self._derive()
        return self._hash[: self._n]

    @property
    def means(self) -> np.ndarray:
        """Mean luma of each thumbnail (float64)."""
        self._derive()
        return self._mean[: self._n]

    @property
    def flats(self) -> np.ndarray:
        """Whether each frame is flat (no luma pattern: its signature is all zeros)."""
        self._derive()
        return self._flat[: self._n]

    @property
    def time(self) -> np.ndarray:
        return self.times

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
