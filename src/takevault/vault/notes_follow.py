"""Notes that follow the next version: each open note of one version is carried to another through
the frame alignment, marked changed / unchanged / gone (see `compare.follow`).

`carry_notes(vault, take, from_version, to_version)` is the whole use case, run as
the `notes_follow` job (jobs/kinds.py): a library or CLI replace runs that job in the
foreground (`after_replace`), the web queues it (`queue_notes_follow`). It is safe
to run again: a note already carried to `to_version` is not carried twice.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from takevault.catalog import notes as rows
from takevault.catalog.rows import NewNote
from takevault.errors import InvalidInputError, TakevaultError
from takevault.models import Take
from takevault.vault import lookup
from takevault.vault import notes as _notes
from takevault.vault.drawing import drawing_bounds
from takevault.vault.notes import Note

if TYPE_CHECKING:
    from takevault.jobs.model import Job
    from takevault.vault import Vault

log = logging.getLogger("takevault.notes")


def carry_notes(
    vault: Vault,
    take: Take,
    from_version: int,
    to_version: int,
    *,
    progress: Callable[[int], None] | None = None,
) -> list[Note]:
    """Carry every open note of `from_version` of `take` to `to_version`; returns the carried notes.

    `progress` gets 1 when the versions are aligned and 1 when the notes are stored."""
    from takevault.compare.follow import Span, follow

    if from_version == to_version:
        raise InvalidInputError(f"v{from_version} is the version the notes are on; carry them to another one.")
    lookup.version(vault, take, from_version)
    lookup.version(vault, take, to_version)
    done = rows.carried_ids(vault.catalog, take.id, to_version)
    every = rows.list_notes(vault.catalog, [take.id], from_version)
    todo = [r for r in every if not r["parent_id"] and r["status"] == "open" and r["id"] not in done]
    if not todo:
        return []
    spans = [Span(r["frame_in"] or 0, r["frame_out"] or r["frame_in"] or 0, drawing_bounds(r["drawing"])) for r in todo]
    with (
        vault.open_version(f"{take.id}@v{from_version}") as path_a,
        vault.open_version(f"{take.id}@v{to_version}") as path_b,
    ):
        results = follow(path_a, path_b, spans)
    if progress is not None:
        progress(1)
    replies: dict[str, list[dict[str, Any]]] = {}
    for r in every:
        if r["parent_id"]:
            replies.setdefault(r["parent_id"], []).append(r)
    new_notes: list[NewNote] = []
    carried: list[str] = []
    for row, found in zip(todo, results, strict=True):
        new_id = str(uuid.uuid4())
        carried.append(new_id)
        new_notes.append(
            _copy(
                row,
                id=new_id,
                version=to_version,
                frame_in=found.first,
                frame_out=found.last,
                carried_from=row["id"],
                follow=found.state,
            )
        )
        new_notes += [
            _copy(reply, id=str(uuid.uuid4()), version=to_version, parent_id=new_id)
            for reply in replies.get(row["id"], [])
        ]
    states = [f.state for f in results]
    event = lookup.event(
        vault,
        "notes_follow",
        take,
        from_version=from_version,
        to_version=to_version,
        changed=states.count("changed"),
        unchanged=states.count("unchanged"),
        gone=states.count("gone"),
    )
    rows.add_notes(vault.catalog, new_notes, event)
    if progress is not None:
        progress(1)
    by_id = {n.id: n for n in _notes.notes_of(vault, take, to_version)}
    return [by_id[i] for i in carried if i in by_id]


def _copy(row: dict[str, Any], **changes: Any) -> NewNote:
    """A note row carried over: who wrote it, when and what stay; `changes` say where it lands."""
    keep = (
        "take_id", "version", "parent_id", "frame_in", "frame_out", "text", "drawing", "status", "author",
        "guest", "created_at", "resolved_at", "resolved_by",
    )  # fmt: skip
    return NewNote(**{**{k: row[k] for k in keep}, **changes})


def follow_notes(vault: Vault, ref: str, *, from_version: int, to_version: int | None = None) -> list[Note]:
    """Carry the open notes of `from_version` to `to_version` (default: the current version)."""
    take = lookup.take_only(vault, ref, "note follow")
    return carry_notes(vault, take, from_version, to_version or take.current.number)


def after_replace(vault: Vault, take: Take, previous: int, new: int) -> None:
    """Run after a replace stored `new`: carry the open notes of `previous` to it, as a
    `notes_follow` job run here in the foreground (its row is kept like any job's).

    The new version is already stored, so a failure here must not undo the replace; it is
    on the job's row and logged, and `takevault note follow` can run it again.
    """
    if not _has_open_notes(vault, take, previous):
        return
    try:
        job = vault.run_job("notes_follow", _follow_args(take, previous, new))
    except TakevaultError as exc:
        log.warning("notes of %s@v%s were not carried to v%s: %s", take.ref, previous, new, exc)
        return
    if job.error:
        log.warning("notes of %s@v%s were not carried to v%s: %s", take.ref, previous, new, job.error)


def queue_notes_follow(vault: Vault, take: Take, previous: int, new: int) -> Job | None:
    """Queue the `notes_follow` job of a replace that did not carry its notes itself (the web's):
    None when `previous` has no open note to carry."""
    if not _has_open_notes(vault, take, previous):
        return None
    return vault.submit_job("notes_follow", _follow_args(take, previous, new))


def _has_open_notes(vault: Vault, take: Take, version: int) -> bool:
    return any(not r["parent_id"] and r["status"] == "open" for r in rows.list_notes(vault.catalog, [take.id], version))


def _follow_args(take: Take, previous: int, new: int) -> dict[str, Any]:
    return {"take": take.id, "from_version": previous, "to_version": new}
