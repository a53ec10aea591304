"""The technical diff: what each file is, where they differ, and which differences break an edit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av

from takevault.errors import MediaError
from takevault.media.probe import header_info, probe
from takevault.models import AudioStreamInfo, MediaInfo

FIELDS = (
    "container",
    "codec",
    "profile",
    "pix_fmt",
    "resolution",
    "sample_aspect_ratio",
    "fps",
    "frames",
    "duration",
    "bit_rate",
    "color_range",
    "color_space",
    "color_primaries",
    "color_trc",
    "audio",
)


def describe(path: Path) -> tuple[MediaInfo, str | None]:
    """Probe `path`; a damaged file that still opens is described from its headers, with the reason."""
    try:
        return probe(path), None
    except MediaError as exc:
        info = _lenient(path)
        if info is None:
            raise
        return info, exc.message


def _lenient(path: Path) -> MediaInfo | None:
    """Header-only description of a file `probe` rejects (truncated, damaged); None if it does not open."""
    if not path.is_file() or path.stat().st_size == 0:
        return None
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError, ValueError):
        return None
    with container:
        if not container.streams.video:
            return None
        ctx = container.streams.video[0].codec_context
        if not ctx.width or not ctx.height:
            return None
        return header_info(container, path)


def _audio_text(audio: tuple[AudioStreamInfo, ...]) -> str:
    if not audio:
        return "none"
    return ", ".join(f"{a.codec} {a.layout or str(a.channels) + 'ch'} {a.sample_rate} Hz" for a in audio)


def facts(info: MediaInfo) -> dict[str, Any]:
    """The compared fields of one file, as JSON-ready values (fps exact, e.g. '24000/1001')."""
    sar = info.sample_aspect_ratio
    return {
        "container": info.container,
        "codec": info.codec,
        "profile": info.profile,
        "pix_fmt": info.pix_fmt,
        "resolution": f"{info.width}x{info.height}",
        "width": info.width,
        "height": info.height,
        "sample_aspect_ratio": f"{sar.numerator}:{sar.denominator}" if sar else "1:1",
        "fps": info.fps_text,
        "frames": info.frames,
        "duration": info.duration,
        "bit_rate": info.bit_rate,
        "color_range": info.color_range,
        "color_space": info.color_space,
        "color_primaries": info.color_primaries,
        "color_trc": info.color_trc,
        "audio": _audio_text(info.audio),
        "audio_streams": [
            {"codec": a.codec, "channels": a.channels, "layout": a.layout, "sample_rate": a.sample_rate}
            for a in info.audio
        ],
    }


def technical_diff(a: MediaInfo, b: MediaInfo) -> dict[str, Any]:
    """`{a, b, differences, warnings}`: every differing field, and sentences for those that break an edit."""
    fa, fb = facts(a), facts(b)
    differences = [{"field": name, "a": fa[name], "b": fb[name]} for name in FIELDS if fa[name] != fb[name]]
    warnings = []
    if a.fps != b.fps:
        warnings.append(
            f"Frame rates differ ({fa['fps']} vs {fb['fps']} fps): cutting one into the other's timeline "
            "drops or repeats frames; conform one of them first."
        )
    if (a.width, a.height) != (b.width, b.height):
        warnings.append(
            f"Resolutions differ ({fa['resolution']} vs {fb['resolution']}): one will be scaled in the edit, "
            "and metrics are computed at the smaller size."
        )
    if fa["sample_aspect_ratio"] != fb["sample_aspect_ratio"]:
        warnings.append(
            f"Pixel aspect ratios differ ({fa['sample_aspect_ratio']} vs {fb['sample_aspect_ratio']}): "
            "one will look stretched next to the other."
        )
    layouts_a = [(s.channels, s.layout) for s in a.audio]
    layouts_b = [(s.channels, s.layout) for s in b.audio]
    if layouts_a != layouts_b:
        warnings.append(
            f"Audio differs ({fa['audio']} vs {fb['audio']}): the edit's audio tracks will not line up "
            "without remapping."
        )
    return {"a": fa, "b": fb, "differences": differences, "warnings": warnings}
