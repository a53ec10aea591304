"""`set` (note, rating, status, tags) and `link` (relationships between takes)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from takevault.catalog.rows import UNCHANGED, TakeChanges
from takevault.errors import InvalidInputError
from takevault.models import Take
from takevault.vault import lookup

if TYPE_CHECKING:
    from takevault.vault import Vault


def set_values(
    vault: Vault,
    ref: str,
    *,
    note: str | None = None,
    rating: int | None = None,
    status: str | None = None,
    tags: Iterable[str] | None = None,
    add_tags: Iterable[str] | None = None,
    remove_tags: Iterable[str] | None = None,
) -> Take:
    """Change what is given: `note=""`/`status=""` clear them, `tags` replaces the list, add/remove edit it."""
    take = lookup.take_only(vault, ref, "set")
    values: dict[str, Any] = {}
    if note is not None:
        values["note"] = note or None
    if rating is not None:
        if isinstance(rating, bool) or not isinstance(rating, int) or not 0 <= rating <= 5:
            raise InvalidInputError(f"The rating {rating!r} is out of range; give a whole number from 0 to 5.")
        values["rating"] = rating
    if status is not None:
        values["status"] = status.strip() or None
    if tags is not None or add_tags is not None or remove_tags is not None:
        current = list(take.tags) if tags is None else []
        for tag in [*(tags or ()), *(add_tags or ())]:
            tag = _clean_tag(tag)
            if tag not in current:
                current.append(tag)
        removed = {_clean_tag(t) for t in remove_tags or ()}
        values["tags"] = [t for t in current if t not in removed]
    if not values:
        raise InvalidInputError("Nothing to set; give --note, --rating, --status or --tag.")
    changes = TakeChanges(
        note=values.get("note", UNCHANGED),
        rating=values.get("rating", UNCHANGED),
        status=values.get("status", UNCHANGED),
        tags=tuple(values["tags"]) if "tags" in values else UNCHANGED,
    )
    vault.catalog.update_take(take.id, changes, lookup.event(vault, "set", take, changes=values))
    return vault.take(take.id)


def link(vault: Vault, ref: str, other: str, *, kind: str = "related") -> None:
    """Record that `ref` relates to `other` (e.g. kind "derived-from", "alternate")."""
    take = lookup.take_only(vault, ref, "link")
    target = lookup.take_only(vault, other, "link")
    if take.id == target.id:
        raise InvalidInputError(f"{take.ref} cannot be linked to itself; name two different takes.")
    kind = (kind or "").strip()
    if not kind or len(kind) > 100:
        raise InvalidInputError("The link kind is empty or too long; use a short word such as related.")
    vault.catalog.add_link(
        take.id,
        target.id,
        kind,
        vault.user,
        lookup.event(vault, "link", take, other=target.ref, other_id=target.id, kind=kind),
    )


def _clean_tag(tag: str) -> str:
    tag = str(tag).strip()
    if not tag or len(tag) > 100 or "," in tag:
        raise InvalidInputError(f"The tag {tag!r} is empty, too long or has a comma; give one short word per --tag.")
    return tag
