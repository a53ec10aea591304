"""Make real encoded test videos with PyAV, with known properties.

`make_clip` writes a file whose frames are a deterministic function of
(scene seed, frame index), so tests know exactly what is where: a cut at frame N
is `scenes=[(0, 1), (N, 2)]`, a colour shift on frames a..b is `shift=(a, b, delta)`.
An edit of such a clip is `order`: the source frame shown at each output frame, with
`None` for a frame of foreign material (an insert), so `order=(*range(10), *range(13, 48))`
is the clip with frames 10..12 cut out.
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
    audio: bool | str = False  # True: a 440 Hz tone; "speech": a noise with a syllable rhythm, which follows `order`
    audio_delay: float = 0.0  # seconds the sound comes later than the picture
    audio_drift: float = 1.0  # >1: the sound runs slow by this ratio (drifts later and later)
    audio_gain_db: float = 0.0
    audio_silent: tuple[float, float] | None = None  # output seconds [t0, t1) of silence
    audio_replace: tuple[float, float] | None = None  # output seconds [t0, t1) of other sound
    metadata: tuple[tuple[str, str], ...] = ()
    drop: tuple[int, int] | None = None  # frames [first, stop) left out: an edit that cuts them
    patch: tuple[int, int, tuple[int, int, int, int]] | None = None  # frames a..b get a red box (x, y, w, h)
    order: tuple[int | None, ...] | None = None  # source frame per output frame; None: foreign material


FOREIGN_SEED = 9999


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
    if spec.patch and spec.patch[0] <= index <= spec.patch[1]:
        x, y, w, h = spec.patch[2]
        img = img.copy()
        img[y : y + h, x : x + w] = (220, 30, 30)  # a sign replaced in the picture
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
        order = spec.order
        if order is None:
            order = tuple(i for i in range(spec.frames) if not (spec.drop and spec.drop[0] <= i < spec.drop[1]))
        for out_index, index in enumerate(order):
            if index is None:
                img = scene_frame(FOREIGN_SEED, out_index, spec.width, spec.height)
            else:
                img = frame_rgb(spec, index)
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
        if audio_stream is not None:
            samples = int(48000 * len(order) / spec.fps)
            if spec.audio == "speech":
                tone = _speech_track(spec, order, samples)
            else:
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


def speech(seed: int, samples: int, rate: int = 48000) -> np.ndarray:
    """Deterministic noise shaped like speech: band-limited, in bursts of about 3 syllables a second."""
    rng = np.random.default_rng(seed)
    noise = rng.normal(size=samples + 64).astype(np.float32)
    smooth = np.convolve(noise, np.ones(6) / 6, mode="same")[:samples]  # keep below ~8 kHz
    t = np.arange(samples) / rate
    bursts = rng.uniform(0.05, 1.0, size=int(t[-1] * 3) + 3) if samples else np.ones(3)
    envelope = np.interp(t * 3, np.arange(len(bursts)), bursts)  # syllables of random strength
    return (0.25 * smooth * envelope).astype(np.float32)


def _speech_track(spec: ClipSpec, order: tuple[int | None, ...], samples: int) -> np.ndarray:
    """The sound of an edited clip: each output frame carries the sound of the source frame it shows."""
    per_frame = 48000 / spec.fps
    source = speech(7, int(per_frame * (max((i for i in order if i is not None), default=0) + 2)))
    foreign = speech(8, samples + int(per_frame) + 1)
    out = np.zeros(samples, dtype=np.float32)
    for k, index in enumerate(order):
        lo, hi = int(k * per_frame), min(samples, int((k + 1) * per_frame))
        if index is None:
            out[lo:hi] = foreign[lo:hi]
        else:
            s0 = int(index * per_frame)
            out[lo:hi] = source[s0 : s0 + hi - lo]
    if spec.audio_drift != 1.0:
        out = out[np.minimum((np.arange(samples) / spec.audio_drift).astype(int), samples - 1)]
    if spec.audio_delay:
        shift = round(spec.audio_delay * 48000)
        out = np.concatenate([np.zeros(shift, dtype=np.float32), out])[:samples]
    out *= np.float32(10 ** (spec.audio_gain_db / 20))
    if spec.audio_silent:
        out[int(spec.audio_silent[0] * 48000) : int(spec.audio_silent[1] * 48000)] = 0.0
    if spec.audio_replace:
        lo, hi = int(spec.audio_replace[0] * 48000), int(spec.audio_replace[1] * 48000)
        out[lo:hi] = speech(9, hi - lo)
    return out


def truncate(src: Path, dest: Path, fraction: float = 0.5) -> Path:
    """Copy the first `fraction` of a file's bytes: an MP4 'cut in half'."""
    data_len = src.stat().st_size
    with src.open("rb") as fin, dest.open("wb") as fout:
        fout.write(fin.read(int(data_len * fraction)))
    return dest
