"""Pictures of a comparison, drawn with Pillow: plots, frame strips, wipe, heat map, alignment, video.

Everything takes plain data (times, values, RGB arrays) and writes one file.
"""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFont

KIND_COLOURS = {
    "same": (90, 170, 90),
    "changed": (230, 160, 40),
    "inserted": (70, 130, 220),
    "removed": (210, 70, 70),
    "moved": (160, 90, 200),
    "retimed": (40, 180, 190),
}
BG = (250, 250, 250)
INK = (30, 30, 30)
GRID = (215, 215, 215)

# zlib's fastest level: the same pixels in files about 15 % larger, written in a third of the time
# (the default level 6 spent more instructions on the worst-pairs strip than on decoding a second of video).
PNG_LEVEL = 1

Font = ImageFont.ImageFont | ImageFont.FreeTypeFont
"""What `load_default` gives: a scalable font on Pillow >= 10.1, the bitmap one before."""


def _save(img: Image.Image, path: Path) -> None:
    img.save(path, compress_level=PNG_LEVEL)


def _font(size: int = 12) -> Font:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1 has one size
        return ImageFont.load_default()


def _legend(draw: ImageDraw.ImageDraw, x: int, y: int, kinds: list[str]) -> int:
    """Colour keys for `kinds`; returns the x after the last one."""
    font = _font(12)
    for kind in kinds:
        draw.rectangle([x, y + 2, x + 12, y + 14], fill=KIND_COLOURS[kind])
        draw.text((x + 16, y), kind, fill=INK, font=font)
        x += 24 + int(draw.textlength(kind, font=font))
    return x


def _kinds_present(segments: list[dict]) -> list[str]:
    present = {s["kind"] for s in segments}
    return [k for k in KIND_COLOURS if k in present]


def timecode(seconds: float) -> str:
    """HH:MM:SS.mmm"""
    ms = round(max(seconds, 0.0) * 1000)
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


TICK_STEPS = (0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)


def time_ticks(duration: float, pixels: float, min_gap: float = 80.0) -> list[float]:
    """Round times for an axis `pixels` wide, at least `min_gap` pixels apart."""
    most = max(1, int(pixels // min_gap))
    step = next((s for s in TICK_STEPS if duration / s <= most), TICK_STEPS[-1] * math.ceil(duration / 3600 / most))
    return [i * step for i in range(int(duration / step + 1e-9) + 1)]


def short_time(seconds: float, step: float) -> str:
    """Axis label: M:SS (H:MM:SS past an hour), with tenths when ticks are under a second apart."""
    whole = int(seconds + 1e-9)
    h, rem = divmod(whole, 3600)
    m, s = divmod(rem, 60)
    text = f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"
    if step < 1:
        text += f".{round((seconds - whole) * 10) % 10}"
    return text


def _time_axis(
    draw: ImageDraw.ImageDraw, x_of, duration: float, y: int, grid: tuple[int, int] | None, pixels: float
) -> None:
    """Ticks and labels under y; faint vertical grid lines from grid[0] to grid[1]."""
    font = _font(12)
    ticks = time_ticks(duration, pixels)
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    for t in ticks:
        x = x_of(t)
        if grid is not None:
            draw.line([x, grid[0], x, grid[1]], fill=(232, 232, 232))
        draw.line([x, y, x, y + 4], fill=INK)
        label = short_time(t, step)
        draw.text((x - draw.textlength(label, font=font) / 2, y + 5), label, fill=INK, font=font)


def _line_pieces(points: list[tuple[float, float]], times: list[float]) -> list[list[tuple[float, float]]]:
    """Split a series where B has no pairs (inserted material), so no line is drawn across it."""
    if len(times) < 2:
        return [points]
    steps = np.diff(np.asarray(times, dtype=np.float64))
    typical = float(np.median(steps[steps > 0])) if (steps > 0).any() else 0.0
    pieces, current = [], [points[0]]
    for i in range(1, len(points)):
        if typical > 0 and steps[i - 1] > 2.5 * typical:
            pieces.append(current)
            current = []
        current.append(points[i])
    pieces.append(current)
    return pieces


def place_labels(
    centres: list[float], widths: list[float], left: float, right: float, rows: int = 2, gap: float = 6.0
) -> list[tuple[float, int | None]]:
    """Left x and row for each label, centred on its mark where possible, never past [left, right]
    and never over another label: a label that fits nowhere gets row None (its mark stays)."""
    taken: list[list[tuple[float, float]]] = [[] for _ in range(rows)]
    out: list[tuple[float, int | None]] = []
    for centre, w in zip(centres, widths, strict=True):
        x = min(max(centre - w / 2, left), right - w)
        placed: tuple[float, int | None] = (x, None)
        if w <= right - left:
            for row in range(rows):
                if all(x + w + gap <= a or x >= b + gap for a, b in taken[row]):
                    taken[row].append((x, x + w))
                    placed = (x, row)
                    break
        out.append(placed)
    return out


def difference_plot(
    path: Path,
    times: list[float],
    ssim: list[float],
    psnr: list[float | None],
    duration: float,
    segments: list[dict],
    cuts: list[float],
    width: int = 1200,
    height: int = 440,
) -> Path:
    """SSIM (top) and PSNR (bottom) per aligned pair over B's time, with B's cuts and the edit segments."""
    img = Image.new("RGB", (width, height), BG)
    draw = ImageDraw.Draw(img)
    font = _font(12)
    left, right, top = 60, width - 20, 28
    band_y = height - 60  # the segment band, under the time axis
    panel_h = (band_y - 24 - top - 24) // 2
    duration = max(duration, 1e-6)

    def x_of(t: float) -> float:
        return left + (right - left) * min(max(t / duration, 0.0), 1.0)

    finite_psnr = [p for p in psnr if p is not None and math.isfinite(p)]
    identical = len(finite_psnr) < len(psnr)
    title = "Per-frame difference, aligned pairs over B's time (SSIM All, PSNR average dB); B's cuts dashed"
    if identical:
        title += "; identical frames (PSNR inf) drawn at the top"
    draw.text((left, 6), title, fill=INK, font=font)
    if not times:
        draw.text((left + 4, top + 20), "No aligned frame pairs: nothing in B matches A.", fill=INK, font=font)
    ssim_lo = min([*ssim, 0.9]) if ssim else 0.9
    ssim_lo = max(0.0, math.floor(ssim_lo * 20) / 20)
    psnr_hi = max([*finite_psnr, 50.0]) if finite_psnr else 50.0
    psnr_lo = min([*finite_psnr, 30.0]) if finite_psnr else 20.0
    panels = [
        ("SSIM", top, ssim_lo, 1.0, [(t, v) for t, v in zip(times, ssim, strict=False)], (40, 90, 200)),
        (
            "PSNR dB",
            top + panel_h + 24,
            math.floor(psnr_lo / 5) * 5,
            math.ceil(psnr_hi / 5) * 5,
            [(t, psnr_hi if v is None or not math.isfinite(v) else v) for t, v in zip(times, psnr, strict=False)],
            (200, 70, 40),
        ),
    ]
    for name, y0, lo, hi, points, colour in panels:
        y1 = y0 + panel_h
        for seg in segments:
            if seg["b"] is not None and seg["kind"] != "same":
                draw.rectangle([x_of(seg["b"][0]), y0, x_of(seg["b"][1]), y1], fill=_tint(KIND_COLOURS[seg["kind"]]))
        for t in time_ticks(duration, right - left):
            draw.line([x_of(t), y0, x_of(t), y1], fill=(232, 232, 232))
        draw.rectangle([left, y0, right, y1], outline=GRID)
        for frac in (0.0, 0.5, 1.0):
            value = lo + (hi - lo) * frac
            y = y1 - (y1 - y0) * frac
            draw.line([left, y, right, y], fill=GRID)
            draw.text((4, y - 7), f"{value:.3g}", fill=INK, font=font)
        draw.text((left + 4, y0 + 2), name, fill=colour, font=font)
        for cut in cuts:
            x = x_of(cut)
            for yy in range(int(y0), int(y1), 6):
                draw.line([x, yy, x, yy + 3], fill=(120, 120, 120))
        span = max(hi - lo, 1e-9)
        coords = [(x_of(t), y1 - (y1 - y0) * (min(max(v, lo), hi) - lo) / span) for t, v in points]
        for piece in _line_pieces(coords, [t for t, _ in points]):
            if len(piece) > 1:
                draw.line(piece, fill=colour, width=2)
            elif piece:
                x, y = piece[0]
                draw.ellipse([x - 2, y - 2, x + 2, y + 2], fill=colour)
    axis_y = top + 2 * panel_h + 24
    _time_axis(draw, x_of, duration, axis_y, None, right - left)
    draw.text((4, axis_y + 5), "B time", fill=INK, font=font)
    draw.text((4, band_y), "edit", fill=INK, font=font)
    small = _font(11)
    wanted: list[tuple[float, str, tuple[int, int, int]]] = []  # (preferred centre x, text, colour)
    for seg in segments:
        colour = KIND_COLOURS[seg["kind"]]
        if seg["b"] is not None:
            x0, x1 = x_of(seg["b"][0]), x_of(seg["b"][1])
            draw.rectangle([x0, band_y, x1, band_y + 12], fill=colour)
            if seg["kind"] != "same":
                text = seg["kind"] + (f" {seg['rate']:.2f}x" if seg.get("rate") else "")
                wanted.append(((x0 + x1) / 2, text, colour))
        elif seg.get("at") is not None:
            x = x_of(seg["at"])
            draw.polygon([(x - 6, band_y + 26), (x + 6, band_y + 26), (x, band_y + 13)], fill=colour)
            length = seg["a"][1] - seg["a"][0] if seg.get("a") else 0.0
            text = f"removed {length:.2f}s"
            # Beside the mark, not over it (place_labels moves it left if it would run off the edge).
            wanted.append((x + 8 + draw.textlength(text, font=small) / 2, text, colour))
    widths = [draw.textlength(text, font=small) for _, text, _ in wanted]
    rows = (band_y + 14, band_y + 26)
    for (x, row), (_, text, colour) in zip(
        place_labels([c for c, _, _ in wanted], widths, 4, width - 4, len(rows)), wanted, strict=True
    ):
        if row is not None:
            draw.text((x, rows[row]), text, fill=colour, font=small)
    _legend(draw, left, height - 22, _kinds_present(segments))
    _save(img, path)
    return path


def _tint(colour: tuple[int, int, int], amount: float = 0.25) -> tuple[int, int, int]:
    r, g, b = (int(BG[i] * (1 - amount) + colour[i] * amount) for i in range(3))
    return r, g, b


def alignment_picture(
    path: Path,
    segments: list[dict],
    duration_a: float,
    duration_b: float,
    cuts_a: list[float],
    cuts_b: list[float],
    labels: tuple[str, str] = ("A", "B"),
    width: int = 1200,
) -> Path:
    """The two timelines, A above B, to one scale, segments coloured and labelled, matched ranges joined."""
    height = 290
    img = Image.new("RGB", (width, height), BG)
    draw = ImageDraw.Draw(img)
    font = _font(12)
    left, right = 70, width - 20
    longest = max(duration_a, duration_b, 1e-6)
    scale = (right - left) / longest
    ya, yb, bar = 30, 180, 26

    def x_of(t: float) -> float:
        return left + t * scale

    draw.text((left, 6), "How B's timeline (below) takes A's (above): matched ranges joined", fill=INK, font=font)
    # Joins first, so bars are drawn over them.
    for seg in segments:
        if seg["a"] is not None and seg["b"] is not None:
            (a0, a1), (b0, b1) = seg["a"], seg["b"]
            poly = [(x_of(a0), ya + bar), (x_of(a1), ya + bar), (x_of(b1), yb), (x_of(b0), yb)]
            draw.polygon(
                poly, fill=_tint(KIND_COLOURS[seg["kind"]], 0.35), outline=_tint(KIND_COLOURS[seg["kind"]], 0.7)
            )
    for y, duration, side, cuts in ((ya, duration_a, "a", cuts_a), (yb, duration_b, "b", cuts_b)):
        draw.rectangle([left, y, x_of(duration), y + bar], fill=(235, 235, 235), outline=GRID)
        for seg in segments:
            if seg[side] is not None:
                s0, s1 = seg[side]
                draw.rectangle([x_of(s0), y, x_of(s1), y + bar], fill=KIND_COLOURS[seg["kind"]])
        for cut in cuts:
            x = x_of(cut)
            draw.line([x, y - 4, x, y + bar + 4], fill=INK)
        label = labels[0] if side == "a" else labels[1]
        draw.text((6, y), label[:9], fill=INK, font=font)
        draw.text((6, y + 14), f"{duration:.2f} s", fill=INK, font=_font(11))
        # Kinds written on the bars where they fit (white on the colour).
        for seg in segments:
            if seg[side] is not None and seg["kind"] != "same":
                s0, s1 = x_of(seg[side][0]), x_of(seg[side][1])
                text = seg["kind"] + (f" {seg['rate']:.2f}x" if seg.get("rate") else "")
                if s1 - s0 >= draw.textlength(text, font=font) + 6:
                    draw.text(((s0 + s1 - draw.textlength(text, font=font)) / 2, y + 7), text, fill=BG, font=font)
    axis_y = yb + bar + 6
    _time_axis(draw, x_of, longest, axis_y, None, right - left)
    draw.text((4, axis_y + 5), "time", fill=INK, font=font)
    x = _legend(draw, left, height - 22, _kinds_present(segments))
    draw.text((x + 10, height - 22), "ticks on the bars: scene cuts", fill=INK, font=font)
    _save(img, path)
    return path


SOUND_COLOURS = {
    "same": (90, 170, 90),
    "changed": (230, 160, 40),
    "replaced": (160, 90, 200),
    "silent": (150, 150, 150),
    "inserted": (70, 130, 220),
    "retimed": (40, 180, 190),
}


def waveform_picture(
    path: Path,
    waves: tuple[dict | None, dict | None],
    pieces: list[dict],
    duration: float,
    labels: tuple[str, str] = ("A", "B"),
    width: int = 1200,
) -> Path:
    """Both sides' sound as peak strips on one time scale; under B's strip, what its sound did."""
    height = 250
    img = Image.new("RGB", (width, height), BG)
    draw = ImageDraw.Draw(img)
    font = _font(12)
    left, right = 70, width - 20
    scale = (right - left) / max(duration, 1e-6)
    lanes = ((30, waves[0], labels[0]), (120, waves[1], labels[1]))
    lane_h = 70

    def x_of(t: float) -> float:
        return left + t * scale

    draw.text(
        (left, 6),
        "Sound: peak level of A (above) and B (below), B's pieces coloured by what changed",
        fill=INK,
        font=font,
    )
    for y, wave, label in lanes:
        draw.rectangle([left, y, right, y + lane_h], fill=(240, 240, 240), outline=GRID)
        draw.text((6, y + lane_h // 2 - 7), label[:9], fill=INK, font=font)
        if not wave:
            draw.text((left + 8, y + lane_h // 2 - 7), "no sound", fill=INK, font=font)
            continue
        mid = y + lane_h / 2
        rate = wave["rate"]
        for i, peak in enumerate(wave["peaks"]):
            x = x_of(i / rate)
            if x > right:
                break
            half = max(0.5, peak * (lane_h / 2 - 2))
            draw.line([x, mid - half, x, mid + half], fill=(60, 90, 140))
    band = 120 + lane_h + 4
    for piece in pieces:
        b0, b1 = piece["b"]
        draw.rectangle(
            [x_of(b0), band, max(x_of(b1) - 1, x_of(b0)), band + 10], fill=SOUND_COLOURS.get(piece["kind"], GRID)
        )
    _time_axis(draw, x_of, duration, band + 12, None, right - left)
    x = left
    present = [k for k in SOUND_COLOURS if any(p["kind"] == k for p in pieces)]
    for kind in present:
        draw.rectangle([x, height - 20, x + 12, height - 8], fill=SOUND_COLOURS[kind])
        draw.text((x + 16, height - 22), kind, fill=INK, font=font)
        x += 24 + int(draw.textlength(kind, font=font))
    _save(img, path)
    return path


def _label(img: Image.Image, text: str) -> Image.Image:
    draw = ImageDraw.Draw(img)
    font = _font(12)
    w = int(draw.textlength(text, font=font)) + 8
    draw.rectangle([0, 0, w, 16], fill=(0, 0, 0))
    draw.text((4, 1), text, fill=(255, 255, 255), font=font)
    return img


def heat(a: np.ndarray, b: np.ndarray, gain: float | None = None) -> tuple[np.ndarray, float]:
    """True |A - B| (largest over R, G, B) times `gain`, by default the gain that makes the 99.5th
    percentile white; returns (RGB, gain)."""
    diff = np.abs(a.astype(np.int16) - b.astype(np.int16)).max(axis=2).astype(np.float32)
    if gain is None:
        top = float(np.percentile(diff, 99.5)) if diff.size else 0.0
        gain = float(min(max(255.0 / max(top, 1.0), 1.0), 64.0))
    v = np.clip(diff * gain / 255.0, 0.0, 1.0)
    # black -> red -> yellow -> white
    rgb = np.stack([np.clip(v * 3, 0, 1), np.clip(v * 3 - 1, 0, 1), np.clip(v * 3 - 2, 0, 1)], axis=2)
    return (rgb * 255).astype(np.uint8), gain


def heatmap_picture(path: Path, a: np.ndarray, b: np.ndarray, caption: str) -> Path:
    rgb, gain = heat(a, b)
    img = _label(Image.fromarray(rgb), f"|A-B| x{gain:.1f}  {caption}")
    _save(img, path)
    return path


def wipe_picture(path: Path, a: np.ndarray, b: np.ndarray, caption: str) -> Path:
    """Left half A, right half B, split by a line: the grade or framing change in one glance."""
    h, w = a.shape[:2]
    out = b.copy()
    out[:, : w // 2] = a[:, : w // 2]
    img = Image.fromarray(out)
    draw = ImageDraw.Draw(img)
    draw.line([w // 2, 0, w // 2, h], fill=(255, 255, 255), width=2)
    _label(img, f"A | B  {caption}")
    _save(img, path)
    return path


def strip_picture(path: Path, rows: list[tuple[str, str, np.ndarray, np.ndarray]]) -> Path:
    """One row per pair: A, B and the heat map side by side, captioned."""
    h, w = rows[0][2].shape[:2]
    img = Image.new("RGB", (3 * w + 8, len(rows) * (h + 4)), BG)
    for i, (caption_a, caption_b, a, b) in enumerate(rows):
        y = i * (h + 4)
        rgb, gain = heat(a, b)
        img.paste(_label(Image.fromarray(a), f"A {caption_a}"), (0, y))
        img.paste(_label(Image.fromarray(b), f"B {caption_b}"), (w + 4, y))
        img.paste(_label(Image.fromarray(rgb), f"|A-B| x{gain:.1f}"), (2 * w + 8, y))
    _save(img, path)
    return path


BOX_COLOUR = (255, 220, 0)


def _fit_text(draw: ImageDraw.ImageDraw, text: str, width: float, font: Font) -> str:
    """`text` cut with an ellipsis so it fits in `width` pixels (labels never run off the edge)."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"


def changes_picture(path: Path, rows: list[tuple[str, str, str, np.ndarray, np.ndarray, list[list[float]]]]) -> Path:
    """One row per changed segment: A and B with the local boxes outlined, and why it changed under them."""
    h, w = rows[0][3].shape[:2]
    font = _font(12)
    text_h = 18
    img = Image.new("RGB", (2 * w + 4, len(rows) * (h + text_h + 6)), BG)
    draw = ImageDraw.Draw(img)
    for i, (caption_a, caption_b, why, a, b, boxes) in enumerate(rows):
        y = i * (h + text_h + 6)
        for x0, (caption, rgb) in ((0, (caption_a, a)), (w + 4, (caption_b, b))):
            panel = _label(Image.fromarray(rgb), caption)
            pd = ImageDraw.Draw(panel)
            for bx, by, bw, bh in boxes:
                pd.rectangle([bx, by, bx + bw - 1, by + bh - 1], outline=BOX_COLOUR, width=2)
            img.paste(panel, (x0, y))
        draw.text((4, y + h + 2), _fit_text(draw, why or "changed", 2 * w - 4, font), fill=INK, font=font)
    _save(img, path)
    return path


VIDEO_GAIN = 4.0  # one gain for the whole video, so the heat map does not flicker: 64 levels of difference is white


class PairVideo:
    """An H.264 MP4 of A | B | |A-B| x VIDEO_GAIN for the aligned pairs, each panel captioned.

    Where B shows material A does not have, A's panel says so and the heat map stays black.
    """

    def __init__(self, path: Path, fps: Fraction, height: int = 270, width: int | None = None) -> None:
        self.path = path
        self.height = height - height % 2
        self.width = width
        self._out = av.open(str(path), mode="w")
        self._stream: av.video.stream.VideoStream | None = None
        self._fps = fps

    def add(
        self, a: np.ndarray | None, b: np.ndarray, a_time: float | None = None, b_time: float | None = None
    ) -> None:
        b_caption = f"B {timecode(b_time)}" if b_time is not None else "B"
        if a is None:
            a_img = _label(Image.fromarray(np.zeros_like(b)), "A: nothing here (inserted in B)")
            heat_img = _label(Image.fromarray(np.zeros_like(b)), f"|A-B| x{VIDEO_GAIN:g}")
        else:
            rgb, _gain = heat(a, b, VIDEO_GAIN)
            a_img = _label(Image.fromarray(a), f"A {timecode(a_time)}" if a_time is not None else "A")
            heat_img = _label(Image.fromarray(rgb), f"|A-B| x{VIDEO_GAIN:g}")
        b_img = _label(Image.fromarray(b), b_caption)
        row = np.concatenate([np.asarray(a_img), np.asarray(b_img), np.asarray(heat_img)], axis=1)
        if self._stream is None:
            self._stream = self._out.add_stream("libx264", rate=self._fps)
            self._stream.width = row.shape[1] - row.shape[1] % 2
            self._stream.height = row.shape[0] - row.shape[0] % 2
            self._stream.pix_fmt = "yuv420p"
            self._stream.options = {"preset": "veryfast", "crf": "20"}
        row = np.ascontiguousarray(row[: self._stream.height, : self._stream.width])
        for packet in self._stream.encode(av.VideoFrame.from_ndarray(row, format="rgb24")):
            self._out.mux(packet)

    def close(self) -> None:
        if self._stream is not None:
            for packet in self._stream.encode():
                self._out.mux(packet)
        self._out.close()
