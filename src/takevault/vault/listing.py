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

from takevault.catalog.paging import ordered_take_ids
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

    def _after_gone(self, ids: list[str], after: str, offset: int) -> int:
        """Where the next page starts when the take the last page ended with left the list (deleted,
        re-rated…): right after where it sits in the order of every take of the project."""
        everything = ordered_take_ids(self.catalog, self._project, deleted=None)  # type: ignore[attr-defined]
        order = {take_id: i for i, take_id in enumerate(everything)}
        mark = order.get(after)
        if mark is None:  # purged: only its position is left
            return min(offset, len(ids))
        return next((i for i, take_id in enumerate(ids) if order.get(take_id, -1) > mark), len(ids))

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
        after, offset = _decode(cursor, tag) if cursor else (None, 0)
        if search:
            # Prompts live in each version's PNG data: matched here, over the filtered takes.
            needle = search.casefold()
            found = [
                t
                for t in self.takes(  # type: ignore[attr-defined]
                    shot=shot,
                    section=section,
                    starred=starred,
                    kind=kind,
                    status=status,
                    min_rating=min_rating,
                    deleted=deleted,
                )
                if _matches(t, needle)
            ]
            by_id = {t.id: t for t in found}
            ids = [t.id for t in found]
        else:
            by_id = {}
            ids = ordered_take_ids(
                self.catalog,
                self._project,  # type: ignore[attr-defined]
                shot_ids=self._shot_ids(shot, section),
                section=section,
                starred=starred,
                kind=kind,
                status=status,
                min_rating=min_rating,
                deleted=deleted,
            )
        start = 0
        if after is not None:
            index = next((i for i, take_id in enumerate(ids) if take_id == after), None)
            start = index + 1 if index is not None else self._after_gone(ids, after, offset)
        page_ids = ids[start : start + limit]
        if by_id:
            items = [by_id[i] for i in page_ids]
        elif page_ids:
            # Full records for this page only (the expensive part: versions, media, links).
            loaded = {t.id: t for t in self.catalog.query_takes(self._project, take_ids=page_ids, deleted=None)}  # type: ignore[attr-defined]
            items = [loaded[i] for i in page_ids if i in loaded]
        else:
            items = []
        end = start + len(page_ids)
        next_cursor = _encode(tag, page_ids[-1], end) if page_ids and end < len(ids) else None
        return TakePage(items=tuple(items), total=len(ids), next_cursor=next_cursor, limit=limit)

    def _shot_ids(self, shot: str | None, section: str | None) -> list[int] | None:
        """Check the shot and section filters as `takes()` does; the shot's ids (a code may repeat)."""
        from takevault.errors import NotFoundError
        from takevault.vault.refs import parse_shot

        if section is not None:
            self.catalog.section(self._project, section)  # type: ignore[attr-defined]
        if shot is None:
            return None
        shot_section, code = parse_shot(shot)
        found = self._shots_named(shot_section, code)  # type: ignore[attr-defined]
        if not found:
            raise NotFoundError(f"Shot {shot} does not exist; list shots with 'takevault shot list'.")
        return [s.id for s in found]


__all__ = ["BadCursorError", "TakePage"]
