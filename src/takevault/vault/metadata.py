"""`set` (note, rating, status, tags) and `link` (relationships between takes)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from takevault.errors import InvalidInputError
from takevault.models import Take
from takevault.vault.takebase import TakeBase


class MetadataMixin(TakeBase):
    """Describe takes and relate them."""

    def set(
        self,
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
        take = self._take_only(ref, "set")
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
        changes = {k: v for k, v in values.items()}
        self.catalog.update_take(take.id, values, self._event("set", take, changes=changes))
        return self.take(take.id)

    def link(self, ref: str, other: str, *, kind: str = "related") -> None:
        """Record that `ref` relates to `other` (e.g. kind "derived-from", "alternate")."""
        take = self._take_only(ref, "link")
        target = self._take_only(other, "link")
        if take.id == target.id:
            raise InvalidInputError(f"{take.ref} cannot be linked to itself; name two different takes.")
        kind = (kind or "").strip()
        if not kind or len(kind) > 100:
            raise InvalidInputError("The link kind is empty or too long; use a short word such as related.")
        self.catalog.add_link(
            take.id,
            target.id,
            kind,
            self.user,
            self._event("link", take, other=target.ref, other_id=target.id, kind=kind),
        )


def _clean_tag(tag: str) -> str:
    tag = str(tag).strip()
    if not tag or len(tag) > 100 or "," in tag:
        raise InvalidInputError(f"The tag {tag!r} is empty, too long or has a comma; give one short word per --tag.")
    return tag
