"""What the catalog's write methods take: one typed record per row they write.

A use case builds a record; only the catalog turns it into column values (`columns()`), so a
misspelt or missing column is a type error where the record is made, not an SQL error at run
time. Field names are the column names of `catalog/schema.py` (a test holds them together).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from takevault.models import MediaInfo, PngRecord


def _columns(record: Any) -> dict[str, Any]:
    return {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}


@dataclass(frozen=True, slots=True)
class NewEvent:
    """One line of the event log: who did what to which take, and its details (JSON)."""

    project_id: int
    at: datetime
    user: str
    action: str
    take_id: str | None = None
    shot: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    def with_details(self, **more: Any) -> NewEvent:
        """The same event with details added (or overridden): what the catalog learns inside its transaction."""
        return dataclasses.replace(self, details={**self.details, **more})

    def columns(self) -> dict[str, Any]:
        return {**_columns(self), "details": dict(self.details)}


@dataclass(frozen=True, slots=True)
class NewVersion:
    """One stored version of a take: where its bytes are, what they are, where they came from."""

    key: str
    version_id: str
    sha256: str
    size: int
    original_name: str | None
    created_at: datetime
    created_by: str
    media: MediaInfo
    png: PngRecord | None = None
    source: str = "upload"
    """upload | revert | restore: how this version came to be."""
    source_version: int | None = None
    """The version a revert or restore copied."""

    def columns(self, take_id: str, number: int) -> dict[str, Any]:
        from takevault.catalog.records import media_columns, png_columns

        return {
            "take_id": take_id,
            "number": number,
            "key": self.key,
            "version_id": self.version_id,
            "sha256": self.sha256,
            "size": self.size,
            "original_name": self.original_name,
            "source": self.source,
            "source_version": self.source_version,
            "created_at": self.created_at,
            "created_by": self.created_by,
            **media_columns(self.media),
            **png_columns(self.png),
        }


@dataclass(frozen=True, slots=True)
class NewTake:
    """A take as it is first written (its versions come as `NewVersion`s)."""

    id: str
    shot_id: int
    number: int
    name: str
    key: str
    kind: str
    note: str | None
    created_at: datetime
    created_by: str
    tags: tuple[str, ...] = ()
    deleted: bool = False
    deleted_at: datetime | None = None

    def columns(self) -> dict[str, Any]:
        return {**_columns(self), "tags": list(self.tags)}


class _Unchanged:
    """The value of a `TakeChanges` field that leaves its column as it is (None clears a column)."""

    _instance: _Unchanged | None = None

    def __new__(cls) -> _Unchanged:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNCHANGED"

    def __bool__(self) -> bool:
        return False


UNCHANGED: Any = _Unchanged()
"""Leave this column as it is."""


@dataclass(frozen=True, slots=True)
class TakeChanges:
    """What may change on a take after it is made (`set`, a restore); a field left UNCHANGED is not
    written, None clears it."""

    note: str | None = UNCHANGED
    rating: int | None = UNCHANGED
    status: str | None = UNCHANGED
    tags: tuple[str, ...] = UNCHANGED
    deleted: bool = UNCHANGED
    deleted_at: datetime | None = UNCHANGED

    def columns(self) -> dict[str, Any]:
        found = {k: v for k, v in _columns(self).items() if v is not UNCHANGED}
        if "tags" in found:
            found["tags"] = list(found["tags"])
        return found

    def __bool__(self) -> bool:
        return bool(self.columns())


@dataclass(frozen=True, slots=True)
class NewNote:
    """A review note on frames of a take version, or a reply (a `parent_id` and no frames)."""

    id: str
    take_id: str
    version: int
    text: str
    author: str
    created_at: datetime
    parent_id: str | None = None
    frame_in: int | None = None
    frame_out: int | None = None
    drawing: Any = None
    """Vector shapes as JSON (a list of strokes, arrows and boxes), or None."""
    status: str = "open"
    guest: bool = False
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    carried_from: str | None = None
    follow: str | None = None

    def columns(self) -> dict[str, Any]:
        return _columns(self)


@dataclass(frozen=True, slots=True)
class NewApproval:
    """One review decision on a take version."""

    take_id: str
    version: int
    state: str
    comment: str | None
    decided_by: str
    decided_at: datetime

    def columns(self) -> dict[str, Any]:
        return _columns(self)


@dataclass(frozen=True, slots=True)
class NewReviewLink:
    """A guest review link: only the sha256 of its token and the hash of its password are kept."""

    id: str
    take_id: str
    versions: tuple[int, ...]
    view: str
    token_sha256: str
    password_hash: str | None
    created_at: datetime
    created_by: str
    expires_at: datetime

    def columns(self) -> dict[str, Any]:
        return {**_columns(self), "versions": list(self.versions)}


@dataclass(frozen=True, slots=True)
class NewGuestSession:
    """A browser session a guest opened through a review link (only its id's sha256 is kept)."""

    link_id: str
    name: str
    session_sha256: str
    csrf_token: str
    expires_at: datetime

    def columns(self) -> dict[str, Any]:
        return _columns(self)


__all__ = [
    "UNCHANGED",
    "NewApproval",
    "NewEvent",
    "NewGuestSession",
    "NewNote",
    "NewReviewLink",
    "NewTake",
    "NewVersion",
    "TakeChanges",
]
