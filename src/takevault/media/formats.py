"""The one list of video file formats takevault takes, for every door a video comes in by.

`import` and `watch` pick files from folders by these suffixes; `add`, `replace`,
`compare` and the web upload name them when a file is refused. A file given by
name with another suffix is still tried: its content decides whether it is a video.
"""

from __future__ import annotations

from pathlib import PurePath

VIDEO_SUFFIXES: frozenset[str] = frozenset(
    {
        ".mp4", ".m4v", ".mov", ".qt", ".mkv", ".webm", ".avi", ".mxf", ".gif", ".ts", ".mts", ".m2ts",
        ".mpg", ".mpeg", ".vob", ".flv", ".ogv", ".ogg", ".asf", ".wmv", ".dv", ".nut", ".ivf", ".y4m",
        ".h264", ".264", ".hevc", ".265", ".3gp", ".3g2", ".mj2",
    }
)  # fmt: skip
"""Suffixes import and watch pick from folders, and a stored take keeps; any other (e.g. `.html`) is
replaced by the probed container's."""

# FFmpeg demuxers we take a video from, by their own names: each recognises its format by content,
# so a file is what its bytes are, whatever its suffix. Demuxers that turn text into pictures
# (tty: ANSI art) or read an image sequence are left out.
KNOWN_FORMATS = frozenset(
    {
        "mov", "mp4", "m4a", "3gp", "3g2", "mj2", "matroska", "webm", "avi", "mxf", "gif", "mpegts",
        "mpeg", "flv", "ogg", "asf", "dv", "nut", "ivf", "yuv4mpegpipe", "h264", "hevc", "m4v",
        "mpegvideo",
    }
)  # fmt: skip

SUPPORTED = "MP4, MOV, MKV, WebM, AVI, MXF, GIF, MPEG-TS, MPEG-PS, FLV, OGG, ASF/WMV, DV, NUT, IVF, Y4M"
"""How error messages name the formats."""

ACCEPT = ",".join(["video/*", *sorted(VIDEO_SUFFIXES)])
"""The same list as an HTML file input's `accept` attribute."""


def is_video_name(name: str | PurePath) -> bool:
    """True when the file name ends in one of the video suffixes (any case)."""
    return PurePath(name).suffix.lower() in VIDEO_SUFFIXES


__all__ = ["ACCEPT", "KNOWN_FORMATS", "SUPPORTED", "VIDEO_SUFFIXES", "is_video_name"]
