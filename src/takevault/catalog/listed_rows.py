"""Rows of the whole listing's select (catalog/listing.py) as `ListedTake`s, without SQLAlchemy.

The listings' fast path (catalog/sqlite_reader.py) reads the same select through `sqlite3`
and maps its rows with this same function, so it lives apart from the SQLAlchemy code.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from math import gcd
from typing import Any

from takevault.models import ListedTake

_FPS: dict[tuple[int, int], tuple[str, str]] = {}


def _fps(num: int | None, den: int | None) -> tuple[str | None, str | None]:
    """(`24000/1001`, `23.976 (24000/1001)`) as `MediaInfo.fps_text` and the table show it: reduced."""
    if not (num and den):
        return None, None
    known = _FPS.get((num, den))
    if known is None:
        divisor = gcd(num, den) * (-1 if den < 0 else 1)
        n, d = num // divisor, den // divisor
        text = f"{n}/{d}"
        known = _FPS[(num, den)] = (text, str(n) if d == 1 else f"{n / d:.3f} ({text})")
    return known


def _iso(value: Any) -> str:
    """What `_iso(utc(…))` of the records gives, from the driver's value."""
    if type(value) is str and len(value) == 26 and value[10] == " " and value[19] == "." and value[20:] != "000000":
        # SQLite's text as SQLAlchemy writes it (UTC, microseconds always there): already ISO but for
        # two characters, and parsing 100,000 of them is a share of a listing's time.
        return f"{value[:10]}T{value[11:]}+00:00"
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).isoformat()


def _tags(value: Any) -> tuple[str, ...]:
    if not value or value == "[]":
        return ()
    return tuple(json.loads(value) if isinstance(value, str) else value)


def listed_take(row: Sequence[Any], project: str, links: Sequence[Any] = ()) -> ListedTake:
    """One row of the listing's select as a `ListedTake` (the same values `Take` and its JSON hold)."""
    (
        take_id, _shot_id, number, name, key, kind, note, rating, status, tags, created_at, created_by, deleted,
        shot_code, starred_take_id, section_code, versions, v_number, sha256, size, width, height, fps_num,
        fps_den, duration, frames, codec, container, png_status,
    ) = row  # fmt: skip
    fps_text, fps_shown = _fps(fps_num, fps_den)
    return _new_listed(
        ListedTake,
        (
            take_id,
            f"{section_code}/{shot_code}/{name}" if section_code else f"{shot_code}/{name}",
            project,
            section_code,
            shot_code,
            number,
            name,
            kind,
            starred_take_id == take_id,
            bool(deleted),
            v_number,
            int(versions),
            sha256,
            int(size),
            key,
            int(width or 0),
            int(height or 0),
            fps_text,
            fps_shown,
            float(duration or 0.0),
            int(frames or 0),
            codec or "",
            container or "",
            # As `records.png`: a version with no PNG row is "missing", a row without a status too.
            (png_status or "missing"),
            note,
            rating,
            status,
            _tags(tags),
            _iso(created_at),
            created_by,
            tuple(links),
        ),
    )


# The tuple made directly: the generated __new__ of a 31-field NamedTuple costs as much again.
_new_listed: Any = tuple.__new__
