"""`star` and `unstar`: the shot's one pointer to its chosen take."""

from __future__ import annotations

from typing import TYPE_CHECKING

from takevault.errors import ConflictError
from takevault.models import ANY_TAKE, Shot, Take
from takevault.vault import lookup

if TYPE_CHECKING:
    from takevault.vault import Vault


def star(vault: Vault, ref: str) -> Take:
    """Make this take the shot's chosen one (the star moves away from any other take)."""
    take = lookup.take_only(vault, ref, "star")
    if take.deleted:
        raise ConflictError(f"{take.ref} is deleted; restore it with 'takevault restore {take.ref}' to star it.")
    vault.catalog.star_take(take.id, lookup.event(vault, "star", take, take_id=take.id, version=take.current.number))
    return vault.take(take.id)


def unstar(vault: Vault, shot: str) -> Shot:
    """Clear the shot's star; no-op when it has none."""
    target = vault.shot(shot)
    if target.starred_take_id is None:
        return target
    starred = vault.catalog.query_takes(lookup.project_row(vault), ANY_TAKE, take_ids=[target.starred_take_id])
    event = lookup.event(
        vault,
        "unstar",
        starred[0] if starred else None,
        shot=target.path,
        take_id=target.starred_take_id,
        version=starred[0].current.number if starred else None,
    )
    vault.catalog.set_star(target.id, None, event)
    return vault.shot(shot)
