"""PSNR and SSIM per frame pair through FFmpeg's own `psnr` and `ssim` filters.

The pairs are pushed into one libavfilter graph (two buffer sources, each
split into `ssim` and `psnr`), so values are FFmpeg's, bit for bit: no NumPy
re-implementation drifts from them. Summaries follow FFmpeg's rules: PSNR is the
PSNR of the mean MSE (not the mean of per-frame PSNRs), SSIM is the mean of the
per-frame values, `average`/`all` weight planes by their size.

When the two sides differ in size, the larger is scaled (bicubic) to the
smaller; when pixel formats differ, B is converted to A's. `MetricsGraph.notes`
says so.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from av.filter.context import FilterContext

from takevault.compare.frames import DecodeStatus, iter_frames

# Formats FFmpeg's ssim and psnr filters both take; anything else is converted to yuv420p.
SUPPORTED_FORMATS = {
    "gray",
    "yuv420p",
    "yuv422p",
    "yuv444p",
    "yuv440p",
    "yuv411p",
    "yuv410p",
    "yuvj420p",
    "yuvj422p",
    "yuvj444p",
    "yuvj440p",
    "yuvj411p",
    "gray10le",
    "yuv420p10le",
    "yuv422p10le",
    "yuv444p10le",
    "yuv420p12le",
    "yuv422p12le",
    "yuv444p12le",
}
COMPONENTS = ("y", "u", "v")
PAIR_TIME_BASE = Fraction(1, 1000)  # the graph's clock: a pair's id is its pts


@dataclass
class FrameMetrics:
    """FFmpeg's values for one pair: per-plane MSE and SSIM, and the plane weights."""

    index: int
    mse: tuple[float, ...]
    ssim: tuple[float, ...]
    ssim_all: float
    mse_avg: float
    peak: float

    @property
    def psnr(self) -> tuple[float, ...]:
        return tuple(psnr_from_mse(m, self.peak) for m in self.mse)

    @property
    def psnr_avg(self) -> float:
        return psnr_from_mse(self.mse_avg, self.peak)


def psnr_from_mse(mse: float, peak: float) -> float:
    """FFmpeg's get_psnr: infinite for identical planes."""
    if mse <= 0:
        return math.inf
    return 10.0 * math.log10(peak * peak / mse)


def finite(value: float) -> float | None:
    """JSON has no infinity: identical pictures get `null` PSNR."""
    return None if math.isinf(value) or math.isnan(value) else round(value, 6)


@dataclass
class MetricsGraph:
    """Feed frame pairs in, read FFmpeg's per-pair values out.

    `on_result(pair_id, metrics)` is called as soon as the filters emit a pair,
    which may be a frame or two after it was pushed.
    """

    threads: int = 0
    on_result: Callable[[int, FrameMetrics], None] | None = None
    keep: bool = True  # keep every pair's values in `results`; a caller with `on_result` may keep its own
    results: list[FrameMetrics] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    _graph: av.filter.Graph | None = None
    _pushed: int = 0
    _a_shape: tuple[int, int, str] | None = None
    _b_shape: tuple[int, int, str] | None = None
    _pending_ssim: dict[int, dict[str, str]] = field(default_factory=dict)
    _pending_psnr: dict[int, dict[str, str]] = field(default_factory=dict)
    _peak: float = 255.0

    def _build(self, a: av.VideoFrame, b: av.VideoFrame) -> None:
        self._a_shape = (a.width, a.height, a.format.name)
        self._b_shape = (b.width, b.height, b.format.name)
        fmt = a.format.name if a.format.name in SUPPORTED_FORMATS else "yuv420p"
        if b.format.name != a.format.name:
            self.notes.append(f"pixel formats differ ({a.format.name} vs {b.format.name}); B converted to {fmt}")
        elif fmt != a.format.name:
            self.notes.append(f"pixel format {a.format.name} converted to {fmt} for the filters")
        width, height = a.width, a.height
        if (a.width, a.height) != (b.width, b.height):
            if a.width * a.height > b.width * b.height:
                width, height = b.width, b.height
            self.notes.append(
                f"resolutions differ ({a.width}x{a.height} vs {b.width}x{b.height}); "
                f"metrics computed at {width}x{height}, the larger scaled down (bicubic)"
            )
        depth = max(c.bits for c in av.VideoFormat(fmt).components)
        self._peak = float((1 << depth) - 1)
        tb = PAIR_TIME_BASE
        g = av.filter.Graph()
        if self.threads:
            g.threads = self.threads
        src_a = g.add_buffer(width=a.width, height=a.height, format=a.format, time_base=tb, name="a")
        src_b = g.add_buffer(width=b.width, height=b.height, format=b.format, time_base=tb, name="b")
        head_a = self._adapt(g, src_a, a, width, height, fmt)
        head_b = self._adapt(g, src_b, b, width, height, fmt)
        split_a, split_b = g.add("split"), g.add("split")
        ssim, psnr = g.add("ssim"), g.add("psnr")
        self._sink_ssim, self._sink_psnr = g.add("buffersink"), g.add("buffersink")
        head_a.link_to(split_a)
        head_b.link_to(split_b)
        split_a.link_to(ssim, 0, 0)
        split_b.link_to(ssim, 0, 1)
        split_a.link_to(psnr, 1, 0)
        split_b.link_to(psnr, 1, 1)
        ssim.link_to(self._sink_ssim)
        psnr.link_to(self._sink_psnr)
        g.configure()
        self._graph, self._src_a, self._src_b = g, src_a, src_b

    @staticmethod
    def _adapt(
        g: av.filter.Graph, node: FilterContext, frame: av.VideoFrame, width: int, height: int, fmt: str
    ) -> FilterContext:
        if (frame.width, frame.height) != (width, height):
            scale = g.add("scale", f"{width}:{height}:flags=bicubic")
            node.link_to(scale)
            node = scale
        if frame.format.name != fmt:
            conv = g.add("format", fmt)
            node.link_to(conv)
            node = conv
        return node

    def push(self, a: av.VideoFrame, b: av.VideoFrame) -> int:
        """Queue one pair; returns its id (0, 1, 2, … in push order)."""
        if self._graph is None:
            self._build(a, b)
        elif (a.width, a.height, a.format.name) != self._a_shape or (
            b.width,
            b.height,
            b.format.name,
        ) != self._b_shape:
            # A mid-stream size change: finish this graph and start a new one for the rest.
            self.flush()
            self._graph = None
            self._build(a, b)
        pair_id = self._pushed
        self._pushed += 1
        for src, frame in ((self._src_a, a), (self._src_b, b)):
            frame.pts = pair_id
            frame.time_base = PAIR_TIME_BASE
            src.push(frame)
        self._drain()
        return pair_id

    def flush(self) -> None:
        """Push end-of-stream and collect the last values."""
        if self._graph is None:
            return
        self._src_a.push(None)
        self._src_b.push(None)
        self._drain()

    def _drain(self) -> None:
        for sink, pending in ((self._sink_ssim, self._pending_ssim), (self._sink_psnr, self._pending_psnr)):
            while True:
                try:
                    out = sink.pull()
                except (av.BlockingIOError, av.EOFError):
                    break
                assert out.pts is not None, "each pushed frame carries its pair id as pts"
                pending[int(out.pts)] = dict(out.metadata)
        for pair_id in sorted(set(self._pending_ssim) & set(self._pending_psnr)):
            s = self._pending_ssim.pop(pair_id)
            p = self._pending_psnr.pop(pair_id)
            comps = [c for c in COMPONENTS if f"lavfi.psnr.mse.{c}" in p]
            ssim_keys = [k for k in ("Y", "U", "V") if f"lavfi.ssim.{k}" in s]
            result = FrameMetrics(
                index=pair_id,
                mse=tuple(float(p[f"lavfi.psnr.mse.{c}"]) for c in comps),
                ssim=tuple(float(s[f"lavfi.ssim.{k}"]) for k in ssim_keys),
                ssim_all=float(s["lavfi.ssim.All"]),
                mse_avg=float(p["lavfi.psnr.mse_avg"]),
                peak=self._peak,
            )
            if self.keep:
                self.results.append(result)
            if self.on_result is not None:
                self.on_result(pair_id, result)


def summarize(results: list[FrameMetrics]) -> dict[str, dict[str, float | None]] | None:
    """FFmpeg's summary lines: PSNR of the mean MSE per plane and overall, mean SSIM."""
    if not results:
        return None
    n = len(results)
    peak = results[0].peak
    planes = len(results[0].mse)
    psnr: dict[str, float | None] = {}
    for i, comp in enumerate(COMPONENTS[:planes]):
        psnr[comp] = finite(psnr_from_mse(sum(r.mse[i] for r in results) / n, peak))
    psnr["average"] = finite(psnr_from_mse(sum(r.mse_avg for r in results) / n, peak))
    ssim: dict[str, float | None] = {}
    for i, comp in enumerate(COMPONENTS[: len(results[0].ssim)]):
        ssim[comp] = round(sum(r.ssim[i] for r in results) / n, 7)
    ssim["all"] = round(sum(r.ssim_all for r in results) / n, 7)
    return {"psnr": psnr, "ssim": ssim}


@dataclass
class MetricsResult:
    frames: list[FrameMetrics]
    summary: dict[str, dict[str, float | None]] | None
    notes: list[str]
    a_status: DecodeStatus
    b_status: DecodeStatus


def paired_frames(
    a: Path, b: Path, a_status: DecodeStatus, b_status: DecodeStatus
) -> Iterator[tuple[float, av.VideoFrame, float, av.VideoFrame]]:
    """Frames of A and B side by side, in order, until the shorter one ends (FFmpeg's `shortest`)."""
    for (ta, fa), (tb, fb) in zip(iter_frames(a, a_status), iter_frames(b, b_status), strict=False):
        yield ta, fa, tb, fb


def compute_metrics(
    a: Path | str, b: Path | str, *, progress: Callable[[int], None] | None = None, threads: int = 0
) -> MetricsResult:
    """PSNR and SSIM of A against B frame by frame in decode order, as `ffmpeg -lavfi ssim;psnr` does."""
    a_status, b_status = DecodeStatus(), DecodeStatus()
    graph = MetricsGraph(threads=threads)
    for _ta, fa, _tb, fb in paired_frames(Path(a), Path(b), a_status, b_status):
        graph.push(fa, fb)
        if progress is not None:
            progress(1)
    graph.flush()
    return MetricsResult(graph.results, summarize(graph.results), graph.notes, a_status, b_status)


def per_frame_table(results: list[FrameMetrics]) -> np.ndarray:
    """(n, 2) array of SSIM All and PSNR average (inf for identical) for plotting and ranking."""
    return np.array([(r.ssim_all, r.psnr_avg) for r in results], dtype=np.float64).reshape(-1, 2)
