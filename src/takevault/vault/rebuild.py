"""`rebuild_catalog`: the catalog again, from the store alone.

The store holds the catalog journal (`.takevault/journal/`, one object per committed
catalog change, see catalog/journal.py): rebuild folds it into the last image of
every row and loads that, so sections, shots, order, descriptions, notes, ratings,
tags, links, stars, version sources, PNG status and parameters, and the event log
come back exactly as committed, and the current version is the catalog's, not the
store's last write. Nothing that never committed is in the journal, so a command
the user saw fail does not come back.

A store without a journal (written by a takevault from before it) falls back to
the object metadata every video version carries: takes, versions and deleted flags
come back; notes, ratings, tags, links, stars and order do not.

A catalog that already holds shots, takes or events is not overwritten unless asked
(`force`), and then it is first copied aside.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from takevault.catalog import journal
from takevault.catalog.catalog import now
from takevault.catalog.rows import NewEvent, NewTake, NewVersion
from takevault.errors import CatalogNotEmptyError, TakevaultError
from takevault.lazy import lazy_module
from takevault.models import MediaInfo, ObjectVersion, PngRecord, RebuildReport, Shot
from takevault.store.base import download_to_path
from takevault.vault.add import NO_SECTION, png_key_for
from takevault.vault.journal import read_entries, stored_seqs, write_entry
from takevault.vault.refs import take_name

if TYPE_CHECKING:
    from takevault.vault import Vault

_media_probe = lazy_module("takevault.media.probe")  # PyAV loads when a file is probed


def rebuild_catalog(vault: Vault, *, force: bool = False) -> RebuildReport:
    """Make the catalog what the store's journal says was committed.

    A lost catalog (a new, empty database) gets its tables first. A catalog holding
    anything a user made is refused unless `force`, which copies it aside first.
    """
    vault.upgrade_catalog()
    engine = vault.catalog._writer
    seqs = stored_seqs(vault.store)
    counts = journal.content_counts(engine)
    kept_aside = None
    if any(counts.values()):
        if not force:
            raise CatalogNotEmptyError(counts.get("takes", 0), counts.get("events", 0))
        # Committed changes whose journal object a crash kept out of the store go there first.
        for seq, payload in journal.catalog_payloads(engine, journal.catalog_seqs(engine) - seqs):
            write_entry(vault.store, seq, payload)
            seqs.add(seq)
        kept_aside = journal.set_aside(engine)
    if not seqs:
        report = _rebuild_from_metadata(vault)
        return RebuildReport(**{**report.__dict__, "kept_aside": kept_aside})
    folded = journal.Folded()
    entries: list[tuple[int, str]] = []
    skipped: list[str] = []
    for seq, data in read_entries(vault.store, seqs):
        try:
            text = data.decode("utf-8")
            folded.apply(journal.parse(text))
        except (UnicodeDecodeError, ValueError):
            skipped.append(f"{journal.journal_key(seq)}: not a journal entry this takevault can read")
            continue
        entries.append((seq, text))
    journal.restore(engine, folded, entries)
    rows = folded.rows
    return RebuildReport(
        takes_added=len(rows.get("takes", {})),
        versions_added=len(rows.get("take_versions", {})),
        shots_added=len(rows.get("shots", {})),
        skipped=tuple(skipped),
        journal_entries=len(entries),
        kept_aside=kept_aside,
    )


def _rebuild_from_metadata(vault: Vault) -> RebuildReport:
    """Recover takes from the object metadata alone (a store written before the journal existed)."""
    by_key: dict[str, list[ObjectVersion]] = defaultdict(list)
    for obj in vault.store.list_versions("", prefix=True):
        by_key[obj.key].append(obj)
    tagged = {k for k, vs in by_key.items() if any(v.metadata.get("take-id") for v in vs)}
    png_keys = {png_key_for(k) for k in tagged if not k.endswith(".png")}
    known = vault.catalog.take_ids()
    takes_added = versions_added = shots_added = 0
    skipped: list[str] = []
    for key in sorted(tagged - png_keys):
        # Oldest first in the store's own order: servers that stamp whole seconds tie quick replaces.
        history = by_key[key][::-1]
        real = [v for v in history if not v.is_delete_marker]
        if not real:
            skipped.append(f"{key}: only delete markers")
            continue
        meta = {k: unquote(v) for k, v in real[0].metadata.items()}
        take_id = meta.get("take-id", "")
        if take_id in known:
            try:
                versions_added += _adopt_newer_versions(vault, take_id, meta, real, by_key.get(png_key_for(key), []))
            except TakevaultError as exc:
                skipped.append(f"{key}: {exc.message}")
            continue
        try:
            number = int(meta.get("take-number", ""))
            project_name, shot_code = meta["project"], meta["shot"]
        except (KeyError, ValueError):
            skipped.append(f"{key}: its metadata lacks project, shot or take-number")
            continue
        stored_section = meta.get("section") or NO_SECTION
        section = None if stored_section == NO_SECTION else stored_section
        try:
            shot, new_shot = _rebuild_shot(vault, project_name, section, shot_code)
            pngs = _pair_pngs(real, by_key.get(png_key_for(key), [])[::-1])
            rows = [_stored_version(vault, version, png) for version, png in zip(real, pngs, strict=True)]
            new_take = NewTake(
                id=take_id,
                shot_id=shot.id,
                number=number,
                name=take_name(number),
                key=key,
                kind=meta.get("kind") or "raw",
                note=None,
                created_at=real[0].last_modified,
                created_by=meta.get("uploader") or "unknown",
                deleted=history[-1].is_delete_marker,
                deleted_at=history[-1].last_modified if history[-1].is_delete_marker else None,
            )
            project = vault.catalog.ensure_project(project_name)
            event = NewEvent(
                project_id=project.id,
                at=now(),
                user=vault.user,
                action="add",
                take_id=take_id,
                shot=shot.path,
                details={"ref": f"{shot.path}/{take_name(number)}", "rebuilt": True, "versions": len(rows)},
            )
            vault.catalog.insert_take(new_take, rows[0], event)
            vault.catalog.insert_versions(take_id, list(enumerate(rows[1:], start=2)))
            vault.catalog.raise_take_counter(shot.id, number + 1)
        except TakevaultError as exc:
            skipped.append(f"{key}: {exc.message}")
            continue
        known.add(take_id)
        takes_added += 1
        versions_added += len(rows)
        shots_added += int(new_shot)
    return RebuildReport(takes_added, versions_added, shots_added, tuple(skipped))


def _stored_version(vault: Vault, version: ObjectVersion, png: PngRecord | None) -> NewVersion:
    """What the store's object tells of a version: its bytes, who uploaded it and when, its media."""
    meta = {k: unquote(v) for k, v in version.metadata.items()}
    return NewVersion(
        key=version.key,
        version_id=version.version_id,
        sha256=version.sha256 or "",
        size=version.size,
        original_name=meta.get("original-name"),
        created_at=version.last_modified,
        created_by=meta.get("uploader") or "unknown",
        media=_rebuild_media(vault, version, meta),
        png=png,
    )


def _adopt_newer_versions(
    vault: Vault, take_id: str, meta: dict[str, str], real: list[ObjectVersion], pngs: list[ObjectVersion]
) -> int:
    """Catalog the versions stored after a known take's last catalogued one (a replace that
    crashed before writing its row); returns how many."""
    catalogued = {v.version_id for v in vault.catalog.versions(take_id)}
    last = max((i for i, v in enumerate(real) if v.version_id in catalogued), default=None)
    if last is None or last == len(real) - 1:
        return 0
    project = vault.catalog.ensure_project(meta.get("project", vault.project))
    paired = _pair_pngs(real, pngs[::-1])
    for version, png in zip(real[last + 1 :], paired[last + 1 :], strict=True):
        event = NewEvent(
            project_id=project.id,
            at=now(),
            user=vault.user,
            action="replace",
            take_id=take_id,
            shot="/".join(p for p in (meta.get("section"), meta.get("shot")) if p and p != NO_SECTION),
            details={"rebuilt": True, "sha256": version.sha256},
        )
        vault.catalog.add_version(take_id, _stored_version(vault, version, png), event)
    return len(real) - 1 - last


def _rebuild_shot(vault: Vault, project_name: str, section: str | None, code: str) -> tuple[Shot, bool]:
    project = vault.catalog.ensure_project(project_name)
    found = vault.catalog.find_shots(project, code, section)
    found = [s for s in found if s.section == section]
    if found:
        return found[0], False
    if section is not None and not any(s.code == section for s in vault.catalog.list_sections(project)):
        vault.catalog.add_section(project, section, None, None)
    shot = vault.catalog.add_shot(project, code, section=section, name=None, order=None, description=None)
    return shot, True


def _rebuild_media(vault: Vault, version: ObjectVersion, meta: dict[str, str]) -> MediaInfo:
    summary = meta.get("media")
    if summary:
        try:
            return MediaInfo.from_json(json.loads(summary))
        except (ValueError, TypeError):
            pass
    # No summary in the metadata (an older object): look at the bytes themselves.
    with _version_file(vault, version) as path:
        return _media_probe.probe(path)


@contextlib.contextmanager
def _version_file(vault: Vault, version: ObjectVersion) -> Iterator[Path]:
    fd, name = tempfile.mkstemp(prefix="takevault-", suffix=Path(version.key).suffix)
    os.close(fd)
    try:
        download_to_path(vault.store, version.key, Path(name), version.version_id)
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)


def _pair_pngs(videos: list[ObjectVersion], pngs: list[ObjectVersion]) -> list[PngRecord | None]:
    """The workflow PNG of each video version, both lists oldest first.

    Every add, replace, revert and restore stores one PNG after its video version, naming the
    video's sha256 in its metadata, so they pair in order; a later PNG of the same video (a
    `png repair`) wins over the earlier one.
    """
    live = [p for p in pngs if not p.is_delete_marker]
    out: list[PngRecord | None] = []
    start = 0
    for index, video in enumerate(videos):
        following = videos[index + 1].sha256 if index + 1 < len(videos) else None
        found = next((k for k in range(start, len(live)) if _video_sha(live[k]) == video.sha256), None)
        if found is None:
            out.append(None)
            continue
        while found + 1 < len(live) and _video_sha(live[found + 1]) == video.sha256 != following:
            found += 1
        png = live[found]
        start = found + 1
        out.append(
            PngRecord(
                key=png.key,
                version_id=png.version_id,
                sha256=png.sha256,
                size=png.size,
                status="present",
                reason="recovered by 'takevault catalog rebuild'; run 'takevault png validate' to check it",
            )
        )
    return out


def _video_sha(png: ObjectVersion) -> str | None:
    return png.metadata.get("video-sha256")
