"""Which take of each shot was starred at a past moment, replayed from the event log.

Every star change is an event (`star` / `unstar`, details holding the take id
and the version number at that moment). Replaying them in order up to a moment
gives the stars as they stood then; the vault then picks the version of each
take that was current at that moment.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from takevault.errors import InvalidInputError


@dataclass(frozen=True)
class StarState:
    """The star of one shot at a moment."""

    shot: str
    take_id: str
    version: int | None
    at: datetime


def aware(moment: datetime, *, naive_is_local: bool) -> datetime:
    """Make a datetime comparable: naive user input is local time, naive stored times are UTC."""
    if moment.tzinfo is not None:
        return moment
    if naive_is_local:
        return moment.astimezone()
    return moment.replace(tzinfo=UTC)


def parse_moment(text: str) -> datetime:
    """`--as-of` input: ISO 8601 (`2025-05-01`, `2025-05-01T14:30`, `…Z`, `…+02:00`); naive means local time."""
    raw = text.strip()
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise InvalidInputError(
            f"{text!r} is not a moment takevault understands; write it as ISO 8601, e.g. 2025-05-01T14:30 or "
            "2025-05-01T12:30:00Z."
        ) from exc
    return aware(moment, naive_is_local=True)


def stars_as_of(events: Iterable[Any], as_of: datetime) -> dict[str, StarState]:
    """Replay `star`/`unstar` events up to and including `as_of`; returns shot -> star at that moment."""
    limit = aware(as_of, naive_is_local=True)
    ordered = sorted(
        (e for e in events if e.action in ("star", "unstar")),
        key=lambda e: (aware(e.at, naive_is_local=False), _event_order(e)),
    )
    state: dict[str, StarState] = {}
    for event in ordered:
        at = aware(event.at, naive_is_local=False)
        if at > limit:
            break
        details = event.details or {}
        take_id = details.get("take_id") or event.take_id
        shot = _shot_key(event)
        if event.action == "star":
            version = details.get("version")
            state[shot] = StarState(shot, str(take_id), int(version) if version is not None else None, at)
        elif shot in state and (take_id is None or state[shot].take_id == str(take_id)):
            del state[shot]
    return state


def _shot_key(event: Any) -> str:
    details = event.details or {}
    return str(details.get("shot_id") or event.shot)


def _event_order(event: Any) -> Any:
    """Events in the same instant keep their log order (ids grow)."""
    ident = event.id
    return (0, ident) if isinstance(ident, int) else (1, str(ident))
