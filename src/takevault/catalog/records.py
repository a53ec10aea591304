"""Rows to the plain records of `takevault.models`, and media info to version columns."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from fractions import Fraction
from operator import itemgetter
from typing import TYPE_CHECKING, Any, TypeAlias, overload

from takevault.models import (
    AudioStreamInfo,
    Event,
    MediaInfo,
    PngRecord,
    Section,
    Shot,
    Take,
    TakeLink,
    TakeVersion,
)

if TYPE_CHECKING:
    from sqlalchemy import RowMapping

# A catalog row: SQLAlchemy's RowMapping (keyed by name or column) or a plain dict built from one.
RowLike: TypeAlias = "Mapping[str, Any] | RowMapping"


@overload
def utc(value: datetime) -> datetime: ...
@overload
def utc(value: None) -> None: ...
def utc(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; everything we write is UTC."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def section(row: RowLike, project: str) -> Section:
    return Section(id=row["id"], project=project, code=row["code"], name=row["name"], order=row["sort_order"])


def shot(row: RowLike, project: str) -> Shot:
    return Shot(
        id=row["id"],
        project=project,
        section=row["section_code"],
        code=row["code"],
        name=row["name"],
        description=row["description"],
        order=row["sort_order"],
        starred_take_id=row["starred_take_id"],
        takes_count=int(row.get("takes_count") or 0),
    )


def media_columns(media: MediaInfo) -> dict[str, Any]:
    return {
        "container": media.container,
        "codec": media.codec,
        "width": media.width,
        "height": media.height,
        "fps_num": media.fps.numerator if media.fps is not None else None,
        "fps_den": media.fps.denominator if media.fps is not None else None,
        "frames": media.frames,
        "duration": media.duration,
        "bit_rate": media.bit_rate,
        "pix_fmt": media.pix_fmt,
        "audio": [a.__dict__ for a in media.audio],
        "media": media.to_json(),
    }


def png_columns(png: PngRecord | None) -> dict[str, Any]:
    if png is None:
        return {}
    return {
        "png_key": png.key,
        "png_version_id": png.version_id,
        "png_sha256": png.sha256,
        "png_size": png.size,
        "png_status": png.status,
        "png_reason": png.reason,
        "params": png.params or {},
    }


def media(row: RowLike) -> MediaInfo:
    full = dict(row.get("media") or {})
    # The typed columns are the truth; the JSON keeps the rest (profile, colour, SAR).
    full.update(
        {
            "container": row["container"] or "",
            "codec": row["codec"] or "",
            "width": row["width"] or 0,
            "height": row["height"] or 0,
            "fps": Fraction(row["fps_num"], row["fps_den"]) if row["fps_num"] and row["fps_den"] else None,
            "frames": row["frames"] or 0,
            "duration": row["duration"] or 0.0,
            "bit_rate": row["bit_rate"],
            "pix_fmt": row["pix_fmt"],
            "audio": row.get("audio") or full.get("audio") or [],
        }
    )
    return MediaInfo.from_json(full)


def png(row: RowLike) -> PngRecord | None:
    if row.get("png_status") is None and row.get("png_key") is None:
        return None
    return PngRecord(
        key=row["png_key"],
        version_id=row["png_version_id"],
        sha256=row["png_sha256"],
        size=int(row["png_size"] or 0),
        status=row["png_status"] or "missing",
        reason=row["png_reason"],
        params=dict(row.get("params") or {}),
    )


def version(row: RowLike, *, is_current: bool) -> TakeVersion:
    return TakeVersion(
        take_id=row["take_id"],
        number=row["number"],
        key=row["key"],
        version_id=row["version_id"],
        sha256=row["sha256"],
        size=int(row["size"]),
        created_at=utc(row["created_at"]),
        created_by=row["created_by"],
        original_name=row["original_name"],
        media=media(row),
        png=png(row),
        is_current=is_current,
        source=row["source"],
        source_version=row["source_version"],
    )


def link(row: RowLike, *, incoming: bool = False) -> TakeLink:
    """A link row seen from `take_id` (made there), or with `incoming` from `other_id` (pointing here)."""
    shot_path = f"{row['section_code']}/{row['shot_code']}" if row["section_code"] else row["shot_code"]
    here, there = (row["other_id"], row["take_id"]) if incoming else (row["take_id"], row["other_id"])
    return TakeLink(
        take_id=here, other_id=there, other_ref=f"{shot_path}/{row['name']}", kind=row["kind"], incoming=incoming
    )


def take(row: RowLike, project: str, current: TakeVersion, links: Sequence[TakeLink]) -> Take:
    return Take(
        id=row["id"],
        project=project,
        section=row["section_code"],
        shot=row["shot_code"],
        number=row["number"],
        name=row["name"],
        kind=row["kind"],
        note=row["note"],
        rating=row["rating"],
        status=row["status"],
        tags=tuple(row["tags"] or ()),
        created_at=utc(row["created_at"]),
        created_by=row["created_by"],
        deleted=bool(row["deleted"]),
        starred=row["starred_take_id"] == row["id"],
        key=row["key"],
        current=current,
        versions_count=int(row["versions_count"]),
        links=tuple(links),
    )


def event(row: RowLike) -> Event:
    return Event(
        id=row["id"],
        at=utc(row["at"]),
        user=row["user"],
        action=row["action"],
        take_id=row["take_id"],
        shot=row["shot"],
        details=dict(row["details"] or {}),
    )


_TAKE_FIELDS = (
    "id", "section_code", "shot_code", "number", "name", "kind", "note", "rating", "status", "tags",
    "created_at", "created_by", "deleted", "starred_take_id", "key", "versions_count",
)  # fmt: skip
_VERSION_FIELDS = (
    "take_id", "number", "key", "version_id", "sha256", "size", "created_at", "created_by", "original_name",
    "source", "source_version",
)  # fmt: skip
_MEDIA_FIELDS = (
    "media", "container", "codec", "width", "height", "fps_num", "fps_den", "frames", "duration", "bit_rate",
    "pix_fmt", "audio",
)  # fmt: skip
_PNG_FIELDS = ("png_key", "png_version_id", "png_sha256", "png_size", "png_status", "png_reason", "params")


class TakeRowReader:
    """`Take` records straight from the plain row tuples of one select, by column position.

    A whole listing builds one record per take, so this skips what the mapping readers above
    pay per row (a dict per row, the media dict merged and parsed again by `MediaInfo.from_json`)
    while giving the very same records; `tests/catalog/test_take_rows.py` holds the two equal."""

    def __init__(self, keys: Sequence[str], version_prefix: str = "v_") -> None:
        at = {key: i for i, key in enumerate(keys)}
        v = {key[len(version_prefix) :]: i for key, i in at.items() if key.startswith(version_prefix)}
        self._take = itemgetter(*(at[k] for k in _TAKE_FIELDS))
        self._version = itemgetter(*(v[k] for k in _VERSION_FIELDS))
        self._media = itemgetter(*(v[k] for k in _MEDIA_FIELDS))
        self._png = itemgetter(*(v[k] for k in _PNG_FIELDS))

    def take(self, row: Sequence[Any], project: str, links: Sequence[TakeLink]) -> Take:
        (
            take_id, section_code, shot_code, number, name, kind, note, rating, status, tags,
            created_at, created_by, deleted, starred_take_id, key, versions_count,
        ) = self._take(row)  # fmt: skip
        return Take(
            id=take_id,
            project=project,
            section=section_code,
            shot=shot_code,
            number=number,
            name=name,
            kind=kind,
            note=note,
            rating=rating,
            status=status,
            tags=tuple(tags or ()),
            created_at=utc(created_at),
            created_by=created_by,
            deleted=bool(deleted),
            starred=starred_take_id == take_id,
            key=key,
            current=self.version(row),
            versions_count=int(versions_count),
            links=tuple(links),
        )

    def version(self, row: Sequence[Any]) -> TakeVersion:
        (
            take_id, number, key, version_id, sha256, size, created_at, created_by, original_name, source,
            source_version,
        ) = self._version(row)  # fmt: skip
        return TakeVersion(
            take_id=take_id,
            number=number,
            key=key,
            version_id=version_id,
            sha256=sha256,
            size=int(size),
            created_at=utc(created_at),
            created_by=created_by,
            original_name=original_name,
            media=self.media(row),
            png=self.png(row),
            is_current=True,
            source=source,
            source_version=source_version,
        )

    def media(self, row: Sequence[Any]) -> MediaInfo:
        """What `media()` gives: the typed columns win, the JSON keeps the rest (profile, colour, SAR)."""
        extra, container, codec, width, height, fps_num, fps_den, frames, duration, bit_rate, pix_fmt, audio = (
            self._media(row)
        )
        extra = extra or _NO_MEDIA
        sar = extra.get("sample_aspect_ratio")
        streams = audio or extra.get("audio") or ()
        return MediaInfo(
            container=container or "",
            codec=codec or "",
            width=int(width or 0),
            height=int(height or 0),
            fps=_rate(fps_num, fps_den) if fps_num and fps_den else None,
            frames=int(frames or 0),
            duration=float(duration or 0.0),
            bit_rate=bit_rate,
            pix_fmt=pix_fmt,
            profile=extra.get("profile"),
            sample_aspect_ratio=Fraction(sar.replace(":", "/")) if sar else None,
            color_range=extra.get("color_range"),
            color_space=extra.get("color_space"),
            color_primaries=extra.get("color_primaries"),
            color_trc=extra.get("color_trc"),
            audio=tuple(AudioStreamInfo(**a) for a in streams),
            start_timecode=extra.get("start_timecode"),
        )

    def png(self, row: Sequence[Any]) -> PngRecord | None:
        key, version_id, sha256, size, status, reason, params = self._png(row)
        if status is None and key is None:
            return None
        return PngRecord(
            key=key,
            version_id=version_id,
            sha256=sha256,
            size=int(size or 0),
            status=status or "missing",
            reason=reason,
            params=dict(params or {}),
        )


_NO_MEDIA: dict[str, Any] = {}


@functools.lru_cache(maxsize=64)
def _rate(numerator: int, denominator: int) -> Fraction:
    """A frame rate as a Fraction, made once per rate: a vault holds a handful of rates, and
    `Fraction()` normalises in Python, a sizeable part of building each take's record."""
    return Fraction(numerator, denominator)


def links_by_take(found: Iterable[tuple[bool, RowLike]]) -> dict[str, tuple[TakeLink, ...]]:
    """Link rows, each with whether it was read as made to the take (`incoming`), as the links of
    each take in the order they were made: a link shows on both of its takes."""
    out: dict[str, list[tuple[int, TakeLink]]] = {}
    for incoming, row in found:
        key = row["other_id"] if incoming else row["take_id"]
        out.setdefault(key, []).append((row["id"], link(row, incoming=incoming)))
    return {k: tuple(made for _id, made in sorted(v, key=lambda p: p[0])) for k, v in out.items()}
