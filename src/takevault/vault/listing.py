"""The gallery's take list in pages: cursor + limit over the filters of `Vault.takes`, with a total.

A cursor is an opaque token naming the filters it was made for and the last
take of the page it follows, so a cursor from another filter (or a made-up
one) is refused in one sentence rather than silently giving a wrong page. The
search also looks at the generation prompts of each take's current version.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from takevault.errors import InvalidInputError
from takevault.models import Take
from takevault.vault.core import VaultCore

MAX_PAGE = 1000
DEFAULT_PAGE = 200


@dataclass(frozen=True)
class TakePage:
    items: tuple[Take, ...]
    total: int
    next_cursor: str | None
    limit: int

    def to_json(self) -> dict[str, Any]:
        return {
            "items": [t.to_json() for t in self.items],
            "total": self.total,
            "next_cursor": self.next_cursor,
            "limit": self.limit,
        }


class BadCursorError(InvalidInputError):
    """A page cursor that this server did not make for these filters."""


def _filters_tag(project: str, filters: dict[str, Any]) -> str:
    text = json.dumps({"project": project, **filters}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _encode(tag: str, after: str, offset: int) -> str:
    raw = json.dumps({"f": tag, "a": after, "o": offset}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, tag: str) -> tuple[str, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        after, offset, made_for = data["a"], int(data["o"]), data["f"]
        if not isinstance(after, str) or offset < 0:
            raise ValueError
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise BadCursorError(
            "The page cursor is not one this server gave out; start again from the first page (no cursor)."
        ) from None
    if made_for != tag:
        raise BadCursorError(
            "The page cursor belongs to a different filter or project; start again from the first page."
        )
    return after, offset


def prompt_text(take: Take) -> str:
    png = take.current.png
    generation = (png.params or {}).get("generation") if png is not None else None
    if not isinstance(generation, dict):
        return ""
    return " ".join(str(generation.get(k) or "") for k in ("positive", "negative"))


def _matches(take: Take, needle: str) -> bool:
    fields = (take.name, take.note, " ".join(take.tags), take.shot, take.section, take.status, prompt_text(take))
    return any(needle in (f or "").casefold() for f in fields)


class ListingMixin(VaultCore):
    """`takes_page`: one page of the take list, as the gallery and API read it."""

    def _after_gone(self, takes: list[Take], after: str, offset: int) -> int:
        """Where the next page starts when the take the last one ended with left the list (deleted,
        re-rated…): right after where it would sort (shot order, then take number)."""
        from takevault.errors import NotFoundError

        try:
            gone = self.take(after)  # type: ignore[attr-defined]
        except NotFoundError:  # purged: only its position is left
            return min(offset, len(takes))
        order = {(s.section, s.code): i for i, s in enumerate(self.list_shots())}  # type: ignore[attr-defined]

        def key(t: Take) -> tuple[int, int]:
            return order.get((t.section, t.shot), -1), t.number

        mark = key(gone)
        return next((i for i, t in enumerate(takes) if key(t) > mark), len(takes))

    def takes_page(
        self,
        *,
        limit: int = DEFAULT_PAGE,
        cursor: str | None = None,
        shot: str | None = None,
        section: str | None = None,
        starred: bool | None = None,
        kind: str | None = None,
        status: str | None = None,
        min_rating: int | None = None,
        search: str | None = None,
        deleted: bool | None = False,
    ) -> TakePage:
        """Up to `limit` takes after `cursor` (section, shot, take order), the total, and the next cursor.

        `search` matches names, notes, tags, shots, statuses and generation prompts.
        """
        if not 1 <= limit <= MAX_PAGE:
            raise InvalidInputError(f"A page holds 1 to {MAX_PAGE} takes; {limit} is out of range.")
        filters = {
            "shot": shot,
            "section": section,
            "starred": starred,
            "kind": kind,
            "status": status,
            "min_rating": min_rating,
            "search": search,
            "deleted": deleted,
        }
        tag = _filters_tag(self.project, filters)
        start = 0
        if cursor:
            after, offset = _decode(cursor, tag)
        takes = self.takes(  # type: ignore[attr-defined]
            shot=shot,
            section=section,
            starred=starred,
            kind=kind,
            status=status,
            min_rating=min_rating,
            deleted=deleted,
        )
        if search:
            needle = search.casefold()
            takes = [t for t in takes if _matches(t, needle)]
        if cursor:
            index = next((i for i, t in enumerate(takes) if t.id == after), None)
            start = index + 1 if index is not None else self._after_gone(takes, after, offset)
        items = takes[start : start + limit]
        end = start + len(items)
        next_cursor = _encode(tag, items[-1].id, end) if items and end < len(takes) else None
        return TakePage(items=tuple(items), total=len(takes), next_cursor=next_cursor, limit=limit)


__all__ = ["BadCursorError", "TakePage"]
