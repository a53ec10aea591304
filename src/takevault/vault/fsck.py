"""`fsck`: do catalog and store agree, do the stored bytes still match their sha256, and is the
store's journal complete? `fsck(repair=True)` then does the safe repairs.

What is checked, per project:
- every catalog version (video and workflow PNG) exists in the store with its sha256, and its
  bytes hash to it; a take's deleted flag matches the delete marker on its key;
- the journal: every committed catalog change has its object under `.takevault/journal/`;
- every store version under the project's prefix is named by a catalog row, or is history
  (an older workflow PNG of a version: `png attach`, `repair` and `regenerate` add PNG versions
  and the old ones stay), or a leftover `--repair` already kept aside;
- unfinished uploads (local temp files, S3 multipart uploads) and the bucket's versioning.

What `--repair` does, none of which deletes a version's bytes or makes a failed command's upload
a version: writes missing journal entries from the catalog; records store versions that no
committed change names (a command the user saw fail, an interrupted purge) as kept leftovers;
re-links a PNG whose recorded version is gone to the newest committed PNG of that video;
removes a delete marker an interrupted `delete` left on a take that is still live, or puts back
the marker an interrupted `restore` lost; removes unfinished uploads that are not in flight.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa

from takevault.catalog import journal as catalog_journal
from takevault.catalog.catalog import now
from takevault.catalog.schema import events, journal, store_leftovers
from takevault.errors import ChecksumMismatchError, NotFoundError, TakevaultError
from takevault.models import ANY_TAKE, FsckProblem, FsckReport, ObjectVersion, PngRecord, Take, TakeVersion
from takevault.store.base import CHUNK_SIZE, StagedCleanup, StagedUpload
from takevault.vault import lookup
from takevault.vault.journal import stored_seqs, write_entry

if TYPE_CHECKING:
    from takevault.vault import Vault

DEFAULT_IDLE_SECONDS = 60.0
_NEEDS_BYTES = {"missing_version", "checksum_mismatch", "damaged_bytes"}


def fsck(vault: Vault, *, repair: bool = False, idle_seconds: float = DEFAULT_IDLE_SECONDS) -> FsckReport:
    """Check catalog against store (changes nothing); with `repair`, fix what is safe and check again.

    An unfinished S3 upload counts as abandoned once it sent nothing for `idle_seconds`.
    """
    check = _Check(vault)
    report = check.run()
    if not repair:
        return report
    done = _repair(vault, check, idle_seconds)
    after = _Check(vault).run()
    needs_bytes = [p for p in after.problems if p.kind in _NEEDS_BYTES]
    if needs_bytes:
        done.append(
            f"Not repaired: {len(needs_bytes)} problem(s) whose fix would delete or replace a version's bytes, "
            "which fsck --repair never does; each line says what to do."
        )
    return FsckReport(
        checked_versions=after.checked_versions,
        checked_objects=after.checked_objects,
        problems=after.problems,
        notes=after.notes,
        repaired=tuple(done),
    )


class _Check:
    """One read-only pass; keeps what the repair needs next to the problems it reports."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault
        self.problems: list[FsckProblem] = []
        self.notes: list[FsckProblem] = []
        # For the repair: what each problem refers to.
        self.missing_seqs: list[int] = []
        self.orphans: list[tuple[ObjectVersion, str, str | None]] = []  # (object, leftover kind, take id)
        self.relinks: list[tuple[Take, TakeVersion, ObjectVersion]] = []
        self.stray_markers: list[ObjectVersion] = []
        self.lost_markers: list[str] = []
        self.staged: list[StagedUpload] = []
        self._committed_pngs: set[str] | None = None  # read from the journal when first needed

    def run(self) -> FsckReport:
        vault = self.vault
        store = vault.store
        # An unreachable store stops here with its own error (one sentence, its exit code).
        status = store.versioning_status()
        if status != "Enabled":
            self.problems.append(
                FsckProblem(
                    "versioning",
                    f"Versioning is {status.lower()} on {store.url}, so a write could replace history; "
                    "run 'takevault store enable-versioning'.",
                )
            )
        takes = vault.catalog.query_takes(lookup.project_row(vault), ANY_TAKE)
        by_id = {t.id: t for t in takes}
        versions = vault.catalog.all_versions(lookup.project_row(vault))
        referenced: set[tuple[str, str]] = set()
        by_take: dict[str, list[TakeVersion]] = defaultdict(list)
        for ref, version in versions:
            by_take[version.take_id].append(version)
            referenced.add((version.key, version.version_id))
            self.problems.extend(self._check_object(ref, version, version.key, version.version_id, version.sha256))
            png = version.png
            if png and png.key and png.version_id:
                referenced.add((png.key, png.version_id))

        listed = list(store.list_versions(f"{vault.project}/", prefix=True))
        latest = {o.key: o for o in listed if o.is_latest}
        by_key: dict[str, list[ObjectVersion]] = defaultdict(list)
        for obj in listed:
            by_key[obj.key].append(obj)
        for ref, version in versions:
            png = version.png
            if png and png.key and png.version_id:
                self._check_png(by_id.get(version.take_id), ref, version, png, by_key.get(png.key, []))

        self._check_journal()
        kept = _kept_leftovers(vault)
        purged = _purged_takes(vault)
        for obj in listed:
            if obj.is_delete_marker or (obj.key, obj.version_id) in referenced:
                continue
            self._classify(obj, by_id, by_take, kept, purged, by_key)
        for take in takes:
            self._check_deleted(take, latest)
        self._check_staged()
        return FsckReport(
            checked_versions=len(versions),
            checked_objects=len(listed),
            problems=tuple(self.problems),
            notes=tuple(self.notes),
        )

    def committed_pngs(self) -> set[str]:
        if self._committed_pngs is None:
            self._committed_pngs = _committed_png_ids(self.vault)
        return self._committed_pngs

    # -- parts ------------------------------------------------------------
    def _check_journal(self) -> None:
        engine = self.vault.catalog.engine
        in_catalog = catalog_journal.catalog_seqs(engine)
        in_store = stored_seqs(self.vault.store)
        self.missing_seqs = sorted(in_catalog - in_store)
        if self.missing_seqs:
            first, count = self.missing_seqs[0], len(self.missing_seqs)
            self.problems.append(
                FsckProblem(
                    "journal_gap",
                    f"{count} committed catalog change(s) (from #{first}) are not in the store's journal yet, "
                    "so a rebuild from the store would miss them (a crash right after they were committed); "
                    "run 'takevault fsck --repair' to write them from the catalog.",
                    key=catalog_journal.journal_key(first),
                )
            )
        ahead = sorted(in_store - in_catalog)
        if ahead and in_catalog:
            self.problems.append(
                FsckProblem(
                    "journal_ahead",
                    f"The store's journal holds {len(ahead)} committed change(s) (from #{ahead[0]}) this catalog "
                    "does not have (was the catalog restored from an older copy?); run "
                    "'takevault catalog rebuild --force' to rebuild it from the store, keeping this one aside.",
                    key=catalog_journal.journal_key(ahead[0]),
                )
            )

    def _check_png(
        self, take: Take | None, ref: str, version: TakeVersion, png: PngRecord, on_key: list[ObjectVersion]
    ) -> None:
        what = f"{ref}@v{version.number}"
        problems = self._check_object(ref, version, png.key or "", png.version_id or "", png.sha256, png=True)
        gone = any(p.kind == "missing_version" for p in problems)
        if gone and take is not None:
            # Another PNG of the same video bytes that a committed change recorded can stand in.
            candidates = [
                o
                for o in on_key
                if not o.is_delete_marker
                and o.metadata.get("video-sha256") == version.sha256
                and o.version_id in self.committed_pngs()
            ]
            if candidates:
                best = max(candidates, key=lambda o: o.last_modified)
                self.relinks.append((take, version, best))
                problems = [
                    FsckProblem(
                        "png_link",
                        f"The workflow PNG of {what} points at store version {png.version_id}, which is gone, "
                        f"but version {best.version_id} of {png.key} is a PNG of the same video; run "
                        "'takevault fsck --repair' to link it.",
                        key=png.key,
                        version_id=png.version_id,
                        take_ref=what,
                    )
                ]
        self.problems.extend(problems)

    def _classify(
        self,
        obj: ObjectVersion,
        by_id: dict[str, Take],
        by_take: dict[str, list[TakeVersion]],
        kept: dict[tuple[str, str], str],
        purged: dict[str, str],
        by_key: dict[str, list[ObjectVersion]],
    ) -> None:
        take_id = obj.metadata.get("take-id")
        take = by_id.get(take_id or "")
        is_png = obj.key.endswith(".png")
        if (obj.key, obj.version_id) in kept:
            self.notes.append(
                FsckProblem(
                    "kept_leftover",
                    f"Store version {obj.version_id} of {obj.key} is a leftover fsck --repair kept "
                    f"({kept[(obj.key, obj.version_id)]}); it is no version of any take.",
                    key=obj.key,
                    version_id=obj.version_id,
                    take_ref=take.ref if take else None,
                )
            )
            return
        if is_png and take is not None and self._is_png_history(obj, by_take.get(take.id, []), by_key):
            video = next((v for v in by_take[take.id] if v.sha256 == obj.metadata.get("video-sha256")), None)
            label = f"{take.ref}@v{video.number}" if video else take.ref
            self.notes.append(
                FsckProblem(
                    "png_history",
                    f"Store version {obj.version_id} of {obj.key} is an older workflow PNG of {label} "
                    "(replaced by png attach, repair or regenerate); it is kept as history.",
                    key=obj.key,
                    version_id=obj.version_id,
                    take_ref=label,
                )
            )
            return
        if take_id and take is None and take_id in purged:
            self.orphans.append((obj, "purge_leftover", take_id))
            self.problems.append(
                FsckProblem(
                    "purge_leftover",
                    f"Store version {obj.version_id} of {obj.key} belongs to {purged[take_id]}, which was purged, "
                    "but the purge was interrupted before it removed these bytes; fsck never deletes bytes: "
                    "run 'takevault fsck --repair' to record it as a kept leftover "
                    "(remove it with the store's own tools if you want the space back).",
                    key=obj.key,
                    version_id=obj.version_id,
                    take_ref=purged[take_id],
                )
            )
            return
        owner = take.ref if take else None
        self.orphans.append((obj, "interrupted_upload", take_id))
        self.problems.append(
            FsckProblem(
                "interrupted_upload",
                f"Store version {obj.version_id} of {obj.key} is in no committed catalog change: a command "
                f"{'on ' + owner + ' ' if owner else ''}uploaded it and was stopped before recording it, so it "
                "reported failure; run 'takevault fsck --repair' to keep it as a leftover "
                "(it never becomes a version of a take).",
                key=obj.key,
                version_id=obj.version_id,
                take_ref=owner,
            )
        )

    def _is_png_history(
        self, obj: ObjectVersion, versions: list[TakeVersion], by_key: dict[str, list[ObjectVersion]]
    ) -> bool:
        """An older PNG of a version: a committed change once recorded it, it is a copy of a recorded
        PNG, or (a catalog older than its journal) it names a version's video and is older than the PNG
        that version has now."""
        if obj.version_id in self.committed_pngs():
            return True
        if obj.sha256 and any(v.png and v.png.key == obj.key and v.png.sha256 == obj.sha256 for v in versions):
            return True  # a copy of a recorded PNG (png attach on an older version puts the current one back on top)
        video = obj.metadata.get("video-sha256")
        for version in versions:
            png = version.png
            if version.sha256 == video and png and png.version_id and png.key == obj.key:
                current = next((o for o in by_key.get(obj.key, []) if o.version_id == png.version_id), None)
                if current is not None and obj.last_modified <= current.last_modified:
                    return True
        return False

    def _check_deleted(self, take: Take, latest: dict[str, ObjectVersion]) -> None:
        head = latest.get(take.key)
        if head is None:
            return
        what = f"{take.ref}@v{take.current.number}"
        if take.deleted and not head.is_delete_marker:
            self.lost_markers.append(take.key)
            self.problems.append(
                FsckProblem(
                    "deleted_mismatch",
                    f"{take.ref} is deleted in the catalog but its key {take.key} has a live latest version "
                    "(an interrupted restore); run 'takevault fsck --repair' to put the delete marker back "
                    f"(then 'takevault restore {take.ref}' if you wanted it back).",
                    key=take.key,
                    take_ref=what,
                )
            )
        elif not take.deleted:
            stray = [
                o
                for o in (head, latest.get(take.current.png.key or "") if take.current.png else None)
                if o is not None and o.is_delete_marker
            ]
            for marker in stray:
                self.stray_markers.append(marker)
                self.problems.append(
                    FsckProblem(
                        "deleted_mismatch",
                        f"{take.ref} is live in the catalog but {marker.key} ends in a delete marker "
                        "(an interrupted delete, which reported failure); run 'takevault fsck --repair' to remove "
                        f"the marker (no bytes are touched), then 'takevault delete {take.ref}' if you meant it.",
                        key=marker.key,
                        version_id=marker.version_id,
                        take_ref=what,
                    )
                )

    def _check_staged(self) -> None:
        store = self.vault.store
        if not isinstance(store, StagedCleanup):
            return
        self.staged = store.staged_uploads()
        for item in self.staged:
            size = f", {item.size:,} bytes" if item.size is not None else ""
            when = f", from {item.started:%Y-%m-%d %H:%M:%S} UTC" if item.started else ""
            on = f" of {item.key}" if item.key else ""
            self.problems.append(
                FsckProblem(
                    "staged_upload",
                    f"An unfinished upload{on} ({item.what} {item.ident}{size}{when}) was left by an interrupted "
                    "command and is no version of anything; run 'takevault fsck --repair' to remove it.",
                    key=item.key,
                    version_id=item.ident if item.what == "multipart upload" else None,
                )
            )

    def _check_object(
        self, ref: str, version: TakeVersion, key: str, version_id: str, sha256: str | None, *, png: bool = False
    ) -> list[FsckProblem]:
        what = f"{ref}@v{version.number}"
        label = f"the workflow PNG of {what}" if png else what
        fix_png = f"run 'takevault png regenerate {ref}' to make a new one"
        try:
            info = self.vault.store.head(key, version_id)
        except NotFoundError:
            action = fix_png if png else f"run 'takevault revert {ref} --to vN' to make another version current"
            return [
                FsckProblem(
                    "missing_version",
                    f"{label} points at store version {version_id} of {key}, which is gone; {action}.",
                    key=key,
                    version_id=version_id,
                    take_ref=what,
                )
            ]
        except TakevaultError as exc:
            return [FsckProblem("store_error", exc.message, key=key, version_id=version_id, take_ref=what)]
        action = fix_png if png else f"fetch another version of {ref}, or restore the store from a backup"
        if sha256 and info.sha256 and info.sha256 != sha256:
            return [
                FsckProblem(
                    "checksum_mismatch",
                    f"{label}: the store records sha256 {info.sha256[:12]}… but the catalog {sha256[:12]}…; {action}.",
                    key=key,
                    version_id=version_id,
                    take_ref=what,
                )
            ]
        try:
            reader = self.vault.store.get(key, version_id)
            with reader:
                while reader.read(CHUNK_SIZE):
                    pass
            if sha256 and reader.sha256 != sha256:
                raise ChecksumMismatchError("sha256 differs")
        except ChecksumMismatchError:
            return [
                FsckProblem(
                    "damaged_bytes",
                    f"{label}: the stored bytes no longer match their sha256; {action}.",
                    key=key,
                    version_id=version_id,
                    take_ref=what,
                )
            ]
        except TakevaultError as exc:
            return [FsckProblem("store_error", exc.message, key=key, version_id=version_id, take_ref=what)]
        return []


def _repair(vault: Vault, found: _Check, idle_seconds: float) -> list[str]:
    """The safe repairs for what one check found; one sentence per thing done."""
    done: list[str] = []
    engine = vault.catalog.engine
    for seq, payload in catalog_journal.catalog_payloads(engine, found.missing_seqs):
        write_entry(vault.store, seq, payload)
    if found.missing_seqs:
        done.append(f"Wrote {len(found.missing_seqs)} missing journal entries to the store.")
    for marker in found.stray_markers:
        vault.store.delete_version(marker.key, marker.version_id)
        done.append(f"Removed the delete marker an interrupted delete left on {marker.key}.")
    for key in found.lost_markers:
        vault.store.delete(key)
        done.append(f"Put back the delete marker of {key} (an interrupted restore had uploaded over it).")
    for take, version, png in found.relinks:
        record = _relinked(version.png, png)
        vault.catalog.update_png(take.id, version.number, record, lookup.event(vault, "png_relink", take))
        done.append(f"Linked {take.ref}@v{version.number} to its workflow PNG version {png.version_id}.")
    if found.orphans:
        _keep_leftovers(vault, found.orphans)
        done.append(f"Kept {len(found.orphans)} store version(s) that no committed change names as leftovers.")
    store = vault.store
    if found.staged and isinstance(store, StagedCleanup):
        removed = store.discard_staged(found.staged, idle_seconds)
        if removed:
            done.append(f"Removed {len(removed)} unfinished upload(s).")
        if len(removed) < len(found.staged):
            done.append(f"Left {len(found.staged) - len(removed)} unfinished upload(s) that may still be running.")
    return done


def _relinked(old: PngRecord | None, png: ObjectVersion) -> PngRecord:
    return PngRecord(
        key=png.key,
        version_id=png.version_id,
        sha256=png.sha256,
        size=png.size,
        status=old.status if old else "present",
        reason="re-linked by 'takevault fsck --repair'; run 'takevault png validate' to check it",
        # The catalog stores no params and empty params alike, as {}.
        params=dict(old.params) if old and old.params else {},
    )


def _committed_png_ids(vault: Vault) -> set[str]:
    """Every workflow PNG store version a committed catalog change ever recorded: the journal knows."""
    found: set[str] = set()
    with vault.catalog.read() as conn:
        for (payload,) in conn.execute(sa.select(journal.c.payload)).yield_per(500):
            for image in (catalog_journal.parse(payload).get("rows") or {}).get("take_versions", []):
                if image.get("png_version_id"):
                    found.add(image["png_version_id"])
    return found


def _kept_leftovers(vault: Vault) -> dict[tuple[str, str], str]:
    with vault.catalog.read() as conn:
        rows = conn.execute(sa.select(store_leftovers)).mappings().all()
    return {(r["key"], r["version_id"]): f"{r['kind'].replace('_', ' ')}, {_day(r['noted_at'])}" for r in rows}


def _keep_leftovers(vault: Vault, orphans: list[tuple[ObjectVersion, str, str | None]]) -> None:
    rows = [
        {
            "key": obj.key,
            "version_id": obj.version_id,
            "kind": kind,
            "take_id": take_id,
            "noted_at": now(),
            "noted_by": vault.user,
        }
        for obj, kind, take_id in orphans
    ]
    with vault.catalog.write() as conn:
        known = {(r[0], r[1]) for r in conn.execute(sa.select(store_leftovers.c.key, store_leftovers.c.version_id))}
        fresh = [r for r in rows if (r["key"], r["version_id"]) not in known]
        for row in fresh:
            conn.execute(sa.insert(store_leftovers).values(**row))


def _purged_takes(vault: Vault) -> dict[str, str]:
    """Take id -> ref of every take the log says was purged."""
    with vault.catalog.read() as conn:
        rows = conn.execute(
            sa.select(events.c.take_id, events.c.details).where(
                events.c.action == "purge", events.c.take_id.is_not(None)
            )
        ).all()
    return {tid: (details or {}).get("ref") or tid for tid, details in rows}


def _day(value: datetime | None) -> str:
    return f"noted {value:%Y-%m-%d}" if value else "noted"
