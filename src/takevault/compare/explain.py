"""Why a `changed` segment changed, in a fixed vocabulary with numbers.

A few matched pairs of the segment are looked at as RGB pictures at working size (A's
aspect, at most a few hundred pixels wide), and the difference is taken apart in order:

1. `reframe`: scale and translation of B against A, found by phase correlation (numpy FFT)
   over a range of scales; "pushed in 8 %, 12 px left" in A's pixels.
2. `colour`: after the reframe, a per-channel gain and offset that maps A onto B; said as
   exposure in stops, contrast and white balance ("+0.4 stop, warmer").
3. `local`: what is still different after both, as boxes in A's pixels, when it covers part
   of the picture rather than all of it.
4. `quality`: none of the above, but detail or noise differs (a re-encode, a denoise, a blur).
5. `resolution`: the sides differ in size and the comparison scaled one to the other.

Each cause is {"cause", "text", ...numbers}; `explain_pairs` returns them for one segment.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

SCALES = np.round(np.arange(0.80, 1.2501, 0.01), 2)  # B's size against A's: 1.08 = pushed in 8 %
MIN_SCALE = 0.02  # less than 2 % is not a reframe
MIN_SHIFT = 2.0  # A pixels of translation below which there is none
SHARP_PEAK = 0.4  # a phase-correlation peak this high at scale 1: no reframe to search for (a 3 % push peaks below 0.3)
PEAK_GAIN = 1.15  # a reframe must correlate this much better than no reframe
STOP_MIN = 0.1  # stops of exposure change worth saying
CONTRAST_MIN = 0.05  # relative contrast change worth saying
WARM_MIN = 3.0  # levels of red-minus-blue shift worth saying
BLOCK = 8  # working-size pixels per cell of the local difference map
LOCAL_LEVEL = 16.0  # difference of a cell's mean level (0-255) that is a local change
LOCAL_SHARE = 0.5  # above this share of the picture a change is not local
MAX_BOXES = 4
FIT_PIXELS = 20_000  # pixels the grade is fitted on (evenly spread)


def _luma(rgb: np.ndarray) -> np.ndarray:
    x = rgb.astype(np.float32)
    return 0.2126 * x[..., 0] + 0.7152 * x[..., 1] + 0.0722 * x[..., 2]


def _zoom(img: np.ndarray, scale: float, shift: tuple[float, float] = (0.0, 0.0)) -> np.ndarray:
    """`img` scaled by `scale` about its centre and moved by shift (dx, dy), same size (edges held)."""
    h, w = img.shape[:2]
    ys = (np.arange(h) - (h - 1) / 2 - shift[1]) / scale + (h - 1) / 2
    xs = (np.arange(w) - (w - 1) / 2 - shift[0]) / scale + (w - 1) / 2
    yi = np.clip(np.round(ys).astype(int), 0, h - 1)
    xi = np.clip(np.round(xs).astype(int), 0, w - 1)
    return img[yi][:, xi]


def _window(h: int, w: int) -> np.ndarray:
    return np.outer(np.hanning(h), np.hanning(w)).astype(np.float32)


def _phase(a: np.ndarray, b: np.ndarray, win: np.ndarray) -> tuple[float, float, float]:
    """Translation (dx, dy) that moves a onto b, and the correlation peak's height."""
    fa = np.fft.rfft2((a - a.mean()) * win)
    fb = np.fft.rfft2((b - b.mean()) * win)
    cross = fb * np.conj(fa)
    cross /= np.maximum(np.abs(cross), 1e-6)
    corr = np.fft.irfft2(cross, s=a.shape)
    k = int(np.argmax(corr))
    dy, dx = divmod(k, a.shape[1])
    peak = float(corr.flat[k])
    if dy > a.shape[0] // 2:
        dy -= a.shape[0]
    if dx > a.shape[1] // 2:
        dx -= a.shape[1]
    return float(dx), float(dy), peak


def _half(y: np.ndarray) -> np.ndarray:
    h, w = (y.shape[0] // 2) * 2, (y.shape[1] // 2) * 2
    return y[:h, :w].reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3))


def _search(ya: np.ndarray, yb: np.ndarray, scales: np.ndarray) -> tuple[float, float, float, float]:
    """(peak, scale, dx, dy) of the best of `scales`."""
    win = _window(*ya.shape)
    best = (-1.0, 1.0, 0.0, 0.0)
    for s in scales:
        dx, dy, peak = _phase(_zoom(ya, float(s)) if abs(s - 1.0) > 1e-9 else ya, yb, win)
        if peak > best[0]:
            best = (peak, float(s), dx, dy)
    return best


def find_reframe(a_rgb: np.ndarray, b_rgb: np.ndarray) -> tuple[float, float, float]:
    """(scale, dx, dy) in working pixels that best maps A's picture onto B's; (1, 0, 0) if none.

    A sharp correlation peak at no scale (a grade, a replaced sign, a plain move) needs no search;
    otherwise scales are tried coarsely at half size, then to 1 % around the best at full size.
    """
    ya, yb = _luma(a_rgb), _luma(b_rgb)
    win = _window(*ya.shape)
    dx0, dy0, base = _phase(ya, yb, win)
    if base >= SHARP_PEAK:
        return 1.0, dx0, dy0
    coarse = _search(_half(ya), _half(yb), SCALES[::2])[1]
    fine = SCALES[np.abs(SCALES - coarse) <= 0.0151]
    peak, scale, dx, dy = _search(ya, yb, fine)
    if scale == 1.0 or peak < base * PEAK_GAIN:
        return 1.0, dx0, dy0
    return scale, dx, dy


def _terms(x: np.ndarray) -> np.ndarray:
    """Per pixel: R, G, B, their squares and 1: a grade model with cross-channel mixing
    (saturation, white balance) and a curve per channel (gamma, lift, gain)."""
    x = x.reshape(-1, 3).astype(np.float32) / 255.0
    return np.concatenate([x, x * x, np.ones((len(x), 1), dtype=np.float32)], axis=1)


def _fit_colour(a: np.ndarray, b: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The grade that maps A's pixels onto B's over the masked pixels, as a 7x3 matrix on `_terms`."""
    idx = np.flatnonzero(mask.ravel())
    if len(idx) > FIT_PIXELS:
        idx = idx[:: len(idx) // FIT_PIXELS]
    if len(idx) < 16:
        return np.vstack([np.eye(3), np.zeros((4, 3))]).astype(np.float32)
    x = _terms(a.reshape(-1, 3)[idx])
    y = b.reshape(-1, 3)[idx].astype(np.float32) / 255.0
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    return coef.astype(np.float32)


def _apply_colour(a: np.ndarray, coef: np.ndarray) -> np.ndarray:
    return np.clip(_terms(a) @ coef * 255.0, 0, 255).reshape(a.shape)


def _cells(x: np.ndarray) -> np.ndarray:
    """Mean of each BLOCK x BLOCK cell, per channel."""
    h, w = x.shape[:2]
    gh, gw = h // BLOCK, w // BLOCK
    return x[: gh * BLOCK, : gw * BLOCK].reshape(gh, BLOCK, gw, BLOCK, -1).mean(axis=(1, 3))


def _cell_diff(a: np.ndarray, b: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Largest per-channel difference of the cells' means: a blur, noise or compression keeps a
    cell's mean, a replaced object does not."""
    d = np.abs(_cells(a) - _cells(b.astype(np.float32))).max(axis=-1)
    inside = _cells(mask[..., None].astype(np.float32))[..., 0] > 0.99
    return np.where(inside, d, 0.0)


def _hot_pixels(cells: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Pixels in the cells whose mean difference marks a local change."""
    out = np.zeros(shape[:2], dtype=bool)
    gh, gw = cells.shape
    out[: gh * BLOCK, : gw * BLOCK] = np.kron(cells > LOCAL_LEVEL, np.ones((BLOCK, BLOCK), dtype=bool))
    return out


def _boxes(cells: np.ndarray, to_a: float) -> tuple[list[list[int]], float]:
    """Boxes [x, y, w, h] in A's pixels around the cells that differ, and the share of cells that do."""
    gh, gw = cells.shape
    if gh == 0 or gw == 0:
        return [], 0.0
    hot = cells > LOCAL_LEVEL
    share = float(hot.mean())
    # Connected groups of hot cells (4-neighbours), largest first.
    seen = np.zeros_like(hot)
    groups = []
    for y0, x0 in zip(*np.nonzero(hot), strict=False):
        if seen[y0, x0]:
            continue
        stack, ys, xs = [(y0, x0)], [], []
        seen[y0, x0] = True
        while stack:
            y, x = stack.pop()
            ys.append(y)
            xs.append(x)
            for ny, nx in ((y + 1, x), (y - 1, x), (y, x + 1), (y, x - 1)):
                if 0 <= ny < gh and 0 <= nx < gw and hot[ny, nx] and not seen[ny, nx]:
                    seen[ny, nx] = True
                    stack.append((ny, nx))
        groups.append((len(ys), min(xs), min(ys), max(xs), max(ys)))
    groups.sort(reverse=True)
    boxes = []
    for _, x0, y0, x1, y1 in groups[:MAX_BOXES]:
        boxes.append(
            [
                round(x0 * BLOCK * to_a),
                round(y0 * BLOCK * to_a),
                round((x1 - x0 + 1) * BLOCK * to_a),
                round((y1 - y0 + 1) * BLOCK * to_a),
            ]
        )
    return boxes, share


def _sharpness(y: np.ndarray) -> float:
    lap = 4 * y[1:-1, 1:-1] - y[:-2, 1:-1] - y[2:, 1:-1] - y[1:-1, :-2] - y[1:-1, 2:]
    return float(np.abs(lap).mean())


def explain_pair(a_rgb: np.ndarray, b_rgb: np.ndarray, a_width: int) -> dict[str, Any]:
    """Raw measurements for one pair at working size; `a_width` is A's real width in pixels."""
    to_a = a_width / a_rgb.shape[1]
    scale, dx, dy = find_reframe(a_rgb, b_rgb)
    a_fit = _zoom(a_rgb, scale, (dx, dy)) if (scale != 1.0 or dx or dy) else a_rgb
    h, w = a_rgb.shape[:2]
    # Pixels whose source lies inside A after the reframe (no held edges) carry the colour fit.
    m = np.zeros((h, w), dtype=bool)
    my, mx = int(h * 0.1) + abs(int(dy)), int(w * 0.1) + abs(int(dx))
    m[my : h - my, mx : w - mx] = True
    keep = m
    for _ in range(2):
        # Twice: the second fit leaves out what the first found changed locally (a replaced sign
        # must not read as a grade).
        a_graded = _apply_colour(a_fit, _fit_colour(a_fit, b_rgb, keep))
        cells = _cell_diff(a_graded, b_rgb, m)
        hot = _hot_pixels(cells, a_rgb.shape)
        keep = m & ~hot if (m & ~hot).sum() > 0.3 * m.sum() else m
    boxes, share = _boxes(cells, to_a)
    ya, yb = _luma(a_fit)[keep], _luma(b_rgb)[keep]
    af, bf = a_fit.astype(np.float32)[keep], b_rgb.astype(np.float32)[keep]
    return {
        "scale": scale,
        "dx": dx * to_a,
        "dy": dy * to_a,
        "luma_a": float(ya.mean()),
        "luma_b": float(yb.mean()),
        "std_a": float(ya.std()),
        "std_b": float(yb.std()),
        "warm": float((bf[:, 0] - bf[:, 2]).mean() - (af[:, 0] - af[:, 2]).mean()),
        "boxes": boxes,
        "local_share": share,
        "residual": float(cells.mean()) if cells.size else 0.0,
        "sharp_a": _sharpness(_luma(a_rgb)),
        "sharp_b": _sharpness(_luma(b_rgb)),
    }


def _stops(luma_a: float, luma_b: float) -> float:
    # Video levels are gamma-encoded (about 2.2): a stop doubles linear light.
    la = max(luma_a, 1.0) / 255.0
    lb = max(luma_b, 1.0) / 255.0
    return 2.2 * math.log2(lb / la)


def causes(pairs: list[dict[str, Any]], resolution: str | None = None) -> list[dict[str, Any]]:
    """The causes of one changed segment from its pairs' measurements.

    Pairs carry the B shot they are in (`shot`); a segment can run over shots changed in
    different ways (a regraded shot, then one with a replaced sign), so each shot's pairs are
    read on their own (medians over them) and every cause found in any shot is kept, with the
    numbers of the shot that showed it most. `quality` is said only when nothing else is.
    """
    if not pairs:
        return []
    groups: dict[Any, list[dict[str, Any]]] = {}
    for p in pairs:
        groups.setdefault(p.get("shot"), []).append(p)
    found: dict[str, tuple[int, dict[str, Any]]] = {}
    for group in groups.values():
        for cause in _group_causes(group):
            kind = cause["cause"]
            if kind not in found or len(group) > found[kind][0]:
                found[kind] = (len(group), cause)
    order = ("reframe", "colour", "local", "quality")
    out = [found[k][1] for k in order if k in found]
    if len(out) > 1:
        out = [c for c in out if c["cause"] != "quality"]
    if resolution:
        out.append({"cause": "resolution", "text": resolution})
    return out


def _group_causes(pairs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Causes from pairs of one shot (medians over them); `quality` when there is nothing else."""

    def med(key: str) -> float:
        return float(np.median([p[key] for p in pairs]))

    out: list[dict[str, Any]] = []
    scale, dx, dy = med("scale"), med("dx"), med("dy")
    if abs(scale - 1.0) >= MIN_SCALE or abs(dx) >= MIN_SHIFT or abs(dy) >= MIN_SHIFT:
        parts = []
        if abs(scale - 1.0) >= MIN_SCALE:
            pct = round(abs(scale - 1.0) * 100)
            parts.append(f"pushed in {pct} %" if scale > 1 else f"pulled out {pct} %")
        if abs(dx) >= MIN_SHIFT:
            parts.append(f"{round(abs(dx))} px {'right' if dx > 0 else 'left'}")
        if abs(dy) >= MIN_SHIFT:
            parts.append(f"{round(abs(dy))} px {'down' if dy > 0 else 'up'}")
        out.append(
            {"cause": "reframe", "text": ", ".join(parts), "scale": round(scale, 2), "dx": round(dx), "dy": round(dy)}
        )
    stops = _stops(med("luma_a"), med("luma_b"))
    contrast = med("std_b") / max(med("std_a"), 1e-3) - 1.0
    warm = med("warm")
    parts = []
    if abs(stops) >= STOP_MIN:
        parts.append(f"{stops:+.1f} stop")
    if abs(contrast) >= CONTRAST_MIN:
        parts.append(f"contrast {contrast * 100:+.0f} %")
    if abs(warm) >= WARM_MIN:
        parts.append("warmer" if warm > 0 else "cooler")
    if parts:
        out.append(
            {
                "cause": "colour",
                "text": ", ".join(parts),
                "stops": round(stops, 2),
                "contrast": round(contrast, 3),
                "warmth": round(warm, 1),
            }
        )
    # Local boxes from the pair with the most of them that is still local.
    local = [p for p in pairs if p["boxes"] and p["local_share"] <= LOCAL_SHARE]
    if local and len(local) * 2 >= len(pairs):
        best = max(local, key=lambda p: p["residual"])
        n = len(best["boxes"])
        where = ", ".join(f"{w}x{h} at {x},{y}" for x, y, w, h in best["boxes"])
        out.append(
            {
                "cause": "local",
                "text": f"{n} region{'s' if n > 1 else ''} changed ({where})",
                "boxes": best["boxes"],
                "share": round(best["local_share"], 3),
            }
        )
    if not out:
        sa, sb = med("sharp_a"), med("sharp_b")
        change = sb / max(sa, 1e-3) - 1.0
        word = "sharper or noisier" if change > 0 else "softer"
        out.append(
            {
                "cause": "quality",
                "text": f"compression or noise only: {word} ({change * 100:+.0f} % detail)",
                "detail": round(change, 3),
            }
        )
    return out
