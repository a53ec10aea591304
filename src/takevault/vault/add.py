"""Add a take: probe, reserve the number, put the bytes, store the PNG, then the catalog rows.

Order matters: an error after the put removes the versions put again (the
store is as it was); a crash leaves at worst an unreferenced object version
(which `fsck` reports), never a catalog row pointing at nothing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from takevault.catalog.catalog import now
from takevault.catalog.rows import NewTake, NewVersion
from takevault.errors import DuplicateBytesError, InvalidInputError, TakevaultError
from takevault.lazy import lazy_module
from takevault.models import MediaInfo, ObjectVersion, PngRecord, Shot, Take
from takevault.store.base import ProgressCallback
from takevault.vault import lookup
from takevault.vault.refs import take_name

if TYPE_CHECKING:
    from takevault.vault import Vault

_media_probe = lazy_module("takevault.media.probe")  # PyAV loads when a file is probed

NO_SECTION = "_"


def take_key(project: str, section: str | None, shot: str, number: int, suffix: str) -> str:
    return f"{project}/{section or NO_SECTION}/{shot}/{take_name(number)}{suffix}"


def png_key_for(video_key: str) -> str:
    stem, _dot, _ext = video_key.rpartition(".")
    return f"{stem or video_key}.png"


def media_summary(media: MediaInfo) -> str:
    """The core media facts as compact ASCII JSON, small enough for S3 object metadata."""
    data = {
        "container": media.container,
        "codec": media.codec,
        "width": media.width,
        "height": media.height,
        "fps": media.fps_text,
        "frames": media.frames,
        "duration": media.duration,
        "bit_rate": media.bit_rate,
        "pix_fmt": media.pix_fmt,
    }
    return json.dumps(data, separators=(",", ":"), ensure_ascii=True)


def add(
    vault: Vault,
    path: Path | str,
    *,
    shot: str,
    kind: str = "raw",
    note: str | None = None,
    workflow_png: Path | str | None = None,
    prompt: str | None = None,
    workflow: Path | str | None = None,
    allow_duplicates: bool = True,
    progress: ProgressCallback | None = None,
) -> Take:
    """Add the video at `path` as the next take of `shot` (`SH010` or `SEQ01/SH010`).

    With `allow_duplicates=False` (the CLI's default), bytes a live take of the shot already
    holds are refused with DuplicateBytesError and nothing is stored. A given workflow PNG that
    is not a PNG at all is refused before anything is stored; one that is damaged is kept as
    it is and its status says so."""
    path = Path(path)
    media = _media_probe.probe(path)
    if workflow_png is not None:
        from takevault.vault.pngs import check_png_file

        check_png_file(Path(workflow_png))
    target = vault.shot(shot)
    return add_probed(
        vault,
        path,
        media,
        target,
        kind=kind,
        note=note,
        workflow_png=workflow_png,
        prompt=prompt,
        workflow=workflow,
        allow_duplicates=allow_duplicates,
        progress=progress,
    )


def add_probed(
    vault: Vault,
    path: Path,
    media: MediaInfo,
    shot: Shot,
    *,
    kind: str = "raw",
    note: str | None = None,
    workflow_png: Path | str | None = None,
    prompt: str | None = None,
    workflow: Path | str | None = None,
    allow_duplicates: bool = True,
    progress: ProgressCallback | None = None,
) -> Take:
    kind = (kind or "raw").strip()
    if not kind or len(kind) > 100:
        raise InvalidInputError("The kind is empty or too long; use raw, edit, final or a short word of your own.")
    _check_companions(workflow_png, workflow)
    number = vault.catalog.reserve_take_number(shot.id)
    take_id = str(uuid.uuid4())
    suffix = _media_probe.key_suffix(path, media)
    key = take_key(vault.project, shot.section, shot.code, number, suffix)
    ref = f"{shot.path}/{take_name(number)}"
    meta = object_metadata(vault, take_id, shot, number, kind, path.name, media)
    puts: list[ObjectVersion | PngRecord | None] = []
    try:
        stored = put_file(vault, key, path, meta, progress)
        puts.append(stored)
        if not allow_duplicates:
            _refuse_same_bytes(vault, shot, stored.sha256 or "", path)
        png = png_for(
            vault,
            key,
            path,
            stored,
            take_id,
            ref,
            1,
            media,
            workflow_png=workflow_png,
            prompt=prompt,
            workflow=workflow,
        )
        puts.append(png)
        new_take = NewTake(
            id=take_id,
            shot_id=shot.id,
            number=number,
            name=take_name(number),
            key=key,
            kind=kind,
            note=note,
            created_at=now(),
            created_by=vault.user,
        )
        event = lookup.event(
            vault, "add", shot=shot.path, ref=ref, version=1, sha256=stored.sha256, original_name=path.name
        )
        first = new_version(vault, stored, path.name, media, png)
        vault.catalog.insert_take(new_take, first, dataclasses.replace(event, take_id=take_id))
    except BaseException:
        # The number is given back only once its bytes are gone again, so no key ever holds two takes.
        if undo_puts(vault, puts):
            with contextlib.suppress(TakevaultError):
                vault.catalog.release_take_number(shot.id, number)
        raise
    return vault.take(take_id)


def _refuse_same_bytes(vault: Vault, shot: Shot, sha256: str, path: Path) -> None:
    ids = vault.catalog.takes_with_sha256(lookup.project_row(vault), sha256)
    same = vault.catalog.query_takes(lookup.project_row(vault), take_ids=ids, shot_ids=[shot.id]) if ids else []
    if same:
        raise DuplicateBytesError(
            f"{path.name} is already in shot {shot.path} as {same[0].ref} (the same bytes); nothing was added. "
            "Add it anyway only if a second take with identical bytes is what you want.",
            existing=same[0].ref,
        )


# -- shared with replace / revert / restore ------------------------------
def undo_puts(vault: Vault, puts: list[ObjectVersion | PngRecord | None]) -> bool:
    """Remove the store versions a failed use case put; True when the store is as it was."""
    clean = True
    for obj in reversed(puts):
        if obj is None or not obj.key or not obj.version_id:
            continue
        try:
            vault.store.delete_version(obj.key, obj.version_id)
        except Exception:  # noqa: BLE001 - the caller re-raises the first error; fsck reports what is left
            clean = False
    return clean


def object_metadata(
    vault: Vault,
    take_id: str,
    shot: Shot,
    number: int,
    kind: str,
    original_name: str,
    media: MediaInfo,
    *,
    version: int = 1,
) -> dict[str, str]:
    return {
        "take-id": take_id,
        "take-version": str(version),
        "project": quote(vault.project, safe=""),
        "section": quote(shot.section or NO_SECTION, safe=""),
        "shot": quote(shot.code, safe=""),
        "take-number": str(number),
        "kind": quote(kind, safe=""),
        "uploader": quote(vault.user, safe=""),
        "original-name": quote(original_name, safe="")[:600],
        "media": media_summary(media),
    }


def put_file(
    vault: Vault, key: str, path: Path, metadata: dict[str, str], progress: ProgressCallback | None
) -> ObjectVersion:
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise InvalidInputError(
            f"{path} cannot be read ({exc.strerror}); check the path and its permissions."
        ) from None
    with fh:
        return vault.store.put(key, fh, metadata, size=path.stat().st_size, progress=progress)


def png_for(
    vault: Vault,
    key: str,
    path: Path,
    stored: ObjectVersion,
    take_id: str,
    ref: str,
    version_number: int,
    media: MediaInfo,
    **companions: Any,
) -> PngRecord | None:
    from takevault.vault.pngs import store_workflow_png

    return store_workflow_png(
        vault,
        png_key=png_key_for(key),
        video_path=path,
        video_sha256=stored.sha256 or "",
        take_id=take_id,
        take_ref=ref,
        version_number=version_number,
        media=media,
        workflow_png=Path(companions["workflow_png"]) if companions.get("workflow_png") else None,
        prompt=companions.get("prompt"),
        workflow=Path(companions["workflow"]) if companions.get("workflow") else None,
    )


def new_version(
    vault: Vault,
    stored: ObjectVersion,
    original_name: str | None,
    media: MediaInfo,
    png: PngRecord | None,
    *,
    source: str = "upload",
    source_version: int | None = None,
) -> NewVersion:
    """The catalog record of bytes just stored, by this vault's user, now."""
    return NewVersion(
        key=stored.key,
        version_id=stored.version_id,
        sha256=stored.sha256 or "",
        size=stored.size,
        original_name=original_name,
        created_at=now(),
        created_by=vault.user,
        media=media,
        png=png,
        source=source,
        source_version=source_version,
    )


def _check_companions(workflow_png: Path | str | None, workflow: Path | str | None) -> None:
    for label, value in (("workflow PNG", workflow_png), ("workflow JSON", workflow)):
        if value is not None and not Path(value).is_file():
            raise InvalidInputError(f"The {label} {value} does not exist; check the path or leave the option out.")
