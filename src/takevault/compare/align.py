"""Line up two versions frame by frame and describe the edit as segments.

1. Candidates: for every frame of B, the K frames of A whose signatures
   correlate best (chunked matrix product, so memory does not grow with the
   square of the length), plus the frames that would continue each of the
   previous frame's candidates in time.
2. Viterbi over B's frames: a state is "B shows A's frame a" or "B shows
   something new" (inserted). Emission is the signature distance plus the dHash
   distance; moving on in step with the clock is free, drifting a frame or two
   is cheap (speed changes, frame-rate changes), a jump costs a cut, and
   entering or leaving "inserted" costs more than a jump, so one bad frame does
   not become an insert. Everything is measured in seconds, so different frame
   rates need no special case.
3. The path is cut into runs at jumps; runs are split where their speed
   changes (retimed); runs out of A's order (outside the heaviest increasing
   sequence) are moved; A that no run covers is removed; B on the inserted
   state is inserted.
4. Within runs, colour statistics and thumbnail differences (allowing for the
   motion between neighbouring frames) separate `same` from `changed`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence, Set
from dataclasses import dataclass, field
from typing import overload

import numpy as np

from takevault.compare.scratch import forget
from takevault.compare.signatures import Track, hamming

TOP_K = 8
BEAM = 3 * TOP_K  # matched states kept from one B frame to the next
HASH_WEIGHT = 0.5
INSERT_COST = 0.42  # emission of "B shows something A does not have"
INSERT_ENTER = 0.6  # entering plus leaving "inserted" costs more than one jump
JUMP_COST = 1.0  # a cut in the edit: the path leaves the clock
DRIFT_FREE = 0.6  # frames of slack for timestamp jitter
DRIFT_LIMIT = 2.6  # beyond this many frames a step is a jump
DRIFT_COST = 0.08  # per frame of drift within the limit
RETIME_TOLERANCE = 0.1  # |speed - 1| above this is a retime
RETIME_WINDOW = 8  # frames either side for the local speed
MIN_RETIME_FRAMES = 12
CUT_SNAP = 4  # frames within which an edit boundary snaps to a cut
MIN_SEGMENT_FRAMES = 3
SAME_ABS = 5.0  # thumbnail levels of difference that are still "the same picture"
SAME_MOTION = 0.5  # share of neighbouring-frame difference explained by motion
MEAN_SHIFT = 4.0  # levels of mean Y/U/V shift that is a grade change
STD_RATIO = 0.15  # relative contrast change that is a grade change
WEAK_CHANGE = 0.5  # share of those thresholds that continues a change already seen
PAIR_BUDGET = 80_000_000  # frame pairs compared exhaustively (about 6 min against 6 min at 25 fps)
CHUNK_CELLS = 2_000_000  # similarities held at once while searching (with argpartition's copies, 32 MB)
FOREIGN_SIM = 0.5  # a matched B frame correlating less than this with its A frame is not A's picture
FOREIGN_HASH = 0.3  # ...and differing in this share of its dHash bits
STEP_JUMP = 0.75  # A frames of offset change between two B frames that is a cut, not jitter
LEVEL_WINDOW = 6  # B frames either side for the offset level around a step
BAND_WINDOW = 30  # B frames either side in which a conform's offset stays within one A frame
BAND_WIDTH = 1.3  # A frames of offset spread that a conform's rounding can make
LOCAL_MARGIN = 12  # frames of A searched beyond an anchor's reach
MAX_STRIDE = 12  # B frames between anchors at most: the local windows grow with it


@dataclass
class Run:
    """Consecutive B frames that follow A in order: parallel arrays of indices."""

    b: np.ndarray
    a: np.ndarray
    kind: str = "same"
    rate: float = 1.0
    a_stop: int | None = None  # A frame the material after a short retime starts on: its range ends before


class Pairs(Sequence[tuple[int, int]]):
    """A segment's (A, B) frame pairs as two index arrays: 16 bytes a pair instead of a tuple of two
    ints in a list (~120 bytes), which for an hour-long segment is most of 10 MB."""

    def __init__(self, a: np.ndarray, b: np.ndarray) -> None:
        self.a, self.b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.b)

    @overload
    def __getitem__(self, i: int) -> tuple[int, int]: ...
    @overload
    def __getitem__(self, i: slice) -> list[tuple[int, int]]: ...
    def __getitem__(self, i: int | slice) -> tuple[int, int] | list[tuple[int, int]]:
        if isinstance(i, slice):
            return list(zip(self.a[i].tolist(), self.b[i].tolist(), strict=True))
        return int(self.a[i]), int(self.b[i])

    def __iter__(self) -> Iterator[tuple[int, int]]:
        for lo in range(0, len(self.b), 4096):  # a window of Python ints at a time
            yield from zip(self.a[lo : lo + 4096].tolist(), self.b[lo : lo + 4096].tolist(), strict=True)


@dataclass
class Segment:
    kind: str
    a: tuple[int, int] | None  # frame index range [first, last] in A
    b: tuple[int, int] | None
    rate: float | None = None
    pairs: Sequence[tuple[int, int]] = field(default_factory=list)


@dataclass
class Alignment:
    path: np.ndarray  # A index per B frame, -1 where B is inserted
    segments: list[Segment]

    @property
    def matched_pairs(self) -> list[tuple[int, int]]:
        return [(int(a), int(b)) for b, a in enumerate(self.path) if a >= 0]

    def is_identity(self) -> bool:
        """B frame i shows A frame i wherever it shows anything from A."""
        idx = np.arange(len(self.path))
        matched = self.path >= 0
        return bool(matched.any() and np.array_equal(self.path[matched], idx[matched]))


# -- candidates ------------------------------------------------------------


def _similarity_rows(
    a_sig: np.ndarray,
    a_mean: np.ndarray,
    a_flat: np.ndarray,
    b_sig: np.ndarray,
    b_flat: np.ndarray,
    b_mean: np.ndarray,
) -> np.ndarray:
    """Correlation of B's signatures (rows) with A's (columns)."""
    sim = b_sig @ a_sig.T
    if b_flat.any() and a_flat.any():
        # Flat frames (black, a colour field) have no pattern; compare their levels instead.
        level = 1.0 - np.abs(b_mean[b_flat, None] - a_mean[None, a_flat]) / 40.0
        block = sim[b_flat]
        block[:, a_flat] = np.clip(level, -1, 1)
        sim[b_flat] = block
    return sim


def _top_k(sim: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Column indices and values of the k largest entries of each row."""
    if k < sim.shape[1]:
        part = np.argpartition(-sim, k - 1, axis=1)[:, :k]
    else:
        part = np.tile(np.arange(sim.shape[1]), (len(sim), 1))
    return part, np.take_along_axis(sim, part, axis=1)


SEARCH_ROWS = 1024  # B frames searched against A at once; A is walked in windows of CHUNK_CELLS / SEARCH_ROWS


def _exhaustive(a: Track, b: Track, rows: np.ndarray, k: int) -> np.ndarray:
    """The best k A frames for the B frames `rows`, against every frame of A.

    A is walked a window at a time, keeping each row's best k so far, so neither the similarity
    block nor the part of A's signatures resident grows with A's length.
    """
    out = np.zeros((len(rows), k), dtype=np.int64)
    a_mean, a_flat, b_mean, b_flat = a.means, a.flats, b.means, b.flats
    na = len(a)
    width = max(k, CHUNK_CELLS // SEARCH_ROWS)
    for start in range(0, len(rows), SEARCH_ROWS):
        r = rows[start : start + SEARCH_ROWS]
        b_sig = b.sig[r]
        best_idx = np.zeros((len(r), 0), dtype=np.int64)
        best_val = np.zeros((len(r), 0), dtype=np.float32)
        for lo in range(0, na, width):
            hi = min(na, lo + width)
            window = a.sig[lo:hi]
            sim = _similarity_rows(window, a_mean[lo:hi], a_flat[lo:hi], b_sig, b_flat[r], b_mean[r])
            forget(window)
            part, val = _top_k(sim, k)
            idx = np.concatenate([best_idx, part + lo], axis=1)
            vals = np.concatenate([best_val, val.astype(np.float32, copy=False)], axis=1)
            if idx.shape[1] > k:
                keep = np.argpartition(-vals, k - 1, axis=1)[:, :k]
                idx, vals = np.take_along_axis(idx, keep, axis=1), np.take_along_axis(vals, keep, axis=1)
            best_idx, best_val = idx, vals
        out[start : start + len(r)] = best_idx
        b.release()
    return out


RELEASE_EVERY = 4096  # frames walked between hand-backs of the tracks' file-backed pages
# The Viterbi reads the signatures of each B frame's candidates, which on footage that repeats
# (a loop, a recurring shot) lie all over A: a page each, so it hands back more often.
VITERBI_RELEASE = 256


def candidates(a: Track, b: Track, k: int = TOP_K, budget: int = PAIR_BUDGET) -> np.ndarray:
    """Indices of the best k A frames for every B frame, (len(b), k).

    Up to `budget` frame pairs every B frame is compared with every A frame. Beyond
    that (takes of more than a few minutes) only every `stride`-th B frame (an
    anchor, at most MAX_STRIDE apart) is compared with all of A, and the frames
    between two anchors with the stretches of A around what those anchors found,
    wide enough for a 1.5x speed change. That is MAX_STRIDE times less work than
    the full square (a one-hour pair at 25 fps: about 20 s, memory flat); a moved
    piece shorter than the anchor spacing can then be missed.
    """
    k = min(k, len(a))
    nb = len(b)
    if nb == 0 or k == 0:
        return np.zeros((nb, k), dtype=np.int64)
    if len(a) * nb <= budget:
        return _exhaustive(a, b, np.arange(nb), k)
    stride = min(math.ceil(len(a) * nb / budget), MAX_STRIDE)
    anchors = np.unique(np.append(np.arange(0, nb, stride), nb - 1))
    found = _exhaustive(a, b, anchors, k)
    a_per_b = b.frame_duration() / a.frame_duration()
    reach = math.ceil(1.5 * stride * a_per_b) + LOCAL_MARGIN
    a_mean, a_flat, b_mean, b_flat = a.means, a.flats, b.means, b.flats
    out = b.block("candidates", (nb, k), np.int64)
    out[anchors] = found
    for i in range(len(anchors) - 1):
        j0, j1 = anchors[i], anchors[i + 1]
        if i % (RELEASE_EVERY // stride) == 0:
            a.release()
            b.release()
        if j1 - j0 < 2:
            continue
        centres = np.unique(np.concatenate([found[i], found[i + 1]]))
        pool = np.unique((centres[:, None] + np.arange(-reach, reach + 1)[None, :]).ravel())
        pool = pool[(pool >= 0) & (pool < len(a))]
        r = np.arange(j0 + 1, j1)
        sim = _similarity_rows(a.sig[pool], a_mean[pool], a_flat[pool], b.sig[r], b_flat[r], b_mean[r])
        out[r] = pool[_top_k(sim, k)[0]]  # the pool holds the anchors' k distinct finds at least
    a.release()
    b.release()
    return out


class _Gathered:
    """The signatures of the A frames a window of B frames names as candidates, copied out in index
    order a few at a time, each stretch handed back as soon as it is copied.

    On footage that repeats (a loop, a recurring shot) a frame's candidates lie all over A, and
    reading each from the mapping would leave most of A's signatures resident (a read fault maps
    its neighbours too); the copies are a few hundred KB. Frames not gathered (the continuations
    of the path, near the frames already read) come from the mapping.
    """

    GROUP = 64  # candidates copied between hand-backs

    def __init__(self, track: Track, wanted: np.ndarray) -> None:
        self.track = track
        self.idx = np.unique(wanted)
        sig = track.sig
        self.rows = np.empty((len(self.idx), sig.shape[1]), dtype=sig.dtype)
        for lo in range(0, len(self.idx), self.GROUP):
            part = self.idx[lo : lo + self.GROUP]
            self.rows[lo : lo + len(part)] = sig[part]
            forget(sig[int(part[0]) : int(part[-1]) + 1])

    def sig(self, cand: np.ndarray) -> np.ndarray:
        """The same rows as `track.sig[cand]`."""
        k = np.minimum(np.searchsorted(self.idx, cand), len(self.idx) - 1)
        hit = self.idx[k] == cand
        if hit.all():
            return self.rows[k]
        out = self.rows[k]
        out[~hit] = self.track.sig[cand[~hit]]
        return out


def _pair_similarity(a: Track, b: Track, j: int, cand: np.ndarray, gathered: _Gathered | None = None) -> np.ndarray:
    sim = (gathered.sig(cand) if gathered is not None else a.sig[cand]) @ b.sig[j]
    if b.flats[j]:
        level = 1.0 - np.abs(a.means[cand] - b.means[j]) / 40.0
        sim = np.where(a.flats[cand], level, sim)
    return sim


# -- Viterbi ---------------------------------------------------------------


def viterbi(a: Track, b: Track, budget: int = PAIR_BUDGET) -> np.ndarray:
    """A frame index per B frame (-1: inserted), the cheapest path through the candidates."""
    nb = len(b)
    if nb == 0:
        return np.zeros(0, dtype=np.int64)
    if len(a) == 0:
        return np.full(nb, -1, dtype=np.int64)
    top_idx = candidates(a, b, budget=budget)
    ta, tb = a.time, b.time
    dt_a = a.frame_duration()
    a_hash, b_hash = a.hashes, b.hashes

    # The kept states and back-pointers of every step, in fixed-width rows: a list of small arrays
    # costs ~600 bytes a frame in object headers, more than the frame's own fingerprints.
    width = BEAM
    # File-backed when the track is: written once in order, read once backwards, a window resident.
    states = b.block("states", (nb, width), np.int32)  # candidate A indices at each step
    counts = np.zeros(nb, dtype=np.int16)  # how many are kept; INS is the state after them
    backs = b.block("backs", (nb, width + 1), np.int8)  # index into the previous step's states
    prev_states = np.zeros(0, dtype=np.int64)
    prev_cost = np.zeros(1)
    for j in range(nb):
        if j % VITERBI_RELEASE == 0:
            if j:
                a.release()
                b.release()
                forget(states[j - VITERBI_RELEASE : j])
                forget(backs[j - VITERBI_RELEASE : j])
                forget(top_idx[j - VITERBI_RELEASE : j])
            gathered = _Gathered(a, np.asarray(top_idx[j : j + VITERBI_RELEASE]).ravel())
        cand = set(top_idx[j].tolist())
        if j > 0 and len(prev_states):
            expected = ta[prev_states] + (tb[j] - tb[j - 1])
            nxt = np.searchsorted(ta, expected)
            for n in np.unique(np.concatenate([nxt - 1, nxt])):
                if 0 <= n < len(ta):
                    cand.add(int(n))
        cur = np.fromiter(sorted(cand), dtype=np.int64)
        sim = _pair_similarity(a, b, j, cur, gathered)
        ham = hamming(a_hash[cur], b_hash[j]) / 64.0
        emit = np.concatenate([np.clip(1.0 - sim, 0.0, 2.0) + HASH_WEIGHT * ham, [INSERT_COST]])
        if j == 0:
            # Starting anywhere in A is free: a trimmed head is not a cut.
            cost = emit.copy()
            cost[-1] += INSERT_ENTER
            back = np.full(len(cur) + 1, -1, dtype=np.int64)
        else:
            step_b = tb[j] - tb[j - 1]
            drift = (ta[cur][None, :] - (ta[prev_states][:, None] + step_b)) / dt_a
            ad = np.abs(drift)
            trans = np.where(ad <= DRIFT_FREE, 0.0, np.where(ad <= DRIFT_LIMIT, DRIFT_COST * ad, JUMP_COST))
            m = len(prev_states)
            full = np.empty((m + 1, len(cur) + 1))
            full[:m, : len(cur)] = trans
            full[:m, -1] = INSERT_ENTER  # matched -> inserted
            full[m, : len(cur)] = INSERT_ENTER  # inserted -> matched
            full[m, -1] = 0.0
            total = prev_cost[:, None] + full
            back = np.argmin(total, axis=0)
            cost = total[back, np.arange(len(cur) + 1)] + emit
        # Keep the beam small: the best few matched states carry the path.
        prev_states, prev_cost = cur, cost
        if len(cur) > BEAM:
            keep = np.argsort(cost[:-1])[:BEAM]
            keep.sort()
            prev_states = cur[keep]
            prev_cost = np.concatenate([cost[:-1][keep], cost[-1:]])
            back = np.concatenate([back[:-1][keep], back[-1:]])
        m = len(prev_states)
        states[j, :m] = prev_states
        states[j, m:] = -1
        counts[j] = m
        backs[j, : m + 1] = back
    a.release()
    b.release()
    path = np.full(nb, -1, dtype=np.int64)
    s = int(np.argmin(prev_cost))
    for j in range(nb - 1, -1, -1):
        path[j] = states[j, s] if s < counts[j] else -1
        s = int(backs[j, s])
        if j % RELEASE_EVERY == 0:
            forget(states[j:])
            forget(backs[j:])
    return path


# -- runs and segments -----------------------------------------------------


PIECE = 1024  # B frames refined or checked at once: their float copies stay ~10 MB whatever the length
REFINE_SHARE = 0.25  # share of the difference between two A frames a better match must win by
REFINE_REACH = 2  # A frames either side of the Viterbi's choice that a B frame may move to


def _fine(tiny: np.ndarray) -> np.ndarray:
    """Zero-mean unit-norm 32x18 luma: twice the signature's resolution, for choosing between neighbours."""
    y = tiny[:, 0].reshape(len(tiny), -1).astype(np.float32)
    y -= y.mean(axis=1, keepdims=True)
    norm = np.linalg.norm(y, axis=1, keepdims=True)
    return y / np.maximum(norm, 1e-3)


def refine(path: np.ndarray, a: Track, b: Track) -> np.ndarray:
    """Move each matched B frame to the A frame nearby that matches it best at full thumbnail size.

    The Viterbi prefers two small drifts over one jump, so a cut of three frames can come out as
    a path through a neighbouring, not-quite-right frame; the finer picture settles it. Ties (a
    still picture) keep the Viterbi's choice.
    """
    out = path.copy()
    idx = np.flatnonzero(path >= 0)
    na = len(a)
    for lo in range(0, len(idx), PIECE):
        j = idx[lo : lo + PIECE]
        fb = _fine(b.tiny[j])
        base = path[j]
        best = np.einsum("ij,ij->i", _fine(a.tiny[base]), fb)
        choice = base.copy()
        fa = _fine(a.tiny[base])
        for d in (*range(-REFINE_REACH, 0), *range(1, REFINE_REACH + 1)):
            cand = np.clip(base + d, 0, na - 1)
            fc = _fine(a.tiny[cand])
            sim = np.einsum("ij,ij->i", fc, fb)
            # Between two nearly equal A frames (a still shot) encoding noise decides: only a gain
            # that is a fair share of how much the two A frames differ moves the frame.
            apart = 1.0 - np.einsum("ij,ij->i", fa, fc)
            better = sim > best + np.maximum(1e-3, REFINE_SHARE * apart)
            best = np.where(better, sim, best)
            choice = np.where(better, cand, choice)
        out[j] = choice
        a.release()
        b.release()
    return out


def mark_foreign(path: np.ndarray, a: Track, b: Track) -> np.ndarray:
    """B frames the Viterbi kept on A's clock although they show something else become inserted.

    Entering and leaving "inserted" costs more than one bad frame, so that one damaged or
    flashed frame does not break a shot; the price is that a one-frame insert rides along on
    A's clock. A frame that neither correlates with its A frame nor shares its dHash is new.
    """
    out = path.copy()
    idx = np.flatnonzero(path >= 0)
    if not len(idx):
        return out
    for lo in range(0, len(idx), PIECE):  # in pieces: the gathered signatures are a copy of the track's
        j = idx[lo : lo + PIECE]
        a_idx = path[j]
        sim = np.einsum("ij,ij->i", a.sig[a_idx], b.sig[j])
        flat = b.flats[j] & a.flats[a_idx]
        level = np.abs(a.means[a_idx] - b.means[j])
        sim = np.where(flat, 1.0 - level / 40.0, sim)
        ham = hamming(a.hashes[a_idx], b.hashes[j]) / 64.0
        foreign = (sim < FOREIGN_SIM) & (ham > FOREIGN_HASH)
        out[j[foreign]] = -1
        a.release()
        b.release()
    return out


def split_steps(run: Run, a: Track, b: Track) -> list[Run]:
    """Split a normal-speed run wherever A's clock jumps against B's by a frame or more.

    Viterbi lets a step drift by up to DRIFT_LIMIT frames (timestamp jitter, another frame
    rate), which also hides a cut of one, two or three frames inside a shot. In a run at
    normal speed the offset between the clocks is level up to a fraction of a frame, so a
    level change of STEP_JUMP frames or more between the frames before and after a step is
    material cut out (offset up) or shown again (offset down).
    """
    n = len(run.b)
    if n < 2 or run.kind == "retimed":
        return [run]
    dt_a = a.frame_duration()
    same_rate = abs(b.frame_duration() / dt_a - 1.0) < 1e-3
    off = (a.time[run.a] - b.time[run.b]) / dt_a
    steps = np.abs(np.diff(off))
    order = np.argsort(-steps)
    for k in order[:4]:  # the largest steps; the one that is a level change splits, pieces recurse
        if steps[k] < STEP_JUMP:
            break
        cut = int(k) + 1
        if same_rate:
            lw, rw = off[max(0, cut - LEVEL_WINDOW) : cut], off[cut : cut + LEVEL_WINDOW]
            # A cut leaves the clock level on both sides; a zigzag is noise between still frames.
            if abs(np.median(rw) - np.median(lw)) < STEP_JUMP or max(np.ptp(lw), np.ptp(rw)) > 0.5:
                continue
        elif np.ptp(off[max(0, cut - BAND_WINDOW) : cut + BAND_WINDOW]) <= BAND_WIDTH:
            # Another frame rate: B shows the A frame nearest its time, so the offset saws within
            # one A frame and wraps now and then (a repeated or skipped frame of the conform).
            continue
        pieces = []
        for lo, hi in ((0, cut), (cut, n)):
            piece = Run(b=run.b[lo:hi], a=run.a[lo:hi], kind=run.kind, rate=run.rate)
            pieces.extend(split_steps(piece, a, b))
        return pieces
    return [run]


def split_runs(path: np.ndarray, a: Track, b: Track) -> tuple[list[Run], list[tuple[int, int]]]:
    """Matched runs (broken at jumps) and inserted B ranges [first, last]."""
    ta, tb = a.time, b.time
    dt_a = a.frame_duration()
    runs: list[Run] = []
    inserted: list[tuple[int, int]] = []
    start = 0
    n = len(path)
    for j in range(1, n + 1):
        brk = j == n
        if not brk:
            p, c = path[j - 1], path[j]
            if (p < 0) != (c < 0):
                brk = True
            elif p >= 0:
                drift = (ta[c] - ta[p] - (tb[j] - tb[j - 1])) / dt_a
                brk = abs(drift) > DRIFT_LIMIT
        if brk:
            if path[start] < 0:
                inserted.append((start, j - 1))
            else:
                runs.append(Run(b=np.arange(start, j), a=path[start:j].copy()))
            start = j
    return runs, inserted


def _windowed_slope(x: np.ndarray, y: np.ndarray, w: int) -> np.ndarray:
    """Least-squares slope of y over x in a window of +-w points around each point (cumulative sums)."""
    n = len(x)
    x = x - x[0]
    cs = [np.concatenate([[0.0], np.cumsum(v)]) for v in (np.ones(n), x, y, x * x, x * y)]
    lo = np.clip(np.arange(n) - w, 0, n)
    hi = np.clip(np.arange(n) + w + 1, 0, n)
    c, sx, sy, sxx, sxy = (v[hi] - v[lo] for v in cs)
    den = c * sxx - sx * sx
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.where(den > 1e-12, (c * sxy - sx * sy) / np.where(den > 1e-12, den, 1.0), 1.0)
    return slope


def _rate(ta: np.ndarray, tb: np.ndarray) -> float:
    if len(ta) < 2 or np.ptp(tb) <= 0:
        return 1.0
    return float(np.polyfit(tb, ta, 1)[0])


def _decimals(r: float) -> int:
    return 0 if abs(r - round(r)) < 1e-9 else 1 if abs(r - round(r, 1)) < 1e-9 else 2


def nice_rate(ta: np.ndarray, tb: np.ndarray, dt_a: float) -> float:
    """The speed an editor set (to 2 decimals) that explains which A frame each B frame shows.

    A retime shows A's frame round(phase + rate * i); a least-squares slope over such rounded
    indices is off by about 1/n (1.99x for 2x), so we take the 2-decimal rates near the slope
    under which every frame lies within one A frame of a straight line, the straightest first.
    """
    if len(ta) < 2 or np.ptp(tb) <= 0:
        return 1.0
    x, y = tb / dt_a, ta / dt_a
    slope = float(np.polyfit(x, y, 1)[0])
    cands = {round(slope, 1), *(round(round(slope, 2) + k * 0.01, 2) for k in range(-3, 4))}
    best: tuple[float, int, float] | None = None
    for r in cands:
        if r <= 0 or abs(r - slope) > 0.05:
            continue
        spread = float(np.ptp(y - r * x))
        if spread > 1.1:
            continue
        key = (round(spread, 1), _decimals(r), r)
        if best is None or key < best:
            best = key
    return best[2] if best is not None else round(slope, 2)


def steady_rate(ta: np.ndarray, tb: np.ndarray, dt_a: float) -> bool:
    """Whether one constant speed explains the run to within a frame (a retime does; a path
    wandering over pictures that changed, e.g. a reframe, does not)."""
    r = nice_rate(ta, tb, dt_a)
    x, y = tb / dt_a, ta / dt_a
    return float(np.ptp(y - r * x)) <= 1.6


def _misses(x: np.ndarray, y: np.ndarray, rate: float, phase: float) -> int:
    """Frames further than a frame's rounding from the line y = phase + rate * x."""
    return int((np.abs(y - rate * x - phase) > 0.75).sum())


def _model(x: np.ndarray, y: np.ndarray, fast: bool) -> tuple[float, float]:
    rate = nice_rate(y, x, 1.0) if fast else 1.0
    return rate, float(np.median(y - rate * x))


def _interior(lo: int, hi: int) -> slice:
    """The middle of [lo, hi), away from both ends where the smoothed labels blur."""
    margin = min(RETIME_WINDOW, (hi - lo) // 3)
    return slice(lo + margin, max(lo + margin + 2, hi - margin))


def split_retimed(run: Run, a: Track, b: Track, b_cuts: Set[int] = frozenset()) -> list[Run]:
    """Split a run where its speed changes; pieces off normal speed become `retimed`.

    Each boundary goes where the fewest frames disagree with the speed of their side (normal
    on one, the retime's rate on the other), measured in A frames, so it lands on the frame;
    a cut in B that fits as well wins, as a speed change usually starts and ends with a shot.
    """
    n = len(run.b)
    if n < MIN_RETIME_FRAMES:
        return [run]
    dt_a = a.frame_duration()
    ta, tb = a.time[run.a], b.time[run.b]
    x, y = tb / dt_a, ta / dt_a
    fast = np.abs(_windowed_slope(tb, ta, RETIME_WINDOW) - 1.0) > RETIME_TOLERANCE
    labels = _smooth(fast, 2 * (MIN_RETIME_FRAMES // 2) + 1)
    bounds = [0, *(np.flatnonzero(np.diff(labels.astype(np.int8))) + 1).tolist(), n]
    for i in range(1, len(bounds) - 1):
        lo, hi, k0 = bounds[i - 1], bounds[i + 1], bounds[i]
        # Each side's speed from its frames away from the boundary, where the labels are sure.
        l_in, r_in = _interior(lo, k0), _interior(k0, hi)
        left = _model(x[l_in], y[l_in], bool(labels[k0 - 1]))
        right = _model(x[r_in], y[r_in], bool(labels[k0]))
        costs = {}
        for k in range(max(lo + 1, k0 - 2 * RETIME_WINDOW), min(hi - 1, k0 + 2 * RETIME_WINDOW) + 1):
            costs[k] = _misses(x[lo:k], y[lo:k], *left) + _misses(x[k:hi], y[k:hi], *right)
        if not costs:
            continue
        best_k = min(costs, key=lambda k: (costs[k], abs(k - k0)))
        near = [int(np.searchsorted(run.b, c)) for c in b_cuts if abs(c - run.b[best_k]) <= CUT_SNAP]
        near = [k for k in near if k in costs and costs[k] <= costs[best_k]]
        if near:
            best_k = min(near, key=lambda k: abs(k - best_k))
        bounds[i] = best_k
    pieces = []
    for lo, hi in itertools.pairwise(bounds):
        if hi <= lo:
            continue
        piece = Run(b=run.b[lo:hi], a=run.a[lo:hi])
        slope = _rate(a.time[piece.a], b.time[piece.b])
        if (
            hi - lo >= MIN_RETIME_FRAMES
            and abs(slope - 1.0) > RETIME_TOLERANCE
            and steady_rate(a.time[piece.a], b.time[piece.b], dt_a)
        ):
            piece.kind = "retimed"
            piece.rate = nice_rate(a.time[piece.a], b.time[piece.b], dt_a)
        pieces.append(piece)
    return _merge_adjacent(pieces)


SHORT_RETIME_FRAMES = 6  # B frames a retime shorter than MIN_RETIME_FRAMES needs to be found at all
SKIP_GAP = 6  # normal steps at most between two skipped (or repeated) A frames of one retime
SLOWEST_RETIME = 0.2  # A frames per B frame below which the picture is held, not slowed down
LEVEL_FRAMES = 8  # frames of normal speed either side that give the clock's level next to a retime


def _skip_groups(d: np.ndarray) -> list[tuple[int, int]]:
    """Runs of steps [first, last] that leave out (or repeat) A frames, all the same way, close together."""
    irregular = np.flatnonzero(np.abs(d) > 0.5)
    groups: list[tuple[int, int]] = []
    first = prev = -1
    for p in irregular.tolist():
        if prev >= 0 and p - prev <= SKIP_GAP and np.sign(d[p]) == np.sign(d[prev]) and not _against(d, prev, p):
            prev = p
            continue
        if prev >= 0:
            groups.append((first, prev))
        first = prev = p
    if prev >= 0:
        groups.append((first, prev))
    return groups


def _against(d: np.ndarray, lo: int, hi: int) -> bool:
    """Whether a step between two skips goes the other way (a retime never turns back)."""
    between = d[lo + 1 : hi]
    return bool(len(between) and (np.sign(between) * np.sign(d[lo]) < -0.5).any() and (np.abs(between) > 0.5).any())


def _short_rate(x: np.ndarray, y: np.ndarray) -> float:
    """The simplest speed (fewest decimals) under which every frame is within a rounding of one line.

    A few frames fit many 2-decimal speeds equally well (six frames at 1.5x are also six at
    1.44x); the straightest is then a fit to the rounding, the simplest is the editor's.
    """
    slope = float(np.polyfit(x, y, 1)[0])
    cands = {round(slope, 1), *(round(round(slope, 2) + k * 0.01, 2) for k in range(-8, 9))}
    fits = [(_decimals(r), round(abs(r - slope), 3), r) for r in cands if r > 0 and float(np.ptp(y - r * x)) < 1.0]
    return min(fits)[2] if fits else round(slope, 2)


def _end(x: np.ndarray, y: np.ndarray, line: tuple[float, float], level: float, ks: range, before: bool) -> int:
    """Where a retime on `line` ends against normal speed at `level`: the frame in `ks` that leaves the
    fewest frames off their side's line, and of those the nearest to where the two lines cross."""
    rate, phase = line
    at = (phase - level) / (1.0 - rate)
    n = len(x)

    def cost(k: int) -> tuple[int, float]:
        if before:  # normal speed up to k, the retime from k on
            normal, fast = slice(max(0, k - LEVEL_FRAMES), k), slice(k, ks.stop)
        else:  # the retime up to k, normal speed from k on
            normal, fast = slice(k, min(n, k + LEVEL_FRAMES)), slice(ks.start, k)
        miss = _misses(x[normal], y[normal], 1.0, level) + _misses(x[fast], y[fast], rate, phase)
        return miss, abs(x[min(k, n - 1)] - at)

    return min(ks, key=cost)


def _retime_ends(x: np.ndarray, y: np.ndarray, rate: float, phase: float, first: int, last: int) -> tuple[int, int]:
    """The first B frame of a retime whose skips are steps first..last, and the first frame after it."""
    n = len(x)
    lo = max(0, first - SKIP_GAP)
    if first - lo < SKIP_GAP and not _misses(x[: first + 1], y[: first + 1], rate, phase):
        k0 = 0  # the run starts on the retime's line
    else:
        side = slice(max(0, first - SKIP_GAP - LEVEL_FRAMES), max(1, first - SKIP_GAP + 1))
        level = float(np.median(y[side] - x[side]))
        k0 = _end(x, y, (rate, phase), level, range(lo, first + 1), before=True)
    hi = min(n - 1, last + 1 + SKIP_GAP)
    if n - 1 - last <= SKIP_GAP and not _misses(x[last + 1 :], y[last + 1 :], rate, phase):
        k1 = n  # the run ends on the retime's line: nothing shows normal speed again
    else:
        side = slice(last + 1 + SKIP_GAP, last + 2 + SKIP_GAP + LEVEL_FRAMES)
        if side.start >= n:
            side = slice(last + 1, n)
        level = float(np.median(y[side] - x[side]))
        k1 = _end(x, y, (rate, phase), level, range(last + 1, hi + 1), before=False)
    return k0, k1


def split_short_retimes(run: Run, a: Track, b: Track) -> list[Run]:
    """Split out speed changes too short for the windowed slope of `split_retimed` (6 to ~12 frames of B).

    A retime leaves out (speed-up) or repeats (slow-down) A frames at several places in a steady
    pattern; a removal leaves them out in one place and a hold repeats one frame. So a stretch is
    retimed when its skips, all one way and at most SKIP_GAP steps apart, happen at two places or
    more, shift the clock by 1.5 A frames or more, and every frame lies within a frame's rounding
    of one speed, for SHORT_RETIME_FRAMES of B or more. A "retime" that skips a single frame (two
    frames at 2x, six at 1.25x) is a one-frame removal and stays one: nothing tells them apart.
    Its ends are where its line meets normal speed on either side; the frame where they meet goes
    to the piece that starts there.
    """
    n = len(run.b)
    if run.kind != "same" or n < SHORT_RETIME_FRAMES:
        return [run]
    dt_a = a.frame_duration()
    x, y = b.time[run.b] / dt_a, a.time[run.a] / dt_a
    d = np.diff(y) - np.diff(x)  # A frames gained on B's clock at each step: 0 at normal speed
    cuts: list[tuple[int, int, float]] = []
    for first, last in _skip_groups(d):
        if cuts and first < cuts[-1][1]:
            continue
        places = int((np.abs(d[first : last + 1]) > 0.5).sum())
        if places < 2 or abs(y[last + 1] - y[first] - (x[last + 1] - x[first])) < 1.5:
            continue  # one place is a cut or a hold; a shift under 1.5 frames is a conform's rounding
        span = slice(first, last + 2)
        found = None
        for _ in range(2):  # the skips give a first speed; the ends it finds give the frames to fit it on
            rate = _short_rate(x[span], y[span])
            if abs(rate - 1.0) <= RETIME_TOLERANCE or rate < SLOWEST_RETIME:
                break
            phase = float(np.median(y[span] - rate * x[span]))
            found = (*_retime_ends(x, y, rate, phase, first, last), rate, phase)
            span = slice(found[0], min(n, found[1] + 1))  # with the frame where normal speed resumes
        if found is None:
            continue
        k0, k1, rate, phase = found
        # Its frames and the one where it meets normal speed (which is on both lines) count.
        if not SHORT_RETIME_FRAMES <= k1 - k0 + 1 <= 2 * MIN_RETIME_FRAMES or _misses(x[k0:k1], y[k0:k1], rate, phase):
            continue  # too short to tell from a cut, or long enough for the windowed slope
        before, after = slice(max(0, k0 - LEVEL_FRAMES), k0), slice(k1, min(n, k1 + LEVEL_FRAMES))
        if _misses(x[before], y[before], *_model(x[before], y[before], False)) > 1 or (
            k1 < n and _misses(x[after], y[after], *_model(x[after], y[after], False)) > 1
        ):
            continue  # not normal speed on both sides: the windowed slope's business, or no retime
        cuts.append((k0, k1, rate))
    if not cuts:
        return [run]
    pieces: list[Run] = []
    start = 0
    for k0, k1, rate in cuts:
        if k0 > start:
            pieces.append(Run(b=run.b[start:k0], a=run.a[start:k0]))
        stop = int(run.a[k1]) if k1 < n else None
        pieces.append(Run(b=run.b[k0:k1], a=run.a[k0:k1], kind="retimed", rate=rate, a_stop=stop))
        start = k1
    if start < n:
        pieces.append(Run(b=run.b[start:], a=run.a[start:]))
    return pieces


def _merge_adjacent(pieces: list[Run]) -> list[Run]:
    out: list[Run] = []
    for piece in pieces:
        if out and out[-1].kind == piece.kind == "same":
            out[-1] = Run(b=np.concatenate([out[-1].b, piece.b]), a=np.concatenate([out[-1].a, piece.a]))
        else:
            out.append(piece)
    return out


def _smooth(flags: np.ndarray, width: int) -> np.ndarray:
    """Majority filter: flips shorter than about half the width are noise."""
    if len(flags) < width:
        return np.full(len(flags), flags.mean() > 0.5) if len(flags) else flags
    pad = width // 2
    padded = np.pad(flags.astype(np.float64), pad, mode="edge")
    window = np.convolve(padded, np.ones(width) / width, mode="valid")
    return window > 0.5


def mark_moved(runs: list[Run]) -> None:
    """Runs outside the heaviest A-increasing sequence (in B order) were moved."""
    n = len(runs)
    if n < 2:
        return
    starts = [int(r.a.min()) for r in runs]
    weight = [len(r.b) for r in runs]
    best = weight[:]
    prev = [-1] * n
    for i in range(n):
        for k in range(i):
            if starts[k] < starts[i] and best[k] + weight[i] > best[i]:
                best[i] = best[k] + weight[i]
                prev[i] = k
    i = int(np.argmax(best))
    keep = set()
    while i >= 0:
        keep.add(i)
        i = prev[i]
    for i, run in enumerate(runs):
        if i not in keep:
            run.kind = "moved"


def pair_change(a: Track, b: Track, run: Run) -> np.ndarray:
    """Per pair of a run: how far B's picture differs from A's, beyond encoding noise and motion.

    1.0 is the threshold of a change (of level, contrast or pattern); below it is noise.
    """
    ta, tb = a.tiny, b.tiny  # uint8; converted a frame at a time, as the whole track in float is 4x its size
    na = len(ta)
    out = np.zeros(len(run.b), dtype=np.float64)
    for i, (ia, ib) in enumerate(zip(run.a, run.b, strict=False)):
        if i % RELEASE_EVERY == 0 and i:
            a.release()
            b.release()
        x, y = ta[ia].astype(np.float32), tb[ib].astype(np.float32)
        mean_shift = np.abs(x.mean(axis=(1, 2)) - y.mean(axis=(1, 2))).max()
        sx, sy = x[0].std(), y[0].std()
        contrast = abs(sx - sy) / max(sx, sy, 4.0)
        # B may sit between two A frames (other frame rate, retime): allow a blend of the neighbours.
        best = np.abs(x - y).mean()
        motion = 0.0
        for nb in (ia - 1, ia + 1):
            if 0 <= nb < na:
                z = ta[nb].astype(np.float32)
                motion = max(motion, float(np.abs(z - x).mean()))
                for lam in (0.25, 0.5, 0.75):
                    best = min(best, float(np.abs(lam * z + (1 - lam) * x - y).mean()))
        out[i] = max(mean_shift / MEAN_SHIFT, contrast / STD_RATIO, best / (SAME_ABS + SAME_MOTION * motion))
    a.release()
    b.release()
    return out


def _hysteresis(strong: np.ndarray, weak: np.ndarray) -> np.ndarray:
    """Stretches of `weak | strong` that hold a strong flag somewhere."""
    region = weak | strong
    out = np.zeros(len(region), dtype=bool)
    bounds = [0, *(np.flatnonzero(np.diff(region.astype(np.int8))) + 1).tolist(), len(region)]
    for lo, hi in itertools.pairwise(bounds):
        if region[lo] and strong[lo:hi].any():
            out[lo:hi] = True
    return out


def split_changed(run: Run, a: Track, b: Track) -> list[Run]:
    """Split a same/moved/retimed run into stretches whose pictures are the same or changed.

    A grade does not change every frame by the same amount (mid-greys barely move under a
    gain and offset, highlights clip), so a stretch starts on clear evidence and carries on
    through frames with half of it, instead of breaking into pieces.
    """
    score = pair_change(a, b, run)
    strong = _smooth(score > 1.0, MIN_SEGMENT_FRAMES)
    flags = _smooth(_hysteresis(strong, score > WEAK_CHANGE), MIN_SEGMENT_FRAMES)
    pieces = []
    bounds = [0, *(np.flatnonzero(np.diff(flags.astype(np.int8))) + 1).tolist(), len(flags)]
    for lo, hi in itertools.pairwise(bounds):
        kind = run.kind
        if flags[lo] and kind == "same":
            kind = "changed"
        stop = run.a_stop if hi == len(flags) else None
        pieces.append(Run(b=run.b[lo:hi], a=run.a[lo:hi], kind=kind, rate=run.rate, a_stop=stop))
    return pieces


def align(a: Track, b: Track, b_cuts: list[int] | None = None, budget: int = PAIR_BUDGET) -> Alignment:
    """The edit that turns A into B, as segments in frame indices; `b_cuts` are B's shot starts."""
    path = mark_foreign(refine(viterbi(a, b, budget), a, b), a, b)
    runs, inserted = split_runs(path, a, b)
    pieces: list[Run] = []
    for run in runs:
        # Short retimes first: the windowed slope of the long ones blurs their ends by several frames.
        for short in split_short_retimes(run, a, b):
            for piece in split_retimed(short, a, b, set(b_cuts or ())) if short.kind == "same" else [short]:
                pieces.extend(split_steps(piece, a, b))
    mark_moved(pieces)
    final: list[Run] = []
    for piece in pieces:
        final.extend(split_changed(piece, a, b))
    segments = [
        Segment(
            kind=r.kind,
            a=_a_range(r, a, b),
            b=(int(r.b[0]), int(r.b[-1])),
            rate=round(r.rate, 4) if r.kind == "retimed" else None,
            pairs=Pairs(r.a, r.b),
        )
        for r in final
    ]
    segments += [Segment(kind="inserted", a=None, b=rng) for rng in inserted]
    covered = np.zeros(len(a), dtype=bool)
    for r in final:
        lo, hi = _a_range(r, a, b)
        covered[lo : hi + 1] = True
    for lo, hi in _false_ranges(covered):
        segments.append(Segment(kind="removed", a=(lo, hi), b=None))
    return Alignment(path=path, segments=_order(segments))


def _a_range(r: Run, a: Track, b: Track) -> tuple[int, int]:
    """First and last A frame a run stands for; a sped-up run's last B frame also stands for
    the A frames it skips over (at 2x, the last frame shown and the one after it)."""
    lo, hi = int(r.a.min()), int(r.a.max())
    if r.kind == "retimed" and r.rate > 1:
        skipped = round(r.rate * b.frame_duration() / a.frame_duration()) - 1
        hi = min(len(a) - 1, hi + max(0, skipped))
        if r.a_stop is not None:
            hi = max(int(r.a.max()), min(hi, r.a_stop - 1))
    return lo, hi


def _false_ranges(mask: np.ndarray) -> list[tuple[int, int]]:
    out = []
    start = None
    for i, v in enumerate([*mask.tolist(), True]):
        if not v and start is None:
            start = i
        elif v and start is not None:
            out.append((start, i - 1))
            start = None
    return out


def _order(segments: list[Segment]) -> list[Segment]:
    """By B time; a removed range sits after the B material that precedes it in A."""
    placed = [s for s in segments if s.b is not None]

    def b_after(a_first: int) -> float:
        best = -1.0
        for s in placed:
            if s.a is not None and s.b is not None and s.a[1] < a_first and s.kind not in ("moved",):
                best = max(best, s.b[1] + 0.5)
        return best

    def key(s: Segment) -> tuple[float, int]:
        if s.b is not None:
            return (float(s.b[0]), 1)
        assert s.a is not None, "a segment has an A side, a B side or both"
        return (b_after(s.a[0]), 0)

    return sorted(segments, key=key)
