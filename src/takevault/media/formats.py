"""The one list of video file formats takevault takes, for every door a video comes in by.

`import` and `watch` pick files from folders by these suffixes; `add`, `replace`,
`compare` and the web upload name them when a file is refused. A file given by
name with another suffix is still tried: PyAV decides whether it is a video.
"""

from __future__ import annotations

from pathlib import PurePath

VIDEO_SUFFIXES: frozenset[str] = frozenset(
    {
        ".mp4",
        ".m4v",
        ".mov",
        ".mkv",
        ".webm",
        ".avi",
        ".mxf",
        ".gif",
        ".mts",
        ".m2ts",
        ".ts",
        ".mpg",
        ".mpeg",
        ".wmv",
        ".flv",
        ".ogv",
        ".3gp",
        ".dv",
        ".y4m",
    }
)

SUPPORTED = "MP4, MOV, MKV, WebM, AVI, MXF, GIF, MPEG-TS and anything else FFmpeg decodes"
"""How error messages name the formats."""

ACCEPT = ",".join(["video/*", *sorted(VIDEO_SUFFIXES)])
"""The same list as an HTML file input's `accept` attribute."""


def is_video_name(name: str | PurePath) -> bool:
    """True when the file name ends in one of the video suffixes (any case)."""
    return PurePath(name).suffix.lower() in VIDEO_SUFFIXES


__all__ = ["ACCEPT", "SUPPORTED", "VIDEO_SUFFIXES", "is_video_name"]
