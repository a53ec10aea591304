"""Plain, frozen records that cross layer boundaries.

The store returns `ObjectVersion`; media returns `MediaInfo`; the catalog and
the `Vault` return `Project`, `Section`, `Shot`, `Take`, `TakeVersion`, `Event`.
None of them holds a database session or a file handle, so CLI, web and tests
can keep them as long as they like.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Any


@dataclass(frozen=True)
class ObjectVersion:
    """One version of one key in a versioned store (or a delete marker)."""

    key: str
    version_id: str
    size: int
    sha256: str | None
    last_modified: datetime
    metadata: dict[str, str] = field(default_factory=dict)
    is_latest: bool = False
    is_delete_marker: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "version_id": self.version_id,
            "is_latest": self.is_latest,
            "is_delete_marker": self.is_delete_marker,
            "size": self.size,
            "sha256": self.sha256,
            "last_modified": self.last_modified.isoformat(),
            "metadata": dict(self.metadata),
        }


@dataclass(frozen=True)
class AudioStreamInfo:
    codec: str
    channels: int
    layout: str | None
    sample_rate: int


@dataclass(frozen=True)
class MediaInfo:
    """What PyAV says about a file; `fps` is exact (24000/1001 is not 24)."""

    container: str
    codec: str
    width: int
    height: int
    fps: Fraction | None
    frames: int
    duration: float
    bit_rate: int | None = None
    pix_fmt: str | None = None
    profile: str | None = None
    sample_aspect_ratio: Fraction | None = None
    color_range: str | None = None
    color_space: str | None = None
    color_primaries: str | None = None
    color_trc: str | None = None
    audio: tuple[AudioStreamInfo, ...] = ()
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def fps_text(self) -> str | None:
        if self.fps is None:
            return None
        return f"{self.fps.numerator}/{self.fps.denominator}"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["fps"] = self.fps_text
        sar = self.sample_aspect_ratio
        data["sample_aspect_ratio"] = f"{sar.numerator}:{sar.denominator}" if sar else None
        data["audio"] = [asdict(a) for a in self.audio]
        data.pop("tags", None)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MediaInfo:
        fps = data.get("fps")
        sar = data.get("sample_aspect_ratio")
        return cls(
            container=data.get("container", ""),
            codec=data.get("codec", ""),
            width=int(data.get("width") or 0),
            height=int(data.get("height") or 0),
            fps=Fraction(fps) if fps else None,
            frames=int(data.get("frames") or 0),
            duration=float(data.get("duration") or 0.0),
            bit_rate=data.get("bit_rate"),
            pix_fmt=data.get("pix_fmt"),
            profile=data.get("profile"),
            sample_aspect_ratio=Fraction(sar.replace(":", "/")) if sar else None,
            color_range=data.get("color_range"),
            color_space=data.get("color_space"),
            color_primaries=data.get("color_primaries"),
            color_trc=data.get("color_trc"),
            audio=tuple(AudioStreamInfo(**a) for a in data.get("audio") or ()),
        )


PNG_STATUSES = ("present", "thumbnail_only", "missing", "placeholder", "invalid", "stale")


@dataclass(frozen=True)
class PngRecord:
    """The workflow PNG stored beside one take version, and what we found in it."""

    key: str | None
    version_id: str | None
    sha256: str | None
    size: int
    status: str
    reason: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
