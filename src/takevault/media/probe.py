"""What a video file is: container, codec, size, exact frame rate, frames, duration, audio.

Wraps PyAV errors into `MediaError` sentences that say which formats we take.
"""

from __future__ import annotations

import re
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import av

from takevault.errors import MediaError
from takevault.media.formats import KNOWN_FORMATS, SUPPORTED, VIDEO_SUFFIXES
from takevault.models import AudioStreamInfo, MediaInfo

MAX_FRAME_PIXELS = 8192 * 4608
"""Largest picture (width x height) of a take: 8K DCI and UHD fit; one decoded frame of it stays near 200 MB.
Checked from the stream header before any frame is decoded, so a 16000x16000 'bomb' costs nothing."""


def _not_a_video(path: Path, why: str) -> MediaError:
    return MediaError(f"{path.name} is not a video PyAV can decode ({why}); supported: {SUPPORTED}.")


def _count_frames(container: av.container.InputContainer, stream: av.video.stream.VideoStream) -> tuple[int, float]:
    """Decode-free look at every packet: the video stream's packet count, and the end time
    in seconds of the last packet of any stream (what is really in the file)."""
    frames = 0
    end = 0.0
    for packet in container.demux():
        if packet.size == 0:
            continue
        if packet.stream.index == stream.index:
            frames += 1
        tb = packet.time_base or packet.stream.time_base
        if packet.pts is not None and tb is not None:
            end = max(end, float((packet.pts + (packet.duration or 0)) * tb))
    return frames, end


def probe(path: Path | str) -> MediaInfo:
    """Describe a video file; raise MediaError if it has no decodable video stream."""
    path = Path(path)
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in path.name):
        raise MediaError(
            f"The file name {path.name!r} holds control characters (such as a line break); rename the file first."
        )
    if not path.exists():
        raise MediaError(f"{path} does not exist; check the path.")
    if path.is_dir():
        raise MediaError(f"{path} is a folder, not a video file; give a file (or use 'takevault import' for folders).")
    if path.stat().st_size == 0:
        raise _not_a_video(path, "the file is empty")
    try:
        container = av.open(str(path), mode="r")
    except PermissionError:
        raise MediaError(f"{path} cannot be read (permission denied); check its permissions.") from None
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise _not_a_video(path, _ffmpeg_reason(exc)) from None
    with container:
        if not container.streams.video:
            raise _not_a_video(path, "it has no video stream")
        if _is_still_image(container.format.name):
            raise MediaError(
                f"{path.name} is a still image, not a video; give a video file, or attach the image to a take "
                "as its workflow PNG with --workflow-png."
            )
        if not set(container.format.name.split(",")) & KNOWN_FORMATS:
            raise _not_a_video(path, f"FFmpeg reads it as {container.format.name!r}, not a video format we take")
        stream = container.streams.video[0]
        ctx = stream.codec_context
        if not ctx.width or not ctx.height:
            raise _not_a_video(path, "its video stream has no picture size")
        if ctx.width * ctx.height > MAX_FRAME_PIXELS:
            raise MediaError(
                f"{path.name} has {ctx.width}x{ctx.height} pictures, more than the {MAX_FRAME_PIXELS:,} pixels "
                "a take may have (8192x4608); scale it down before adding it."
            )
        header = header_info(container, path)
        duration = header.duration
        frames = header.frames
        try:
            counted, end = _count_frames(container, stream)
        except av.error.FFmpegError as exc:
            raise _not_a_video(path, f"the stream is damaged: {exc}") from None
        if not frames:
            frames = counted
        if not duration and end:
            duration = end
        if frames == 0:
            raise _not_a_video(path, "its video stream has no frames")
        # A container that claims more frames, or a longer duration, than it holds is cut short
        # (MP4 declares a frame count; Matroska/WebM only a duration, written when the render finished).
        if stream.frames and counted and counted < stream.frames * 0.98:
            raise _not_a_video(path, f"it is truncated: {counted} of {stream.frames} frames are present")
        declared = container.duration / av.time_base if container.duration else 0.0
        start = container.start_time / av.time_base if container.start_time else 0.0
        if declared and end and (end - start) < declared * 0.9 and declared - (end - start) > 0.25:
            raise _not_a_video(
                path, f"it is truncated: only {end - start:.2f} s of its declared {declared:.2f} s are present"
            )
        try:
            _decode_first_frame(path)
        except av.error.FFmpegError as exc:
            raise _not_a_video(path, f"its first frame does not decode: {exc}") from None
        return replace(header, frames=frames, duration=round(duration, 6))


def key_suffix(path: Path, media: MediaInfo) -> str:
    """The suffix a take's store key gets: the file's own when it names a video format, else the
    probed container's (a video named `x.html` is stored as `.mov`, never as a page)."""
    suffix = path.suffix.lower()
    if suffix in VIDEO_SUFFIXES:
        return suffix
    return "." + (media.container or "bin").replace(",", "_")


def header_info(container: av.container.InputContainer, path: Path) -> MediaInfo:
    """What the headers of an opened file say about its first video stream, checking nothing.

    `probe` builds on it and validates; the technical diff uses it alone to describe a
    damaged file that still opens.
    """
    stream = container.streams.video[0]
    ctx = stream.codec_context
    fps = stream.average_rate or stream.guessed_rate or stream.base_rate
    duration = 0.0
    if stream.duration is not None and stream.time_base is not None:
        duration = float(stream.duration * stream.time_base)
    elif container.duration is not None:
        duration = container.duration / av.time_base
    sar = ctx.sample_aspect_ratio
    return MediaInfo(
        container=_container_name(container, path),
        codec=ctx.name,
        width=ctx.width,
        height=ctx.height,
        fps=Fraction(fps) if fps else None,
        frames=stream.frames or 0,
        duration=round(duration, 6),
        bit_rate=container.bit_rate or ctx.bit_rate or None,
        pix_fmt=ctx.pix_fmt,
        profile=ctx.profile,
        sample_aspect_ratio=Fraction(sar) if sar else None,
        color_range=_enum_name(getattr(ctx, "color_range", None), _RANGES),
        color_space=_enum_name(getattr(ctx, "colorspace", None), _SPACES),
        color_primaries=_enum_name(getattr(ctx, "color_primaries", None), _PRIMARIES),
        color_trc=_enum_name(getattr(ctx, "color_trc", None), _TRCS),
        audio=tuple(
            AudioStreamInfo(
                codec=a.codec_context.name,
                channels=a.codec_context.channels,
                layout=getattr(a.codec_context.layout, "name", None),
                sample_rate=a.codec_context.sample_rate or 0,
            )
            for a in container.streams.audio
        ),
        tags={str(k): str(v) for k, v in (container.metadata or {}).items()},
        start_timecode=start_timecode(container),
    )


_SMPTE = re.compile(r"^\d{2}:\d{2}:\d{2}[:;.]\d{2,3}$")


def start_timecode(container: av.container.InputContainer) -> str | None:
    """The `timecode` tag of the video stream, else of the container, else of a timecode (tmcd) track,
    as written by `ffmpeg -timecode 01:00:00:00`; None when there is none (or it is not SMPTE)."""
    sources = [container.streams.video[0].metadata, container.metadata]
    sources += [s.metadata for s in container.streams if s.type == "data"]
    for tags in sources:
        for key, value in (tags or {}).items():
            if str(key).lower() == "timecode" and _SMPTE.match(str(value).strip()):
                return str(value).strip()
    return None


def _decode_first_frame(path: Path) -> None:
    with av.open(str(path)) as container:
        for _frame in container.decode(video=0):
            return
    raise av.error.InvalidDataError(0, "no frame decoded")


def _container_name(container: av.container.InputContainer, path: Path) -> str:
    names = container.format.name.split(",")
    ext = path.suffix.lower().lstrip(".")
    if ext in names:
        return ext
    if "mp4" in names and ext in ("m4v", "mov"):
        return "mov" if ext == "mov" else "mp4"
    if "matroska" in names:
        return "webm" if ext == "webm" else "mkv"
    return names[0]


# FFmpeg's own names for its colour enums (libavutil/pixdesc.c), as PyAV hands back plain ints.
_RANGES = {0: "unknown", 1: "tv", 2: "pc"}
_SPACES = {0: "gbr", 1: "bt709", 2: "unknown", 4: "fcc", 5: "bt470bg", 6: "smpte170m", 7: "smpte240m",
           8: "ycgco", 9: "bt2020nc", 10: "bt2020c", 11: "smpte2085", 12: "chroma-derived-nc",
           13: "chroma-derived-c", 14: "ictcp"}  # fmt: skip
_PRIMARIES = {1: "bt709", 2: "unknown", 4: "bt470m", 5: "bt470bg", 6: "smpte170m", 7: "smpte240m", 8: "film",
              9: "bt2020", 10: "smpte428", 11: "smpte431", 12: "smpte432", 22: "ebu3213"}  # fmt: skip
_TRCS = {1: "bt709", 2: "unknown", 4: "gamma22", 5: "gamma28", 6: "smpte170m", 7: "smpte240m", 8: "linear",
         9: "log100", 10: "log316", 11: "iec61966-2-4", 12: "bt1361e", 13: "iec61966-2-1", 14: "bt2020-10",
         15: "bt2020-12", 16: "smpte2084", 17: "smpte428", 18: "arib-std-b67"}  # fmt: skip


def _enum_name(value: object, names: dict[int, str] | None = None) -> str | None:
    if value is None:
        return None
    name = getattr(value, "name", None)
    if name is not None:
        return str(name).lower()
    if names is not None and isinstance(value, int):
        return names.get(value, str(value))
    return str(value)


def _ffmpeg_reason(exc: Exception) -> str:
    """FFmpeg's own words ('Invalid data found when processing input') without errno noise."""
    reason = getattr(exc, "strerror", None) or str(exc).split(":")[0]
    return str(reason).strip() or type(exc).__name__


def _is_still_image(format_name: str) -> bool:
    """FFmpeg opens single images (PNG, JPEG, WebP, TIFF…) through image demuxers; those are not takes."""
    names = format_name.split(",")
    return any(name == "image2" or name.endswith("_pipe") for name in names)
