"""Make real encoded test videos with PyAV, with known properties.

`make_clip` writes a file whose frames are a deterministic function of
(scene seed, frame index), so tests know exactly what is where: a cut at frame N
is `scenes=[(0, 1), (N, 2)]`, a colour shift on frames a..b is `shift=(a, b, delta)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

CODEC_FOR_SUFFIX = {
    ".mp4": "libx264",
    ".mov": "libx264",
    ".mkv": "libx264",
    ".webm": "libvpx-vp9",
    ".avi": "mpeg4",
    ".gif": "gif",
}


@dataclass(frozen=True)
class ClipSpec:
    width: int = 64
    height: int = 48
    fps: Fraction = Fraction(24)
    frames: int = 24
    codec: str | None = None
    pix_fmt: str = "yuv420p"
    scenes: tuple[tuple[int, int], ...] = ((0, 1),)
    shift: tuple[int, int, int] | None = None
    audio: bool = False
    metadata: tuple[tuple[str, str], ...] = ()
    drop: tuple[int, int] | None = None  # frames [first, stop) left out: an edit that cuts them


def scene_frame(seed: int, index: int, width: int, height: int) -> np.ndarray:
    """An RGB frame: a scene-specific textured pattern drifting slowly with the index."""
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 256, size=(height // 8 + 1, width // 8 + 1, 3), dtype=np.uint8)
    tile = np.kron(base, np.ones((8, 8, 1), dtype=np.uint8))[:height, :width]
    shift = (index * 2) % width
    frame = np.roll(tile, shift, axis=1).astype(np.int16)
    yy, xx = np.mgrid[0:height, 0:width]
    frame[..., 0] += ((xx + index) % 32).astype(np.int16)
    frame[..., 2] += ((yy + 2 * index) % 32).astype(np.int16)
    return np.clip(frame, 0, 255).astype(np.uint8)


def frame_rgb(spec: ClipSpec, index: int) -> np.ndarray:
    seed = spec.scenes[0][1]
    start = 0
    for scene_start, scene_seed in spec.scenes:
        if index >= scene_start:
            seed, start = scene_seed, scene_start
    img = scene_frame(seed, index - start, spec.width, spec.height)
    if spec.shift and spec.shift[0] <= index <= spec.shift[1]:
        img = np.clip(img.astype(np.int16) + spec.shift[2], 0, 255).astype(np.uint8)
    return img


def make_clip(path: Path | str, spec: ClipSpec | None = None, **overrides: object) -> Path:
    """Encode a clip to `path` (container from its suffix) and return the path."""
    spec = spec or ClipSpec()
    if overrides:
        spec = ClipSpec(**{**spec.__dict__, **overrides})
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    codec = spec.codec or CODEC_FOR_SUFFIX.get(path.suffix.lower(), "libx264")
    options = {"movflags": "use_metadata_tags"} if path.suffix.lower() in (".mp4", ".mov") else {}
    with av.open(str(path), mode="w", options=options) as out:
        for key, value in spec.metadata:
            out.metadata[key] = value
        stream = out.add_stream(codec, rate=spec.fps)
        stream.width = spec.width
        stream.height = spec.height
        stream.pix_fmt = "rgb8" if codec == "gif" else spec.pix_fmt
        if codec == "libx264":
            stream.options = {"preset": "ultrafast", "crf": "18"}
        audio_stream = None
        if spec.audio:
            audio_stream = out.add_stream("aac", rate=48000)
            audio_stream.layout = "stereo"
        for index in range(spec.frames):
            if spec.drop and spec.drop[0] <= index < spec.drop[1]:
                continue
            frame = av.VideoFrame.from_ndarray(frame_rgb(spec, index), format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
        if audio_stream is not None:
            samples = int(48000 * spec.frames / spec.fps)
            t = np.arange(samples) / 48000
            tone = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
            chunk = 1024
            for start in range(0, samples, chunk):
                block = np.stack([tone[start : start + chunk]] * 2)
                aframe = av.AudioFrame.from_ndarray(np.ascontiguousarray(block), format="fltp", layout="stereo")
                aframe.sample_rate = 48000
                for packet in audio_stream.encode(aframe):
                    out.mux(packet)
            for packet in audio_stream.encode():
                out.mux(packet)
    return path


def truncate(src: Path, dest: Path, fraction: float = 0.5) -> Path:
    """Copy the first `fraction` of a file's bytes: an MP4 'cut in half'."""
    data_len = src.stat().st_size
    with src.open("rb") as fin, dest.open("wb") as fout:
        fout.write(fin.read(int(data_len * fraction)))
    return dest
