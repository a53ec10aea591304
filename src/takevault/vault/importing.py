"""Bulk import: many files and folders at once, shots from `--shot` or a pattern on paths.

Files are probed and hashed in parallel (PyAV releases the GIL while decoding),
then added one by one so take numbers stay in file order. One bad file is
reported as failed and never stops or damages the rest.

Shots are decided by `takevault.shotmap`, the rules `watch` uses too, on each
file's path relative to the folder it was found in (folder name included, `/`
between parts): codes such as `SH010` in names or folders, or `--map`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from takevault.errors import InvalidInputError, NotFoundError, TakevaultError
from takevault.lazy import lazy_module
from takevault.media.formats import VIDEO_SUFFIXES
from takevault.models import ANY_TAKE, ImportItem, ImportReport, MediaInfo, Shot
from takevault.shotmap import Mapper, compile_map
from takevault.store.base import ProgressCallback
from takevault.store.fsutil import sha256_file
from takevault.vault import add as _add
from takevault.vault import lookup
from takevault.vault.refs import CODE_RE

if TYPE_CHECKING:
    from takevault.vault import Vault

_media_probe = lazy_module("takevault.media.probe")  # PyAV loads when a file is probed


@dataclass
class _Candidate:
    path: Path
    shown: str
    relative: str
    png: Path | None = None
    media: MediaInfo | None = None
    sha256: str | None = None
    error: str | None = None


def _walk(paths: Iterable[Path | str], unreadable: list[ImportItem]) -> Iterator[tuple[Path, str, bool]]:
    """(file, path relative to where it was found, given explicitly) for every file, sorted per folder.

    Paths are joined, never resolved, here: a symlink loop or a folder that cannot be read is one
    failed item (added to `unreadable`), and the walk goes on with the rest."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            top = path.resolve().name

            def _cannot_read(exc: OSError) -> None:
                unreadable.append(
                    ImportItem(str(exc.filename), "failed", reason=f"the folder cannot be read ({exc.strerror})")
                )

            for dirpath, dirnames, filenames in os.walk(path, onerror=_cannot_read):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in sorted(filenames):
                    if name.startswith("."):
                        continue
                    full = Path(dirpath) / name
                    yield full, "/".join(p for p in (top, full.relative_to(path).as_posix()) if p), False
        else:
            parent = path.absolute().parent.name
            yield path, f"{parent}/{path.name}" if parent else path.name, True


def _inspect(candidate: _Candidate) -> _Candidate:
    try:
        candidate.media = _media_probe.probe(candidate.path)
        candidate.sha256 = sha256_file(candidate.path)
    except TakevaultError as exc:
        candidate.error = exc.message
    except OSError as exc:
        candidate.error = f"{candidate.path.name} cannot be read ({exc.strerror or exc})."
    return candidate


def import_paths(
    vault: Vault,
    paths: Iterable[Path | str],
    *,
    shot: str | None = None,
    map_pattern: str | None = None,
    create_shots: bool = False,
    dry_run: bool = False,
    allow_duplicates: bool = False,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Add every video under `paths`; the report says what was added, skipped or failed and why."""
    paths = list(paths)
    if not paths:
        raise InvalidInputError("Nothing to import; give one or more files or folders.")
    if shot is not None and map_pattern is not None:
        raise InvalidInputError("Give either --shot or --map, not both.")
    for raw in paths:
        if not Path(raw).exists():
            raise InvalidInputError(f"{raw} does not exist; check the path.")
    fixed_shot = vault.shot(shot) if shot is not None and not create_shots else None
    pattern = compile_map(map_pattern) if shot is None else None

    items: list[ImportItem] = []
    candidates: list[_Candidate] = []
    seen: set[Path] = set()
    for path, relative, explicit in _walk(paths, items):
        try:
            resolved = path.resolve(strict=path.is_symlink())
        except (OSError, RuntimeError):
            items.append(
                ImportItem(str(path), "failed", reason="a symbolic link that loops or points nowhere; fix or remove it")
            )
            continue
        if resolved in seen:
            continue
        seen.add(resolved)
        suffix = path.suffix.lower()
        if suffix == ".png":
            if not any(path.with_suffix(s).exists() or path.with_suffix(s.upper()).exists() for s in VIDEO_SUFFIXES):
                items.append(ImportItem(str(path), "skipped", reason="a PNG with no video of the same name beside it"))
            continue  # companion PNGs travel with their video
        if not explicit and suffix not in VIDEO_SUFFIXES:
            items.append(ImportItem(str(path), "skipped", reason=f"'{suffix or path.name}' is not a video extension"))
            continue
        png = path.with_suffix(".png")
        candidates.append(_Candidate(path, str(path), relative, png if png.is_file() else None))

    workers = max(1, min(4, os.cpu_count() or 1, len(candidates)))
    if candidates:
        _media_probe.probe  # noqa: B018 - load PyAV here, not in several worker threads at once
    with ThreadPoolExecutor(max_workers=workers) as pool:
        inspected = list(pool.map(_inspect, candidates))

    known_sha: dict[str, str] = {}
    created: dict[tuple[str | None, str], Shot] = {}
    for cand in inspected:
        item = _import_one(
            vault, cand, fixed_shot, shot, pattern, create_shots, dry_run, allow_duplicates, known_sha, created
        )
        items.append(item)
        if progress:
            progress(1)
    order = {str(c.path): i for i, c in enumerate(inspected)}
    items.sort(key=lambda i: (order.get(i.path, -1), i.path))
    return ImportReport(items=tuple(items), dry_run=dry_run)


def _import_one(
    vault: Vault,
    cand: _Candidate,
    fixed_shot: Shot | None,
    shot_text: str | None,
    pattern: Mapper | None,
    create_shots: bool,
    dry_run: bool,
    allow_duplicates: bool,
    known_sha: dict[str, str],
    created: dict[tuple[str | None, str], Shot],
) -> ImportItem:
    if cand.error or cand.media is None or cand.sha256 is None:
        return ImportItem(cand.shown, "failed", reason=cand.error)
    try:
        if shot_text is not None:
            section, code = _split_shot(shot_text)
        else:
            assert pattern is not None
            found = pattern(cand.relative)
            if found is None:
                return ImportItem(
                    cand.shown, "failed", reason="no shot code in its name or folders; use --shot or --map"
                )
            code, section = found.shot, found.section
        label = f"{section}/{code}" if section else code
        if not allow_duplicates:
            dup = known_sha.get(cand.sha256) or _duplicate_of(vault, cand.sha256)
            if dup:
                return ImportItem(cand.shown, "skipped", shot=label, reason=f"same bytes as {dup}")
        target = fixed_shot or _import_shot(vault, section, code, create_shots, dry_run, created)
        if target is None:
            known_sha[cand.sha256] = cand.shown
            return ImportItem(cand.shown, "planned", shot=label, reason="new shot would be created")
        if dry_run:
            known_sha[cand.sha256] = cand.shown
            return ImportItem(cand.shown, "planned", shot=target.path)
        take = _add.add_probed(vault, cand.path, cand.media, target, workflow_png=cand.png)
        known_sha[cand.sha256] = take.ref
        return ImportItem(cand.shown, "added", shot=target.path, ref=take.ref)
    except TakevaultError as exc:
        return ImportItem(cand.shown, "failed", reason=exc.message)


def _duplicate_of(vault: Vault, sha256: str) -> str | None:
    ids = vault.catalog.takes_with_sha256(lookup.project_row(vault), sha256)
    if not ids:
        return None
    found = vault.catalog.query_takes(lookup.project_row(vault), ANY_TAKE, take_ids=ids[:1])
    return found[0].ref if found else ids[0]


def _import_shot(
    vault: Vault,
    section: str | None,
    code: str,
    create: bool,
    dry_run: bool,
    created: dict[tuple[str | None, str], Shot],
) -> Shot | None:
    if (section, code) in created:
        return created[(section, code)]
    if not CODE_RE.match(code) or (section is not None and not CODE_RE.match(section)):
        raise InvalidInputError(f"{code!r} is not a usable shot code; fix the name or the --map pattern.")
    try:
        shot = lookup.one_shot(vault, section, code)
    except NotFoundError:
        if not create:
            where = f" --section {section}" if section else ""
            raise NotFoundError(
                f"shot {code} does not exist; add it with 'takevault shot add {code}{where}' or pass --create-shots"
            ) from None
        if dry_run:
            return None
        lookup.project_row_for_write(vault)
        if section is not None and not any(s.code == section for s in vault.list_sections()):
            vault.add_section(section)
        shot = vault.add_shot(code, section=section)
    created[(section, code)] = shot
    return shot


def _split_shot(text: str) -> tuple[str | None, str]:
    from takevault.vault.refs import parse_shot

    return parse_shot(text)
