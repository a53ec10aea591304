"""`replace` (a new version of the same key) and `revert` (a new version copied from an old one)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from takevault.catalog.catalog import TakeWriter
from takevault.catalog.rows import TakeChanges
from takevault.errors import ConflictError, InvalidInputError
from takevault.lazy import lazy_module
from takevault.models import ObjectVersion, PngRecord, Take, TakeVersion
from takevault.store.base import ProgressCallback
from takevault.vault import add as _add
from takevault.vault import lookup
from takevault.vault import notes_follow as _notes_follow
from takevault.vault.add import _check_companions
from takevault.vault.pngs import copy_workflow_png

if TYPE_CHECKING:
    from takevault.vault import Vault

_media_probe = lazy_module("takevault.media.probe")  # PyAV loads when a file is probed


def replace(
    vault: Vault,
    ref: str,
    path: Path | str,
    *,
    workflow_png: Path | str | None = None,
    prompt: str | None = None,
    workflow: Path | str | None = None,
    progress: ProgressCallback | None = None,
    carry_notes: bool = True,
) -> Take:
    """Store `path` as the next version of the take; the old version stays as the backup.

    `carry_notes=False`: the caller carries the open review notes itself (the web queues a job)."""
    take = lookup.take_only(vault, ref, "replace")
    _refuse_deleted(take, "replacing")
    path = Path(path)
    media = _media_probe.probe(path)
    _check_companions(workflow_png, workflow)
    shot = vault.shot(f"{take.section}/{take.shot}" if take.section else take.shot)
    event = lookup.event(vault, "replace", take, original_name=path.name)
    puts: list[ObjectVersion | PngRecord | None] = []
    try:
        # The number is reserved under the take's lock and the bytes are put while it is held,
        # so the object metadata, the PNG link and the log line all carry the number the
        # catalog records, and the store's latest object is the current version.
        with vault.catalog.lock_take(take.id) as writer:
            _refuse_deleted_now(writer, take, "replacing")
            number = writer.next_number
            meta = _add.object_metadata(vault, take.id, shot, take.number, take.kind, path.name, media, version=number)
            stored = _add.put_file(vault, take.key, path, meta, progress)
            puts.append(stored)
            png = _add.png_for(
                vault,
                take.key,
                path,
                stored,
                take.id,
                take.ref,
                number,
                media,
                workflow_png=workflow_png,
                prompt=prompt,
                workflow=workflow,
            )
            puts.append(png)
            version = _add.new_version(vault, stored, path.name, media, png)
            writer.add_version(number, version, event.with_details(sha256=stored.sha256))
    except BaseException:
        _add.undo_puts(vault, puts)
        raise
    replaced = vault.take(take.id)
    # Follow-up work on the new version (open review notes move to it); never undoes the replace.
    if carry_notes:
        _notes_follow.after_replace(vault, replaced, take.current.number, replaced.current.number)
    return replaced


def revert(vault: Vault, ref: str, *, to_version: int | str) -> Take:
    """Make version `to_version` current again by copying it to a new latest version."""
    take = lookup.take_only(vault, ref, "revert")
    _refuse_deleted(take, "reverting")
    number = _version_number(to_version)
    old = lookup.version(vault, take, number)
    copy_version(vault, take, old, source="revert", action="revert")
    return vault.take(take.id)


def copy_version(
    vault: Vault, take: Take, old: TakeVersion | None, *, source: str, action: str, changes: TakeChanges | None = None
) -> int:
    """Copy `old` (video and its PNG; None: the current version) to new latest store versions and
    record them as the next version, all under the take's lock."""
    event = lookup.event(vault, action, take)
    puts: list[ObjectVersion | PngRecord | None] = []
    try:
        with vault.catalog.lock_take(take.id) as writer:
            versions = writer.versions()
            current = versions[0]
            if action == "restore":
                if not writer.deleted:
                    raise ConflictError(f"{take.ref} is not deleted; there is nothing to restore.")
            else:
                _refuse_deleted_now(writer, take, "reverting")
            old = current if old is None else next(v for v in versions if v.number == old.number)
            if action == "revert" and old.number == current.number:
                raise ConflictError(f"v{old.number} is already the current version of {take.ref}; nothing to revert.")
            number = writer.next_number
            stored = vault.store.restore(old.key, old.version_id)
            puts.append(stored)
            png = copy_workflow_png(vault, take, old, number)
            puts.append(png)
            version = _add.new_version(
                vault, stored, old.original_name, old.media, png, source=source, source_version=old.number
            )
            return writer.add_version(number, version, event.with_details(from_version=old.number), changes)
    except BaseException:
        _add.undo_puts(vault, puts)
        raise


def _refuse_deleted(take: Take, doing: str) -> None:
    if take.deleted:
        raise ConflictError(f"{take.ref} is deleted; restore it with 'takevault restore {take.ref}' before {doing} it.")


def _refuse_deleted_now(writer: TakeWriter, take: Take, doing: str) -> None:
    """The same refusal, checked again under the take's lock: a delete may have won the race."""
    if writer.deleted:
        raise ConflictError(
            f"{take.ref} was deleted meanwhile; restore it with 'takevault restore {take.ref}' before {doing} it."
        )


def _version_number(value: int | str) -> int:
    if isinstance(value, int):
        if value < 1:
            raise InvalidInputError(f"Version {value} does not exist; versions are numbered from v1.")
        return value
    from takevault.vault.refs import parse_version

    return parse_version(str(value))
