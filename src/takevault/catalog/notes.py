"""The notes table: review notes on frames and ranges of a take version, their replies, their state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from takevault.catalog.catalog import Catalog
from takevault.catalog.records import RowLike, utc
from takevault.catalog.rows import NewEvent, NewNote
from takevault.catalog.schema import events, notes


def row_dict(row: RowLike) -> dict[str, Any]:
    found = dict(row)
    for key in ("created_at", "resolved_at"):
        found[key] = utc(found[key])
    return found


def add_note(catalog: Catalog, note: NewNote, event: NewEvent | None) -> None:
    with catalog.write() as conn:
        conn.execute(sa.insert(notes).values(**note.columns()))
        if event is not None:
            conn.execute(sa.insert(events).values(**event.columns()))


def add_notes(catalog: Catalog, new_notes: list[NewNote], event: NewEvent | None) -> None:
    """Several notes at once (a note carried to a new version comes with its replies), one transaction."""
    with catalog.write() as conn:
        for note in new_notes:
            conn.execute(sa.insert(notes).values(**note.columns()))
        if event is not None:
            conn.execute(sa.insert(events).values(**event.columns()))


def get_note(catalog: Catalog, note_id: str) -> dict[str, Any] | None:
    with catalog.read() as conn:
        row = conn.execute(sa.select(notes).where(notes.c.id == note_id)).mappings().first()
    return row_dict(row) if row is not None else None


def list_notes(catalog: Catalog, take_ids: list[str], version: int | None = None) -> list[dict[str, Any]]:
    """Notes and replies of the takes (one version when given), oldest first."""
    if not take_ids:
        return []
    query = sa.select(notes).where(notes.c.take_id.in_(take_ids))
    if version is not None:
        query = query.where(notes.c.version == version)
    with catalog.read() as conn:
        rows = conn.execute(query.order_by(notes.c.created_at, notes.c.id)).mappings().all()
    return [row_dict(r) for r in rows]


def set_status(
    catalog: Catalog, note_id: str, status: str, by: str | None, at: datetime | None, event: NewEvent
) -> None:
    with catalog.write() as conn:
        conn.execute(
            sa.update(notes)
            .where(notes.c.id == note_id)
            .values(status=status, resolved_by=by if status == "resolved" else None, resolved_at=at)
        )
        conn.execute(sa.insert(events).values(**event.columns()))


def carried_ids(catalog: Catalog, take_id: str, version: int) -> set[str]:
    """Ids of the notes already carried to this version (so carrying twice adds nothing)."""
    with catalog.read() as conn:
        rows = conn.execute(
            sa.select(notes.c.carried_from).where(
                notes.c.take_id == take_id, notes.c.version == version, notes.c.carried_from.is_not(None)
            )
        ).all()
    return {r[0] for r in rows}


def find_by_prefix(catalog: Catalog, prefix: str) -> list[dict[str, Any]]:
    """Notes whose id starts with `prefix` (at most two: enough to tell one from several)."""
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    with catalog.read() as conn:
        found = conn.execute(sa.select(notes).where(notes.c.id.like(escaped + "%", escape="\\")).limit(2)).mappings()
        return [row_dict(r) for r in found.all()]
