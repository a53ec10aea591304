"""Playback helpers for the web room: local media files, browser proxies, stills, cached comparisons.

Proxies, stills and comparisons are kept in the vault's store under
`.takevault/derived/` (see `vault/derived.py`), so every server and worker shares
them; `<vault>/cache/` is only this machine's read-through copy, named by the
sha256 of what each file was made from, and can be deleted at any time:

    cache/media/<sha256><ext>          verified download of a version (S3 stores only)
    cache/proxies/<sha256>-p<N>.mp4    H.264 intra-only browser proxy
    cache/stills/<sha256>.jpg          gallery still grabbed from the video
    cache/stills/png-<sha256>.jpg      gallery still from a workflow PNG
    cache/pngs/<sha256>.png            a workflow PNG's bytes
    cache/compare/<sha256a>-<sha256b>/ the comparison engine's report and pictures
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from takevault.errors import ChecksumMismatchError, NotFoundError
from takevault.store.base import download_to_path
from takevault.store.fsutil import atomic_write
from takevault.vault.derived import DerivedFiles
from takevault.vault.fetch import verify_file

if TYPE_CHECKING:
    from takevault.vault import Vault

if TYPE_CHECKING:
    from takevault.models import Project, Take, TakeVersion

CACHE_DIR = "cache"
# Workflow PNG states whose picture is worth showing on a card.
_PNG_SHOWABLE = ("present", "thumbnail_only", "stale")

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock_for(path: Path) -> threading.Lock:
    """One lock per cache file, so two requests never make the same file at once."""
    with _locks_guard:
        return _locks.setdefault(str(path), threading.Lock())


@dataclass(frozen=True)
class Playback:
    """How a browser plays one take version: the original, or a proxy (made or still to make)."""

    take: Take
    version: TakeVersion
    needs_proxy: bool
    ready: bool
    path: Path | None
    mime: str
    frames: int

    def to_json(self) -> dict[str, Any]:
        return {
            "take_id": self.take.id,
            "ref": f"{self.take.ref}@v{self.version.number}",
            "version": self.version.number,
            "needs_proxy": self.needs_proxy,
            "ready": self.ready,
            "mime": self.mime,
            "frames": self.frames,
            "fps": self.version.media.fps_text,
            "duration": self.version.media.duration,
            "width": self.version.media.width,
            "height": self.version.media.height,
        }


def cache_dir(vault: Vault) -> Path:
    return vault.root / CACHE_DIR


def list_projects(vault: Vault) -> list[Project]:
    """Every project of the vault, by name (the web header's project picker)."""
    return vault.catalog.list_projects()


def _version_ref(vault: Vault, ref: str) -> tuple[Take, TakeVersion]:
    return vault.resolve_version(ref)


def media_file(vault: Vault, ref: str) -> tuple[Take, TakeVersion, Path]:
    """A local file holding the exact bytes of that version (the `@vN` one, else the current one).

    On the local store this is the content-addressed blob itself (read it, never write it);
    on S3 it is a sha256-verified download cached under cache/media/.
    """
    take, version = _version_ref(vault, ref)
    return take, version, _local_bytes(vault, version)


def _local_bytes(vault: Vault, version: TakeVersion) -> Path:
    # Only verified bytes leave the vault: the blob (which nothing else checks on read) and the
    # cached download are both compared with the catalog's sha256 (once per unchanged file).
    what = f"{version.key} v{version.number}"
    blob = vault.store.blob_path(version.key, version.version_id)
    if blob is not None:
        return verify_file(blob, version.sha256, what)
    suffix = PurePosixPath(version.key).suffix
    dest = vault.cache_dir / "media" / f"{version.sha256}{suffix}"
    with _lock_for(dest):
        if not dest.is_file():
            download_to_path(vault.store, version.key, dest, version.version_id)
        try:
            return verify_file(dest, version.sha256, what)
        except ChecksumMismatchError:
            dest.unlink(missing_ok=True)  # a damaged cache copy: the next request downloads again
            raise


def playback(vault: Vault, ref: str) -> Playback:
    """What the browser should play for that version, and whether its proxy exists yet."""
    from takevault.media.proxy import browser_mime, browser_playable

    take, version = _version_ref(vault, ref)
    media = version.media
    needs = not browser_playable(media.container, media.codec, media.pix_fmt, media.profile)
    if not needs:
        return Playback(take, version, False, True, None, browser_mime(media.container), media.frames)
    proxy = _proxy_path(vault, version)
    if proxy.is_file():
        return Playback(take, version, True, True, proxy, "video/mp4", media.frames)
    # Made by another server or worker: it is in the store, fetched here when first played.
    ready = vault.derived.exists("proxies", proxy.name)
    return Playback(take, version, True, ready, None, "video/mp4", media.frames)


def playable_file(vault: Vault, ref: str) -> tuple[Playback, Path]:
    """The file to stream to a browser: the original when it plays as it is, else the finished proxy."""
    info = vault.playback(ref)
    if not info.needs_proxy:
        return info, _local_bytes(vault, info.version)
    path = info.path or (_proxy_file(vault, info.version) if info.ready else None)
    if path is None:
        raise NotFoundError(
            f"The browser proxy of {info.take.ref}@v{info.version.number} is not made yet; "
            "ask for it first and wait until it is ready."
        )
    return info, path


def _proxy_path(vault: Vault, version: TakeVersion) -> Path:
    from takevault.media.proxy import PROXY_FORMAT

    return vault.cache_dir / "proxies" / f"{version.sha256}-p{PROXY_FORMAT}.mp4"


def _proxy_file(vault: Vault, version: TakeVersion) -> Path | None:
    """The local copy of the version's proxy, fetched from the store when another machine made it."""
    dest = _proxy_path(vault, version)
    with _lock_for(dest):
        if dest.is_file() or vault.derived.fetch("proxies", dest.name, dest):
            return dest
    return None


def derived(vault: Vault) -> DerivedFiles:
    return DerivedFiles(vault.store)


def ensure_proxy(vault: Vault, ref: str, *, progress: Callable[[int], None] | None = None) -> Playback:
    """Make the browser proxy of that version if it needs one and has none (progress: frames encoded)."""
    from takevault.media.proxy import make_proxy

    info = vault.playback(ref)
    if not info.needs_proxy or info.ready:
        return info
    dest = _proxy_path(vault, info.version)
    _make_derived(
        vault,
        "proxies",
        dest,
        lambda tmp: make_proxy(_local_bytes(vault, info.version), tmp, progress=progress),
        sources=info.version.sha256,
    )
    return vault.playback(ref)


def still(vault: Vault, ref: str) -> Path:
    """A small JPEG for the take version's card: its workflow PNG's picture when it has one, else a frame."""
    from takevault.media.proxy import grab_still, still_from_png

    _take, version = _version_ref(vault, ref)
    png = version.png
    if png is not None and png.key and png.sha256 and png.status in _PNG_SHOWABLE:
        dest = vault.cache_dir / "stills" / f"png-{png.sha256}.jpg"
        if not dest.is_file():
            _make_derived(
                vault, "stills", dest, lambda tmp: still_from_png(_png_bytes(vault, version), tmp), sources=png.sha256
            )
        return dest
    dest = vault.cache_dir / "stills" / f"{version.sha256}.jpg"
    if not dest.is_file():
        _make_derived(
            vault, "stills", dest, lambda tmp: grab_still(_local_bytes(vault, version), tmp), sources=version.sha256
        )
    return dest


def workflow_png_file(vault: Vault, ref: str) -> tuple[TakeVersion, Path]:
    """The workflow PNG stored with that version, as a local file."""
    take, version = _version_ref(vault, ref)
    if version.png is None or not version.png.key or not version.png.sha256:
        raise NotFoundError(
            f"{take.ref}@v{version.number} has no workflow PNG; attach one with 'takevault png regenerate'."
        )
    return version, _png_bytes(vault, version)


def _png_bytes(vault: Vault, version: TakeVersion) -> Path:
    png = version.png
    assert png is not None and png.key
    dest = vault.cache_dir / "pngs" / f"{png.sha256}.png"
    with _lock_for(dest):
        if not dest.is_file():
            download_to_path(vault.store, png.key, dest, png.version_id)
    return verify_file(dest, png.sha256 or "", f"the workflow PNG of {version.key} v{version.number}")


def _make_derived(vault: Vault, kind: str, dest: Path, make: Callable[[Path], Path], *, sources: str) -> None:
    """`dest` from the local cache, else from the store, else made, stored for everyone, then cached."""
    with _lock_for(dest):
        if dest.is_file() or vault.derived.fetch(kind, dest.name, dest):
            return
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.{os.getpid()}.{threading.get_ident()}.part")
        try:
            make(tmp)
            vault.derived.publish(kind, dest.name, tmp, sources=sources)
            tmp.replace(dest)
        finally:
            tmp.unlink(missing_ok=True)


def _compare_dir(vault: Vault, a: str, b: str) -> Path:
    _ta, va = _version_ref(vault, a)
    _tb, vb = _version_ref(vault, b)
    return vault.cache_dir / "compare" / f"{va.sha256}-{vb.sha256}"


def cached_compare(vault: Vault, a: str, b: str) -> dict[str, Any] | None:
    """The comparison report of two take versions if it is already made, else None (nothing computed).

    One made by another server or worker is fetched from the store into the local cache first."""
    out_dir = _compare_dir(vault, a, b)
    report_file = out_dir / "report.json"
    if not report_file.is_file():
        with _lock_for(out_dir):
            if not report_file.is_file() and not _fetch_compare(vault, out_dir):
                return None
    return json.loads(report_file.read_text(encoding="utf-8"))


def _fetch_compare(vault: Vault, out_dir: Path) -> bool:
    """Copy a stored comparison (report.json and its pictures) into `out_dir`; False when none is stored."""
    import shutil

    if not vault.derived.exists("compare", f"{out_dir.name}/report.json"):
        return False
    tmp_dir = out_dir.with_name(f".{out_dir.name}.{os.getpid()}.{threading.get_ident()}.fetch")
    shutil.rmtree(tmp_dir, ignore_errors=True)
    tmp_dir.mkdir(parents=True)
    try:
        if not vault.derived.fetch("compare", f"{out_dir.name}/report.json", tmp_dir / "report.json"):
            return False
        report = json.loads((tmp_dir / "report.json").read_text(encoding="utf-8"))
        for name in report.get("pictures") or []:
            vault.derived.fetch("compare", f"{out_dir.name}/{PurePosixPath(name).name}", tmp_dir / name)
        shutil.rmtree(out_dir, ignore_errors=True)
        tmp_dir.replace(out_dir)
        return True
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)


def _publish_compare(vault: Vault, folder: Path, name: str, sources: str) -> None:
    """Store every file of a made comparison, report.json last (a reader that sees it sees them all)."""
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.name != "report.json")
    for path in [*files, folder / "report.json"]:
        vault.derived.publish("compare", f"{name}/{path.name}", path, sources=sources)


def compare_pictures(vault: Vault, a: str, b: str) -> tuple[dict[str, Any], Path]:
    """The made comparison report and the folder of its pictures; NotFoundError while it is not made."""
    report = vault.cached_compare(a, b)
    if report is None:
        raise NotFoundError(
            f"The comparison of {a} with {b} is not made yet; ask for the comparison first "
            "and wait until its analysis is done."
        )
    return report, _compare_dir(vault, a, b)


def review_compare(
    vault: Vault, a: str, b: str, *, progress: Callable[[int], None] | None = None
) -> tuple[dict[str, Any], Path]:
    """The comparison report of two take versions, computed once and kept under cache/compare/.

    Returns the report (the `compare --json` shape) and the folder holding its pictures.
    """
    _ta, va = _version_ref(vault, a)
    _tb, vb = _version_ref(vault, b)
    out_dir = _compare_dir(vault, a, b)
    report_file = out_dir / "report.json"
    with _lock_for(out_dir):
        if not report_file.is_file() and not _fetch_compare(vault, out_dir):
            tmp_dir = out_dir.with_name(f".{out_dir.name}.{os.getpid()}.{threading.get_ident()}.part")
            import shutil

            shutil.rmtree(tmp_dir, ignore_errors=True)
            tmp_dir.mkdir(parents=True)
            try:
                report = vault.compare(
                    f"{va.take_id}@v{va.number}", f"{vb.take_id}@v{vb.number}", out_dir=tmp_dir, progress=progress
                )
                if not (tmp_dir / "report.json").is_file():
                    data = report.to_json() if hasattr(report, "to_json") else report
                    with atomic_write(tmp_dir / "report.json") as fh:
                        fh.write(json.dumps(data, default=str).encode())
                _publish_compare(vault, tmp_dir, out_dir.name, f"{va.sha256} {vb.sha256}")
                shutil.rmtree(out_dir, ignore_errors=True)
                tmp_dir.replace(out_dir)
            finally:
                shutil.rmtree(tmp_dir, ignore_errors=True)
    return json.loads(report_file.read_text(encoding="utf-8")), out_dir


__all__ = ["CACHE_DIR", "Playback"]
