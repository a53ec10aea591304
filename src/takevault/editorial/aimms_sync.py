"""Move an AIMMS project into a vault and back out, losing nothing AIMMS keeps.

Sections, shots, takes, stars and workflow PNGs become ordinary takevault
records. What takevault has no field for (the shot columns beyond name,
section, order and description; AIMMS take ids, file stems and dates; the
`meta`, `assets` and `deleted_shots` tables) is kept as a versioned JSON object
in the vault's store (`_editorial/<project>/aimms.json`), so `export-aimms`
writes those values back as they were.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from takevault.editorial.aimms import (
    VIDEO_TYPE,
    WORKFLOW_TYPE,
    AimmsTake,
    create_database,
    insert_row,
    media_path,
    read_project,
)
from takevault.editorial.folder_export import StoredFile, place_file
from takevault.errors import InvalidInputError, NotFoundError, TakevaultError
from takevault.store.base import download_to_path
from takevault.store.fsutil import sha256_file
from takevault.vault import lookup

if TYPE_CHECKING:
    from takevault.vault import Vault

SIDECAR_FORMAT = 1
_CODE_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class AimmsImportReport:
    source: Path
    sections_added: list[str] = field(default_factory=list)
    shots_added: list[str] = field(default_factory=list)
    takes_added: list[str] = field(default_factory=list)
    starred: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "source": str(self.source),
            "sections_added": self.sections_added,
            "shots_added": self.shots_added,
            "takes_added": self.takes_added,
            "starred": self.starred,
            "problems": self.problems,
        }


@dataclass
class AimmsExportReport:
    dest: Path
    shots: int = 0
    takes: int = 0
    pngs: int = 0
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "dest": str(self.dest),
            "shots": self.shots,
            "takes": self.takes,
            "pngs": self.pngs,
            "problems": self.problems,
        }


def sidecar_key(project: str) -> str:
    return f"_editorial/{project}/aimms.json"


def load_sidecar(vault: Vault) -> dict[str, Any]:
    key = sidecar_key(vault.project)
    try:
        reader = vault.store.get(key)
    except NotFoundError:
        return {}
    with reader:
        data = reader.read()
    try:
        loaded = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def save_sidecar(vault: Vault, data: dict[str, Any]) -> None:
    body = json.dumps(data, indent=1, ensure_ascii=False, default=str).encode("utf-8")
    vault.store.put(
        sidecar_key(vault.project),
        io.BytesIO(body),
        {"project": vault.project, "kind": "aimms-sidecar"},
        size=len(body),
    )


def code_for(text: str, fallback: str) -> str:
    """A takevault code (letters, digits, `.`, `_`, `-`) for an AIMMS name: `Act 1 - Road` -> `Act_1_-_Road`."""
    code = _CODE_UNSAFE.sub("_", text).strip("._-")[:100]
    return code or fallback


def _now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _date_text(moment: datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# -- import -------------------------------------------------------------------


def import_project(vault: Vault, root: Path, *, progress: Callable[[int], None] | None = None) -> AimmsImportReport:
    project = read_project(root)
    report = AimmsImportReport(source=project.root.resolve(), problems=list(project.problems))
    sidecar = load_sidecar(vault)
    sidecar.setdefault("format", SIDECAR_FORMAT)
    side_shots: dict[str, Any] = sidecar.setdefault("shots", {})
    side_takes: dict[str, Any] = sidecar.setdefault("takes", {})
    sidecar["meta"] = project.meta
    sidecar["extra_tables"] = project.extra_tables
    sidecar["source"] = str(report.source)
    sidecar["imported_at"] = _now_text()
    if project.extra_tables.get("assets"):
        report.problems.append(
            f"{len(project.extra_tables['assets'])} asset rows (characters, locations, …) are kept for export-aimms, "
            "but their files are not takes and were not imported; keep the AIMMS media/ asset folders."
        )

    sections = {s.code: s for s in vault.list_sections()}
    section_codes: dict[str, str] = {}
    for shot in project.shots:
        if shot.section and shot.section not in section_codes:
            code = code_for(shot.section, f"section_{len(section_codes) + 1}")
            section_codes[shot.section] = code
            if code not in sections:
                sections[code] = vault.add_section(code, name=shot.section)
                report.sections_added.append(code)

    used_paths: set[str] = set()
    for shot in project.shots:
        section = section_codes.get(shot.section) if shot.section else None
        code = code_for(shot.shot_name, f"shot_{shot.shot_id}")
        path = f"{section}/{code}" if section else code
        if path in used_paths:
            renamed = f"{code}_{shot.shot_id}"
            report.problems.append(f"shot {shot.shot_name} appears twice in its section; the second is {renamed}.")
            code, path = renamed, f"{section}/{renamed}" if section else renamed
        used_paths.add(path)
        try:
            existing = vault.catalog.find_shots(lookup.project_row(vault), code, section)
            if existing:
                target = existing[0]
            else:
                target = vault.add_shot(
                    code,
                    section=section,
                    name=shot.shot_name,
                    order=shot.order_number,
                    description=shot.description,
                )
                report.shots_added.append(target.path)
        except TakevaultError as exc:
            report.problems.append(f"shot {shot.shot_name}: not imported ({exc.message}).")
            continue
        side_shots[target.path] = {"row": shot.row}
        for take in project.takes_of(shot.shot_id):
            _import_take(vault, take, target.path, side_takes, report)
            if progress:
                progress(1)
    save_sidecar(vault, sidecar)
    return report


def _import_take(
    vault: Vault, take: AimmsTake, shot_path: str, side_takes: dict[str, Any], report: AimmsImportReport
) -> None:
    label = f"{take.video_row.get('file_path')} (take {take.video_row.get('take_id')})"
    sha = sha256_file(take.video)
    known = vault.catalog.takes_with_sha256(lookup.project_row(vault), sha)
    if known:
        existing = vault.take(known[0])
        report.problems.append(f"{label} is already in the vault as {existing.ref}; not added again.")
        side_takes.setdefault(existing.id, _take_side(take))
        return
    try:
        added = vault.add(take.video, shot=shot_path, kind="final", workflow_png=take.png)
    except TakevaultError as exc:
        if take.png is None:
            report.problems.append(f"{label}: not imported ({exc.message}).")
            return
        try:
            added = vault.add(take.video, shot=shot_path, kind="final")
        except TakevaultError as exc2:
            report.problems.append(f"{label}: not imported ({exc2.message}).")
            return
        report.problems.append(f"{label}: its workflow PNG was refused ({exc.message}); imported without it.")
    report.takes_added.append(added.ref)
    side_takes[added.id] = _take_side(take)
    if take.starred:
        vault.star(added.ref)
        report.starred.append(added.ref)


def _take_side(take: AimmsTake) -> dict[str, Any]:
    return {"stem": take.stem, "video_row": take.video_row, "png_row": take.png_row}


# -- export -------------------------------------------------------------------


def export_project(vault: Vault, dest: Path, *, progress: Callable[[int], None] | None = None) -> AimmsExportReport:
    dest = dest.expanduser()
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise InvalidInputError(f"{dest} is not an empty folder; export-aimms writes a new project, so pick one.")
    shots = vault.list_shots()
    if not shots:
        raise NotFoundError("The project has no shots to export; add shots and takes first.")
    sidecar = load_sidecar(vault)
    sections = {s.code: s for s in vault.list_sections()}
    report = AimmsExportReport(dest=dest.resolve())
    meta = dict(sidecar.get("meta") or {})
    meta.setdefault("schema_version", "1")
    meta.setdefault("app_version", "1.0")
    meta.setdefault("created_at", _now_text())
    meta.setdefault("migration_date", _now_text())
    meta.setdefault("project_name", vault.project)
    created = not dest.exists()
    dest.mkdir(parents=True, exist_ok=True)
    try:
        _write_project(vault, dest, shots, sections, sidecar, meta, report, progress)
    except BaseException:
        # The folder was new or empty: take back what was written, so a re-run can start afresh.
        for child in dest.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)
        if created:
            with contextlib.suppress(OSError):
                dest.rmdir()
        raise
    return report


def _write_project(
    vault: Vault,
    dest: Path,
    shots: list[Any],
    sections: dict[str, Any],
    sidecar: dict[str, Any],
    meta: dict[str, Any],
    report: AimmsExportReport,
    progress: Callable[[int], None] | None,
) -> None:
    side_shots: dict[str, Any] = sidecar.get("shots", {})
    side_takes: dict[str, Any] = sidecar.get("takes", {})
    conn = create_database(dest, meta)
    try:
        ids = _shot_ids(shots, side_shots)

        def fetch(key: str, version_id: str, target: Path) -> None:
            download_to_path(vault.store, key, target, version_id)

        for shot in shots:
            shot_id = ids[shot.id]
            from_aimms = (side_shots.get(shot.path) or {}).get("row")
            row = dict(from_aimms or {})
            section = sections.get(shot.section) if shot.section else None
            row.update(
                shot_id=shot_id,
                order_number=shot.order,
                shot_name=shot.name if from_aimms and shot.name else _shot_name(shot),
                section=(section.name or section.code) if section else None,
                description=shot.description,
            )
            row.setdefault("created_date", _now_text())
            insert_row(conn, "shots", row)
            report.shots += 1
            used: set[str] = set()
            for take in vault.takes(shot=shot.path):
                side = side_takes.get(take.id) or {}
                stem = side.get("stem") or take.name
                if stem in used:
                    stem = _free_stem(used, take.number)
                used.add(stem)
                version = take.current
                rel = media_path(shot_id, stem, Path(version.key).suffix.lower())
                place_file(dest, rel, StoredFile(version.key, version.version_id, version.sha256, version.size), fetch)
                created = (side.get("video_row") or {}).get("created_date") or _date_text(take.created_at)
                video_row = dict(side.get("video_row") or {})
                video_row.update(
                    take_id=video_row.get("take_id") or take.id,
                    shot_id=shot_id,
                    take_type=VIDEO_TYPE,
                    file_path=rel,
                    starred=1 if take.starred else 0,
                    created_date=created,
                )
                insert_row(conn, "takes", video_row)
                report.takes += 1
                png = version.png
                if png is not None and png.key and png.version_id and png.sha256:
                    png_rel = media_path(shot_id, stem, ".png")
                    place_file(dest, png_rel, StoredFile(png.key, png.version_id, png.sha256, png.size), fetch)
                    png_row = dict(side.get("png_row") or {})
                    png_row.update(
                        take_id=png_row.get("take_id") or f"{take.id}-workflow",
                        shot_id=shot_id,
                        take_type=WORKFLOW_TYPE,
                        file_path=png_rel,
                        starred=png_row.get("starred") or 0,
                        created_date=png_row.get("created_date") or created,
                    )
                    insert_row(conn, "takes", png_row)
                    report.pngs += 1
                else:
                    report.problems.append(f"{take.ref} has no workflow PNG; AIMMS will show it without one.")
                if progress:
                    progress(1)
        for table, rows in (sidecar.get("extra_tables") or {}).items():
            for extra in rows:
                insert_row(conn, table, extra)
        conn.commit()
    finally:
        conn.close()


def _shot_name(shot: Any) -> str:
    """For a shot made in takevault: its name when importing it back gives the same code
    (`Act 1` -> `Act_1`), else its code, so a round trip through AIMMS keeps every shot path."""
    if shot.name and code_for(shot.name, "") == shot.code:
        return shot.name
    return shot.code


def _shot_ids(shots: list[Any], side_shots: dict[str, Any]) -> dict[int, int]:
    """Keep each shot's AIMMS shot_id when it has one (so media/<shot_id>/ stays put), number the rest after."""
    ids: dict[int, int] = {}
    used: set[int] = set()
    for shot in shots:
        old = ((side_shots.get(shot.path) or {}).get("row") or {}).get("shot_id")
        if isinstance(old, int) and old not in used:
            ids[shot.id] = old
            used.add(old)
    next_id = max(used, default=0) + 1
    for shot in shots:
        if shot.id not in ids:
            ids[shot.id] = next_id
            used.add(next_id)
            next_id += 1
    return ids


def _free_stem(used: set[str], number: int) -> str:
    n = number
    while f"video_{n:02d}" in used:
        n += 1
    return f"video_{n:02d}"
