"""Cut check: which take versions an editor's timeline uses, which are out of date, and a timeline on the right ones.

The reading, identifying and describing live in `takevault.editorial.cutcheck`;
these functions hand them the vault's take versions as plain data, opens version
bytes for the picture matching, keeps each check in the event log (action
`cut_check`) so the next check of the same timeline can tell what changed in
the cut, and exports the current versions' media for `write`.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from takevault.errors import InvalidInputError, NotFoundError, TakevaultError
from takevault.models import Take, TakeVersion
from takevault.vault import approvals as _approvals
from takevault.vault import editorial as _editorial
from takevault.vault import lookup

if TYPE_CHECKING:
    from takevault.vault import Vault

CHECK_ACTION = "cut_check"
STATUSES = ("current", "outdated", "not in vault", "shot has no pick")
# With `approved=True` the pick is a reviewer's decision, so a shot lacks one in its own words.
APPROVED_STATUSES = ("current", "outdated", "not in vault", "shot has no approved version")


@dataclass
class ClipResult:
    """One clip of the cut: where it is, what it is, and what it should be."""

    index: int
    track: str
    name: str
    record_in: str
    record_out: str
    source_in: int
    source_out: int
    media: str | None
    status: str
    how: str | None = None
    sure: str | None = None
    ref: str | None = None  # the version in the cut, SEQ01/SH010/video_03@v2
    take_id: str | None = None
    version: int | None = None
    shot: str | None = None
    offset: int | None = None  # the version frame showing the first used frame
    pick: str | None = None  # the version the vault would use
    pick_take_id: str | None = None
    pick_version: int | None = None
    changed: str | None = None  # one line from the comparison of the two
    cut_change: str | None = None
    notes: list[str] = field(default_factory=list)
    written: str | None = None  # what --write did with it

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class CutReport:
    timeline: Path
    fmt: str
    name: str
    rate: Fraction
    clips: list[ClipResult]
    omitted: list[dict[str, Any]]
    checked_at: datetime | None = None
    previous_check: datetime | None = None
    written: Path | None = None
    media_dir: Path | None = None
    warnings: list[str] = field(default_factory=list)
    pick_by: str = "star"  # "star": the starred take's latest version; "approved": see _Picks

    def counts(self) -> dict[str, int]:
        statuses = APPROVED_STATUSES if self.pick_by == "approved" else STATUSES
        return {s: sum(1 for c in self.clips if c.status == s) for s in statuses}

    def to_json(self) -> dict[str, Any]:
        return {
            "timeline": str(self.timeline),
            "format": self.fmt,
            "name": self.name,
            "rate": f"{self.rate.numerator}/{self.rate.denominator}",
            "pick_by": self.pick_by,
            "checked_at": self.checked_at.isoformat() if self.checked_at else None,
            "previous_check": self.previous_check.isoformat() if self.previous_check else None,
            "counts": self.counts(),
            "clips": [c.to_json() for c in self.clips],
            "omitted": self.omitted,
            "written": str(self.written) if self.written else None,
            "media_dir": str(self.media_dir) if self.media_dir else None,
            "warnings": list(self.warnings),
        }


def cut_check(
    vault: Vault,
    timeline: Path | str,
    *,
    rate: Fraction | None = None,
    write: Path | str | None = None,
    record: bool = True,
    approved: bool = False,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> CutReport:
    """Check every clip of every video track of `timeline` against the vault's picks.

    The pick of a shot is its starred take's latest version, or with `approved`
    its approved version (the starred take's newest approved version, else the
    newest approved version of any of the shot's takes; see `_Picks`).
    `rate` is needed for an EDL (it carries none; 24 by default). With `write`,
    also writes the timeline with outdated clips on their picks.
    `on_total` hears the number of clips once the timeline is read, `progress` 1 per clip checked.
    """
    from takevault.editorial.cutcheck.identify import Identifier
    from takevault.editorial.cutcheck.timeline_io import format_for_out, read_cut

    source = Path(timeline).expanduser()
    out = Path(write).expanduser() if write is not None else None
    if out is not None:
        _refuse_overwrite(source, out)
    candidates, takes = _cut_candidates(vault)
    picks = _Picks(vault, takes, approved=approved)  # refuses --approved when nothing is approved
    cut = read_cut(source, rate=rate)
    if out is not None:
        format_for_out(out, cut.fmt)  # an OUT of no known format is refused before any work
    if on_total:
        on_total(len(cut.clips))
    tracks = _TrackCache(vault)
    identifier = Identifier(candidates, tracks.get)
    results: list[ClipResult] = []
    idents = []
    for clip in cut.clips:
        ident = identifier.identify(clip)
        idents.append(ident)
        results.append(_judge(vault, clip, ident, cut.rate, takes, picks, tracks))
        if progress:
            progress(1)
    _note_duplicates(results)
    key = str(source.resolve())
    history = _cut_history(vault, key)
    from takevault.editorial.cutcheck.changes import cut_changes

    words, omitted = cut_changes([_shape(r) for r in results], [h["clips"] for h in history])
    for r, w in zip(results, words, strict=True):
        r.cut_change = w
    report = CutReport(
        timeline=source,
        fmt=cut.fmt,
        name=cut.name,
        rate=cut.rate,
        clips=results,
        omitted=omitted,
        previous_check=datetime.fromisoformat(history[-1]["at"]) if history else None,
        pick_by=picks.by,
    )
    if out is not None:
        _write_cut(vault, cut, idents, results, takes, picks, tracks, out, report)
    if record:
        report.checked_at = _record_check(vault, key, report)
    return report


def cut_watch(
    vault: Vault,
    folder: Path | str,
    *,
    rate: Fraction | None = None,
    approved: bool = False,
    once: bool = False,
    stop_event: Any | None = None,
    settle_seconds: float = 5.0,
    poll_seconds: float | None = None,
    on_check: Callable[[Any], None] | None = None,
) -> list[Any]:
    """Check every timeline in `folder` once it has settled, and again each time it is saved over.

    With `approved`, each check picks by review approval (see `cut_check`).
    """
    from takevault.editorial.cutcheck.watch import CutWatcher

    if approved:
        # Said once, before watching, rather than as the same failure on every save.
        _Picks(vault, _cut_candidates(vault)[1], approved=True)
    watcher = CutWatcher(
        Path(folder).expanduser(),
        lambda path: vault.cut_check(path, rate=rate, approved=approved),
        settle_seconds=settle_seconds,
        poll_seconds=poll_seconds,
        on_check=on_check,
    )
    return watcher.run(once=once, stop_event=stop_event)


def cut_checks(vault: Vault, timeline: Path | str | None = None) -> list[dict[str, Any]]:
    """Earlier checks (newest last), of one timeline or of all; each with its clips and counts."""
    key = str(Path(timeline).expanduser().resolve()) if timeline is not None else None
    return _cut_history(vault, key)


def latest_cut_checks(vault: Vault) -> list[dict[str, Any]]:
    """The latest check of each timeline checked in this project, newest first."""
    latest: dict[str, dict[str, Any]] = {}
    for check in _cut_history(vault, None):
        latest[check["timeline"]] = check
    return sorted(latest.values(), key=lambda c: c["at"], reverse=True)


def cut_check_record(vault: Vault, check_id: int) -> dict[str, Any]:
    """One recorded check by its id, with every clip."""
    for check in _cut_history(vault, None):
        if check["id"] == check_id:
            return check
    raise NotFoundError(f"There is no cut check {check_id} in this project; open one from the list of checks.")


# -- the vault side, as plain data ----------------------------------------
def _cut_candidates(vault: Vault) -> tuple[list[Any], dict[str, Take]]:
    from takevault.editorial.cutcheck.identify import Candidate

    out: list[Candidate] = []
    takes = {take.id: take for take in vault.takes(deleted=None)}
    # One query for every version of the project, not one per take.
    for _ref, v in vault.catalog.all_versions(lookup.project_row(vault)):
        take = takes.get(v.take_id)
        if take is not None:
            out.append(
                Candidate(
                    take_id=take.id,
                    take_ref=take.ref,
                    section=take.section,
                    shot=take.shot,
                    take=take.name,
                    version=v.number,
                    sha256=v.sha256,
                    fps=v.media.fps,
                    frames=v.media.frames,
                    deleted=take.deleted,
                )
            )
    return out, takes


def _judge(
    vault: Vault,
    clip: Any,
    ident: Any,
    seq_rate: Fraction,
    takes: dict[str, Take],
    picks: _Picks,
    tracks: _TrackCache,
) -> ClipResult:
    from takevault.timecode import frame_to_timecode

    result = ClipResult(
        index=clip.index,
        track=clip.track,
        name=clip.name,
        record_in=frame_to_timecode(clip.record_in, seq_rate),
        record_out=frame_to_timecode(clip.record_out, seq_rate),
        source_in=clip.source_in,
        source_out=clip.source_out,
        media=str(clip.media_path) if clip.media_path else clip.media_url,
        status="not in vault",
    )
    if clip.rate != seq_rate:
        result.notes.append(
            f"the clip runs at {_rate(clip.rate)} fps in a {_rate(seq_rate)} fps sequence; "
            "its frames were counted at its own rate"
        )
    if clip.media_path is None:
        result.notes.append("its media is missing" if clip.media_url else "it names no media")
    if ident.note:
        result.notes.append(ident.note)
    cand = ident.candidate
    if cand is None:
        return result
    result.how, result.sure = ident.how, ident.sure
    result.ref, result.take_id, result.version = cand.ref, cand.take_id, cand.version
    result.shot = cand.shot_path
    result.offset = ident.offset if ident.offset is not None else clip.source_in
    take = takes[cand.take_id]
    if take.deleted:
        result.notes.append(f"{take.ref} was deleted since this cut was made")
    pick = picks.for_take(take)
    if pick is None:
        result.status = picks.missing
        if picks.by == "approved":
            result.notes.append(
                # Shown on the web page too, so it names the action, not a command line.
                f"no version of shot {take.shot} is approved; approve the version the cut should use, then check again"
            )
        return result
    star, version = pick
    result.pick = f"{star.ref}@v{version.number}"
    result.pick_take_id, result.pick_version = star.id, version.number
    if star.id == cand.take_id and version.number == cand.version:
        result.status = "current"
        return result
    result.status = "outdated"
    if star.id != cand.take_id:
        result.changed = f"the shot's pick is another take, {star.name} v{version.number}"
        return result
    try:
        old, new = tracks.version(cand.take_id, cand.version), tracks.version(star.id, version.number)
        from takevault.compare.align import align
        from takevault.editorial.cutcheck.changes import describe

        alignment = align(old, new)
        fps = version.media.fps or seq_rate
        result.changed = describe(alignment, len(old), len(new), fps, version.number)
    except TakevaultError as exc:
        result.notes.append(f"the versions could not be compared ({exc})")
    return result


# -- history ------------------------------------------------------------
def _cut_history(vault: Vault, key: str | None) -> list[dict[str, Any]]:
    out = []
    for event in vault.catalog.events(lookup.project_row(vault), actions=[CHECK_ACTION]):
        details = event.details
        if key is None or details.get("timeline") == key:
            out.append({**details, "id": event.id, "at": event.at.isoformat(), "user": event.user})
    return out


def _record_check(vault: Vault, key: str, report: CutReport) -> datetime:
    row = lookup.event(
        vault,
        CHECK_ACTION,
        timeline=key,
        name=report.name,
        format=report.fmt,
        counts=report.counts(),
        pick_by=report.pick_by,
        rate=f"{report.rate.numerator}/{report.rate.denominator}",
        clips=[c.to_json() for c in report.clips],
        omitted=report.omitted,
        written=str(report.written) if report.written else None,
    )
    vault.catalog.insert_events([row])
    return row.at


# -- writing the timeline back ------------------------------------------
def _write_cut(
    vault: Vault,
    cut: Any,
    idents: list[Any],
    results: list[ClipResult],
    takes: dict[str, Take],
    picks: _Picks,
    tracks: _TrackCache,
    out: Path,
    report: CutReport,
) -> None:
    import opentimelineio as otio

    from takevault.editorial.cutcheck.pictures import frame_map
    from takevault.editorial.cutcheck.timeline_io import format_for_out, write_cut
    from takevault.editorial.folder_export import ExportReport, export_items, prepare_dest, write_manifests
    from takevault.editorial.timeline import METADATA_KEY

    fmt = format_for_out(out, cut.fmt)
    copy = cut.timeline.deepcopy()
    clips = [c for t in copy.video_tracks() for c in t.find_clips(shallow_search=True)]
    swaps: list[tuple[int, Take, TakeVersion, int, int]] = []
    for i, (clip, result) in enumerate(zip(cut.clips, results, strict=True)):
        if result.status != "outdated" or result.take_id is None or result.version is None:
            continue
        star, version = picks.for_take(takes[result.take_id]) or (None, None)
        if star is None or version is None:
            continue
        if star.id != result.take_id:
            # Another take has other pictures: no alignment says which of its frames to use.
            result.written = (
                f"kept on v{result.version}: the pick is another take ({star.name}); choose its frames in the edit"
            )
            result.notes.append(result.written)
            continue
        old_v = next(v for v in vault.catalog.versions(result.take_id) if v.number == result.version)
        old_fps = old_v.media.fps or clip.rate
        new_fps = version.media.fps or clip.rate
        start = result.offset if result.offset is not None else clip.source_in
        length = max(1, round(Fraction(clip.frames) * old_fps / clip.rate))
        try:
            _alignment, where = frame_map(
                tracks.version(result.take_id, result.version), tracks.version(star.id, version.number)
            )
        except TakevaultError as exc:
            result.written = f"kept on v{result.version}: the versions could not be compared ({exc})"
            continue
        new_in = where.get(start)
        if new_in is None or any(where.get(start + k) != new_in + k for k in range(length)):
            result.written = (
                f"kept on v{result.version}: {star.name} v{version.number} no longer holds all the used frames"
            )
            result.notes.append(result.written)
            continue
        new_len = max(1, round(Fraction(clip.frames) * new_fps / clip.rate))
        swaps.append((i, star, version, new_in, new_len))
    media_dir: Path | None = None
    urls: dict[tuple[str, int], str] = {}
    if swaps:
        chosen = {(s.id, v.number): (s, v) for _i, s, v, _n, _l in swaps}
        items = [_editorial.export_item(vault, s, v) for s, v in chosen.values()]
        media_dir = prepare_dest(out.parent / f"{out.stem}_media")
        export = ExportReport(dest=media_dir, starred=True)
        export.files = export_items(items, media_dir, functools.partial(_editorial.fetch_blob, vault))
        write_manifests(export, project=vault.project, filters={"cut": str(cut.path)})
        for f in export.files:
            urls[(f.item.take_id, f.item.version)] = (media_dir / f.file).resolve().as_uri()
    for i, star, version, new_in, new_len in swaps:
        target = clips[i]
        fps = float(version.media.fps or cut.clips[i].rate)
        frames = version.media.frames
        target.media_reference = otio.schema.ExternalReference(
            target_url=urls[(star.id, version.number)],
            available_range=otio.opentime.TimeRange(
                otio.opentime.RationalTime(0, fps), otio.opentime.RationalTime(frames, fps)
            ),
        )
        target.source_range = otio.opentime.TimeRange(
            otio.opentime.RationalTime(new_in, fps), otio.opentime.RationalTime(new_len, fps)
        )
        target.name = f"{star.shot}_{star.name}_v{version.number}"
        target.metadata.pop("cmx_3600", None)
        target.metadata[METADATA_KEY] = {
            "take_id": star.id,
            "ref": f"{star.ref}@v{version.number}",
            "section": star.section,
            "shot": star.shot,
            "take": star.name,
            "version": version.number,
            "sha256": version.sha256,
        }
        result = results[i]
        result.written = f"now {star.ref}@v{version.number} from frame {new_in}"
    write_cut(copy, out, fmt, cut.rate)
    report.written = out
    report.media_dir = media_dir


class _Picks:
    """The version the vault would use for each shot, worked out once per shot for one check.

    By star (the default): the starred take's current version; a shot without a
    star has no pick. By approval: among the shot's takes that are not deleted, the
    newest approved version of the starred take if it has one, else the newest
    approved version (by upload time) of any take; a shot with no approved version
    has no pick. So an approved v3 stays the pick while v4 waits for review.
    """

    def __init__(self, vault: Vault, takes: dict[str, Take], *, approved: bool) -> None:
        self.vault = vault
        self.takes = takes
        self.by = "approved" if approved else "star"
        self.missing = "shot has no approved version" if approved else "shot has no pick"
        self._cache: dict[tuple[str | None, str], tuple[Take, TakeVersion] | None] = {}
        self._approved: dict[str, set[int]] = {}
        if approved:
            live = [t for t in takes.values() if not t.deleted]
            states = _approvals.approvals_of(vault, live)
            self._approved = {
                take_id: {n for n, a in found.items() if a.state == "approved"} for take_id, found in states.items()
            }
            if not any(self._approved.values()):
                raise NotFoundError(
                    "No take version in this project is approved, so there is nothing to check the cut against; "
                    "approve versions with 'takevault approve TAKE@vN', or check without --approved."
                )

    def for_take(self, take: Take) -> tuple[Take, TakeVersion] | None:
        shot = (take.section, take.shot)
        if shot not in self._cache:
            siblings = [t for t in self.takes.values() if not t.deleted and (t.section, t.shot) == shot]
            self._cache[shot] = self._approved_pick(siblings) if self.by == "approved" else self._star(siblings)
        return self._cache[shot]

    @staticmethod
    def _star(siblings: list[Take]) -> tuple[Take, TakeVersion] | None:
        for other in siblings:
            if other.starred:
                return other, other.current
        return None

    def _approved_pick(self, siblings: list[Take]) -> tuple[Take, TakeVersion] | None:
        found: list[tuple[Take, TakeVersion]] = []
        for other in siblings:
            numbers = self._approved.get(other.id)
            if numbers:
                found.extend((other, v) for v in self.vault.catalog.versions(other.id) if v.number in numbers)
        if not found:
            return None
        starred = [(t, v) for t, v in found if t.starred]
        # Newest by upload time; take and version numbers break ties so the choice never wobbles.
        return max(starred or found, key=lambda tv: (tv[1].created_at, tv[0].number, tv[1].number))


class _TrackCache:
    """Fingerprints of vault versions, made once per sha256: held for the check, and kept under
    `cache/fingerprints/<sha256>.npz` in the vault folder so a re-check (a watch) does not decode again."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault
        self._by_sha: dict[str, Any] = {}

    def get(self, cand: Any) -> Any:
        return self.version(cand.take_id, cand.version)

    def version(self, take_id: str, number: int) -> Any:
        from takevault.editorial.cutcheck.pictures import fingerprint, load_track, save_track

        take, version = self.vault.resolve_version(f"{take_id}@v{number}")
        sha = version.sha256
        if sha in self._by_sha:
            return self._by_sha[sha]
        cached = self.vault.root / "cache" / "fingerprints" / f"{sha}.npz"
        track = load_track(cached)
        if track is None:
            with self.vault.open_version(f"{take.id}@v{number}") as path:
                track = fingerprint(Path(path))
            with contextlib.suppress(OSError):
                save_track(track, cached)
        self._by_sha[sha] = track
        return track


def _refuse_overwrite(source: Path, out: Path) -> None:
    same = False
    with contextlib.suppress(OSError):
        same = out.exists() and out.samefile(source)
    if same or out.resolve() == source.resolve():
        raise InvalidInputError(
            f"{out.name} is the timeline being checked; write the corrected timeline to another file."
        )


def _note_duplicates(results: list[ClipResult]) -> None:
    first: dict[str, int] = {}
    for r in results:
        if r.ref is None:
            continue
        if r.ref in first:
            r.notes.append(f"clip {first[r.ref]} uses the same version")
        else:
            first[r.ref] = r.index


def _shape(r: ClipResult) -> dict[str, Any]:
    return {"shot": r.shot, "source_in": r.source_in, "source_out": r.source_out}


def _rate(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


__all__ = ["APPROVED_STATUSES", "CHECK_ACTION", "ClipResult", "CutReport"]
