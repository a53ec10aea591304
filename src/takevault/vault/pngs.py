"""Workflow PNGs: attach, validate, regenerate, repair, show, extract, diff-params.

Each take version has its own PNG at `<take stem>.png`, versioned beside the
video; the catalog records which store version belongs to which take version.
The latest version of the PNG key is the current take version's PNG (revert
and regenerating an old version restore that), so `png validate` checks what
anyone browsing the bucket sees, and notices PNGs changed behind our back.

Callers reach these through `vault.pngs` (`Pngs` below): `vault.pngs.validate()`,
`vault.pngs.attach(ref, path)`; `add`, `replace`, `revert` and `restore` call
`store_workflow_png` and `copy_workflow_png` directly.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from takevault.errors import ConflictError, DeleteMarkerError, InvalidInputError, NotFoundError
from takevault.lazy import lazy_module
from takevault.media.metadata_json import GENERATION_KEYWORDS, parse_chunk
from takevault.media.params_diff import diff_params as _diff
from takevault.models import MediaInfo, PngRecord, Take, TakeVersion
from takevault.store.base import download_to_path
from takevault.store.fsutil import atomic_write
from takevault.vault import lookup

if TYPE_CHECKING:
    from takevault.vault import Vault

if TYPE_CHECKING:
    from takevault.media.workflow_png import PngCheck

# PyAV and Pillow load when a PNG is made or read, not when a listing merely imports the vault.
_stills = lazy_module("takevault.media.stills")
_wpng = lazy_module("takevault.media.workflow_png")
LINK_KEYWORD = "takevault"
"""The PNG text chunk that links a PNG to its take version (as in `media.workflow_png`)."""

MAX_CATALOG_CHUNKS = 2 * 1024 * 1024
"""Chunk texts up to this size are also kept in the catalog, so a lost PNG can be rebuilt from it."""

MAX_WORKFLOW_FILE = 16 * 1024 * 1024

MAX_PNG_FILE = 64 * 1024 * 1024
"""A workflow PNG is a still plus text chunks; a bigger file given to `attach` is a wrong pick."""

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# -- attach (called by add and replace) ------------------------------------------
def store_workflow_png(
    vault: Vault,
    *,
    png_key: str,
    video_path: Path,
    video_sha256: str,
    take_id: str,
    take_ref: str,
    version_number: int,
    media: MediaInfo,
    workflow_png: Path | None = None,
    prompt: str | None = None,
    workflow: Path | None = None,
) -> PngRecord | None:
    """Put the workflow PNG of a new take version under `png_key`; called by add and replace
    after the video bytes are stored and before the catalog rows are written.

    The companion PNG (given, or `<stem>.png` beside the video) is kept byte for byte plus a
    `takevault` link chunk; without one we write a still of the first frame with the
    container's prompt/workflow tags (or `prompt`/`workflow` given here).
    """
    extra = _given_texts(prompt, workflow)
    link = _wpng.link_text(take_id=take_id, ref=take_ref, version=version_number, video_sha256=video_sha256)
    companion = workflow_png or _companion_of(video_path)
    with tempfile.TemporaryDirectory(prefix="takevault-png-") as tmp:
        out = Path(tmp) / "workflow.png"
        source = "still"
        if companion is not None:
            source = "companion"
            _attach_companion(companion, out, link, extra, video_sha256)
        else:
            texts = _stills.container_texts(media.tags or _stills.read_container_tags(video_path))
            if texts:
                source = "container"
            texts.update(extra)
            if extra and source == "still":
                source = "given"
            _wpng.write_png(out, _stills.first_frame(video_path), texts, link)
        original = companion.name if companion is not None else f"{video_path.stem}.png"
        meta = _png_metadata(png_key, take_id, version_number, video_sha256, vault.user, original, source)
        return _put_png(vault, png_key, out, meta, video_sha256, media)


def _put_png(
    vault: Vault, key: str, path: Path, meta: dict[str, str], video_sha256: str, media: MediaInfo
) -> PngRecord:
    check = _wpng.inspect_png(path, video_sha256=video_sha256)
    with path.open("rb") as fh:
        stored = vault.store.put(key, fh, meta, size=path.stat().st_size)
    return PngRecord(
        key=key,
        version_id=stored.version_id,
        sha256=stored.sha256,
        size=stored.size,
        status=check.status,
        reason=check.reason,
        params=_params(check, media),
    )


def attach_workflow_png(vault: Vault, ref: str, png_path: Path | str) -> dict[str, Any]:
    """Store `png_path` as the workflow PNG of a take version (a new PNG version), the way
    `add --workflow-png` does: kept byte for byte plus the `takevault` link chunk."""
    take, version = _live_version(vault, ref, "attach")
    png_path = Path(png_path)
    check_png_file(png_path)
    link = _wpng.link_text(take_id=take.id, ref=take.ref, version=version.number, video_sha256=version.sha256)
    with tempfile.TemporaryDirectory(prefix="takevault-png-") as tmp:
        out = Path(tmp) / "workflow.png"
        _attach_companion(png_path, out, link, {}, version.sha256)
        record = _replace_png(vault, take, version, out, "companion", "attach", original=png_path.name)
    return {**_png_summary(vault, take, version, record), "source": "companion", "file": png_path.name}


# -- reading what is stored --------------------------------------------------------
def _png_target(vault: Vault, take: Take, version: TakeVersion) -> tuple[str | None, str | None, str | None]:
    """(key, store version id, note) of the PNG to check for a take version; None id when gone."""
    png = version.png
    if png is None or not png.key:
        return None, None, "no workflow PNG was stored for this version"
    if version.is_current and not take.deleted:
        try:
            latest = vault.store.head(png.key)
        except DeleteMarkerError:
            return png.key, None, "the PNG was deleted from the store"
        except NotFoundError:
            return png.key, None, "the PNG is gone from the store"
        note = None
        if latest.version_id != png.version_id:
            note = "the PNG was replaced outside takevault"
        return png.key, latest.version_id, note
    if not png.version_id:
        return png.key, None, "no workflow PNG was stored for this version"
    try:
        vault.store.head(png.key, png.version_id)
    except NotFoundError:
        return png.key, None, "its stored PNG version is gone"
    return png.key, png.version_id, None


@contextlib.contextmanager
def _png_file(vault: Vault, key: str, version_id: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="takevault-png-") as tmp:
        dest = Path(tmp) / "stored.png"
        download_to_path(vault.store, key, dest, version_id)
        yield dest


def _check(vault: Vault, take: Take, version: TakeVersion) -> tuple[PngCheck, str | None, str | None]:
    key, version_id, note = _png_target(vault, take, version)
    if key is None or version_id is None:
        return _wpng.PngCheck("missing", note), key, version_id
    with _png_file(vault, key, version_id) as path:
        check = _wpng.inspect_png(path, video_sha256=version.sha256)
    if note and check.status in ("present", "thumbnail_only"):
        check.reason = note if check.reason is None else f"{check.reason}; {note}"
    return check, key, version_id


def _record_status(vault: Vault, take: Take, version: TakeVersion, check: PngCheck) -> None:
    """Keep the catalog's status in step with what the store holds, so listings tell the truth."""
    png = version.png
    if png is None or (png.status == check.status and png.reason == check.reason):
        return
    updated = PngRecord(png.key, png.version_id, png.sha256, png.size, check.status, check.reason, png.params)
    vault.catalog.update_png(take.id, version.number, updated)


# -- validate ------------------------------------------------------------------------
def png_validate(vault: Vault, refs: list[str] | None = None) -> list[dict[str, Any]]:
    """Check the workflow PNG of every version of the given takes (all live takes when None)."""
    targets: list[tuple[Take, TakeVersion]] = []
    if refs:
        for ref in refs:
            take, version = vault.resolve_version(ref)
            versions = [version] if "@" in ref else vault.catalog.versions(take.id)
            targets.extend((take, v) for v in versions)
    else:
        for take in vault.takes():
            targets.extend((take, v) for v in vault.catalog.versions(take.id))
    rows = []
    for take, version in targets:
        check, key, version_id = _check(vault, take, version)
        _record_status(vault, take, version, check)
        rows.append(
            {
                "ref": f"{take.ref}@v{version.number}",
                "take": take.ref,
                "version": version.number,
                "current": version.is_current,
                "status": check.status,
                "reason": check.reason,
                "key": key,
                "version_id": version_id,
            }
        )
    return rows


# -- regenerate and repair -----------------------------------------------------------
def png_regenerate(vault: Vault, ref: str) -> dict[str, Any]:
    """A new PNG for a take version: first frame plus the container's prompt/workflow,
    else what the catalog kept, else a plain still. Stored as a new PNG version."""
    take, version = _live_version(vault, ref, "regenerate")
    with vault.open_version(f"{take.id}@v{version.number}") as video:
        texts = _stills.container_texts(_stills.read_container_tags(video))
        source = "container"
        if not texts:
            texts = _catalog_texts(version)
            source = "catalog" if texts else "still"
        image = _stills.first_frame(video)
    link = _wpng.link_text(take_id=take.id, ref=take.ref, version=version.number, video_sha256=version.sha256)
    with tempfile.TemporaryDirectory(prefix="takevault-png-") as tmp:
        out = Path(tmp) / "workflow.png"
        _wpng.write_png(out, image, texts, link)
        record = _replace_png(vault, take, version, out, source, "regenerate")
    return {**_png_summary(vault, take, version, record), "source": source}


def png_repair(vault: Vault, ref: str) -> dict[str, Any]:
    """Re-encode a damaged PNG's pixels, keep every chunk whose content parses, fresh CRCs;
    stored as a new PNG version. Says what it kept, fixed and could not save."""
    take, version = _live_version(vault, ref, "repair")
    check, key, version_id = _check(vault, take, version)
    name = f"{take.ref}@v{version.number}"
    if key is None or version_id is None:
        raise NotFoundError(f"{name} has no workflow PNG to repair; make one with 'takevault png regenerate {name}'.")
    if check.status == "placeholder":
        raise ConflictError(
            f"The PNG of {name} is an empty placeholder with nothing to save; "
            f"make a new one with 'takevault png regenerate {name}'."
        )
    if check.status == "stale":
        raise ConflictError(
            f"The PNG of {name} is stale: {check.reason}; "
            f"make one for this video with 'takevault png regenerate {name}'."
        )
    if check.status in ("present", "thumbnail_only") and not check.reason:
        return {
            "ref": name,
            "version": version.number,
            "status": check.status,
            "reason": None,
            "changed": False,
            "kept": sorted(check.texts),
            "fixed": [],
            "lost": [],
            "restored": [],
            "pixels": "kept",
        }
    link = _wpng.link_text(take_id=take.id, ref=take.ref, version=version.number, video_sha256=version.sha256)
    with vault.open_version(f"{take.id}@v{version.number}") as video:
        fallback = _stills.first_frame(video)
    with tempfile.TemporaryDirectory(prefix="takevault-png-") as tmp, _png_file(vault, key, version_id) as src:
        out = Path(tmp) / "repaired.png"
        report = _wpng.repair_png(src, out, link=link, fallback_image=fallback, known=_catalog_texts(version))
        record = _replace_png(vault, take, version, out, "repair", "repair")
    return {**_png_summary(vault, take, version, record), "changed": True, **report.to_json()}


def _live_version(vault: Vault, ref: str, doing: str) -> tuple[Take, TakeVersion]:
    take, version = vault.resolve_version(ref)
    if take.deleted:
        raise ConflictError(
            f"{take.ref} is deleted; restore it with 'takevault restore {take.ref}' before you {doing} its PNG."
        )
    return take, version


def _replace_png(
    vault: Vault, take: Take, version: TakeVersion, path: Path, source: str, action: str, original: str | None = None
) -> PngRecord:
    key = version.png.key if version.png and version.png.key else _png_key_for(version.key)
    meta = _png_metadata(key, take.id, version.number, version.sha256, vault.user, original or path.name, source)
    event = lookup.event(vault, "png", take, op=action, version=version.number)
    puts: list[Any] = []
    try:
        # Under the take's lock: which version is current cannot change between storing this
        # PNG and putting the current version's PNG back on top.
        with vault.catalog.lock_take(take.id) as writer:
            if writer.deleted:
                raise ConflictError(
                    f"{take.ref} was deleted meanwhile; restore it with 'takevault restore {take.ref}' first."
                )
            current = writer.versions()[0]
            record = _put_png(vault, key, path, meta, version.sha256, version.media)
            puts.append(record)
            old_chunks = _catalog_texts(version)
            if old_chunks and not record.params.get("chunks"):
                # The new PNG holds less than the catalog knew; keep that knowledge for a later regenerate.
                record = replace(record, params={**record.params, "chunks": old_chunks})
            on_top = current.png.version_id if current.png and current.png.key == key else None
            if current.number != version.number and on_top:
                # The latest PNG is the current version's; put it back on top.
                with contextlib.suppress(NotFoundError):
                    puts.append(vault.store.restore(key, on_top))
            writer.update_png(version.number, record, event.with_details(status=record.status))
    except BaseException:
        for obj in reversed(puts):
            with contextlib.suppress(Exception):
                vault.store.delete_version(obj.key, obj.version_id)
        raise
    return record


def copy_workflow_png(vault: Vault, take: Take, old: TakeVersion, number: int) -> PngRecord | None:
    """The PNG of a new version copied from `old` (revert, restore): the same bytes with a link
    chunk naming version `number`, so every PNG names the version it belongs to. A PNG too
    damaged to re-link is copied byte for byte, as it was."""
    png = old.png
    if png is None or not png.key or not png.version_id:
        return png
    link = _wpng.link_text(take_id=take.id, ref=take.ref, version=number, video_sha256=old.sha256)
    with (
        tempfile.TemporaryDirectory(prefix="takevault-png-") as tmp,
        _png_file(vault, png.key, png.version_id) as src,
    ):
        out = Path(tmp) / "workflow.png"
        if not _wpng.relink(src, out, link):
            copied = vault.store.restore(png.key, png.version_id)
            return replace(png, version_id=copied.version_id, params=dict(png.params or {}))
        meta = _png_metadata(png.key, take.id, number, old.sha256, vault.user, Path(png.key).name, "copy")
        record = _put_png(vault, png.key, out, meta, old.sha256, old.media)
    if png.params and png.params.get("chunks") and not record.params.get("chunks"):
        record = replace(record, params={**record.params, "chunks": png.params["chunks"]})
    return record


def _png_summary(vault: Vault, take: Take, version: TakeVersion, record: PngRecord) -> dict[str, Any]:
    return {
        "ref": f"{take.ref}@v{version.number}",
        "version": version.number,
        "status": record.status,
        "reason": record.reason,
        "key": record.key,
        "version_id": record.version_id,
    }


# -- show, extract, diff -------------------------------------------------------------
def _values(vault: Vault, take: Take, version: TakeVersion) -> tuple[PngCheck, dict[str, Any], str]:
    """The PNG check and the parsed generation chunks: from the PNG when it is usable, else the catalog."""
    check, _key, _vid = _check(vault, take, version)
    if check.status == "present":
        return check, check.values, "png"
    values = {}
    for keyword, text in (_catalog_texts(version) or {}).items():
        parsed = parse_chunk(keyword, text)
        if parsed.ok and keyword in GENERATION_KEYWORDS:
            values[keyword] = parsed.value
    return check, values, "catalog" if values else "none"


def png_show(vault: Vault, ref: str) -> dict[str, Any]:
    """The generation behind a take version: prompts, seed, steps, cfg, sampler, model, LoRAs, size."""
    from takevault.media.generation import summarize

    take, version = vault.resolve_version(ref)
    check, values, source = _values(vault, take, version)
    generation = summarize(values)
    generation["frames"] = generation.get("frames") or version.media.frames or None
    if not generation.get("width"):
        generation["width"], generation["height"] = version.media.width or None, version.media.height or None
    return {
        "ref": f"{take.ref}@v{version.number}",
        "version": version.number,
        "status": check.status,
        "reason": check.reason,
        "from": source,
        "chunks": sorted(k for k in check.texts if k != LINK_KEYWORD),
        "generation": generation,
        "video": {"frames": version.media.frames, "width": version.media.width, "height": version.media.height},
    }


def png_extract(vault: Vault, ref: str, dest: Path | str) -> dict[str, Any]:
    """Write the take version's workflow JSON (ready to drop into ComfyUI) to `dest`."""
    take, version = vault.resolve_version(ref)
    dest = Path(dest)
    if dest.is_dir():
        raise InvalidInputError(f"{dest} is a folder; give a file name such as {dest / (take.name + '.json')}.")
    if not dest.parent.is_dir():
        raise InvalidInputError(f"The folder {dest.parent} does not exist; create it or pick another path.")
    check, values, source = _values(vault, take, version)
    fake = _wpng.PngCheck(check.status, values=values)
    text = _wpng.extract_workflow(fake)
    name = f"{take.ref}@v{version.number}"
    if text is None:
        raise NotFoundError(
            f"The PNG of {name} holds no ComfyUI workflow ({check.status}"
            f"{': ' + check.reason if check.reason else ''}); see 'takevault png show {name}'."
        )
    with atomic_write(dest) as out:
        out.write(text.encode("utf-8") + b"\n")
    kind = next(k for k in ("workflow", "prompt", "invokeai_workflow") if k in values)
    return {"ref": name, "version": version.number, "dest": str(dest), "kind": kind, "from": source}


def diff_params(vault: Vault, a: str, b: str) -> dict[str, Any]:
    """What changed between two takes' (or take versions', or PNG files') generation parameters."""
    result = _diff(_side_values(vault, a), _side_values(vault, b))
    return {"a": a, "b": b, **result}


def _side_values(vault: Vault, ref: str) -> dict[str, Any]:
    path = Path(ref)
    if ref.lower().endswith(".png") and path.is_file():
        check = _wpng.inspect_png(path)
        if check.status in ("invalid", "placeholder"):
            raise InvalidInputError(f"{path} is not a usable workflow PNG ({check.reason}); check the file.")
        if not check.values:
            raise InvalidInputError(
                f"{path} holds no generation parameters ({check.status}); give a PNG saved by ComfyUI, "
                "A1111/Forge or InvokeAI."
            )
        return check.values
    if path.is_file():
        raise InvalidInputError(f"{path} is not a PNG; give a take, a take version or a workflow PNG file.")
    take, version = vault.resolve_version(ref)
    check, values, _source = _values(vault, take, version)
    if not values:
        raise NotFoundError(
            f"{take.ref}@v{version.number} has no generation parameters ({check.status}"
            f"{': ' + check.reason if check.reason else ''}); attach a workflow PNG or run "
            f"'takevault png regenerate {take.ref}'."
        )
    return values


# -- helpers ------------------------------------------------------------------------
def _png_key_for(video_key: str) -> str:
    stem, _dot, _ext = video_key.rpartition(".")
    return f"{stem or video_key}.png"


def _companion_of(video: Path) -> Path | None:
    """ComfyUI's companion of `name_00001.mp4` is `name_00001.png` in the same folder."""
    for suffix in (".png", ".PNG"):
        candidate = video.with_suffix(suffix)
        if candidate.is_file():
            return candidate
    return None


def check_png_file(path: Path) -> None:
    """Refuse, before anything is stored, a file that is not a PNG at all or far too big to be one."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(len(PNG_SIGNATURE))
    except IsADirectoryError:
        raise InvalidInputError(f"{path} is a folder; give the workflow PNG file.") from None
    except FileNotFoundError:
        raise InvalidInputError(f"The workflow PNG {path} does not exist; check the path.") from None
    except OSError as exc:
        raise InvalidInputError(f"The workflow PNG {path} cannot be read ({exc.strerror}); check it.") from None
    if size == 0:
        raise InvalidInputError(f"{path.name} is empty; give the PNG saved next to the video.")
    if size > MAX_PNG_FILE:
        raise InvalidInputError(
            f"{path.name} is {size / 1048576:.0f} MB, over the {MAX_PNG_FILE // 1048576} MB limit for a workflow PNG; "
            "give the PNG saved next to the video."
        )
    if head != PNG_SIGNATURE:
        raise InvalidInputError(f"{path.name} is not a PNG file; give the PNG saved next to the video.")


def _attach_companion(companion: Path, out: Path, link: str, extra: dict[str, str], video_sha256: str) -> None:
    """Copy the companion with our link (and any texts given); a broken or foreign one is kept as it is,
    so its status tells the truth and `png repair` can work on the original bytes."""
    from takevault.media.pngchunks import PngStructureError, copy_with_text

    if not companion.is_file():
        raise InvalidInputError(f"The workflow PNG {companion} does not exist; check the path or leave the option out.")
    check = _wpng.inspect_png(companion, video_sha256=video_sha256)
    if check.over_budget:
        raise InvalidInputError(
            f"The workflow PNG {companion.name} is refused: {check.reason}; save it again from the tool that made it."
        )
    if check.status in ("present", "thumbnail_only"):
        try:
            with out.open("wb") as fh:
                copy_with_text(companion, fh, {**extra, LINK_KEYWORD: link})
            return
        except PngStructureError:
            pass
    try:
        shutil.copyfile(companion, out)
    except OSError as exc:
        raise InvalidInputError(f"The workflow PNG {companion} cannot be read ({exc.strerror}); check it.") from None


def _given_texts(prompt: str | None, workflow: Path | None) -> dict[str, str]:
    """Chunks from `--prompt TEXT` (a ComfyUI prompt graph, or plain prompt text) and `--workflow FILE`."""
    texts: dict[str, str] = {}
    if prompt is not None and prompt.strip():
        parsed = parse_chunk("prompt", prompt)
        texts["prompt" if parsed.ok else "parameters"] = prompt
    if workflow is not None:
        workflow = Path(workflow)
        try:
            if workflow.stat().st_size > MAX_WORKFLOW_FILE:
                raise InvalidInputError(f"The workflow file {workflow} is larger than 16 MB; give the workflow JSON.")
            text = workflow.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            raise InvalidInputError(
                f"The workflow file {workflow} cannot be read as UTF-8 text; give a ComfyUI workflow JSON file."
            ) from None
        as_workflow = parse_chunk("workflow", text)
        as_prompt = parse_chunk("prompt", text)
        if as_workflow.ok:
            texts["workflow"] = text
        elif as_prompt.ok:
            texts.setdefault("prompt", text)
        else:
            raise InvalidInputError(
                f"The workflow file {workflow.name} {as_workflow.error}; "
                "give a workflow saved from ComfyUI (Workflow → Export) or an API prompt."
            )
    return texts


def _png_metadata(
    key: str, take_id: str, version: int, video_sha256: str, user: str, original: str, source: str
) -> dict[str, str]:
    parts = key.split("/")
    meta = {
        "take-id": take_id,
        "take-version": str(version),
        "video-sha256": video_sha256,
        "role": "workflow-png",
        "png-source": source,
        "uploader": quote(user, safe=""),
        "original-name": quote(original, safe="")[:300],
    }
    if len(parts) >= 4:
        meta["project"], meta["section"], meta["shot"] = parts[-4], parts[-3], parts[-2]
        digits = "".join(ch for ch in Path(parts[-1]).stem if ch.isdigit())
        if digits:
            meta["take-number"] = str(int(digits))
    return meta


def _params(check: PngCheck, media: MediaInfo) -> dict[str, Any]:
    """What the catalog keeps: the summary, and the chunk texts when small enough to rebuild the PNG."""
    generation = check.generation
    generation["frames"] = generation.get("frames") or media.frames or None
    if not generation.get("width"):
        generation["width"], generation["height"] = media.width or None, media.height or None
    chunks = {k: v for k, v in check.texts.items() if k in GENERATION_KEYWORDS}
    if sum(len(v) for v in chunks.values()) > MAX_CATALOG_CHUNKS:
        chunks = {}
    return {"generation": generation, "chunks": chunks}


def _catalog_texts(version: TakeVersion) -> dict[str, str]:
    params = version.png.params if version.png else {}
    chunks = params.get("chunks") if isinstance(params, dict) else None
    if not isinstance(chunks, dict):
        return {}
    texts = {}
    for keyword, text in chunks.items():
        if isinstance(text, str) and parse_chunk(keyword, text).ok:
            texts[keyword] = text
    return texts


__all__ = ["Pngs"]


class Pngs:
    """`vault.pngs`: the workflow PNG verbs of one vault, typed, each the function of the same area above."""

    def __init__(self, vault: Vault) -> None:
        self._vault = vault

    def attach(self, ref: str, png_path: Path | str) -> dict[str, Any]:
        """Store `png_path` as the workflow PNG of a take version (a new PNG version), the way"""
        return attach_workflow_png(self._vault, ref, png_path)

    def validate(self, refs: list[str] | None = None) -> list[dict[str, Any]]:
        """Check the workflow PNG of every version of the given takes (all live takes when None)."""
        return png_validate(self._vault, refs)

    def regenerate(self, ref: str) -> dict[str, Any]:
        return png_regenerate(self._vault, ref)

    def repair(self, ref: str) -> dict[str, Any]:
        return png_repair(self._vault, ref)

    def show(self, ref: str) -> dict[str, Any]:
        """The generation behind a take version: prompts, seed, steps, cfg, sampler, model, LoRAs, size."""
        return png_show(self._vault, ref)

    def extract(self, ref: str, dest: Path | str) -> dict[str, Any]:
        """Write the take version's workflow JSON (ready to drop into ComfyUI) to `dest`."""
        return png_extract(self._vault, ref, dest)

    def diff_params(self, a: str, b: str) -> dict[str, Any]:
        """What changed between two takes' (or take versions', or PNG files') generation parameters."""
        return diff_params(self._vault, a, b)
