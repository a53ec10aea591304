"""The sound of two versions: loudness of each, sync against the picture, and what changed.

One decode of each file's first audio stream feeds two things at once:

- FFmpeg's `ebur128` filter (a libavfilter graph, as the picture metrics use), whose running
  integrated loudness and loudness range at the end are EBU R128's `I` (LUFS) and `LRA` (LU);
- a mono copy at ANALYSIS_RATE (4 kHz, kept as float16: 29 MB for an hour), for the cross-correlation
  that measures offset and drift and tells changed, replaced and silent sound apart, and a
  per-frame level envelope for the waveform strips.

Offset and drift are measured against the picture: where the picture alignment says B's
time tb shows A's time ta, B's sound at tb is cross-correlated with A's sound around ta; a
positive offset means B's sound comes later than its picture (late), in milliseconds and frames.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
import numpy as np

from takevault.compare.scratch import Scratch, forget

ANALYSIS_RATE = 4000
CURVE_RATE = 1000  # points per second of the loudness curve that sync is measured on
WINDOW = 2.0  # seconds of sound per offset measurement
MAX_LAG = 0.5  # seconds of offset searched either way
PROBES = 40  # offset measurements per comparison at most
GOOD_PEAK = 0.85  # normalised correlation of the loudness curves a measurement needs to count
OUTLIER = 0.1  # seconds from the median lateness beyond which a measurement is a mismatch
DRIFT_MIN_MS = 20.0  # change of offset over the take that counts as drifting (half a frame at 25 fps)
SILENT_DB = -60.0  # dBFS below which sound is silence
STEP = 0.5  # seconds per piece when sorting sound into same/changed/replaced/silent
SAME_CORR = 0.9
REPLACED_CORR = 0.3
CURVE_SAME = 0.9  # loudness curves this alike are the same sound (a drift smears the waveform, not these)
CURVE_REPLACED = 0.6
LEVEL_DB = 3.0  # level change in dB that is a change of the sound
SPLICE = 0.05  # seconds at each end of a picture segment left out of the sound comparison
ENVELOPE_RATE = 50  # level points per second for the waveform strips
# Stored samples: 11 bits of mantissa keep any level's waveform to about -66 dB of its own size, far
# below what the correlations and the -60 dBFS silence threshold notice; spans are read back as float32.
STORE = np.float16
PIECE = 1 << 18  # samples turned into float32 at once when the whole sound is walked


@dataclass
class Sound:
    """One side's sound: mono samples for analysis, its stream facts and R128 loudness."""

    samples: np.ndarray
    rate: int = ANALYSIS_RATE
    codec: str = ""
    channels: int = 0
    sample_rate: int = 0
    integrated: float | None = None  # LUFS
    loudness_range: float | None = None  # LU
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    scratch: Scratch | None = field(default=None, repr=False)  # where the derived curves go, file-backed
    _cache: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def duration(self) -> float:
        return len(self.samples) / self.rate

    def span(self, t0: float, t1: float) -> np.ndarray:
        lo, hi = max(0, round(t0 * self.rate)), max(0, round(t1 * self.rate))
        piece = self.samples[lo:hi]
        out = piece.astype(np.float32)
        forget(piece)  # file-backed samples: only the spans in use stay resident
        return out

    def _block(self, name: str, n: int) -> np.ndarray:
        if self.scratch is not None:
            return self.scratch.array(name, (n,), np.float32)
        return np.empty(n, dtype=np.float32)

    def _per_block(self, step: int, reduce: str, name: str = "level") -> np.ndarray:
        """|sound| reduced ("mean" or "max") over blocks of `step` samples, a piece at a time in float32."""
        n = len(self.samples) // step
        out = self._block(name, n)
        per = max(1, PIECE // step)
        for lo in range(0, n, per):
            hi = min(n, lo + per)
            piece = self.samples[lo * step : hi * step]
            mag = np.abs(piece.astype(np.float32)).reshape(hi - lo, step)
            out[lo:hi] = mag.mean(axis=1) if reduce == "mean" else mag.max(axis=1)
            forget(piece)
            forget(out[lo:hi])
        return out

    def loudness_curve(self) -> np.ndarray:
        """|sound| smoothed over 10 ms at CURVE_RATE: what sync is measured on, because it survives a
        drift of a few ms across a window (the waveform itself decorrelates within a fraction of a ms)."""
        if "curve" not in self._cache:
            mag = self._per_block(self.rate // CURVE_RATE, "mean", "magnitude")
            k = max(1, CURVE_RATE // 100)
            self._cache["curve"] = smooth_same(mag, k, self._block("curve", len(mag)))
        return self._cache["curve"]

    def curve_span(self, t0: float, t1: float) -> np.ndarray:
        lo, hi = max(0, round(t0 * CURVE_RATE)), max(0, round(t1 * CURVE_RATE))
        piece = self.loudness_curve()[lo:hi]
        out = np.array(piece)
        forget(piece)
        return out

    def envelope(self) -> np.ndarray:
        """Peak level per 1/ENVELOPE_RATE s, 0..1, for drawing."""
        return self._per_block(self.rate // ENVELOPE_RATE, "max")

    def to_json(self) -> dict[str, Any]:
        return {
            "present": True,
            "codec": self.codec,
            "channels": self.channels,
            "sample_rate": self.sample_rate,
            "duration": round(self.duration, 3),
            "integrated_lufs": _round(self.integrated, 1),
            "loudness_range_lu": _round(self.loudness_range, 1),
        }


def smooth_same(x: np.ndarray, k: int, out: np.ndarray) -> np.ndarray:
    """`np.convolve(x, ones(k) / k, mode="same")` as float32 into `out`, a piece at a time.

    Every output is the same dot product of the same k numbers as the whole convolution takes
    (numpy's edges and middle alike), so the pieces join into the very same curve; only a
    piece's float64 copy is held, not the whole sound's.
    """
    n = len(x)
    kernel = np.ones(k) / k
    if n <= max(PIECE, 2 * k):
        return np.convolve(x, kernel, mode="same").astype(np.float32)
    shift = (k - 1) // 2  # "same" is "full" from here on
    head = np.convolve(x[: 2 * k], kernel, mode="full")[: k - 1]  # outputs that see the start
    tail = np.convolve(x[n - 2 * k :], kernel, mode="full")[-(k - 1) :] if k > 1 else np.zeros(0)
    # full[m] for m in [k - 1, n) sees x[m - k + 1 : m + 1] whole: numpy's "valid" on a piece.
    for m0 in range(0, n + k - 1, PIECE):
        m1 = min(n + k - 1, m0 + PIECE)
        full = np.empty(m1 - m0)
        lo_mid, hi_mid = max(m0, k - 1), min(m1, n)
        if lo_mid < hi_mid:
            full[lo_mid - m0 : hi_mid - m0] = np.convolve(x[lo_mid - k + 1 : hi_mid], kernel, mode="valid")
        if m0 < k - 1:
            full[: k - 1 - m0] = head[m0 : min(k - 1, m1)]
        if m1 > n:
            start = max(m0, n)
            full[start - m0 :] = tail[start - n : m1 - n]
        # The part of full[m0:m1] that "same" keeps, at its place in out.
        o0, o1 = max(m0 - shift, 0), min(m1 - shift, n)
        if o1 > o0:
            out[o0:o1] = full[o0 + shift - m0 : o1 + shift - m0].astype(np.float32)
            forget(out[o0:o1])
        forget(x[max(0, lo_mid - k + 1) : hi_mid])
    return out


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None or not math.isfinite(value) else round(value, digits)


def read_sound(path: Path, scratch: Scratch | None = None) -> Sound | None:
    """The first audio stream's sound, or None when the file has none; file-backed in `scratch` if given."""
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError):
        return None
    with container:
        if not container.streams.audio:
            return None
        stream = container.streams.audio[0]
        ctx = stream.codec_context
        sound = Sound(
            samples=np.zeros(0, dtype=STORE),
            codec=ctx.name or "",
            channels=ctx.channels or 0,
            sample_rate=ctx.sample_rate or 0,
            scratch=scratch,
        )
        resampler = av.AudioResampler(format="flt", layout="mono", rate=ANALYSIS_RATE)
        graph, src, sink = _loudness_graph(stream)
        store = _Store(_expected_samples(container, stream), scratch)
        last_meta: dict[str, str] = {}

        def drain() -> None:
            nonlocal last_meta
            while True:
                try:
                    out = sink.pull()
                except (av.BlockingIOError, av.EOFError):
                    break
                meta = dict(out.metadata)
                if "lavfi.r128.I" in meta:
                    last_meta = meta

        try:
            for frame in container.decode(stream):
                for mono in resampler.resample(frame):
                    store.add(mono.to_ndarray().reshape(-1))
                if graph is not None:
                    frame.pts = None  # the filter counts samples itself; gaps in pts would be silence
                    src.push(frame)
                    drain()
            for mono in resampler.resample(None):
                store.add(mono.to_ndarray().reshape(-1))
        except (av.error.FFmpegError, ValueError) as exc:
            sound.error = str(exc) or type(exc).__name__
        if graph is not None:
            try:
                src.push(None)
                drain()
            except (av.error.FFmpegError, ValueError):
                pass
        sound.samples = store.samples
        if last_meta:
            sound.integrated = float(last_meta["lavfi.r128.I"])
            sound.loudness_range = float(last_meta.get("lavfi.r128.LRA", "nan"))
            if sound.integrated <= -70.0:
                sound.integrated = None  # R128 gates out everything below -70 LUFS: silence has no loudness
        return sound


class _Store:
    """The analysis samples in one block sized from the stream's duration, doubled (one copy) when the
    header is short or missing: decoded frames are a few hundred samples each, and gathering them as
    separate arrays to join at the end would hold the sound about twice over."""

    def __init__(self, expected: int, scratch: Scratch | None = None) -> None:
        self._scratch = scratch
        self._block = self._new(max(expected, ANALYSIS_RATE))
        self._n = 0

    def _new(self, size: int) -> np.ndarray:
        if self._scratch is not None:
            return self._scratch.array("sound", (size,), STORE)
        return np.empty(size, dtype=STORE)

    def add(self, chunk: np.ndarray) -> None:
        end = self._n + len(chunk)
        if end > len(self._block):
            block = self._new(max(end, 2 * len(self._block)))
            for lo in range(0, self._n, PIECE):
                hi = min(self._n, lo + PIECE)
                block[lo:hi] = self._block[lo:hi]
                forget(block[lo:hi])
            if self._scratch is not None:
                self._scratch.drop(self._block)
            self._block = block
        self._block[self._n : end] = chunk
        if end // PIECE > self._n // PIECE:  # a piece filled: its pages go back to the file
            forget(self._block[(end // PIECE - 1) * PIECE : end // PIECE * PIECE])
        self._n = end

    @property
    def samples(self) -> np.ndarray:
        # A view: the block's unwritten tail was never touched, so its pages were never resident.
        return self._block[: self._n]


def _expected_samples(container: av.container.InputContainer, stream: av.audio.stream.AudioStream) -> int:
    """Samples at ANALYSIS_RATE the header promises (a little over, for the resampler's tail), 0 when it is silent."""
    if stream.duration is not None and stream.time_base is not None:
        seconds = float(stream.duration * stream.time_base)
    elif container.duration is not None:
        seconds = container.duration / av.time_base
    else:
        return 0
    return int(seconds * ANALYSIS_RATE) + ANALYSIS_RATE // 10


def _loudness_graph(stream: av.audio.stream.AudioStream) -> tuple[Any, Any, Any]:
    try:
        graph = av.filter.Graph()
        src = graph.add_abuffer(template=stream)
        r128 = graph.add("ebur128", "metadata=1")
        sink = graph.add("abuffersink")
        src.link_to(r128)
        r128.link_to(sink)
        graph.configure()
    except (av.error.FFmpegError, ValueError):
        return None, None, None
    return graph, src, sink


def db(x: np.ndarray) -> float:
    """RMS level in dBFS (-inf for nothing)."""
    if not len(x):
        return -math.inf
    rms = float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))
    return 20 * math.log10(rms) if rms > 1e-9 else -math.inf


def best_lag(ref: np.ndarray, probe: np.ndarray, rate: int, max_lag: float = MAX_LAG) -> tuple[float, float]:
    """Seconds by which `probe` comes later than the same sound in `ref`, and the peak's
    normalised correlation; `ref` holds max_lag of extra sound on each side of `probe`."""
    n = len(probe)
    if n < 16 or len(ref) < n:
        return 0.0, 0.0
    p = probe - probe.mean()
    r = ref - ref.mean()
    size = 1 << math.ceil(math.log2(len(r) + n))
    corr = np.fft.irfft(np.fft.rfft(r, size) * np.conj(np.fft.rfft(p, size)), size)[: len(r) - n + 1]
    # Normalise by the energy of each window of ref, so a loud passage does not win by loudness.
    csum = np.concatenate([[0.0], np.cumsum(r.astype(np.float64) ** 2)])
    energy = np.sqrt(np.maximum(csum[n:] - csum[:-n], 1e-12) * float(np.dot(p, p)))
    norm = corr / np.maximum(energy[: len(corr)], 1e-9)
    k = int(np.argmax(norm))
    centre = round(max_lag * rate)
    return (centre - k) / rate, float(norm[k])


def sync(a: Sound, b: Sound, pairs: list[tuple[float, float]], frame: float) -> dict[str, Any]:
    """Offset and drift of B's sound against A's where the pictures match.

    `pairs` are (a_time, b_time) of matched pictures at normal speed, in B order.
    """
    if not pairs:
        return {"offset_ms": None, "offset_frames": None, "drift_ms_per_min": None, "drifts": False, "measured": 0}
    step = max(1, len(pairs) // PROBES)
    found: list[tuple[float, float]] = []
    for ta, tb in pairs[::step]:
        if ta - MAX_LAG < 0 or db(b.span(tb, tb + WINDOW)) < SILENT_DB:
            continue
        probe = b.curve_span(tb, tb + WINDOW)
        ref = a.curve_span(ta - MAX_LAG, ta + WINDOW + MAX_LAG)
        if len(probe) < WINDOW * CURVE_RATE * 0.9 or len(ref) < len(probe) + 2 * MAX_LAG * CURVE_RATE * 0.9:
            continue
        lag, peak = best_lag(ref, probe, CURVE_RATE)
        if peak >= GOOD_PEAK:
            found.append((tb + WINDOW / 2, lag))  # the lateness measured is that of the window's middle
    if found:
        middle = float(np.median([lag for _, lag in found]))
        found = [(t, lag) for t, lag in found if abs(lag - middle) <= OUTLIER + abs(t - found[0][0]) * 0.01]
    if not found:
        return {"offset_ms": None, "offset_frames": None, "drift_ms_per_min": None, "drifts": False, "measured": 0}
    return _sync_json(found, frame)


def lag_at(found: list[tuple[float, float]], t: float) -> float:
    """B's sound lateness at B time t, between the measurements."""
    if not found:
        return 0.0
    return float(np.interp(t, [x for x, _ in found], [y for _, y in found]))


def _sync_json(found: list[tuple[float, float]], frame: float) -> dict[str, Any]:
    times = np.array([t for t, _ in found])
    lags = np.array([lag for _, lag in found])
    offset = float(np.median(lags))
    drift = float(np.polyfit(times, lags, 1)[0]) * 60_000 if len(found) >= 3 and np.ptp(times) > 1 else 0.0
    spread_ms = float(np.ptp(lags)) * 1000
    return {
        "offset_ms": round(offset * 1000, 1),
        "offset_frames": round(offset / frame, 2),
        "drift_ms_per_min": round(drift, 1),
        "drifts": bool(spread_ms >= DRIFT_MIN_MS and abs(drift) * np.ptp(times) / 60 >= DRIFT_MIN_MS),
        "measured": len(found),
        "points": [[round(t, 3), round(lag * 1000, 1)] for t, lag in found],  # B time s, lateness ms
    }


def _corr(x: np.ndarray, y: np.ndarray) -> float:
    n = min(len(x), len(y))
    if n < 8:
        return 0.0
    x, y = x[:n] - x[:n].mean(), y[:n] - y[:n].mean()
    denom = math.sqrt(float(np.dot(x, x)) * float(np.dot(y, y)))
    return float(np.dot(x, y)) / denom if denom > 0 else 0.0


def _silent_share(x: np.ndarray, rate: int) -> float:
    """Share of 20 ms blocks below SILENT_DB (a codec smears a little sound into a silence's edge)."""
    step = max(1, rate // 50)
    n = len(x) // step
    if n == 0:
        return 0.0
    rms = np.sqrt(np.mean(np.square(x[: n * step].reshape(n, step), dtype=np.float64), axis=1))
    return float((rms < 10 ** (SILENT_DB / 20)).mean())


def _slow(curve: np.ndarray) -> np.ndarray:
    """The loudness curve over 50 ms: syllables and notes, not the grain of the noise."""
    k = CURVE_RATE // 20
    return np.convolve(curve, np.ones(k) / k, mode="valid") if len(curve) > k else curve


def classify(
    a: Sound, b: Sound, ta: float, tb: float, length: float, lag: float, drifting: bool = False
) -> tuple[str, dict[str, Any]]:
    """same / changed / replaced / silent for B's sound at [tb, tb+length) against A's at ta,
    B's sound being `lag` seconds late there. Judged on the waveform (at the best lag within a
    few ms), and when the sound drifts (which smears the waveform within a piece) on the
    loudness curve instead."""
    if ta - lag < 0:  # B's sound starts later than A's: compare where both have some
        cut = lag - ta
        ta, tb, length = ta + cut, tb + cut, length - cut
        if length < 0.05:
            return "same", {"level_db": 0.0}
    la, lb = db(a.span(ta - lag, ta - lag + length)), db(b.span(tb, tb + length))
    if (lb < SILENT_DB or _silent_share(b.span(tb, tb + length), b.rate) >= 0.8) and la >= SILENT_DB:
        return "silent", {"level_db": None}
    if la < SILENT_DB and lb < SILENT_DB:
        return "same", {"level_db": 0.0}
    if la < SILENT_DB:
        return "replaced", {"level_db": None}
    reach = 0.005
    ref = a.span(ta - lag - reach, ta - lag + length + reach)
    probe = b.span(tb, tb + length)
    raw = best_lag(ref, probe, a.rate, reach)[1] if len(ref) >= len(probe) else 0.0
    curve = _corr(_slow(a.curve_span(ta - lag, ta - lag + length)), _slow(b.curve_span(tb, tb + length)))
    level = round(lb - la, 1)
    extra = {"level_db": level, "correlation": round(max(raw, curve), 2)}
    if not drifting:
        curve = raw
    if raw < REPLACED_CORR and curve < CURVE_REPLACED:
        return "replaced", extra
    if (raw >= SAME_CORR or curve >= CURVE_SAME) and abs(level) < LEVEL_DB:
        return "same", extra
    return "changed", extra


WAVEFORM_POINTS = 2000  # per side in the report, whatever the length, for the web room's strip


def _waveform(sound: Sound) -> dict[str, Any]:
    env = sound.envelope()
    step = max(1, math.ceil(len(env) / WAVEFORM_POINTS))
    n = len(env) // step
    points = env[: n * step].reshape(n, step).max(axis=1) if n else env
    return {"rate": ENVELOPE_RATE / step, "peaks": [round(float(v), 3) for v in points]}


def _tc(seconds: float, rate: Any) -> str:
    from takevault.timecode import seconds_to_timecode

    return seconds_to_timecode(max(0.0, seconds), rate)


def _pieces(
    a: Sound,
    b: Sound,
    seg: dict[str, Any],
    found: list[tuple[float, float]],
    rate_a: Any,
    rate_b: Any,
    drifting: bool = False,
) -> list[dict[str, Any]]:
    """The sound under one picture segment, cut into STEP pieces, sorted and merged."""
    b0, b1 = seg["b"]
    a0 = seg["a"][0] if seg.get("a") else None
    rows: list[tuple[str, float, float, dict[str, Any]]] = []
    extra: dict[str, Any]
    t = b0
    while t < b1 - 1e-9:
        t1 = min(b1, t + STEP)
        bp = b.span(t, t1)
        if a0 is None:
            kind, extra = ("silent" if db(bp) < SILENT_DB else "inserted"), {}
        elif seg["kind"] == "retimed":
            kind, extra = ("silent" if db(bp) < SILENT_DB else "retimed"), {}
        else:
            # At a splice the codec smears the cut over a few ms (a click): judge the piece inside it.
            lo = t + (SPLICE if t <= b0 + 1e-9 else 0.0)
            hi = t1 - (SPLICE if t1 >= b1 - 1e-9 else 0.0)
            ta = a0 + (lo - b0)
            kind, extra = classify(a, b, ta, lo, max(hi - lo, 0.05), lag_at(found, lo), drifting)
        if rows and rows[-1][0] == kind:
            rows[-1] = (kind, rows[-1][1], t1, rows[-1][3])
        else:
            rows.append((kind, t, t1, extra))
        t = t1
    out = []
    for kind, t0, t1, extra in rows:
        item: dict[str, Any] = {
            "kind": kind,
            "b": [round(t0, 6), round(t1, 6)],
            "b_smpte": [_tc(t0, rate_b), _tc(t1, rate_b)],
        }
        if a0 is not None and seg["kind"] != "retimed":
            ta0, ta1 = a0 + (t0 - b0), a0 + (t1 - b0)
            item["a"] = [round(ta0, 6), round(ta1, 6)]
            item["a_smpte"] = [_tc(ta0, rate_a), _tc(ta1, rate_a)]
        else:
            item["a"] = None
        item["picture"] = seg["kind"]
        item.update(extra)
        out.append(item)
    return out


def _merge(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Neighbouring pieces of the same kind across picture segments become one (same picture kind only)."""
    out: list[dict[str, Any]] = []
    for row in rows:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev["kind"] == row["kind"] == "same"
            and prev["picture"] == row["picture"]
            and abs(prev["b"][1] - row["b"][0]) < 1e-6
            and prev["a"] is not None
            and row["a"] is not None
            and abs(prev["a"][1] - row["a"][0]) < 1e-6
        ):
            prev["b"][1], prev["b_smpte"][1] = row["b"][1], row["b_smpte"][1]
            prev["a"][1], prev["a_smpte"][1] = row["a"][1], row["a_smpte"][1]
        else:
            out.append(row)
    return out


def sound_report(
    pa: Path,
    pb: Path,
    segments: list[dict[str, Any]],
    rate_a: Any,
    rate_b: Any,
    labels: tuple[str, str],
    scratch: Scratch | None = None,
) -> tuple[dict[str, Any], list[str], list[str]]:
    """The report's `audio` section, its warnings and its summary sentences."""
    sa, sb = read_sound(pa, scratch), read_sound(pb, scratch)
    section: dict[str, Any] = {
        "a": sa.to_json() if sa else {"present": False},
        "b": sb.to_json() if sb else {"present": False},
        "sync": None,
        "segments": [],
        "notes": [],
        "method": "FFmpeg ebur128 filter for loudness; cross-correlation of 4 kHz mono for sync and changes",
    }
    warnings: list[str] = []
    sentences: list[str] = []
    for name, sound, key in ((labels[0], sa, "a"), (labels[1], sb, "b")):
        if sound is not None:
            section[key]["waveform"] = _waveform(sound)
            if sound.error:
                warnings.append(
                    f"The sound of {name} stops at {sound.duration:.2f} s ({sound.error}); compared what could be read."
                )
    if sa is None and sb is None:
        section["notes"].append("Neither side has sound.")
        return section, warnings, sentences
    if sa is None or sb is None:
        missing, present = (labels[0], sb) if sa is None else (labels[1], sa)
        note = f"{missing} has no sound; the sound was not compared."
        section["notes"].append(note)
        warnings.append(note)
        if present is not None and present.integrated is not None:
            sentences.append(f"Only one side has sound ({present.integrated:.1f} LUFS); {missing} has none.")
        return section, warnings, sentences
    frame = 1 / float(rate_b)
    pairs: list[tuple[float, float]] = []
    for seg in segments:
        if seg["kind"] in ("same", "changed") and seg.get("a") and seg.get("b"):
            b0, b1 = seg["b"]
            t = b0
            while t + WINDOW <= b1:
                pairs.append((seg["a"][0] + (t - b0), t))
                t += 1.0
    found = sync(sa, sb, pairs, frame)
    section["sync"] = found
    points = [(t, ms / 1000) for t, ms in found.get("points", [])]
    rows: list[dict[str, Any]] = []
    for seg in segments:
        if seg.get("b"):
            rows.extend(_pieces(sa, sb, seg, points, rate_a, rate_b, found["drifts"]))
    section["segments"] = _merge(rows)
    # Sentences: sync, loudness, then where the sound changed.
    if found["offset_ms"] is None:
        if pairs:
            section["notes"].append(
                "The sound of A and B could not be lined up (no matching passage); no offset measured."
            )
    elif found["drifts"]:
        sentences.append(
            f"Sound drifts against the picture: {found['drift_ms_per_min']:+.0f} ms a minute "
            f"(B's sound {found['offset_ms']:+.0f} ms on average)."
        )
    elif abs(found["offset_frames"]) >= 0.5:
        late = "late" if found["offset_ms"] > 0 else "early"
        sentences.append(
            f"B's sound is {abs(found['offset_ms']):.0f} ms ({abs(found['offset_frames']):.1f} frames) {late} "
            "against its picture."
        )
    if sa.integrated is not None and sb.integrated is not None:
        diff = sb.integrated - sa.integrated
        if abs(diff) >= 0.5:
            sentences.append(
                f"B is {abs(diff):.1f} LU {'louder' if diff > 0 else 'quieter'} "
                f"({sa.integrated:.1f} against {sb.integrated:.1f} LUFS integrated)."
            )
    for row in section["segments"]:
        if row["kind"] in ("changed", "replaced", "silent") and len(sentences) < 8:
            what = {"changed": "changed", "replaced": "replaced", "silent": "silent"}[row["kind"]]
            level = (
                f", {row['level_db']:+.1f} dB" if row.get("level_db") not in (None, 0.0) and what == "changed" else ""
            )
            sentences.append(f"Sound {what} at B {row['b_smpte'][0]}–{row['b_smpte'][1]}{level}.")
    return section, warnings, sentences
