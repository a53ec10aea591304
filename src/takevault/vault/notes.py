"""Review notes on a frame or an In/Out range of one take version, with drawings, replies and a state.

Frames are 0-based frame numbers of the version; timecodes (`HH:MM:SS:FF`,
drop-frame at 29.97/59.94) are read and shown through `takevault.timecode` at the
version's exact frame rate. A reply is a note with a parent and no frames.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from takevault.catalog import notes as rows
from takevault.catalog.catalog import now
from takevault.catalog.rows import NewNote
from takevault.errors import BadReferenceError, ConflictError, InvalidInputError, NotFoundError
from takevault.models import Take, TakeVersion
from takevault.timecode import frame_to_seconds, frame_to_timecode, timecode_to_frame
from takevault.vault import lookup
from takevault.vault.drawing import check_drawing

if TYPE_CHECKING:
    from takevault.vault import Vault

MAX_TEXT = 10_000
FOLLOW_STATES = ("changed", "unchanged", "gone")
# Marker colours an NLE shows: red for a new note, orange where a carried note's picture changed,
# green where it did not, purple for a guest's note.
MARKER_COLORS = {"changed": "ORANGE", "unchanged": "GREEN", "gone": "BLACK", "guest": "PURPLE"}


@dataclass(frozen=True)
class Note:
    id: str
    take_id: str
    ref: str
    version: int
    frame_in: int | None
    frame_out: int | None
    fps: Fraction | None
    text: str
    author: str
    created_at: datetime
    status: str = "open"
    guest: bool = False
    drawing: dict[str, Any] | None = None
    parent_id: str | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    carried_from: str | None = None
    follow: str | None = None
    replies: tuple[Note, ...] = field(default=())

    def timecode(self, frame: int | None) -> str | None:
        return frame_to_timecode(frame, self.fps) if frame is not None and self.fps else None

    def seconds(self, frame: int | None) -> float | None:
        return float(frame_to_seconds(frame, self.fps)) if frame is not None and self.fps else None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "take_id": self.take_id,
            "ref": self.ref,
            "version": self.version,
            "parent_id": self.parent_id,
            "frame_in": self.frame_in,
            "frame_out": self.frame_out,
            "timecode_in": self.timecode(self.frame_in),
            "timecode_out": self.timecode(self.frame_out),
            "time_in": self.seconds(self.frame_in),
            # The end of the range is the end of its last frame, as an NLE's Out point.
            "time_out": self.seconds(self.frame_out + 1) if self.frame_out is not None else None,
            "text": self.text,
            "drawing": self.drawing,
            "status": self.status,
            "author": self.author,
            "guest": self.guest,
            "created_at": self.created_at.isoformat(),
            "resolved_at": self.resolved_at.isoformat() if self.resolved_at else None,
            "resolved_by": self.resolved_by,
            "carried_from": self.carried_from,
            "follow": self.follow,
            "replies": [r.to_json() for r in self.replies],
        }


def check_text(text: Any, what: str = "note") -> str:
    if not isinstance(text, str) or not text.strip():
        raise InvalidInputError(f"The {what} is empty; write what should change.")
    if len(text) > MAX_TEXT:
        raise InvalidInputError(f"The {what} is {len(text)} characters long; keep it under {MAX_TEXT}.")
    return text.strip()


def _one_line(text: str, limit: int) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def parse_frame(value: int | str, fps: Fraction | None, what: str) -> int:
    """A frame number (`112`) or a timecode (`00:00:04:16`) as a 0-based frame of the version."""
    if isinstance(value, bool):
        raise InvalidInputError(f"The {what} {value!r} is not a frame; give a frame number or HH:MM:SS:FF.")
    if isinstance(value, int):
        frame = value
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
        frame = int(value.strip())
    elif isinstance(value, str) and fps:
        frame = timecode_to_frame(value.strip(), fps)
    else:
        raise InvalidInputError(f"The {what} {value!r} is not a frame; give a frame number or HH:MM:SS:FF.")
    if frame < 0:
        raise InvalidInputError(f"The {what} {value!r} is before the first frame; frames count from 0.")
    return frame


def add_note(
    vault: Vault,
    ref: str,
    text: str,
    *,
    at: int | str | None = None,
    start: int | str | None = None,
    end: int | str | None = None,
    drawing: Any = None,
    guest: bool = False,
    author: str | None = None,
) -> Note:
    """A note on frame `at`, or on `start`..`end` (inclusive), of the version `ref` names (else its current)."""
    take, version = vault.resolve_version(ref)
    if take.deleted:
        raise ConflictError(f"{take.ref} is deleted; restore it with 'takevault restore {take.ref}' to note it.")
    text = check_text(text)
    first, last = _note_frames(vault, take, version, at, start, end)
    shapes = check_drawing(drawing)
    new = _new_note(vault, take, version.number, text, first, last, shapes, guest=guest, author=author)
    event = lookup.event(vault, "note", take, note=new.id, version=version.number, frame=first, guest=guest)
    rows.add_note(vault.catalog, new, dataclasses.replace(event, user=new.author))
    return vault.note(new.id)


def reply_note(vault: Vault, note_id: str, text: str, *, guest: bool = False, author: str | None = None) -> Note:
    """A reply under a note (a reply to a reply goes under the same note)."""
    parent = _note_row(vault, note_id)
    take = vault.take(parent["take_id"])
    if take.deleted:
        raise ConflictError(f"{take.ref} is deleted; restore it with 'takevault restore {take.ref}' to reply.")
    root_id = parent["parent_id"] or parent["id"]
    new = _new_note(
        vault, take, parent["version"], check_text(text, "reply"), None, None, None, guest=guest, author=author
    )
    new = dataclasses.replace(new, parent_id=root_id)
    event = lookup.event(vault, "note_reply", take, note=root_id, reply=new.id, guest=guest)
    rows.add_note(vault.catalog, new, dataclasses.replace(event, user=new.author))
    return vault.note(root_id)


def resolve_note(vault: Vault, note_id: str, *, resolved: bool = True) -> Note:
    """Mark a note resolved (or open again); replies follow their note."""
    row = _note_row(vault, note_id)
    if row["parent_id"]:
        raise InvalidInputError("That is a reply; resolve the note it answers instead.")
    take = vault.take(row["take_id"])
    status = "resolved" if resolved else "open"
    event = lookup.event(vault, "note_resolve" if resolved else "note_reopen", take, note=row["id"])
    rows.set_status(vault.catalog, row["id"], status, vault.user, now() if resolved else None, event)
    return vault.note(row["id"])


def note(vault: Vault, note_id: str) -> Note:
    row = _note_row(vault, note_id)
    root = row["parent_id"] or row["id"]
    take = vault.take(row["take_id"])
    for found in notes_of(vault, take, row["version"]):
        if found.id == root:
            return found
    raise NotFoundError(f"There is no note {note_id}; list notes with 'takevault note list TAKE'.")


def notes(vault: Vault, ref: str, *, status: str | None = None, all_versions: bool = False) -> list[Note]:
    """Notes (with their replies) of the version `ref` names, else of its current version, by frame."""
    if status not in (None, "open", "resolved"):
        raise InvalidInputError(f"{status!r} is not a note state; use open or resolved.")
    take, version = vault.resolve_version(ref)
    found = notes_of(vault, take, None if all_versions else version.number)
    if status:
        found = [n for n in found if n.status == status]
    return found


def note_markers(vault: Vault, take: Take, version: int) -> list[dict[str, Any]]:
    """The open notes of a take version as timeline markers (OTIO, EDL, FCP XML, Resolve CSV)."""
    markers = []
    for note in notes_of(vault, take, version):
        if note.status != "open" or note.frame_in is None:
            continue
        by = note.author + (" (guest)" if note.guest else "")
        markers.append(
            {
                "name": _one_line(f"{by}: {note.text}", 120),
                "frame_in": note.frame_in,
                "frame_out": note.frame_out if note.frame_out is not None else note.frame_in,
                "comment": note.text,
                "color": MARKER_COLORS.get(note.follow or ("guest" if note.guest else ""), "RED"),
                "metadata": {
                    "note_id": note.id,
                    "author": note.author,
                    "guest": note.guest,
                    "follow": note.follow,
                    "ref": note.ref,
                },
            }
        )
    return markers


# -- helpers -----------------------------------------------------------------------
def notes_of(vault: Vault, take: Take, version: int | None) -> list[Note]:
    fps = {v.number: v.media.fps for v in vault.catalog.versions(take.id)}
    all_rows = rows.list_notes(vault.catalog, [take.id], version)
    replies: dict[str, list[Note]] = {}
    for row in all_rows:
        if row["parent_id"]:
            replies.setdefault(row["parent_id"], []).append(_note(row, take, fps.get(row["version"])))
    top = [
        _note(row, take, fps.get(row["version"]), tuple(replies.get(row["id"], ())))
        for row in all_rows
        if not row["parent_id"]
    ]
    top.sort(key=lambda n: (n.version, n.frame_in or 0, n.created_at))
    return top


def _note_row(vault: Vault, note_id: str) -> dict[str, Any]:
    if not isinstance(note_id, str) or not note_id.strip() or len(note_id) > 36:
        raise BadReferenceError(f"{note_id!r} is not a note id; list notes with 'takevault note list TAKE'.")
    row = rows.get_note(vault.catalog, note_id.strip())
    if row is None:
        matches = rows.find_by_prefix(vault.catalog, note_id.strip()) if len(note_id.strip()) >= 6 else []
        if len(matches) == 1:
            row = matches[0]
    if row is None:
        raise NotFoundError(f"There is no note {note_id}; list notes with 'takevault note list TAKE'.")
    vault.take(row["take_id"])  # a note of another project's take is not found from this one
    return row


def _note_frames(vault: Vault, take: Take, version: TakeVersion, at: Any, start: Any, end: Any) -> tuple[int, int]:
    fps = version.media.fps
    if at is not None and (start is not None or end is not None):
        raise InvalidInputError("Give either one frame (--at) or a range (--from and --to), not both.")
    if at is None and (start is None or end is None):
        raise InvalidInputError("Say where the note goes: one frame with --at, or a range with --from and --to.")
    first = parse_frame(at if at is not None else start, fps, "frame" if at is not None else "range start")
    last = first if at is not None else parse_frame(end, fps, "range end")
    if last < first:
        raise InvalidInputError(
            f"The range ends (frame {last}) before it starts (frame {first}); give the In point first."
        )
    frames = version.media.frames
    if frames and last >= frames:
        end_tc = f" ({frame_to_timecode(frames - 1, fps)})" if fps else ""
        raise InvalidInputError(
            f"Frame {last} is outside {take.ref}@v{version.number}, whose last frame is {frames - 1}{end_tc}; "
            "pick a frame inside the version."
        )
    return first, last


def _new_note(
    vault: Vault,
    take: Take,
    version: int,
    text: str,
    first: int | None,
    last: int | None,
    drawing: dict[str, Any] | None,
    *,
    guest: bool,
    author: str | None,
) -> NewNote:
    return NewNote(
        id=str(uuid.uuid4()),
        take_id=take.id,
        version=version,
        frame_in=first,
        frame_out=last,
        text=text,
        drawing=drawing,
        author=author or vault.user,
        guest=guest,
        created_at=now(),
    )


def _note(row: dict[str, Any], take: Take, fps: Fraction | None, replies: tuple[Note, ...] = ()) -> Note:
    return Note(
        id=row["id"],
        take_id=row["take_id"],
        ref=f"{take.ref}@v{row['version']}",
        version=row["version"],
        frame_in=row["frame_in"],
        frame_out=row["frame_out"],
        fps=fps,
        text=row["text"],
        author=row["author"],
        created_at=row["created_at"],
        status=row["status"],
        guest=bool(row["guest"]),
        drawing=row["drawing"],
        parent_id=row["parent_id"],
        resolved_at=row["resolved_at"],
        resolved_by=row["resolved_by"],
        carried_from=row["carried_from"],
        follow=row["follow"],
        replies=replies,
    )
