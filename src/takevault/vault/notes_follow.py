"""Notes that follow the next version: each open note of one version is carried to another through
the frame alignment, marked changed / unchanged / gone (see `compare.follow`).

`follow_notes(vault, take, from_version, to_version)` is the whole use case, run as
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
from takevault.errors import InvalidInputError, TakevaultError
from takevault.models import Take
from takevault.vault.drawing import drawing_bounds
from takevault.vault.notes import Note, NotesMixin

if TYPE_CHECKING:
    from takevault.jobs.model import Job

log = logging.getLogger("takevault.notes")


def follow_notes(
    vault: Any,
    take: Take,
    from_version: int,
    to_version: int,
    *,
    progress: Callable[[int], None] | None = None,
    by: str | None = None,
) -> list[Note]:
    """Carry every open note of `from_version` of `take` to `to_version`; returns the carried notes.

    `progress` gets 1 when the versions are aligned and 1 when the notes are stored; `by` names
    the person in the event when a worker runs it for them."""
    from takevault.compare.follow import Span, follow

    if from_version == to_version:
        raise InvalidInputError(f"v{from_version} is the version the notes are on; carry them to another one.")
    vault._version(take, from_version)
    vault._version(take, to_version)
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
    values: list[dict[str, Any]] = []
    carried: list[str] = []
    for row, found in zip(todo, results, strict=True):
        new_id = str(uuid.uuid4())
        carried.append(new_id)
        values.append(
            {
                **_copy(row),
                "id": new_id,
                "version": to_version,
                "frame_in": found.first,
                "frame_out": found.last,
                "carried_from": row["id"],
                "follow": found.state,
            }
        )
        values += [
            {**_copy(reply), "id": str(uuid.uuid4()), "version": to_version, "parent_id": new_id}
            for reply in replies.get(row["id"], [])
        ]
    states = [f.state for f in results]
    event = vault._event(
        "notes_follow",
        take,
        from_version=from_version,
        to_version=to_version,
        changed=states.count("changed"),
        unchanged=states.count("unchanged"),
        gone=states.count("gone"),
    )
    if by:
        event["user"] = by
    rows.add_notes(vault.catalog, values, event)
    if progress is not None:
        progress(1)
    by_id = {n.id: n for n in vault._notes_of(take, to_version)}
    return [by_id[i] for i in carried if i in by_id]


def _copy(row: dict[str, Any]) -> dict[str, Any]:
    keep = ("take_id", "version", "parent_id", "frame_in", "frame_out", "text", "drawing", "status", "author")
    return {
        **{k: row[k] for k in keep},
        "guest": row["guest"],
        "created_at": row["created_at"],
        "resolved_at": row["resolved_at"],
        "resolved_by": row["resolved_by"],
    }


class NotesFollowMixin(NotesMixin):
    """Carry open notes to a take's next version."""

    def follow_notes(self, ref: str, *, from_version: int, to_version: int | None = None) -> list[Note]:
        """Carry the open notes of `from_version` to `to_version` (default: the current version)."""
        take = self._take_only(ref, "note follow")
        return follow_notes(self, take, from_version, to_version or take.current.number)

    def after_replace(self, take: Take, previous: int, new: int) -> None:
        """Run after a replace stored `new`: carry the open notes of `previous` to it, as a
        `notes_follow` job run here in the foreground (its row is kept like any job's).

        The new version is already stored, so a failure here must not undo the replace; it is
        on the job's row and logged, and `takevault note follow` can run it again.
        """
        if not self._has_open_notes(take, previous):
            return
        try:
            job = self.run_job("notes_follow", _follow_args(take, previous, new))  # type: ignore[attr-defined]
        except TakevaultError as exc:
            log.warning("notes of %s@v%s were not carried to v%s: %s", take.ref, previous, new, exc)
            return
        if job.error:
            log.warning("notes of %s@v%s were not carried to v%s: %s", take.ref, previous, new, job.error)

    def queue_notes_follow(self, take: Take, previous: int, new: int) -> Job | None:
        """Queue the `notes_follow` job of a replace that did not carry its notes itself (the web's):
        None when `previous` has no open note to carry."""
        if not self._has_open_notes(take, previous):
            return None
        job: Job = self.submit_job("notes_follow", _follow_args(take, previous, new))  # type: ignore[attr-defined]
        return job

    def _has_open_notes(self, take: Take, version: int) -> bool:
        return any(
            not r["parent_id"] and r["status"] == "open" for r in rows.list_notes(self.catalog, [take.id], version)
        )


def _follow_args(take: Take, previous: int, new: int) -> dict[str, Any]:
    return {"take": take.id, "from_version": previous, "to_version": new}
