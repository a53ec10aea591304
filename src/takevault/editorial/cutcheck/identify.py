"""Which take version is a clip? Tried in order: our export metadata, the media's sha256, the name, the pictures.

Each answer says how it was found (`metadata`, `sha256`, `name`, `pictures`,
or a pair such as `name+pictures` when the pictures confirmed a name) and how
sure it is: `certain` (the bytes or our own metadata say so), `high`/`medium`/
`low` from the picture match, `name only` when nothing could be checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from takevault.compare.signatures import Track
from takevault.editorial.cutcheck.pictures import PictureMatch, fingerprint, match
from takevault.editorial.cutcheck.timeline_io import CutClip
from takevault.errors import TakevaultError
from takevault.store.fsutil import sha256_file

# `SH010_video_03_v2`, `SH010_video_03` (the export names), with anything around it (`.mov`, `_proxy`).
NAME = re.compile(r"(?P<shot>[A-Za-z0-9][A-Za-z0-9.-]*?)_(?P<take>video_\d{2,})(?:_v(?P<version>\d+))?(?![0-9])")
PICTURE_BUDGET = 60
"""Versions fingerprinted at most for one unknown clip, so a large project does not stall a check."""


@dataclass(frozen=True)
class Candidate:
    """One take version in the vault, as plain data."""

    take_id: str
    take_ref: str  # SEQ01/SH010/video_03
    section: str | None
    shot: str
    take: str
    version: int
    sha256: str
    fps: Fraction | None
    frames: int
    deleted: bool  # the take is deleted (restorable) since

    @property
    def ref(self) -> str:
        return f"{self.take_ref}@v{self.version}"

    @property
    def shot_path(self) -> str:
        return f"{self.section}/{self.shot}" if self.section else self.shot


@dataclass(frozen=True)
class Identification:
    candidate: Candidate | None
    how: str | None
    sure: str | None
    offset: int | None = None  # the version's frame showing the clip's first used frame; None: the clip's own in
    note: str | None = None


Opener = Callable[[Candidate], Track]
"""Fingerprints of a vault version (the mixin opens the bytes and caches by sha256)."""


class Identifier:
    def __init__(self, candidates: list[Candidate], version_track: Opener) -> None:
        self.candidates = candidates
        self.by_sha: dict[str, Candidate] = {}
        for c in candidates:
            self.by_sha.setdefault(c.sha256, c)
        self.by_take: dict[tuple[str, int], Candidate] = {(c.take_id, c.version): c for c in candidates}
        self.version_track = version_track
        self._sha_cache: dict[Path, str] = {}

    def identify(self, clip: CutClip) -> Identification:
        found = self._identify(clip)
        gone = self._stale_metadata(clip)
        if gone and found.candidate is not None:
            # The metadata was stale but the media still told which version it is: say both.
            note = "; ".join(n for n in (found.note, gone) if n)
            return Identification(found.candidate, found.how, found.sure, found.offset, note)
        return found

    def _stale_metadata(self, clip: CutClip) -> str | None:
        meta = clip.metadata
        take_id, number = meta.get("take_id"), meta.get("version")
        if not (isinstance(take_id, str) and isinstance(number, int)) or (take_id, number) in self.by_take:
            return None
        gone = meta.get("ref") if isinstance(meta.get("ref"), str) else f"take {take_id} v{number}"
        return f"its takevault metadata names {gone}, which the vault no longer has"

    def _identify(self, clip: CutClip) -> Identification:
        meta = clip.metadata
        take_id, number = meta.get("take_id"), meta.get("version")
        if isinstance(take_id, str) and isinstance(number, int):
            found = self.by_take.get((take_id, number))
            if found is not None:
                return Identification(found, "metadata", "certain")
            if clip.media_path is None:
                return Identification(None, None, None, note=f"{self._stale_metadata(clip)} (purged)")
        digest = self._sha(clip.media_path)
        if digest is not None and digest in self.by_sha:
            return Identification(self.by_sha[digest], "sha256", "certain")
        named = self._by_name(clip)
        if clip.media_path is None:
            if named:
                best = max(named, key=lambda c: c.version) if len(named) > 1 else named[0]
                return Identification(best, "name", "name only", note="only its name could be read")
            return Identification(None, None, None, note="its media is missing and its name names no take version")
        pool = self._picture_pool(clip, named)
        assert clip.media_path is not None
        rate = float(clip.rate)
        try:
            used = fingerprint(clip.media_path, clip.source_in / rate, clip.source_out / rate)
        except TakevaultError as exc:
            unreadable = f"its media cannot be decoded ({exc.message})"
            if named:
                return Identification(named[0], "name", "name only", note=unreadable)
            return Identification(None, None, None, note=unreadable)
        if len(used) == 0:
            empty = f"its media has no frames in the used range ({clip.source_in}-{clip.source_out - 1})"
            if named:
                return Identification(named[0], "name", "name only", note=empty)
            return Identification(None, None, None, note=empty)
        found, hit, capped = self._by_pictures(used, pool)
        if found is not None and hit is not None:
            how = "name+pictures" if named and found in named else "pictures"
            note = None
            if named and found not in named:
                note = f"its name says {named[0].ref} but its pictures are {found.ref}"
            return Identification(found, how, hit.sure(), offset=hit.offset, note=note)
        if named:
            return Identification(named[0], "name", "name only", note="its pictures match no version of that take")
        why = "its media matches no version in the vault by sha256 or by pictures"
        if capped:
            why += f" (only {PICTURE_BUDGET} versions of the likely shots were looked at)"
        return Identification(None, None, None, note=why)

    def _sha(self, path: Path | None) -> str | None:
        if path is None:
            return None
        if path not in self._sha_cache:
            try:
                self._sha_cache[path] = sha256_file(path)
            except OSError:
                return None
        return self._sha_cache[path]

    def _by_name(self, clip: CutClip) -> list[Candidate]:
        """Versions a name names: exact version first; a name without version gives every version, newest first."""
        section = clip.metadata.get("section") if isinstance(clip.metadata.get("section"), str) else None
        if section is None and clip.media_path is not None:
            section = clip.media_path.parent.name
        for text in (clip.name, clip.media_path.stem if clip.media_path else None, clip.reel, _url_stem(clip)):
            if not text:
                continue
            m = NAME.search(text)
            if not m:
                continue
            shot, take = m.group("shot"), m.group("take")
            hits = [c for c in self.candidates if c.shot == shot and c.take == take]
            if len({c.section for c in hits}) > 1:
                hits = [c for c in hits if c.section == section] or hits
            if m.group("version"):
                exact = [c for c in hits if c.version == int(m.group("version"))]
                if exact:
                    return exact
            if hits:
                return sorted(hits, key=lambda c: -c.version)
        return []

    def _picture_pool(self, clip: CutClip, named: list[Candidate]) -> list[Candidate]:
        """Versions worth fingerprinting: the named take's, else those of shots the names mention, else all."""
        if named:
            take = named[0].take_id
            shot = named[0].shot_path
            same_take = [c for c in self.candidates if c.take_id == take]
            others = [c for c in self.candidates if c.shot_path == shot and c.take_id != take]
            return same_take + others
        texts = " ".join(t for t in (clip.name, clip.media_path.stem if clip.media_path else "", clip.reel or "") if t)
        shots = [c for c in self.candidates if re.search(rf"(?<![A-Za-z0-9]){re.escape(c.shot)}(?![0-9])", texts)]
        return shots or list(self.candidates)

    def _by_pictures(self, used: Track, pool: list[Candidate]) -> tuple[Candidate | None, PictureMatch | None, bool]:
        best: tuple[Candidate, PictureMatch] | None = None
        seen: set[str] = set()
        for cand in pool[:PICTURE_BUDGET]:
            if cand.sha256 in seen or cand.fps is None:
                continue
            seen.add(cand.sha256)
            try:
                track = self.version_track(cand)
            except TakevaultError:
                continue
            hit = match(track, cand.fps, used)
            if hit is not None and (best is None or hit.score > best[1].score + 1e-6):
                best = (cand, hit)
        if best is None:
            return None, None, len(pool) > PICTURE_BUDGET
        return best[0], best[1], False


def _url_stem(clip: CutClip) -> str | None:
    if not clip.media_url:
        return None
    return Path(clip.media_url.rsplit("/", 1)[-1]).stem
