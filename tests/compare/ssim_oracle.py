"""FFmpeg's SSIM and PSNR re-implemented in NumPy, as a test oracle for the filter-graph values.

SSIM follows libavfilter/vf_ssim.c: sums over 4x4 blocks, SSIM of every 8x8
window on a 4-pixel grid (four neighbouring blocks), averaged over
(w/4 - 1) x (h/4 - 1) windows; 8-bit constants. About 7x slower than the filter,
which is why it is only a test.
"""

from __future__ import annotations

import numpy as np

C1 = float(int(0.01 * 0.01 * 255 * 255 * 64 + 0.5))
C2 = float(int(0.03 * 0.03 * 255 * 255 * 64 * 63 + 0.5))


def ssim_plane(a: np.ndarray, b: np.ndarray) -> float:
    h4, w4 = a.shape[0] // 4, a.shape[1] // 4
    a = a[: h4 * 4, : w4 * 4].astype(np.int64)
    b = b[: h4 * 4, : w4 * 4].astype(np.int64)

    def blocks(x: np.ndarray) -> np.ndarray:
        return x.reshape(h4, 4, w4, 4).sum(axis=(1, 3))

    s1, s2 = blocks(a), blocks(b)
    ss = blocks(a * a + b * b)
    s12 = blocks(a * b)

    def win(x: np.ndarray) -> np.ndarray:
        return (x[:-1, :-1] + x[1:, :-1] + x[:-1, 1:] + x[1:, 1:]).astype(np.float64)

    fs1, fs2, fss, fs12 = win(s1), win(s2), win(ss), win(s12)
    vars_ = fss * 64 - fs1 * fs1 - fs2 * fs2
    covar = fs12 * 64 - fs1 * fs2
    ssim = (2 * fs1 * fs2 + C1) * (2 * covar + C2) / ((fs1 * fs1 + fs2 * fs2 + C1) * (vars_ + C2))
    return float(ssim.sum() / ((h4 - 1) * (w4 - 1)))


def mse_plane(a: np.ndarray, b: np.ndarray) -> float:
    d = a.astype(np.float64) - b.astype(np.float64)
    return float((d * d).mean())


def planes(frame) -> list[np.ndarray]:
    """The raw Y, U, V planes of a decoded frame (not `to_ndarray("gray")`, which stretches limited range)."""
    out = []
    for plane in frame.planes:
        raw = np.frombuffer(plane, dtype=np.uint8).reshape(plane.height, plane.line_size)
        out.append(raw[:, : plane.width])
    return out
