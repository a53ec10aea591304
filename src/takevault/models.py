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
from typing import Any, NamedTuple

# Every dataclass here has a docstring: without one, @dataclass computes `inspect.signature` of the
# class to make one, a cost every process pays at import (the CLI's start-up included).


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
    """One audio stream of a file, as PyAV reports it."""

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
    start_timecode: str | None = None
    """The source timecode of the first frame (`01:00:00:00`) when the file carries one."""

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
            start_timecode=data.get("start_timecode"),
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


# -- shots and takes --------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass(frozen=True)
class Project:
    """A production inside the vault; every section, shot and take belongs to one."""

    id: int
    name: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name}


@dataclass(frozen=True)
class Section:
    """An ordered group of shots (a sequence or scene)."""

    id: int
    project: str
    code: str
    name: str | None
    order: int

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "project": self.project, "code": self.code, "name": self.name, "order": self.order}


@dataclass(frozen=True)
class Shot:
    """A unit of the edit; `section` is the section code or None, `starred_take_id` its one star."""

    id: int
    project: str
    section: str | None
    code: str
    name: str | None
    description: str | None
    order: int
    starred_take_id: str | None = None
    takes_count: int = 0

    @property
    def path(self) -> str:
        return f"{self.section}/{self.code}" if self.section else self.code

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "project": self.project,
            "section": self.section,
            "code": self.code,
            "name": self.name,
            "description": self.description,
            "order": self.order,
            "starred_take_id": self.starred_take_id,
            "takes": self.takes_count,
        }


@dataclass(frozen=True)
class TakeVersion:
    """One upload (or copy) of a take's bytes; `number` counts 1, 2, 3… per take."""

    take_id: str
    number: int
    key: str
    version_id: str
    sha256: str
    size: int
    created_at: datetime
    created_by: str
    original_name: str | None
    media: MediaInfo
    png: PngRecord | None = None
    is_current: bool = False
    source: str = "upload"
    source_version: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.number,
            "version_id": self.version_id,
            "key": self.key,
            "sha256": self.sha256,
            "size": self.size,
            "created_at": _iso(self.created_at),
            "created_by": self.created_by,
            "is_current": self.is_current,
            "original_name": self.original_name,
            "source": self.source,
            "source_version": self.source_version,
            "media": self.media.to_json(),
            "png_status": self.png.status if self.png else "missing",
        }


@dataclass(frozen=True)
class TakeLink:
    """A relationship from one take to another (`kind` is free text, e.g. "related", "derived-from")."""

    take_id: str
    other_id: str
    other_ref: str
    kind: str
    incoming: bool = False
    """True on the other end: the link was made from `other_ref` to this take (`other_ref` `kind` this)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "take_id": self.take_id,
            "other_id": self.other_id,
            "other_ref": self.other_ref,
            "kind": self.kind,
            "incoming": self.incoming,
        }


@dataclass(frozen=True)
class Take:
    """One attempt at a shot: `video_03`, with its current version and its metadata."""

    id: str
    project: str
    section: str | None
    shot: str
    number: int
    name: str
    kind: str
    note: str | None
    rating: int | None
    status: str | None
    tags: tuple[str, ...]
    created_at: datetime
    created_by: str
    deleted: bool
    starred: bool
    key: str
    current: TakeVersion
    versions_count: int
    links: tuple[TakeLink, ...] = ()

    @property
    def ref(self) -> str:
        shot = f"{self.section}/{self.shot}" if self.section else self.shot
        return f"{shot}/{self.name}"

    def to_json(self) -> dict[str, Any]:
        media = self.current.media
        return {
            "id": self.id,
            "ref": self.ref,
            "project": self.project,
            "section": self.section,
            "shot": self.shot,
            "number": self.number,
            "name": self.name,
            "kind": self.kind,
            "starred": self.starred,
            "deleted": self.deleted,
            "version": self.current.number,
            "versions": self.versions_count,
            "sha256": self.current.sha256,
            "size": self.current.size,
            "key": self.key,
            "media": {
                "width": media.width,
                "height": media.height,
                "fps": media.fps_text,
                "duration": media.duration,
                "frames": media.frames,
                "codec": media.codec,
                "container": media.container,
            },
            "png_status": self.current.png.status if self.current.png else "missing",
            "note": self.note,
            "rating": self.rating,
            "status": self.status,
            "tags": list(self.tags),
            "created_at": _iso(self.created_at),
            "created_by": self.created_by,
            "links": [link.to_json() for link in self.links],
        }


class ListedTake(NamedTuple):
    """A take as a whole listing shows it: flat values only, read without its version's media JSON.

    `to_json()` equals `Take.to_json()` of the same take; `fps` is `MediaInfo.fps_text` and
    `fps_shown` how a table shows the rate."""

    id: str
    ref: str
    project: str
    section: str | None
    shot: str
    number: int
    name: str
    kind: str
    starred: bool
    deleted: bool
    version: int
    versions: int
    sha256: str
    size: int
    key: str
    width: int
    height: int
    fps: str | None
    fps_shown: str | None
    duration: float
    frames: int
    codec: str
    container: str
    png_status: str
    note: str | None
    rating: int | None
    status: str | None
    tags: tuple[str, ...]
    created_at: str
    created_by: str
    links: tuple[TakeLink, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "ref": self.ref,
            "project": self.project,
            "section": self.section,
            "shot": self.shot,
            "number": self.number,
            "name": self.name,
            "kind": self.kind,
            "starred": self.starred,
            "deleted": self.deleted,
            "version": self.version,
            "versions": self.versions,
            "sha256": self.sha256,
            "size": self.size,
            "key": self.key,
            "media": {
                "width": self.width,
                "height": self.height,
                "fps": self.fps,
                "duration": self.duration,
                "frames": self.frames,
                "codec": self.codec,
                "container": self.container,
            },
            "png_status": self.png_status,
            "note": self.note,
            "rating": self.rating,
            "status": self.status,
            "tags": list(self.tags),
            "created_at": self.created_at,
            "created_by": self.created_by,
            "links": [link.to_json() for link in self.links],
        }


@dataclass(frozen=True)
class TakeFilter:
    """Which takes a listing wants; every field given must hold (None: no condition).

    `shot` is `SH010` or `SEQ01/SH010`; `search` is words that must each begin a word of the
    take's name, shot, note, status, tags or workflow prompt; `deleted` False lists live takes,
    True deleted ones, None both.
    """

    shot: str | None = None
    section: str | None = None
    starred: bool | None = None
    kind: str | None = None
    status: str | None = None
    min_rating: int | None = None
    search: str | None = None
    deleted: bool | None = False


ANY_TAKE = TakeFilter(deleted=None)
"""Every take, live or deleted: what lookups by id or reference use."""


EVENT_ACTIONS = ("add", "replace", "delete", "restore", "purge", "star", "unstar", "revert", "set", "link")


@dataclass(frozen=True)
class Event:
    """One line of the event log: who did what to which take, when.

    `star`/`unstar` details hold `take_id` and `version` (the version number starred at that moment).
    """

    id: int
    at: datetime
    user: str
    action: str
    take_id: str | None
    shot: str | None
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": _iso(self.at),
            "user": self.user,
            "action": self.action,
            "take_id": self.take_id,
            "shot": self.shot,
            "details": dict(self.details),
        }


@dataclass(frozen=True)
class ImportItem:
    """What bulk import did with one file: `status` is added, skipped, failed or planned (dry run)."""

    path: str
    status: str
    shot: str | None = None
    ref: str | None = None
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "status": self.status, "shot": self.shot, "ref": self.ref, "reason": self.reason}


@dataclass(frozen=True)
class ImportReport:
    """What one bulk import did, file by file (`dry_run`: what it would do)."""

    items: tuple[ImportItem, ...]
    dry_run: bool = False

    def count(self, status: str) -> int:
        return sum(1 for item in self.items if item.status == status)

    @property
    def added(self) -> tuple[ImportItem, ...]:
        return tuple(i for i in self.items if i.status in ("added", "planned"))

    @property
    def failed(self) -> tuple[ImportItem, ...]:
        return tuple(i for i in self.items if i.status == "failed")

    def to_json(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "added": self.count("added"),
            "planned": self.count("planned"),
            "skipped": self.count("skipped"),
            "failed": self.count("failed"),
            "items": [item.to_json() for item in self.items],
        }


@dataclass(frozen=True)
class FsckProblem:
    """One inconsistency between catalog and store; `kind` names it (missing_version, unreferenced, …)."""

    kind: str
    message: str
    key: str | None = None
    version_id: str | None = None
    take_ref: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "message": self.message,
            "key": self.key,
            "version_id": self.version_id,
            "take": self.take_ref,
        }


@dataclass(frozen=True)
class FsckReport:
    """What `fsck` checked and found; `ok` when no problem is left."""

    checked_versions: int
    checked_objects: int
    problems: tuple[FsckProblem, ...] = ()
    notes: tuple[FsckProblem, ...] = ()
    """Not problems: older workflow PNG versions kept as history, leftovers fsck --repair kept aside."""
    repaired: tuple[str, ...] = ()
    """What `fsck --repair` did, one sentence each (the problems are those left after it)."""

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked_versions": self.checked_versions,
            "checked_objects": self.checked_objects,
            "problems": [p.to_json() for p in self.problems],
            "notes": [p.to_json() for p in self.notes],
            "repaired": list(self.repaired),
        }


@dataclass(frozen=True)
class RebuildReport:
    """What `rebuild_catalog` put back, and from which source."""

    takes_added: int
    versions_added: int
    shots_added: int
    skipped: tuple[str, ...] = ()
    journal_entries: int = 0
    """How many journal entries were replayed (0: the store had no journal, object metadata was used)."""
    kept_aside: str | None = None
    """Where the catalog that was there before went (`rebuild --force`)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "takes_added": self.takes_added,
            "versions_added": self.versions_added,
            "shots_added": self.shots_added,
            "skipped": list(self.skipped),
            "journal_entries": self.journal_entries,
            "kept_aside": self.kept_aside,
        }
