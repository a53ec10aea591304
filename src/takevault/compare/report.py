"""One comparison from start to finish: paths in, a report dict (and pictures) out.

Each file is decoded once for everything that can share the pass: thumbnails
for signatures, cuts and the same/changed test, and, when the two versions look
like the same edit (same frame rate, same frame count), FFmpeg's PSNR/SSIM on
the frame pairs as they go by, keeping the worst pairs as pictures. Only when
the alignment turns out to be something else (material removed, inserted,
moved, retimed) are the matched pairs decoded a second time for the metrics,
B in order and A with seeks.

Memory: the per-frame state is a 1.7 KB thumbnail and a few numbers per frame,
plus a handful of frames in flight; no video is ever held whole.
"""

from __future__ import annotations

import contextlib
import heapq
import json
import math
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from takevault.compare import render
from takevault.compare.align import Alignment, align
from takevault.compare.audio import sound_report
from takevault.compare.explain import causes, explain_pair
from takevault.compare.frames import DecodeStatus, iter_frames, iter_frames_from
from takevault.compare.metrics import FrameMetrics, MetricsGraph, finite
from takevault.compare.pairrows import PairRows
from takevault.compare.progress import EXPLAIN_FRAMES, Steps
from takevault.compare.scenes import detect_cut_frames, detect_cuts
from takevault.compare.scratch import Scratch
from takevault.compare.signatures import Track
from takevault.compare.technical import describe, technical_diff
from takevault.errors import InvalidInputError, MediaError
from takevault.timecode import frame_to_seconds, frame_to_timecode

THUMB_WIDTH = 480
MAX_SECONDS = 4 * 3600  # a side longer than this is refused: hours of decoding, gigabytes of working files
MAX_FRAMES = MAX_SECONDS * 30  # past this many frames, a side's own timestamps say whether it is too long
VFR_SPREAD = 0.25  # frame intervals varying by more than this share of the typical one: a variable frame rate
WORST_PAIRS = 4
WORST_SPACING = 0.5  # seconds between pairs shown in the strip, so it is not four neighbours
KINDS = ("same", "changed", "inserted", "removed", "moved", "retimed")

Progress = Callable[[int], None]


@dataclass
class Worst:
    """The most different pairs seen so far (a bounded heap), made thumbnails once the pass is over.

    The frames are kept, not converted, while the heap still changes: on footage that gets worse as
    it goes, nearly every pair is the worst so far for a moment, and turning each one into two RGB
    thumbnails cost more than the thumbnails that are finally shown.
    """

    size: tuple[int, int]
    limit: int = WORST_PAIRS
    items: list[tuple[float, int, dict[str, Any]]] = field(default_factory=list)
    _frames: dict[int, tuple[av.VideoFrame, av.VideoFrame]] = field(default_factory=dict)

    def wants(self, badness: float, b_time: float) -> bool:
        if badness <= 1e-9:
            return False
        for bad, _, item in self.items:
            if abs(item["b_time"] - b_time) < WORST_SPACING and bad >= badness:
                return False
        return len(self.items) < self.limit or badness > self.items[0][0]

    def add(self, badness: float, item: dict[str, Any], fa: av.VideoFrame, fb: av.VideoFrame) -> None:
        self.items = [x for x in self.items if abs(x[2]["b_time"] - item["b_time"]) >= WORST_SPACING]
        heapq.heapify(self.items)
        heapq.heappush(self.items, (badness, id(item), item))
        while len(self.items) > self.limit:
            heapq.heappop(self.items)
        # Only the pairs still in the heap keep their frames alive.
        kept = {key for _, key, _ in self.items}
        self._frames = {key: pair for key, pair in self._frames.items() if key in kept}
        if id(item) in kept:
            self._frames[id(item)] = (fa, fb)

    def ranked(self) -> list[dict[str, Any]]:
        """The pairs, most different first, each with its `a_rgb` and `b_rgb` thumbnails."""
        w, h = self.size
        for _, key, item in self.items:
            if key in self._frames:
                fa, fb = self._frames.pop(key)
                item["a_rgb"] = fa.reformat(w, h, format="rgb24").to_ndarray()
                item["b_rgb"] = fb.reformat(w, h, format="rgb24").to_ndarray()
        return [item for _, _, item in sorted(self.items, key=lambda x: -x[0])]


@dataclass
class PairCollector:
    """Turns the metrics graph's per-pair output into report rows and worst-pair thumbnails."""

    worst: Worst
    inflight: dict[int, tuple[int, int, av.VideoFrame, av.VideoFrame]] = field(default_factory=dict)
    rows: PairRows = field(default_factory=PairRows)
    track_a: Track | None = None
    track_b: Track | None = None

    def pushed(self, pair_id: int, ia: int, ib: int, fa: av.VideoFrame, fb: av.VideoFrame) -> None:
        self.inflight[pair_id] = (ia, ib, fa, fb)

    def result(self, pair_id: int, m: FrameMetrics) -> None:
        ia, ib, fa, fb = self.inflight.pop(pair_id)
        # Frames older than this one have had their results; don't keep them alive.
        for old in [k for k in self.inflight if k < pair_id - 8]:
            del self.inflight[old]
        self.rows.add(pair_id, ia, ib, m)
        badness = 1.0 - m.ssim_all
        b_time = self.track_b.times[ib] if self.track_b and ib < len(self.track_b) else float(ib)
        if self.worst.wants(badness, b_time):
            a_time = self.track_a.times[ia] if self.track_a and ia < len(self.track_a) else float(ia)
            item: dict[str, float | None] = {
                "a_frame": ia,
                "b_frame": ib,
                "a_time": a_time,
                "b_time": b_time,
                "ssim": m.ssim_all,
            }
            item["psnr"] = finite(m.psnr_avg)
            self.worst.add(badness, item, fa, fb)


def _thumb_size(width: int, height: int, sar: Fraction | None) -> tuple[int, int]:
    display = width * float(sar or 1) / height
    w = min(THUMB_WIDTH, width)
    h = max(2, round(w / display / 2) * 2)
    return w - w % 2, h


class Cursor:
    """Random-ish access to A's frames by index: sequential when possible, a seek when it jumps."""

    def __init__(self, path: Path, track: Track) -> None:
        self.path, self.track = path, track
        self._iter: Generator[tuple[float, av.VideoFrame], None, None] | None = None
        self._cache: dict[int, av.VideoFrame] = {}
        self._pos = -1

    def _index(self, t: float) -> int:
        times = self.track.time
        k = int(np.searchsorted(times, t))
        if k > 0 and (k == len(times) or abs(times[k - 1] - t) <= abs(times[k] - t)):
            k -= 1
        return k

    def get(self, idx: int) -> av.VideoFrame | None:
        if idx in self._cache:
            return self._cache[idx]
        # Decoding on is cheaper than a seek that lands a whole group of pictures back.
        reach = max(48, self.track.seek_cost(idx))
        if self._iter is None or idx < self._pos - 2 or idx > self._pos + reach:
            self.close()
            margin = 0.5 * self.track.frame_duration() if self.track.is_key(idx) else 0.25
            self._iter = iter_frames_from(self.path, float(self.track.time[idx]), margin)
            self._pos = -1
        for t, frame in self._iter:
            k = self._index(t)
            self._pos = k
            self._cache[k] = frame
            for old in [c for c in self._cache if c < k - 3]:
                del self._cache[old]
            if k >= idx:
                break
        return self._cache.get(idx) or (self._cache[max(self._cache)] if self._cache else None)

    def close(self) -> None:
        if self._iter is not None:
            with contextlib.suppress(Exception):
                self._iter.close()
        self._iter = None
        self._cache.clear()


def _interleaved(
    a: Path, b: Path, sa: DecodeStatus, sb: DecodeStatus
) -> Iterator[tuple[tuple[float, av.VideoFrame] | None, tuple[float, av.VideoFrame] | None]]:
    ia, ib = iter_frames(a, sa), iter_frames(b, sb)
    done_a = done_b = False
    while not (done_a and done_b):
        x = y = None
        if not done_a:
            x = next(ia, None)
            done_a = x is None
        if not done_b:
            y = next(ib, None)
            done_b = y is None
        if x is not None or y is not None:
            yield x, y


def _check_input(path: Path) -> Path:
    path = Path(path)
    if not path.exists():
        raise InvalidInputError(f"{path} does not exist; give a video file or a take reference.")
    if path.is_dir():
        raise InvalidInputError(f"{path} is a folder; give a video file or a take reference.")
    return path


def _variable_rate(track: Track) -> str | None:
    """A sentence if the frames come at uneven intervals (variable frame rate), else None."""
    if len(track) < 3:
        return None
    steps = np.diff(track.time)
    typical = track.frame_duration()
    uneven = np.abs(steps - typical) > VFR_SPREAD * typical
    if uneven.mean() <= 0.01:
        return None
    lo, hi = float(steps.min()) * 1000, float(steps.max()) * 1000
    return (
        f"has a variable frame rate (frames {lo:.0f}-{hi:.0f} ms apart): its times are its own timestamps, "
        "while its frame numbers and timecodes count the frames as shown."
    )


def _aspect(info: Any) -> float:
    sar = float(info.sample_aspect_ratio or 1) or 1.0
    return info.width * sar / max(info.height, 1)


def _audio_only(path: Path) -> bool:
    try:
        with av.open(str(path)) as container:
            return bool(container.streams.audio) and not container.streams.video
    except (av.error.FFmpegError, OSError, ValueError):
        return False  # not readable at all: describe() says so in its own words


def _damage(name: str, status: DecodeStatus, info: Any) -> str | None:
    """A sentence if decoding stopped early: an error, fewer frames than the header counts, or too short."""
    read_to = (status.last_time or 0.0) + (1 / float(info.fps) if info.fps else 0.04)
    short_frames = bool(info.frames) and status.frames < 0.98 * info.frames
    short_time = bool(info.duration) and read_to < info.duration - max(0.1, 2 / float(info.fps or 25))
    if status.error is None and not short_frames and not short_time:
        return None
    cause = f" ({status.error})" if status.error else ""
    of = f" of {info.frames}" if short_frames else ""
    stated = f" of a stated {render.timecode(info.duration)}" if info.duration else ""
    return (
        f"{name} is damaged: {status.frames}{of} frames decoded, up to {render.timecode(read_to)}{stated}, "
        f"then decoding stopped{cause}; compared what could be read."
    )


def compare_files(
    a: Path | str,
    b: Path | str,
    *,
    out_dir: Path | str | None = None,
    progress: Progress | None = None,
    video: bool = False,
    labels: tuple[str, str] | None = None,
    metrics: bool = True,
) -> dict[str, Any]:
    """Compare two video files; returns the report (shape in docs/compare.md) and writes pictures to `out_dir`.

    `metrics=False` skips PSNR/SSIM (the edit diff alone, about the cost of decoding both files).
    """
    if video and out_dir is None:
        raise InvalidInputError("A side-by-side video needs a folder to go in; add --out DIR.")
    pa, pb = _check_input(Path(a)), _check_input(Path(b))
    for path in (pa, pb):
        if _audio_only(path):
            raise MediaError(f"{path.name} is sound only, with no pictures; compare two videos (sound optional).")
    labels = labels or (str(pa), str(pb))
    info_a, _ = describe(pa)
    info_b, _ = describe(pb)
    for path, info in ((pa, info_a), (pb, info_b)):
        _check_length(path.name, _stated_seconds(info))
    # The per-frame working arrays live in files of a private folder, gone when this returns or raises.
    with Scratch() as scratch:
        return _compare(pa, pb, info_a, info_b, labels, scratch, out_dir, progress, video, metrics)


def _stated_seconds(info: Any) -> float:
    """How long a side says it is: its duration, or its frame count at its rate if that says more."""
    seconds = float(info.duration or 0)
    if info.frames and info.fps:
        seconds = max(seconds, info.frames / float(info.fps))
    return seconds


def _check_length(name: str, seconds: float) -> None:
    if seconds > MAX_SECONDS:
        raise InvalidInputError(
            f"{name} is {render.timecode(seconds)[:8]} long; compare takes up to "
            f"{MAX_SECONDS // 3600} hours a side (its per-frame working files take ~0.1 GB of temporary disk "
            "per 10 minutes at 25 fps, and decoding takes as long): compare the part that changed, exported "
            "on its own."
        )


def _capacity(info: Any) -> int | None:
    """Frames to size a side's blocks for: the header's count, else its duration at its rate."""
    if info.frames:
        return int(info.frames)
    if info.duration and info.fps:
        return math.ceil(float(info.duration) * float(info.fps)) + 16
    return None


def _compare(
    pa: Path,
    pb: Path,
    info_a: Any,
    info_b: Any,
    labels: tuple[str, str],
    scratch: Scratch,
    out_dir: Path | str | None,
    progress: Progress | None,
    video: bool,
    metrics: bool,
) -> dict[str, Any]:
    technical = technical_diff(info_a, info_b)
    # A progress callback that can take a total (the CLI's bar) gets one, so it can show an ETA:
    # both files' frames and the steps after them now, the second pass's when it turns out to be needed.
    steps = Steps(progress, (info_a.frames or 0) + (info_b.frames or 0), pictures=out_dir is not None)
    tick = steps.tick
    steps.start("Decoding frames")

    # Pass 1: both files once, fingerprints always, metrics when the pairs are likely the final ones.
    # Sized from the headers' frame counts, so the fingerprint blocks are allocated once.
    track_a = Track(capacity=_capacity(info_a), scratch=scratch)
    track_b = Track(capacity=_capacity(info_b), scratch=scratch)
    sa, sb = DecodeStatus(), DecodeStatus()
    same_edit = metrics and info_a.fps == info_b.fps and abs(info_a.frames - info_b.frames) <= 1
    thumb = _thumb_size(min(info_a.width, info_b.width), min(info_a.height, info_b.height), info_a.sample_aspect_ratio)
    collector = PairCollector(worst=Worst(size=thumb), track_a=track_a, track_b=track_b)
    graph = MetricsGraph(on_result=collector.result, keep=False)
    for x, y in _interleaved(pa, pb, sa, sb):
        if x is not None:
            track_a.add(*x)
        if y is not None:
            track_b.add(*y)
        if max(len(track_a), len(track_b)) > MAX_FRAMES:  # a side whose header did not say how long it is
            longer, track = (pa, track_a) if len(track_a) >= len(track_b) else (pb, track_b)
            _check_length(longer.name, float(track.times[-1]) if len(track) else 0.0)
        if same_edit and x is not None and y is not None:
            ia, ib = len(track_a) - 1, len(track_b) - 1
            collector.pushed(graph._pushed, ia, ib, x[1], y[1])
            graph.push(x[1], y[1])
        tick((x is not None) + (y is not None))
    graph.flush()
    for path, status in ((pa, sa), (pb, sb)):
        if status.frames == 0:
            detail = f" ({status.error})" if status.error else ""
            raise MediaError(f"{path.name} has no frames that decode{detail}; give a video with pictures in it.")

    steps.decoded(len(track_a) + len(track_b))
    steps.start("Aligning")
    cuts_a = detect_cuts(track_a.tiny, track_a.sig, track_a.time)
    # Frame indices, not times: a time rounded for the report can land after its own frame.
    cuts_b_idx = detect_cut_frames(track_b.tiny, track_b.sig)
    cuts_b = [round(float(track_b.time[i]), 6) for i in cuts_b_idx]
    alignment = align(track_a, track_b, cuts_b_idx)
    steps.done("align")

    out = Path(out_dir) if out_dir is not None else None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    video_path = out / "side_by_side.mp4" if (video and out is not None) else None
    matched = alignment.path >= 0
    if not metrics and video_path is None:
        collector.rows, metrics_source = PairRows(), "skipped"
        rows = collector.rows.select()
    elif same_edit and alignment.is_identity() and video_path is None:
        rows = collector.rows.select(keep=matched)
        metrics_source = "single pass"
    else:
        steps.more_frames(len(track_b) + int(matched.sum()), "Decoding matched pairs again")
        collector = PairCollector(worst=Worst(size=thumb), track_a=track_a, track_b=track_b)
        graph = MetricsGraph(on_result=collector.result, keep=False)
        _aligned_pass(pa, pb, track_a, track_b, alignment, graph, collector, video_path, thumb, info_b.fps, tick)
        rows = collector.rows.select()
        metrics_source = "aligned pairs, second pass"

    summary: dict[str, Any] = collector.rows.summary(rows) or {
        "psnr": {"y": None, "u": None, "v": None, "average": None},
        "ssim": {"y": None, "u": None, "v": None, "all": None},
    }
    # Filled in once the sound is compared: the entries are the report's largest per-pair part (a
    # dict each), and built last they do not sit under every later step's working set.
    summary["frames"] = []
    summary["pairs"] = len(rows)
    lavfi = ".".join(str(v) for v in av.library_versions["libavfilter"])
    summary["method"] = f"FFmpeg psnr and ssim filters (libavfilter {lavfi}), {metrics_source}"
    summary["notes"] = graph.notes

    segments = _segments_json(alignment, track_a, track_b, _rate_of(info_a, track_a), _rate_of(info_b, track_b))
    resolution = None
    if (info_a.width, info_a.height) != (info_b.width, info_b.height):
        resolution = f"{info_a.width}x{info_a.height} against {info_b.width}x{info_b.height}, compared scaled"
        if abs(info_a.width * info_b.height - info_b.width * info_a.height) > 0.01 * info_a.width * info_b.height:
            resolution += " (the aspect ratios differ, so B is stretched to A's shape)"
    for item, seg in zip(segments, alignment.segments, strict=True):
        if seg.kind == "changed":
            item["causes"] = []
    changed = [(item, seg) for item, seg in zip(segments, alignment.segments, strict=True) if seg.kind == "changed"]
    if changed:
        steps.add("explain", EXPLAIN_FRAMES * len(changed))
        steps.start("Explaining changes")
    change_rows = (
        _explain(
            pa, pb, track_a, track_b, changed, thumb, info_a.width, resolution, cuts_b_idx, collector.worst.ranked()
        )
        if changed
        else []
    )
    steps.done("explain")
    warnings = list(technical["warnings"])
    for name, status, info in ((labels[0], sa, info_a), (labels[1], sb, info_b)):
        damage = _damage(name, status, info)
        if damage:
            warnings.append(damage)
    for note in graph.notes:
        sentence = note[0].upper() + note[1:] + "."
        # "Resolutions differ" is already a technical warning; the note stays in metrics.notes.
        if not any(w.split(" (")[0] == sentence.split(" (")[0] for w in warnings):
            warnings.append(sentence)
    for name, track in ((labels[0], track_a), (labels[1], track_b)):
        vfr = _variable_rate(track)
        if vfr:
            warnings.append(f"{name} {vfr}")
    aspect_a, aspect_b = _aspect(info_a), _aspect(info_b)
    if abs(aspect_a - aspect_b) > 0.01 * aspect_a:
        warnings.append(
            f"The pictures have different shapes ({aspect_a:.3f}:1 against {aspect_b:.3f}:1): B was stretched to "
            "A's shape to compare them, so a letterbox or crop shows up as a change."
        )
    if not matched.any():
        warnings.append(
            "The two videos have no content in common: everything in A is removed and everything in B is inserted."
        )

    steps.start("Comparing sound")
    sound, sound_warnings, sound_sentences = sound_report(
        pa, pb, segments, _rate_of(info_a, track_a), _rate_of(info_b, track_b), labels, scratch
    )
    steps.done("sound")
    warnings += sound_warnings
    summary_block = _summary(segments, bool(matched.any()), labels)
    if sound_sentences:
        summary_block["sentences"] += sound_sentences
        summary_block["text"] = " ".join(summary_block["sentences"])

    summary["frames"] = collector.rows.report_rows(rows, track_a.times, track_b.times)
    report: dict[str, Any] = {
        "a": {"label": labels[0], "path": str(pa)},
        "b": {"label": labels[1], "path": str(pb)},
        "technical": technical,
        "metrics": summary,
        "cuts": {"a": cuts_a, "b": cuts_b},
        "segments": segments,
        "summary": summary_block,
        "audio": sound,
        "decode": {"a": sa.to_json(), "b": sb.to_json()},
        "warnings": warnings,
        "pictures": [],
    }
    if out is not None:
        steps.start("Drawing pictures")
        report["pictures"] = _pictures(out, report, collector.worst, track_a, track_b, labels)
        if change_rows:
            to_a = info_a.width / thumb[0]
            render.changes_picture(
                out / "changes.png",
                [
                    (
                        f"A {'-'.join(item['a_smpte'])}",  # Pillow's own font has no en dash
                        f"B {'-'.join(item['b_smpte'])}",
                        "; ".join(f"{c['cause']}: {c['text']}" for c in item["causes"]),
                        a_rgb,
                        b_rgb,
                        [
                            [v / to_a for v in box]
                            for c in item["causes"]
                            if c["cause"] == "local"
                            for box in c["boxes"]
                        ],
                    )
                    for item, a_rgb, b_rgb in change_rows
                ],
            )
            report["pictures"].append("changes.png")
        if video_path is not None and video_path.exists():
            report["pictures"].append(video_path.name)
        (out / "report.json").write_text(json.dumps(report, indent=2, default=str, ensure_ascii=False) + "\n")
        steps.done("pictures")
    return report


def _aligned_pass(
    pa: Path,
    pb: Path,
    track_a: Track,
    track_b: Track,
    alignment: Alignment,
    graph: MetricsGraph,
    collector: PairCollector,
    video_path: Path | None,
    thumb: tuple[int, int],
    fps: Fraction | None,
    tick: Progress,
) -> None:
    """B in order once more, A fetched by index (seeking at jumps), metrics on the matched pairs.

    The progress count goes on past the first pass's frames: these are decoded again.
    """
    path = alignment.path
    if not (path >= 0).any() and video_path is None:
        return
    cursor = Cursor(pa, track_a)
    writer = render.PairVideo(video_path, fps or Fraction(25)) if video_path is not None else None
    w, h = thumb
    try:
        for ib, (_t, fb) in enumerate(iter_frames(pb)):
            if ib >= len(path):
                break
            ia = int(path[ib])
            fa = cursor.get(ia) if ia >= 0 else None
            if fa is not None:
                collector.pushed(graph._pushed, ia, ib, fa, fb)
                graph.push(fa, fb)
            if writer is not None:
                a_rgb = fa.reformat(w, h, format="rgb24").to_ndarray() if fa is not None else None
                a_time = track_a.times[ia] if fa is not None else None
                writer.add(a_rgb, fb.reformat(w, h, format="rgb24").to_ndarray(), a_time, track_b.times[ib])
            tick(1 + (fa is not None))
        graph.flush()
    finally:
        cursor.close()
        if writer is not None:
            writer.close()


EXPLAIN_PAIRS = 3  # pairs looked at per changed segment
EXPLAIN_SEGMENTS = 40  # past this many changed segments, one pair each
EXPLAIN_SHOTS = 3  # B shots per changed segment looked at on their own (each pick is a seek on both sides)
CHANGES_ROWS = 6  # changed segments shown in changes.png


def _cheap(
    pairs: Sequence[tuple[int, int]], at: int, ta: Track, tb: Track, allowed: np.ndarray | None = None
) -> tuple[int, int]:
    """The pair near position `at` that is cheapest to seek to: fewest frames to decode from the
    key frames before it on both sides (a pair on key frames costs one frame each), within a sixth
    of the segment either way so the picks stay spread."""
    span = max(1, len(pairs) // 6)
    lo, hi = max(0, at - span), min(len(pairs), at + span + 1)
    cands = range(lo, hi) if allowed is None else [i for i in allowed.tolist() if lo <= i < hi] or [at]
    best = min(cands, key=lambda i: (ta.seek_cost(pairs[i][0]) + tb.seek_cost(pairs[i][1]), abs(i - at)))
    return pairs[best]


def _explain(
    pa: Path,
    pb: Path,
    track_a: Track,
    track_b: Track,
    changed: list[tuple[dict[str, Any], Any]],
    thumb: tuple[int, int],
    a_width: int,
    resolution: str | None,
    b_cuts: Sequence[int] = (),
    ready: Sequence[dict[str, Any]] = (),
) -> list[tuple[dict[str, Any], np.ndarray, np.ndarray]]:
    """`causes` for every changed segment, from a few of its pairs decoded at working size.

    `ready` are pairs already at working size (the metrics pass keeps the most different ones):
    a segment holding two of them needs no seek for its spread picks, and a shot holding one
    needs none for its own.

    Returns, for the first CHANGES_ROWS segments, the segment with one of its pairs (A, B RGB) to show.
    """
    w, h = thumb
    wanted: list[tuple[int, int, int]] = []  # (b index, a index, segment number), in B order
    cuts = np.asarray(sorted(b_cuts), dtype=np.int64)
    measured: dict[int, list[dict[str, Any]]] = {}
    shown: dict[int, tuple[int, np.ndarray, np.ndarray]] = {}  # a picture per segment for changes.png

    def measure(k: int, ib: int, a_rgb: np.ndarray, b_rgb: np.ndarray) -> None:
        found = explain_pair(a_rgb, b_rgb, a_width)
        found["shot"] = int(np.searchsorted(cuts, ib, side="right"))
        measured.setdefault(k, []).append(found)
        if k < CHANGES_ROWS and (k not in shown or len(found["boxes"]) > shown[k][0]):
            shown[k] = (len(found["boxes"]), a_rgb, b_rgb)

    by_pair = {(int(r["a_frame"]), int(r["b_frame"])): r for r in ready if r.get("a_rgb") is not None}
    for k, (_item, seg) in enumerate(changed):
        n = EXPLAIN_PAIRS if k < EXPLAIN_SEGMENTS else 1
        pairs = seg.pairs
        have = [p for p in pairs if p in by_pair][:EXPLAIN_PAIRS]
        for ia, ib in have:
            measure(k, ib, by_pair[(ia, ib)]["a_rgb"], by_pair[(ia, ib)]["b_rgb"])
        picks = set()
        if len(have) < 2:
            picks = {_cheap(pairs, int((i + 0.5) * len(pairs) / n), track_a, track_b) for i in range(n)}
        if k < EXPLAIN_SEGMENTS:
            # One more in the middle of every B shot the segment runs over: shots may have changed differently.
            shot_of = np.searchsorted(cuts, [ib for _, ib in pairs], side="right")
            covered = {int(np.searchsorted(cuts, ib, side="right")) for _, ib in have}
            for shot in np.unique(shot_of)[:EXPLAIN_SHOTS]:
                if int(shot) in covered:
                    continue
                inside = np.flatnonzero(shot_of == shot)
                picks.add(_cheap(pairs, int(inside[len(inside) // 2]), track_a, track_b, inside))
        wanted += [(ib, ia, k) for ia, ib in sorted(picks, key=lambda p: p[1])]
    wanted.sort()
    ca, cb = Cursor(pa, track_a), Cursor(pb, track_b)
    try:
        for ib, ia, k in wanted:
            fa, fb = ca.get(ia), cb.get(ib)
            if fa is None or fb is None:
                continue
            measure(
                k, ib, fa.reformat(w, h, format="rgb24").to_ndarray(), fb.reformat(w, h, format="rgb24").to_ndarray()
            )
    finally:
        ca.close()
        cb.close()
    rows = []
    for k, (item, _seg) in enumerate(changed):
        item["causes"] = causes(measured.get(k, []), resolution)
        if k in shown:
            rows.append((item, shown[k][1], shown[k][2]))
    return rows


def _span(track: Track, first: int, last: int) -> list[float]:
    end = track.times[last + 1] if last + 1 < len(track) else track.times[last] + track.frame_duration()
    return [round(track.times[first], 6), round(end, 6)]


def _rate_of(info: Any, track: Track) -> Fraction:
    """The exact frame rate a side's frame numbers count in: the header's, else the measured one."""
    fps = getattr(info, "fps", None)
    if fps:
        return Fraction(fps)
    return Fraction(1 / track.frame_duration()).limit_denominator(1001)


def _frame_fields(item: dict[str, Any], side: str, first: int, stop: int, rate: Fraction) -> None:
    """Frame range [first, stop), its exact start/end times as fractions and its SMPTE timecodes."""
    item[f"{side}_frames"] = [first, stop]
    item[f"{side}_exact"] = [str(frame_to_seconds(first, rate)), str(frame_to_seconds(stop, rate))]
    item[f"{side}_smpte"] = [frame_to_timecode(first, rate), frame_to_timecode(stop, rate)]


def _segments_json(
    alignment: Alignment, ta: Track, tb: Track, rate_a: Fraction, rate_b: Fraction
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    last_b = 0.0
    last_b_frame = 0
    for seg in alignment.segments:
        item: dict[str, Any] = {"kind": seg.kind, "a": None, "b": None}
        if seg.a is not None:
            item["a"] = _span(ta, *seg.a)
            _frame_fields(item, "a", seg.a[0], seg.a[1] + 1, rate_a)
            item["a_timecode"] = f"{render.timecode(item['a'][0])}–{render.timecode(item['a'][1])}"
        if seg.b is not None:
            item["b"] = _span(tb, *seg.b)
            _frame_fields(item, "b", seg.b[0], seg.b[1] + 1, rate_b)
            item["b_timecode"] = f"{render.timecode(item['b'][0])}–{render.timecode(item['b'][1])}"
            last_b, last_b_frame = item["b"][1], seg.b[1] + 1
        else:
            item["at"] = last_b  # where in B the removed material would have been
            item["at_smpte"] = frame_to_timecode(last_b_frame, rate_b)
        if seg.rate is not None:
            item["rate"] = seg.rate
        out.append(item)
    return out


def _summary(segments: list[dict[str, Any]], common: bool, labels: tuple[str, str] = ("A", "B")) -> dict[str, Any]:
    kinds: dict[str, dict[str, float]] = {}
    for seg in segments:
        entry = kinds.setdefault(seg["kind"], {"count": 0, "a_seconds": 0.0, "b_seconds": 0.0})
        entry["count"] += 1
        for side in ("a", "b"):
            if seg[side] is not None:
                entry[f"{side}_seconds"] = round(entry[f"{side}_seconds"] + seg[side][1] - seg[side][0], 6)
    edits = [s for s in segments if s["kind"] != "same"]
    if not common:
        verdict = "no content in common"
    elif not edits:
        verdict = "same content, same edit"
    elif all(s["kind"] == "changed" for s in edits):
        verdict = "same edit, pictures changed"
    else:
        verdict = "edited: " + ", ".join(f"{kinds[k]['count']:g} {k}" for k in KINDS if k in kinds and k != "same")
    sentences = _sentences(segments, verdict, common)
    return {
        "verdict": verdict,
        "kinds": kinds,
        "common_content": common,
        "sentences": sentences,
        "text": " ".join(sentences),
    }


SENTENCE_LIMIT = 8  # edits told one by one; the rest are counted


def _frames_text(seg: dict[str, Any], side: str) -> str:
    first, stop = seg[f"{side}_frames"]
    n = stop - first
    return f"{n} frame{'s' if n != 1 else ''}"


def _sentence(seg: dict[str, Any]) -> str:
    kind = seg["kind"]
    a_tc = f"{seg['a_smpte'][0]}–{seg['a_smpte'][1]}" if seg.get("a_smpte") else ""
    b_tc = f"{seg['b_smpte'][0]}–{seg['b_smpte'][1]}" if seg.get("b_smpte") else ""
    if kind == "removed":
        return f"{_frames_text(seg, 'a')} of A ({a_tc}) cut out at B {seg['at_smpte']}."
    if kind == "inserted":
        return f"{_frames_text(seg, 'b')} new in B at {b_tc}."
    if kind == "moved":
        return f"A {a_tc} moved to B {b_tc}."
    if kind == "retimed":
        return f"A {a_tc} plays at {seg['rate']:.2f}x speed as B {b_tc}."
    if kind == "changed":
        said = "; ".join(f"{c['cause']}: {c['text']}" for c in seg.get("causes", []))
        return f"B {b_tc} changed" + (f" ({said})." if said else ".")
    return f"A {a_tc} is B {b_tc}."


def _sentences(segments: list[dict[str, Any]], verdict: str, common: bool) -> list[str]:
    """The comparison in a few plain sentences with timecodes, as the CLI's first lines say it."""
    if not common:
        return ["A and B have nothing in common: different footage."]
    edits = [s for s in segments if s["kind"] != "same"]
    if not edits:
        return ["B shows the same pictures as A, in the same order."]
    if verdict == "same edit, pictures changed":
        head = "B is the same edit as A with pictures changed."
    else:
        head = f"B is an edit of A: {verdict.removeprefix('edited: ')}."
    out = [head] + [_sentence(s) for s in edits[:SENTENCE_LIMIT]]
    if len(edits) > SENTENCE_LIMIT:
        out.append(f"And {len(edits) - SENTENCE_LIMIT} more edits (see the table).")
    return out


def _pictures(
    out: Path, report: dict[str, Any], worst: Worst, ta: Track, tb: Track, labels: tuple[str, str]
) -> list[str]:
    names = []
    frames = report["metrics"]["frames"]
    render.difference_plot(
        out / "difference.png",
        [f["b_time"] for f in frames],
        [f["ssim"] for f in frames],
        [f["psnr"] if f["psnr"] is not None else math.inf for f in frames],
        tb.end_time(),
        report["segments"],
        report["cuts"]["b"],
    )
    names.append("difference.png")
    render.alignment_picture(
        out / "alignment.png",
        report["segments"],
        ta.end_time(),
        tb.end_time(),
        report["cuts"]["a"],
        report["cuts"]["b"],
        labels=("A", "B"),
    )
    names.append("alignment.png")
    sound = report.get("audio") or {}
    wave_a, wave_b = ((sound.get(side) or {}).get("waveform") for side in ("a", "b"))
    waves = (wave_a, wave_b)
    if any(waves):
        longest = max(ta.end_time(), tb.end_time())
        render.waveform_picture(out / "waveform.png", waves, sound.get("segments", []), longest, labels=("A", "B"))
        names.append("waveform.png")
    ranked = worst.ranked()
    if ranked:
        rows = [
            (
                render.timecode(i["a_time"]),
                f"{render.timecode(i['b_time'])} SSIM {i['ssim']:.4f}",
                i["a_rgb"],
                i["b_rgb"],
            )
            for i in ranked
        ]
        render.strip_picture(out / "worst_pairs.png", rows)
        top = ranked[0]
        caption = f"A {render.timecode(top['a_time'])} B {render.timecode(top['b_time'])}"
        render.wipe_picture(out / "wipe.png", top["a_rgb"], top["b_rgb"], caption)
        render.heatmap_picture(out / "heatmap.png", top["a_rgb"], top["b_rgb"], caption)
        names += ["worst_pairs.png", "wipe.png", "heatmap.png"]
        report["metrics"]["worst"] = [{k: v for k, v in i.items() if not k.endswith("_rgb")} for i in ranked]
    return names
