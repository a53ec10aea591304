"""`delete` (a delete marker + catalog flag), `restore` (copy the last version back), `purge` (for good).

A deleted take cannot stay starred: delete clears the shot's star when it
pointed at the take, and restore does not bring the star back (star it again).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from takevault.catalog.rows import TakeChanges
from takevault.errors import ConflictError, NotFoundError, StoreError, TakevaultError
from takevault.models import Take
from takevault.vault import lookup
from takevault.vault import replace as _replace

if TYPE_CHECKING:
    from takevault.vault import Vault


def delete(vault: Vault, ref: str) -> Take:
    """Hide the take behind a delete marker; every version stays restorable."""
    take = lookup.take_only(vault, ref, "delete")
    if take.deleted:
        raise ConflictError(f"{take.ref} is already deleted; restore it with 'takevault restore {take.ref}'.")
    event = lookup.event(vault, "delete", take)
    # Under the take's lock, so no replace or restore lands a new latest object behind the marker.
    with vault.catalog.lock_take(take.id) as writer:
        if writer.deleted:
            raise ConflictError(f"{take.ref} is already deleted; restore it with 'takevault restore {take.ref}'.")
        current = writer.versions()[0]
        event = event.with_details(version=current.number)
        vault.store.delete(take.key)
        png_key = current.png.key if current.png else None
        if png_key and _has_live_version(vault, png_key):
            vault.store.delete(png_key)
        writer.mark_deleted(event)
    return vault.take(take.id)


def restore(vault: Vault, ref: str) -> Take:
    """Bring a deleted take back: its current version is copied to a new latest version."""
    take = lookup.take_only(vault, ref, "restore")
    if not take.deleted:
        raise ConflictError(f"{take.ref} is not deleted; there is nothing to restore.")
    changes = TakeChanges(deleted=False, deleted_at=None)
    _replace.copy_version(vault, take, None, source="restore", action="restore", changes=changes)
    return vault.take(take.id)


def purge(vault: Vault, ref: str) -> None:
    """Remove every version of the take and its PNG for good; its number stays used."""
    take = lookup.take_only(vault, ref, "purge")
    keys = {take.key}
    keys.update(v.png.key for v in vault.catalog.versions(take.id) if v.png and v.png.key)
    # Catalog first: if the store fails half-way, what is left is unreferenced bytes (fsck finds
    # them), never a catalog row pointing at nothing.
    vault.catalog.purge_take(take.id, lookup.event(vault, "purge", take, versions=take.versions_count))
    failed: list[str] = []
    for key in sorted(keys):
        try:
            versions = list(vault.store.list_versions(key))
        except NotFoundError:
            continue
        for version in versions:
            try:
                vault.store.delete_version(key, version.version_id)
            except NotFoundError:
                continue
            except TakevaultError:
                failed.append(f"{key}@{version.version_id}")
    if failed:
        raise StoreError(
            f"{take.ref} is gone from the catalog but {len(failed)} store version(s) could not be removed; "
            "run 'takevault fsck' to list them and remove them from the store."
        )


def _has_live_version(vault: Vault, key: str) -> bool:
    try:
        vault.store.head(key)
    except NotFoundError:
        return False
    return True


def _shot_path(take: Take) -> str:
    return f"{take.section}/{take.shot}" if take.section else take.shot
