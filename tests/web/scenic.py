"""Real encoded clips that look like footage (sky, sun, hills), for screenshots people will read.

Same idea as tests.clips.make_clip (frames are a pure function of the parameters and
the index), but smooth pictures instead of noise, so a gallery or a wipe reads at a glance.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np


def scenic_frame(index: int, width: int, height: int, hue: float, sun_y: float, cut: int | None) -> np.ndarray:
    if cut is not None and index >= cut:
        hue, sun_y = (hue + 0.45) % 1.0, sun_y + 0.15
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    t = yy / height
    top = np.array([0.10 + 0.3 * hue, 0.18 + 0.2 * (1 - hue), 0.45 + 0.3 * hue])
    bottom = np.array([0.95, 0.55 + 0.25 * hue, 0.35 + 0.2 * (1 - hue)])
    img = (top[None, None, :] * (1 - t[..., None]) + bottom[None, None, :] * t[..., None]) * 255
    cx, cy, r = width * (0.25 + 0.012 * index), height * sun_y, height * 0.12
    sun = np.clip(1.2 - np.hypot(xx - cx, yy - cy) / r, 0, 1)[..., None]
    img = img * (1 - sun) + np.array([255, 236, 190])[None, None, :] * sun
    for depth, shade in ((0.62, 0.35), (0.74, 0.18)):
        ridge = height * (depth + 0.06 * np.sin(xx / width * 6.0 + depth * 9 + hue * 4 + index * 0.01 * depth))
        mask = (yy > ridge)[..., None]
        img = np.where(mask, img * shade, img)
    return np.clip(img, 0, 255).astype(np.uint8)


def scenic_clip(
    path: Path,
    *,
    hue: float,
    frames: int = 48,
    width: int = 320,
    height: int = 180,
    sun_y: float = 0.35,
    cut: int | None = None,
    fps: int = 24,
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), mode="w") as out:
        stream = out.add_stream("libx264", rate=Fraction(fps))
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"preset": "ultrafast", "crf": "20"}
        for i in range(frames):
            frame = av.VideoFrame.from_ndarray(scenic_frame(i, width, height, hue, sun_y, cut), format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path
