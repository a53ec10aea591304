"""Stills of a video and the generation metadata its container carries.

ComfyUI's own video savers write `prompt` and `workflow` as container tags (MP4
with `-movflags use_metadata_tags`, Matroska/WebM tags, often upper-cased as
`PROMPT`/`WORKFLOW`); VideoHelperSuite puts one JSON object holding both in
`comment`. `container_texts` turns any of these into PNG-chunk texts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import av
from PIL import Image

from takevault.errors import MediaError
from takevault.media.metadata_json import GENERATION_KEYWORDS


def first_frame(video: Path | str) -> Image.Image:
    """The first decodable frame of a video as an RGB image."""
    video = Path(video)
    try:
        with av.open(str(video)) as container:
            if not container.streams.video:
                raise MediaError(f"{video.name} has no video stream, so no still can be made from it.")
            for frame in container.decode(video=0):
                return frame.to_image().convert("RGB")
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise MediaError(f"{video.name} could not be decoded for a still ({exc}); check that it is a video.") from None
    raise MediaError(f"{video.name} has no decodable frame, so no still can be made from it.")


def _as_text(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return None


def container_texts(tags: Mapping[str, str]) -> dict[str, str]:
    """PNG-chunk texts (`prompt`, `workflow`, …) from a container's tags, matched case-insensitively."""
    lower = {str(k).lower(): v for k, v in tags.items()}
    texts: dict[str, str] = {}
    for keyword in GENERATION_KEYWORDS:
        if isinstance(lower.get(keyword), str) and lower[keyword].strip():
            texts[keyword] = lower[keyword]
    comment = lower.get("comment")
    if not texts and isinstance(comment, str) and comment.lstrip().startswith("{"):
        try:
            data = json.loads(comment)
        except ValueError:
            data = None
        if isinstance(data, dict):
            for keyword in GENERATION_KEYWORDS:
                text = _as_text(data.get(keyword))
                if text:
                    texts[keyword] = text
    return texts


def read_container_tags(video: Path | str) -> dict[str, str]:
    """Container-level tags of a video (empty when it cannot be opened)."""
    try:
        with av.open(str(video)) as container:
            return {str(k): str(v) for k, v in (container.metadata or {}).items()}
    except (av.error.FFmpegError, OSError, ValueError):
        return {}
