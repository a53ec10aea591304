"""Export, timelines, watch folders, AIMMS interchange: the editorial edges of a vault.

The work itself lives in `takevault.editorial`; these functions pick the takes,
fetch verified bytes and hand plain records over.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from takevault.editorial.stars import aware, stars_as_of
from takevault.errors import InvalidInputError, NotFoundError, TakevaultError
from takevault.lazy import lazy_module
from takevault.models import Shot, Take, TakeVersion
from takevault.store.base import download_to_path
from takevault.vault import lookup
from takevault.vault.approvals import left_out_warning, nothing_approved, require_approved, split_approved

if TYPE_CHECKING:
    from takevault.vault import Vault

if TYPE_CHECKING:
    from takevault.editorial.aimms_sync import AimmsExportReport, AimmsImportReport
    from takevault.editorial.folder_export import ExportItem, ExportReport
    from takevault.editorial.watch import Decision, Render, WatchReport

# Loaded when an export, a watch or an AIMMS exchange runs, not for every command.
aimms_sync = lazy_module("takevault.editorial.aimms_sync")
_folder_export = lazy_module("takevault.editorial.folder_export")
_watch = lazy_module("takevault.editorial.watch")

DEFAULT_SETTLE_SECONDS = 5.0
DEFAULT_PRESIGN_SECONDS = 7 * 24 * 3600
_READ_BATCH = 500
"""Takes a whole-project export reads (and checks for approval) at a time."""


@dataclass
class Selection:
    """The take versions an export uses, in edit order, and the shots that gave none."""

    picks: list[tuple[Take, TakeVersion]] = field(default_factory=list)
    missing: list[Shot] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class TimelineReport:
    path: Path
    fmt: str
    clips: list[dict[str, Any]]
    shots_without_star: list[tuple[str | None, str]]
    warnings: list[str]
    media_dir: Path | None
    as_of: datetime | None

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "format": self.fmt,
            "clips": self.clips,
            "shots_without_starred_take": [{"section": s, "shot": h} for s, h in self.shots_without_star],
            "warnings": list(self.warnings),
            "media_dir": str(self.media_dir) if self.media_dir else None,
            "as_of": self.as_of.isoformat() if self.as_of else None,
        }


# -- choosing takes -----------------------------------------------------
def select(vault: Vault, *, starred: bool, as_of: datetime | None, approved: bool = False, **filters: Any) -> Selection:
    """The takes to export; `approved` keeps only versions a reviewer approved (see vault/approvals.py)."""
    selection = _select_takes(vault, starred=starred, as_of=as_of, **filters)
    return require_approved(vault, selection) if approved else selection


def _select_takes(
    vault: Vault,
    *,
    starred: bool,
    as_of: datetime | None,
    shot: str | None = None,
    section: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    min_rating: int | None = None,
    search: str | None = None,
) -> Selection:
    scope = _shots_in_scope(vault, shot, section)
    order = {s.id: i for i, s in enumerate(scope)}
    if as_of is not None:
        if any(v is not None for v in (kind, status, min_rating, search)):
            raise InvalidInputError(
                "--as-of picks the takes starred at that moment, so only --shot and --section can narrow it; "
                "drop --kind, --status, --min-rating and --search."
            )
        return _select_as_of(vault, scope, aware(as_of, naive_is_local=True))
    takes = vault.takes(
        shot=shot,
        section=section,
        starred=True if starred else None,
        kind=kind,
        status=status,
        min_rating=min_rating,
        search=search,
    )
    by_path = {s.path: s for s in scope}
    picks = [(t, t.current) for t in takes]
    picks.sort(key=lambda p: (order.get(_shot_of(p[0], by_path), len(order)), p[0].number))
    selection = Selection(picks)
    if starred:
        covered = {_shot_path(t) for t, _v in picks}
        narrowed = any(v is not None for v in (kind, status, min_rating, search))
        # Without take filters every uncovered shot lacks a usable star (none, or a deleted take);
        # with them, a star filtered out is the user's choice, so only shots with no star are listed.
        selection.missing = [s for s in scope if s.path not in covered and (not narrowed or s.starred_take_id is None)]
    return selection


def _shots_in_scope(vault: Vault, shot: str | None, section: str | None) -> list[Shot]:
    if shot is not None:
        one = vault.shot(shot)
        if section is not None and one.section != section:
            raise InvalidInputError(f"Shot {one.path} is not in section {section}; drop --section or fix it.")
        return [one]
    return vault.list_shots(section=section)


def _select_as_of(vault: Vault, scope: list[Shot], as_of: datetime) -> Selection:
    state = stars_as_of(vault.events(until=None), as_of)
    selection = Selection()
    for shot in scope:
        star = state.get(shot.path)
        if star is None:
            selection.missing.append(shot)
            continue
        try:
            take = vault.take(star.take_id)
        except NotFoundError:
            selection.missing.append(shot)
            selection.warnings.append(
                f"{shot.path}: the take starred then ({star.take_id}) was purged since, so it cannot be exported."
            )
            continue
        versions = vault.history(take.id)
        then = [v for v in versions if aware(v.created_at, naive_is_local=False) <= as_of]
        if then:
            version = max(then, key=lambda v: v.number)
        else:
            version = next((v for v in versions if v.number == star.version), versions[-1])
        selection.picks.append((take, version))
    return selection


def export_item(vault: Vault, take: Take, version: TakeVersion) -> ExportItem:
    png = version.png
    png_file = None
    if png is not None and png.key and png.version_id and png.sha256:
        png_file = _folder_export.StoredFile(png.key, png.version_id, png.sha256, png.size)
    return _folder_export.ExportItem(
        section=take.section,
        shot=take.shot,
        take=take.name,
        take_id=take.id,
        ref=f"{take.ref}@v{version.number}",
        version=version.number,
        video=_folder_export.StoredFile(version.key, version.version_id, version.sha256, version.size),
        png=png_file,
        fps=version.media.fps_text,
        frames=version.media.frames,
        duration=version.media.duration,
    )


def fetch_blob(vault: Vault, key: str, version_id: str, dest: Path) -> None:
    download_to_path(vault.store, key, dest, version_id)


# -- export to a folder -------------------------------------------------
def export_folder(
    vault: Vault,
    dest: Path | str,
    *,
    starred: bool = True,
    shot: str | None = None,
    section: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    min_rating: int | None = None,
    search: str | None = None,
    as_of: datetime | None = None,
    approved: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ExportReport:
    """Copy the chosen takes into `dest` (`<section>/<shot>_<take>_v<N>.<ext>` + PNG) with manifests.

    `as_of` exports the versions starred at that moment (implies `starred`).
    """
    filters = {
        "shot": shot,
        "section": section,
        "kind": kind,
        "status": status,
        "min_rating": min_rating,
        "search": search,
    }
    starred = starred or as_of is not None
    if starred:
        selection = select(vault, starred=starred, as_of=as_of, approved=approved, **filters)
        items = [export_item(vault, t, v) for t, v in selection.picks]
        missing, warnings = selection.missing, selection.warnings
    else:
        items, warnings = _every_take_item(vault, approved=approved, **filters)
        missing = []
    if not items and not missing:
        raise NotFoundError("No take matches those filters; list takes with 'takevault takes' and export again.")
    if not items:
        raise _nothing_starred(Selection(missing=missing), as_of)
    root = _folder_export.prepare_dest(Path(dest))
    report = _folder_export.ExportReport(dest=root, as_of=as_of, starred=starred, warnings=list(warnings))
    report.files = _folder_export.export_items(items, root, functools.partial(fetch_blob, vault), progress=progress)
    report.shots_without_star = [(s.section, s.code) for s in missing]
    if report.shots_without_star:
        names = ", ".join(s.path for s in missing)
        report.warnings.append(f"No starred take{' then' if as_of else ''} for: {names}.")
    _folder_export.write_manifests(report, project=vault.project, filters=filters)
    return report


def _every_take_item(vault: Vault, *, approved: bool, **filters: Any) -> tuple[list[ExportItem], list[str]]:
    """The export items of every take the filters keep, in edit order, and the warnings.

    As `select` without `starred`, but a whole-project export of a large vault must not hold a
    take record per take: takes stream from the catalog a batch at a time and only each one's
    plain item stays."""
    scope = _shots_in_scope(vault, filters.get("shot"), filters.get("section"))
    order = {s.path: i for i, s in enumerate(scope)}
    keyed: list[tuple[int, ExportItem]] = []
    left: list[str] = []
    batch: list[tuple[Take, TakeVersion]] = []

    def keep() -> None:
        picks = batch
        if approved:
            picks, out = split_approved(vault, batch)
            left.extend(out)
        keyed.extend((order.get(_shot_path(t), len(order)), export_item(vault, t, v)) for t, v in picks)
        batch.clear()

    for take in vault.iter_takes(**filters):
        batch.append((take, take.current))
        if len(batch) == _READ_BATCH:
            keep()
    keep()
    if left and not keyed:
        raise nothing_approved()
    keyed.sort(key=lambda pair: pair[0])  # stable: take numbers stay in order within a shot
    return [item for _i, item in keyed], [left_out_warning(left)] if left else []


# -- timelines ----------------------------------------------------------
def export_timeline(
    vault: Vault,
    path: Path | str,
    *,
    fmt: str | None = None,
    as_of: datetime | None = None,
    presign: bool = False,
    media_dir: Path | str | None = None,
    expires: int = DEFAULT_PRESIGN_SECONDS,
    shot: str | None = None,
    section: str | None = None,
    approved: bool = False,
    progress: Callable[[int], None] | None = None,
) -> TimelineReport:
    """A timeline (`otio`, `edl`, `fcpxml`) of the starred takes in section and shot order.

    Media references point at files exported to `media_dir` (default: a
    `<name>_media` folder beside the timeline) or, with `presign`, at
    time-limited S3 URLs of the exact versions.
    """
    # OpenTimelineIO loads only when a timeline is made, not on every vault open.
    from takevault.editorial.timeline import TimelineClip, build_timeline, format_for_path, write_timeline

    path = Path(path).expanduser()
    fmt = fmt or format_for_path(path)
    if presign and media_dir is not None:
        raise InvalidInputError("Choose either presigned URLs or a media folder for the timeline, not both.")
    selection = select(vault, starred=True, as_of=as_of, approved=approved, shot=shot, section=section)
    missing = [s.path for s in selection.missing]
    if not selection.picks:
        if not missing:
            raise NotFoundError("The project has no shots; add shots and takes before exporting a timeline.")
        raise _nothing_starred(selection, as_of)
    warnings = list(selection.warnings)
    if missing:
        warnings.append(f"Left out, no starred take: {', '.join(missing)}.")
    items = [export_item(vault, t, v) for t, v in selection.picks]
    urls: list[str]
    folder: Path | None = None
    if presign:
        signed = [vault.store.presigned_url(i.video.key, i.video.version_id, expires) for i in items]
        if any(url is None for url in signed):
            raise InvalidInputError(
                "Presigned URLs need an S3 store and this vault uses a local folder; export the media instead "
                "(drop --presign)."
            )
        urls = [url for url in signed if url is not None]
    else:
        folder = _folder_export.prepare_dest(Path(media_dir) if media_dir else path.parent / f"{path.stem}_media")
        export = _folder_export.ExportReport(dest=folder, as_of=as_of, starred=True)
        export.files = _folder_export.export_items(
            items, folder, functools.partial(fetch_blob, vault), progress=progress
        )
        export.shots_without_star = [(s.section, s.code) for s in selection.missing]
        _folder_export.write_manifests(export, project=vault.project, filters={"shot": shot, "section": section})
        urls = [(folder / f.file).resolve().as_uri() for f in export.files]
    clips = []
    # By id, not a search of the picks per clip: a timeline of every shot of a large project.
    picked: dict[str, tuple[Take, TakeVersion]] = {}
    for t, v in selection.picks:
        picked.setdefault(t.id, (t, v))
    for item, url in zip(items, urls, strict=True):
        take, version = picked[item.take_id]
        if version.media.fps is None:
            raise InvalidInputError(f"{item.ref} has no frame rate in its media info; it cannot go on a timeline.")
        clips.append(
            TimelineClip(
                name=f"{item.shot}_{item.take}_v{item.version}",
                target_url=url,
                fps=version.media.fps,
                frames=version.media.frames,
                # Open review notes of the exact version go along as markers (see vault/notes.py).
                markers=tuple(vault.note_markers(take, version.number)),
                metadata={
                    "take_id": item.take_id,
                    "ref": item.ref,
                    "section": item.section,
                    "shot": item.shot,
                    "take": item.take,
                    "version": item.version,
                    "store_key": item.video.key,
                    "store_version_id": item.video.version_id,
                    "sha256": item.video.sha256,
                    "size": item.video.size,
                    "png_sha256": item.png.sha256 if item.png else None,
                },
            )
        )
    name = f"{vault.project} starred takes" + (f" as of {as_of.isoformat()}" if as_of else "")
    warnings += write_timeline(build_timeline(name, clips), path, fmt)
    return TimelineReport(
        path=path,
        fmt=fmt,
        clips=[
            {
                "name": c.name,
                "fps": f"{c.fps.numerator}/{c.fps.denominator}",
                "frames": c.frames,
                "url": c.target_url,
                **c.metadata,
            }
            for c in clips
        ],
        shots_without_star=[(s.section, s.code) for s in selection.missing],
        warnings=warnings,
        media_dir=folder,
        as_of=as_of,
    )


# -- watch folders ------------------------------------------------------
def watch(
    vault: Vault,
    folder: Path | str,
    *,
    map_pattern: str | None = None,
    once: bool = False,
    stop_event: threading.Event | None = None,
    settle_seconds: float = DEFAULT_SETTLE_SECONDS,
    poll_seconds: float | None = None,
    kind: str = "raw",
    create_shots: bool = False,
    on_decision: Callable[[Decision], None] | None = None,
    on_start: Callable[[Path], None] | None = None,
) -> WatchReport:
    """Turn finished renders in `folder` into takes until `stop_event` is set (or once, with `once`)."""

    def take_with(sha256: str) -> str | None:
        ids = vault.catalog.takes_with_sha256(lookup.project_row(vault), sha256)
        return vault.take(ids[0]).ref if ids else None

    def ingest(render: Render) -> str:
        png = render.png
        target = render.target
        shot_path = f"{target.section}/{target.shot}" if target.section else target.shot
        if target.take is not None:
            return vault.replace(f"{shot_path}/{target.take}", render.video, workflow_png=png).ref
        if render.replaces is not None:
            return vault.replace(render.replaces, render.video, workflow_png=png).ref
        try:
            vault.shot(shot_path)
        except NotFoundError:
            if not create_shots:
                raise
            lookup.project_row_for_write(vault)
            if target.section is not None and target.section not in {s.code for s in vault.list_sections()}:
                vault.add_section(target.section)
            vault.add_shot(target.shot, section=target.section)
        return vault.add(render.video, shot=shot_path, kind=kind, workflow_png=png).ref

    watcher = _watch.FolderWatcher(
        folder,
        ingest,
        take_with,
        map_pattern=map_pattern,
        settle_seconds=settle_seconds,
        poll_seconds=poll_seconds,
        on_decision=on_decision,
    )
    return watcher.run(once=once, stop_event=stop_event, on_start=on_start)


# -- AIMMS --------------------------------------------------------------
def import_aimms(
    vault: Vault, project_dir: Path | str, *, progress: Callable[[int], None] | None = None
) -> AimmsImportReport:
    """Bring an AIMMS project in: sections, shots, takes with workflow PNGs, stars; lists what it skipped."""
    return aimms_sync.import_project(vault, Path(project_dir), progress=progress)


def export_aimms(vault: Vault, dest: Path | str, *, progress: Callable[[int], None] | None = None) -> AimmsExportReport:
    """Write this project as an AIMMS project folder (`data/shots.db`, `media/<shot_id>/video_NN.*`)."""
    return aimms_sync.export_project(vault, Path(dest), progress=progress)


def _nothing_starred(selection: Selection, as_of: datetime | None) -> NotFoundError:
    missing = ", ".join(s.path for s in selection.missing)
    if as_of is not None:
        # Starring a take now cannot change the past: point at a later moment, or at now.
        moment = as_of.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z").strip()
        return NotFoundError(
            f"No shot had a starred take at {moment} ({missing} had none then); "
            "give a later --as-of moment, or leave --as-of out to export what is starred now."
        )
    return NotFoundError(
        f"No shot has a starred take ({missing} lack one); star a take per shot with "
        "'takevault star SHOT/video_NN' and export again."
    )


def _shot_path(take: Take) -> str:
    return f"{take.section}/{take.shot}" if take.section else take.shot


def _shot_of(take: Take, by_path: dict[str, Shot]) -> int:
    shot = by_path.get(_shot_path(take))
    return shot.id if shot is not None else -1


__all__ = ["Selection", "TakevaultError", "TimelineReport"]
