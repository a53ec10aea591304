"""`replace` (a new version of the same key) and `revert` (a new version copied from an old one)."""

from __future__ import annotations

from pathlib import Path

from takevault.catalog.catalog import TakeWriter
from takevault.errors import ConflictError, InvalidInputError
from takevault.lazy import lazy_module
from takevault.models import ObjectVersion, PngRecord, Take, TakeVersion
from takevault.store.base import ProgressCallback
from takevault.vault.add import AddMixin, _check_companions

_media_probe = lazy_module("takevault.media.probe")  # PyAV loads when a file is probed


class ReplaceMixin(AddMixin):
    """New versions of an existing take; number, star, note, rating, tags and links stay."""

    def replace(
        self,
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
        take = self._take_only(ref, "replace")
        _refuse_deleted(take, "replacing")
        path = Path(path)
        media = _media_probe.probe(path)
        _check_companions(workflow_png, workflow)
        shot = self.shot(f"{take.section}/{take.shot}" if take.section else take.shot)
        event = self._event("replace", take, original_name=path.name)
        puts: list[ObjectVersion | PngRecord | None] = []
        try:
            # The number is reserved under the take's lock and the bytes are put while it is held,
            # so the object metadata, the PNG link and the log line all carry the number the
            # catalog records, and the store's latest object is the current version.
            with self.catalog.lock_take(take.id) as writer:
                _refuse_deleted_now(writer, take, "replacing")
                number = writer.next_number
                meta = self._object_metadata(take.id, shot, take.number, take.kind, path.name, media, version=number)
                stored = self._put_file(take.key, path, meta, progress)
                puts.append(stored)
                png = self._png_for(
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
                event["details"]["sha256"] = stored.sha256
                writer.add_version(number, self._version_row(stored, path.name, media, png), event)
        except BaseException:
            self._undo_puts(puts)
            raise
        replaced = self.take(take.id)
        # Follow-up work on the new version (open review notes move to it); never undoes the replace.
        after = getattr(self, "after_replace", None)
        if after is not None and carry_notes:
            after(replaced, take.current.number, replaced.current.number)
        return replaced

    def revert(self, ref: str, *, to_version: int | str) -> Take:
        """Make version `to_version` current again by copying it to a new latest version."""
        take = self._take_only(ref, "revert")
        _refuse_deleted(take, "reverting")
        number = _version_number(to_version)
        old = self._version(take, number)
        self._copy_version(take, old, source="revert", action="revert")
        return self.take(take.id)

    def _copy_version(
        self, take: Take, old: TakeVersion | None, *, source: str, action: str, **take_values: object
    ) -> int:
        """Copy `old` (video and its PNG; None: the current version) to new latest store versions and
        record them as the next version, all under the take's lock."""
        event = self._event(action, take)
        puts: list[ObjectVersion | PngRecord | None] = []
        try:
            with self.catalog.lock_take(take.id) as writer:
                versions = writer.versions()
                current = versions[0]
                if action == "restore":
                    if not writer.deleted:
                        raise ConflictError(f"{take.ref} is not deleted; there is nothing to restore.")
                else:
                    _refuse_deleted_now(writer, take, "reverting")
                old = current if old is None else next(v for v in versions if v.number == old.number)
                if action == "revert" and old.number == current.number:
                    raise ConflictError(
                        f"v{old.number} is already the current version of {take.ref}; nothing to revert."
                    )
                number = writer.next_number
                event["details"]["from_version"] = old.number
                stored = self.store.restore(old.key, old.version_id)
                puts.append(stored)
                png = _copy_png(self, take, old, number)
                puts.append(png)
                row = self._version_row(
                    stored, old.original_name, old.media, png, source=source, source_version=old.number
                )
                return writer.add_version(number, row, event, dict(take_values) or None)
        except BaseException:
            self._undo_puts(puts)
            raise


def _copy_png(vault: ReplaceMixin, take: Take, old: TakeVersion, number: int) -> PngRecord | None:
    hook = getattr(vault, "_copy_workflow_png", None)
    if hook is None:
        return old.png
    return hook(take, old, number)


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
