"""Copy takes into a folder editors can read, and pin every file in a manifest (JSON and CSV).

Layout: `<section>/<shot>_<take>_v<N>.<ext>` plus the workflow PNG beside it
under the same stem; shots outside any section go at the top. Each file is
fetched through the store (checked against its sha256 on the way) and hashed
again on disk; a file already there with the right sha256 is kept, so an
interrupted export can simply be run again.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from takevault.errors import ChecksumMismatchError, InvalidInputError, TakevaultError
from takevault.store.fsutil import (
    atomic_write,
    check_file_target,
    os_error_to_takevault,
    sha256_file,
    user_file_mode,
)

MANIFEST_JSON = "manifest.json"
MANIFEST_CSV = "manifest.csv"
MANIFEST_FORMAT = 1
MARKER = ".takevault-export"
"""Put in a new export folder until its manifest is written, so an interrupted export can be resumed."""

CSV_COLUMNS = (
    "status",
    "section",
    "shot",
    "take",
    "take_id",
    "version",
    "file",
    "store_key",
    "store_version_id",
    "sha256",
    "size",
    "png_file",
    "png_store_key",
    "png_store_version_id",
    "png_sha256",
    "png_size",
)

Fetch = Callable[[str, str, Path], None]
"""fetch(store_key, store_version_id, dest): stream that exact version into `dest`, verified."""


@dataclass(frozen=True)
class StoredFile:
    """One exact object version in the store."""

    key: str
    version_id: str
    sha256: str
    size: int


@dataclass(frozen=True)
class ExportItem:
    """One take version to export, as plain data."""

    section: str | None
    shot: str
    take: str
    take_id: str
    ref: str
    version: int
    video: StoredFile
    png: StoredFile | None = None
    fps: str | None = None
    frames: int = 0
    duration: float = 0.0


@dataclass(frozen=True)
class ExportedFile:
    item: ExportItem
    file: str
    png_file: str | None
    reused: bool

    def to_json(self) -> dict[str, Any]:
        item = self.item
        return {
            "section": item.section,
            "shot": item.shot,
            "take": item.take,
            "take_id": item.take_id,
            "ref": item.ref,
            "version": item.version,
            "file": self.file,
            "store_key": item.video.key,
            "store_version_id": item.video.version_id,
            "sha256": item.video.sha256,
            "size": item.video.size,
            "fps": item.fps,
            "frames": item.frames,
            "duration": item.duration,
            "png": None if item.png is None else {"file": self.png_file, **_stored_json(item.png)},
            "reused": self.reused,
        }


@dataclass
class ExportReport:
    """What an export wrote, what it kept, and which shots had nothing to give."""

    dest: Path
    files: list[ExportedFile] = field(default_factory=list)
    shots_without_star: list[tuple[str | None, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    as_of: datetime | None = None
    starred: bool = True
    manifest_json: Path | None = None
    manifest_csv: Path | None = None

    @property
    def bytes_copied(self) -> int:
        total = 0
        for f in self.files:
            if not f.reused:
                total += f.item.video.size + (f.item.png.size if f.item.png else 0)
        return total

    def to_json(self) -> dict[str, Any]:
        return {
            "dest": str(self.dest),
            "starred": self.starred,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "files": [f.to_json() for f in self.files],
            "shots_without_starred_take": [{"section": s, "shot": h} for s, h in self.shots_without_star],
            "warnings": list(self.warnings),
            "manifest_json": str(self.manifest_json) if self.manifest_json else None,
            "manifest_csv": str(self.manifest_csv) if self.manifest_csv else None,
        }


def _stored_json(stored: StoredFile) -> dict[str, Any]:
    return {
        "store_key": stored.key,
        "store_version_id": stored.version_id,
        "sha256": stored.sha256,
        "size": stored.size,
    }


_UNSAFE = re.compile(r"[^A-Za-z0-9._@+=-]+")


def safe_part(text: str) -> str:
    """A path component that is the same on every OS: unsafe runs become `_`, never empty or dotted."""
    cleaned = _UNSAFE.sub("_", text).strip("._") or "_"
    return cleaned


def relative_name(item: ExportItem) -> str:
    """`<section>/<shot>_<take>_v<N>.<ext>`; the extension is the store key's."""
    suffix = Path(item.video.key).suffix.lower() or ".bin"
    stem = f"{safe_part(item.shot)}_{safe_part(item.take)}_v{item.version}"
    name = f"{stem}{suffix}"
    return f"{safe_part(item.section)}/{name}" if item.section else name


def readable(path: Path) -> None:
    """Give a file an earlier export left as 0600 the permissions of a file the user made."""
    with contextlib.suppress(OSError):  # someone else's file: its permissions are theirs
        os.chmod(path, user_file_mode())


def place_file(dest_root: Path, rel: str, stored: StoredFile, fetch: Fetch) -> bool:
    """Make `dest_root/rel` hold exactly `stored`; returns True when an identical file was already there."""
    target = dest_root / rel
    check_file_target(target, "remove it from the export folder, or export into another folder")
    if target.is_file() and target.stat().st_size == stored.size and sha256_file(target) == stored.sha256:
        readable(target)
        return True
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise os_error_to_takevault(exc, str(target.parent)) from exc
    for partial in target.parent.glob(f".{glob_escape(target.name)}.*.part"):
        partial.unlink(missing_ok=True)  # left by a copy that was killed
    fetch(stored.key, stored.version_id, target)
    actual = sha256_file(target)
    if actual != stored.sha256:
        target.unlink(missing_ok=True)
        raise ChecksumMismatchError(
            f"{rel} came out with sha256 {actual[:12]}… instead of {stored.sha256[:12]}…; "
            "run 'takevault fsck' and export again."
        )
    return False


def export_items(
    items: Sequence[ExportItem],
    dest: Path,
    fetch: Fetch,
    *,
    progress: Callable[[int], None] | None = None,
) -> list[ExportedFile]:
    """Copy each item (and its PNG) under `dest`, verified; `progress` gets 1 per take done."""
    names: dict[str, ExportItem] = {}
    for item in items:
        rel = relative_name(item)
        if rel in names and names[rel].take_id != item.take_id:
            raise InvalidInputError(
                f"Two takes would both be exported as {rel}; rename one of the shots or sections and export again."
            )
        names[rel] = item
    done: list[ExportedFile] = []
    for item in items:
        rel = relative_name(item)
        reused = place_file(dest, rel, item.video, fetch)
        png_rel = None
        if item.png is not None:
            png_rel = str(Path(rel).with_suffix(".png").as_posix())
            reused = place_file(dest, png_rel, item.png, fetch) and reused
        done.append(ExportedFile(item, rel, png_rel, reused))
        if progress:
            progress(1)
    return done


def write_manifests(report: ExportReport, *, project: str, filters: dict[str, Any]) -> None:
    """Write manifest.json and manifest.csv into the export folder, atomically."""
    now_listed = {f.file for f in report.files} | {f.png_file for f in report.files if f.png_file}
    left = [name for name in _listed_files(report.dest / MANIFEST_JSON) if name not in now_listed]
    left = [name for name in left if (report.dest / name).is_file()]
    if left:
        report.warnings.append(
            f"{len(left)} file(s) from an earlier export are still in {report.dest} but not in this manifest: "
            f"{', '.join(left)}."
        )
    now = datetime.now(UTC)
    data = {
        "format": MANIFEST_FORMAT,
        "tool": "takevault",
        "project": project,
        "exported_at": now.isoformat(),
        "filters": {k: v for k, v in filters.items() if v not in (None, False, ())},
        **report.to_json(),
    }
    data.pop("dest", None)
    data.pop("manifest_json", None)
    data.pop("manifest_csv", None)
    for entry in data["files"]:
        entry.pop("reused", None)
    rows: list[dict[str, Any]] = []
    for f in report.files:
        item = f.item
        row = {
            "status": "exported",
            "section": item.section or "",
            "shot": item.shot,
            "take": item.take,
            "take_id": item.take_id,
            "version": item.version,
            "file": f.file,
            "store_key": item.video.key,
            "store_version_id": item.video.version_id,
            "sha256": item.video.sha256,
            "size": item.video.size,
        }
        if item.png is not None:
            row.update(
                png_file=f.png_file,
                png_store_key=item.png.key,
                png_store_version_id=item.png.version_id,
                png_sha256=item.png.sha256,
                png_size=item.png.size,
            )
        rows.append(row)
    for section, shot in report.shots_without_star:
        rows.append({"status": "no_starred_take", "section": section or "", "shot": shot})
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=CSV_COLUMNS, restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    report.manifest_json = report.dest / MANIFEST_JSON
    report.manifest_csv = report.dest / MANIFEST_CSV
    try:
        _write_text(report.manifest_json, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        _write_text(report.manifest_csv, text.getvalue())
        (report.dest / MARKER).unlink(missing_ok=True)
    except TakevaultError:
        raise
    except OSError as exc:
        raise os_error_to_takevault(exc, "the export manifest") from exc


def _listed_files(manifest: Path) -> list[str]:
    """The files (videos and PNGs) an earlier manifest in the folder lists, in its order."""
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        entries = data["files"]
        names = []
        for entry in entries:
            names.append(entry["file"])
            if entry.get("png"):
                names.append(entry["png"]["file"])
    except (OSError, ValueError, KeyError, TypeError):
        return []
    return [n for n in names if isinstance(n, str) and n and ".." not in Path(n).parts]


def _write_text(path: Path, text: str) -> None:
    check_file_target(path, "remove it from the export folder, or export into another folder")
    with atomic_write(path) as out:
        out.write(text.encode("utf-8"))


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


def _earlier_export(dest: Path) -> bool:
    """Whether `dest` holds a takevault export (finished, or interrupted before its manifest)."""
    if (dest / MARKER).is_file():
        return True
    manifest = dest / MANIFEST_JSON
    try:
        if manifest.stat().st_size > 64 * 1024 * 1024:
            return False
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("tool") == "takevault"


def prepare_dest(dest: Path) -> Path:
    """The export folder: new, empty, or one takevault exported into before (to finish or refresh it).

    A folder holding anything else is refused, so an export never mixes its files
    (and manifests) with someone else's.
    """
    dest = Path(dest).expanduser()
    if dest.exists() and not dest.is_dir():
        raise InvalidInputError(f"{dest} is a file, not a folder; give --to a folder to export into.")
    try:
        dest.mkdir(parents=True, exist_ok=True)
        others = sorted(p.name for p in dest.iterdir())
        if others and not _earlier_export(dest):
            shown = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
            raise InvalidInputError(
                f"{dest} holds other files ({shown}) and no earlier takevault export; "
                "export into a new or empty folder."
            )
        if not others:
            (dest / MARKER).write_text("takevault export in progress; run the same export again to finish it\n")
    except (NotADirectoryError, FileExistsError) as exc:
        raise InvalidInputError(f"Part of {dest} is a file, not a folder; give a folder path to export into.") from exc
    except OSError as exc:
        raise os_error_to_takevault(exc, str(dest)) from exc
    return dest.resolve()
