"""The gallery's take list in pages: cursor + limit over the filters of `Vault.takes`, with a total.

A cursor is an opaque token naming the filters it was made for and the last
take of the page it follows, so a cursor from another filter (or a made-up
one) is refused in one sentence rather than silently giving a wrong page. The
search is the catalog's text index: names, notes, tags, statuses and workflow prompts.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from takevault.catalog.search import search_words
from takevault.errors import InvalidInputError
from takevault.models import ANY_TAKE, Take, TakeFilter
from takevault.vault import lookup

if TYPE_CHECKING:
    from takevault.vault import Vault

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


def takes_page(
    vault: Vault,
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

    `search`: words that must each begin a word of the take's name, shot, note, status, tags or
    workflow prompt (the catalog's text index).
    """
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInputError(f"A page holds 1 to {MAX_PAGE} takes; {limit} is out of range.")
    where = TakeFilter(
        shot=shot,
        section=section,
        starred=starred,
        kind=kind,
        status=status,
        min_rating=min_rating,
        search=search,
        deleted=deleted,
    )
    tag = _filters_tag(vault.project, asdict(where))
    after, offset = _decode(cursor, tag) if cursor else (None, 0)
    if min_rating is not None and not 0 <= min_rating <= 5:
        raise InvalidInputError(f"The minimum rating {min_rating} is out of range; give a number from 0 to 5.")
    if search is not None:
        search_words(search)  # too long or no words: one sentence, before any query
    shot_ids = _shot_ids(vault, shot, section)
    page = vault.catalog.take_id_page(
        lookup.project_row(vault), where, shot_ids, after=after, offset=offset, limit=limit
    )
    page_ids, start, total = page
    items: list[Take] = []
    if page_ids:
        # Full records for this page only (the expensive part: versions, media, links).
        loaded = {t.id: t for t in vault.catalog.query_takes(lookup.project_row(vault), ANY_TAKE, take_ids=page_ids)}
        items = [loaded[i] for i in page_ids if i in loaded]
    end = start + len(page_ids)
    next_cursor = _encode(tag, page_ids[-1], end) if page_ids and end < total else None
    return TakePage(items=tuple(items), total=total, next_cursor=next_cursor, limit=limit)


def _shot_ids(vault: Vault, shot: str | None, section: str | None) -> list[int] | None:
    """Check the shot and section filters as `takes()` does; the shot's ids (a code may repeat)."""
    from takevault.errors import NotFoundError
    from takevault.vault.refs import parse_shot

    if section is not None:
        vault.catalog.section(lookup.project_row(vault), section)
    if shot is None:
        return None
    shot_section, code = parse_shot(shot)
    found = lookup.shots_named(vault, shot_section, code)
    if not found:
        raise NotFoundError(f"Shot {shot} does not exist; list shots with 'takevault shot list'.")
    return [s.id for s in found]


__all__ = ["BadCursorError", "TakePage"]
