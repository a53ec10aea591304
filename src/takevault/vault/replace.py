"""`replace` (a new version of the same key) and `revert` (a new version copied from an old one)."""

from __future__ import annotations

from pathlib import Path

from takevault.errors import ConflictError, InvalidInputError
from takevault.media.probe import probe
from takevault.models import ObjectVersion, PngRecord, Take, TakeVersion
from takevault.store.base import ProgressCallback
from takevault.vault.add import AddMixin, _check_companions


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
    ) -> Take:
        """Store `path` as the next version of the take; the old version stays as the backup."""
        take = self._take_only(ref, "replace")
        _refuse_deleted(take, "replacing")
        path = Path(path)
        media = probe(path)
        _check_companions(workflow_png, workflow)
        shot = self.shot(f"{take.section}/{take.shot}" if take.section else take.shot)
        meta = self._object_metadata(take.id, shot, take.number, take.kind, path.name, media)
        puts: list[ObjectVersion | PngRecord | None] = []
        try:
            stored = self._put_file(take.key, path, meta, progress)
            puts.append(stored)
            png = self._png_for(
                take.key,
                path,
                stored,
                take.id,
                take.ref,
                take.current.number + 1,
                media,
                workflow_png=workflow_png,
                prompt=prompt,
                workflow=workflow,
            )
            puts.append(png)
            self.catalog.add_version(
                take.id,
                self._version_row(stored, path.name, media, png),
                self._event("replace", take, sha256=stored.sha256, original_name=path.name),
            )
        except BaseException:
            self._undo_puts(puts)
            raise
        replaced = self.take(take.id)
        # Follow-up work on the new version (open review notes move to it); never undoes the replace.
        after = getattr(self, "after_replace", None)
        if after is not None:
            after(replaced, take.current.number, replaced.current.number)
        return replaced

    def revert(self, ref: str, *, to_version: int | str) -> Take:
        """Make version `to_version` current again by copying it to a new latest version."""
        take = self._take_only(ref, "revert")
        _refuse_deleted(take, "reverting")
        number = _version_number(to_version)
        old = self._version(take, number)
        if number == take.current.number:
            raise ConflictError(f"v{number} is already the current version of {take.ref}; nothing to revert.")
        self._copy_version(take, old, source="revert", action="revert")
        return self.take(take.id)

    def _copy_version(self, take: Take, old: TakeVersion, *, source: str, action: str, **take_values: object) -> int:
        """Copy `old` (video and its PNG) to new latest store versions and record them as a new version."""
        puts: list[ObjectVersion | PngRecord | None] = []
        try:
            stored = self.store.restore(old.key, old.version_id)
            puts.append(stored)
            png = _copy_png(self, old.png)
            puts.append(png)
            row = self._version_row(stored, old.original_name, old.media, png, source=source, source_version=old.number)
            return self.catalog.add_version(
                take.id, row, self._event(action, take, from_version=old.number), take_values=dict(take_values) or None
            )
        except BaseException:
            self._undo_puts(puts)
            raise


def _copy_png(vault: ReplaceMixin, png: PngRecord | None) -> PngRecord | None:
    if png is None or not png.key or not png.version_id:
        return png
    copied: ObjectVersion = vault.store.restore(png.key, png.version_id)
    return PngRecord(
        key=png.key,
        version_id=copied.version_id,
        sha256=png.sha256,
        size=png.size,
        status=png.status,
        reason=png.reason,
        params=dict(png.params or {}),
    )


def _refuse_deleted(take: Take, doing: str) -> None:
    if take.deleted:
        raise ConflictError(f"{take.ref} is deleted; restore it with 'takevault restore {take.ref}' before {doing} it.")


def _version_number(value: int | str) -> int:
    if isinstance(value, int):
        if value < 1:
            raise InvalidInputError(f"Version {value} does not exist; versions are numbered from v1.")
        return value
    from takevault.vault.refs import parse_version

    return parse_version(str(value))
