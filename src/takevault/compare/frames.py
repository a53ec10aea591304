"""Decoding for comparison: frames with their times, tolerant of a stream that breaks half-way.

A damaged file is read up to where it breaks; `DecodeStatus` says how far that
was and why, so a comparison can still report on what was readable.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av

from takevault.errors import MediaError


@dataclass
class DecodeStatus:
    """How a decode went: frames read, the last readable time, and the error that stopped it."""

    frames: int = 0
    last_time: float | None = None
    error: str | None = None

    def to_json(self) -> dict[str, object]:
        return {"frames": self.frames, "last_time": self.last_time, "error": self.error}


def open_video(path: Path) -> tuple[av.container.InputContainer, av.video.stream.VideoStream]:
    """Open `path` for decoding its first video stream with frame threading."""
    try:
        container = av.open(str(path), mode="r")
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise MediaError(
            f"{path.name} is not a video PyAV can open ({str(exc).split(':')[0] or type(exc).__name__}); "
            "give an MP4, MOV, MKV, WebM or other video file."
        ) from None
    if not container.streams.video:
        container.close()
        raise MediaError(f"{path.name} has no video stream; give a video file.")
    stream = container.streams.video[0]
    stream.thread_type = "AUTO"
    return container, stream


def frame_time(frame: av.VideoFrame, stream: av.video.stream.VideoStream, index: int, start: float) -> float:
    """Presentation time in seconds from the stream start; falls back to index / rate without pts."""
    tb = frame.time_base
    if frame.pts is not None and tb is not None:
        # Integer true division rounds once, exactly as float(pts * time_base) does, without
        # building Fractions for every frame.
        return frame.pts * tb.numerator / tb.denominator - start
    rate = stream.average_rate or stream.guessed_rate or Fraction(25)
    return index / float(rate)


def stream_start(stream: av.video.stream.VideoStream) -> float:
    if stream.start_time is not None and stream.time_base is not None:
        return float(stream.start_time * stream.time_base)
    return 0.0


def iter_frames(path: Path, status: DecodeStatus | None = None) -> Generator[tuple[float, av.VideoFrame], None, None]:
    """Yield (seconds, frame) for every decodable frame of the first video stream.

    A decoding error ends the iteration instead of raising; `status` records where.
    """
    status = status if status is not None else DecodeStatus()
    container, stream = open_video(path)
    with container:
        start = stream_start(stream)
        decoder = container.decode(stream)
        while True:
            try:
                frame = next(decoder)
            except StopIteration:
                break
            except (av.error.FFmpegError, ValueError) as exc:
                status.error = str(exc) or type(exc).__name__
                break
            t = frame_time(frame, stream, status.frames, start)
            status.frames += 1
            status.last_time = t
            yield t, frame


def iter_frames_from(
    path: Path, start_time: float, margin: float = 0.25
) -> Generator[tuple[float, av.VideoFrame], None, None]:
    """Frames from `start_time` on: seek to the keyframe at or before `start_time - margin`, then decode
    forward. A caller that knows `start_time` is a key frame's passes a margin under one frame, so the
    seek lands on it instead of on the key frame before (a whole group of pictures earlier)."""
    container, stream = open_video(path)
    with container:
        start = stream_start(stream)
        if start_time > min(0.5, margin + 1e-3) and stream.time_base is not None:
            target = int((start_time + start - margin) / stream.time_base)
            try:
                container.seek(target, stream=stream, backward=True, any_frame=False)
            except av.error.FFmpegError:
                container.seek(0, stream=stream)
        index = 0
        try:
            for frame in container.decode(stream):
                yield frame_time(frame, stream, index, start), frame
                index += 1
        except (av.error.FFmpegError, ValueError):
            return
