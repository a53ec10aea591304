"""Turn renders that land in a folder into takes, unattended, by polling (no extra dependency).

Rules (each decision is logged and reported):

- A file is ready when its size and modification time have not changed for
  `settle_seconds` of observation (and its mtime is at least that old), so a
  render still being written is never ingested. A ready file PyAV cannot read,
  or a WebM/MKV shorter than its header says (a half-written or broken render),
  is skipped until it changes again.
- VideoHelperSuite writes `name_00001.png` (the workflow still), then
  `name_00001.mp4`, and with audio also `name_00001-audio.mp4`. The PNG goes
  with the video of the same stem; when an `-audio` variant exists it is the
  take and the silent twin is skipped; an `-audio` variant that appears after
  its silent twin was ingested becomes a new version of that take.
- A file whose sha256 is already a version in the catalog is skipped, so a
  restarted watch never ingests twice. A file overwritten in place during one
  run becomes a new version of the take it made.
- The shot comes from the path relative to the folder by the rules `import`
  uses too (`takevault.shotmap`: `SH010_00001.mp4`, `SH020/render_00001.mp4`), or
  `--map`; a take in it (`SH010_video_03_00001.mp4`) makes the file a new version
  of that take.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from takevault.errors import InvalidInputError, NotFoundError, TakevaultError
from takevault.media.formats import VIDEO_SUFFIXES
from takevault.shotmap import ShotTarget, compile_map
from takevault.store.fsutil import sha256_file

log = logging.getLogger("takevault.editorial.watch")

AUDIO_MARK = "-audio"
_TEMP_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".download")

Target = ShotTarget
"""Where a render goes: a new take of `shot`, or a new version of `take` of it."""


@dataclass(frozen=True)
class Render:
    """One finished render ready to ingest."""

    video: Path
    rel: str
    sha256: str
    png: Path | None
    target: Target
    replaces: str | None = None
    """A take ref this render is a new version of (its silent twin's take, or the take it overwrote)."""


@dataclass(frozen=True)
class Decision:
    at: datetime
    path: str
    action: str
    """`ingested`, `new_version`, `duplicate`, `skipped`, `failed`."""
    message: str
    take: str | None = None

    def to_json(self) -> dict[str, str | None]:
        return {
            "at": self.at.isoformat(),
            "path": self.path,
            "action": self.action,
            "message": self.message,
            "take": self.take,
        }


@dataclass
class WatchReport:
    folder: Path
    decisions: list[Decision] = field(default_factory=list)

    @property
    def ingested(self) -> list[Decision]:
        return [d for d in self.decisions if d.action in ("ingested", "new_version")]

    def to_json(self) -> dict[str, object]:
        return {"folder": str(self.folder), "decisions": [d.to_json() for d in self.decisions]}


Ingest = Callable[[Render], str]
"""Make the take (or version) and return its ref; raise a TakevaultError to refuse."""
Lookup = Callable[[str], str | None]
"""sha256 -> ref of the take that already holds those bytes, or None."""


@dataclass
class _Seen:
    size: int
    mtime_ns: int
    since: float
    polls: int = 1


class FolderWatcher:
    """Polls one folder and hands each finished render to `ingest`."""

    def __init__(
        self,
        folder: Path | str,
        ingest: Ingest,
        lookup: Lookup,
        *,
        map_pattern: str | None = None,
        settle_seconds: float = 5.0,
        poll_seconds: float | None = None,
        on_decision: Callable[[Decision], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.folder = Path(folder).expanduser()
        self.ingest = ingest
        self.lookup = lookup
        self.mapper = compile_map(map_pattern)
        self.no_shot = (
            "the name does not match the --map pattern, so no shot is known for it"
            if map_pattern
            else "no shot code such as SH010 in its name or folders; rename it (SH010_name.mp4) or put it in "
            "a folder named after its shot (SH010/name.mp4), or give --map"
        )
        self.settle = max(0.0, float(settle_seconds))
        self.poll = poll_seconds if poll_seconds is not None else min(1.0, max(0.05, self.settle / 4))
        self.on_decision = on_decision
        self.clock = clock
        self.report = WatchReport(self.folder)
        self._seen: dict[Path, _Seen] = {}
        self._done: dict[Path, tuple[int, int]] = {}
        """Files already decided (ingested, duplicate, refused) with the size and mtime they had then."""
        self._take_of_path: dict[Path, str] = {}
        self._take_of_base: dict[Path, str] = {}

    # -- the loop -------------------------------------------------------------
    def run(
        self,
        *,
        once: bool = False,
        stop_event: threading.Event | None = None,
        on_start: Callable[[Path], None] | None = None,
    ) -> WatchReport:
        """Poll until `stop_event` is set (or, with `once`, until nothing is left waiting)."""
        self._check_folder()
        stop = stop_event or threading.Event()
        log.info("watching %s (settle %.1fs)", self.folder, self.settle)
        if on_start is not None:
            on_start(self.folder)
        while not stop.is_set():
            waiting = self.scan()
            if once and not waiting:
                break
            stop.wait(self.poll)
        return self.report

    def scan(self) -> int:
        """One pass: note changes, ingest what has settled; returns how many files are still settling."""
        self._check_folder()
        now = self.clock()
        wall = time.time()
        videos: dict[Path, Path] = {}
        waiting = 0
        for path, st in self._candidates():
            prev = self._done.get(path)
            if prev == (st.st_size, st.st_mtime_ns):
                continue
            seen = self._seen.get(path)
            if seen is None or (seen.size, seen.mtime_ns) != (st.st_size, st.st_mtime_ns):
                self._seen[path] = _Seen(st.st_size, st.st_mtime_ns, now)
                waiting += 1
                continue
            seen.polls += 1
            settled = now - seen.since >= self.settle and wall - st.st_mtime_ns / 1e9 >= self.settle
            if not settled or st.st_size == 0:
                waiting += 1
                continue
            videos[path] = path
        for path in sorted(videos, key=_audio_last):
            waiting += self._consider(path)
        return waiting

    def _check_folder(self) -> None:
        if self.folder.exists() and not self.folder.is_dir():
            raise InvalidInputError(
                f"{self.folder} is a file, not a folder; watch the folder renders are written to, "
                "or add this file as a take."
            )
        if not self.folder.is_dir():
            raise NotFoundError(
                f"The watch folder {self.folder} does not exist (or is no longer there); create or remount it "
                "and start watch again."
            )

    def _candidates(self):
        try:
            paths = sorted(self.folder.rglob("*"))
        except OSError as exc:
            self._check_folder()
            raise NotFoundError(f"Cannot read the watch folder {self.folder} ({exc.strerror}); check it.") from exc
        for path in paths:
            rel_parts = path.relative_to(self.folder).parts
            if any(p.startswith((".", "~")) for p in rel_parts):
                continue
            if path.suffix.lower() not in VIDEO_SUFFIXES or path.name.lower().endswith(_TEMP_SUFFIXES):
                continue
            try:
                st = path.stat()
            except OSError:
                continue  # vanished between listing and stat: the next pass decides
            if not path.is_file():
                continue
            yield path, st

    # -- one file -------------------------------------------------------------
    def _consider(self, path: Path) -> int:
        base, is_audio = _base(path)
        rel = path.relative_to(self.folder).as_posix()
        if not is_audio:
            twin = path.with_name(f"{base.name}{AUDIO_MARK}{path.suffix}")
            if twin.exists():
                self._decide(path, "skipped", f"{rel}: skipped, its -audio variant {twin.name} is the take.")
                return 0
        beside = base.with_name(base.name + ".png")
        png = beside if beside.is_file() else None
        if png is not None and not self._png_settled(png):
            return 1
        cut = cut_short(path)
        if cut is not None:
            self._decide(
                path,
                "failed",
                f"{rel}: not ingested, it looks half-written ({cut}); will retry when it changes.",
                level=logging.WARNING,
            )
            return 0
        try:
            sha = sha256_file(path)
        except OSError as exc:
            self._decide(
                path,
                "failed",
                f"{rel}: cannot read it ({exc.strerror}); will retry when it changes.",
                level=logging.WARNING,
            )
            return 0
        existing = self.lookup(sha)
        if existing is not None:
            self._take_of_path[path] = existing
            self._take_of_base.setdefault(base, existing)
            self._decide(
                path, "duplicate", f"{rel}: already in the vault as {existing} (same sha256); skipped.", take=existing
            )
            return 0
        target = self.mapper(rel)
        if target is None:
            self._decide(
                path,
                "skipped",
                f"{rel}: {self.no_shot}; skipped.",
                level=logging.WARNING,
            )
            return 0
        replaces = self._take_of_path.get(path)
        if replaces is None and is_audio:
            replaces = self._take_of_base.get(base) or self._silent_twin_take(path, base)
        render = Render(path, rel, sha, png, target, replaces)
        try:
            ref = self.ingest(render)
        except TakevaultError as exc:
            self._decide(path, "failed", f"{rel}: not ingested: {exc.message}", level=logging.WARNING)
            return 0
        action = "new_version" if (replaces or target.take) else "ingested"
        what = f"a new version of {ref}" if action == "new_version" else f"take {ref}"
        extra = f" with workflow PNG {png.name}" if png else ""
        self._take_of_path[path] = ref
        self._take_of_base[base] = ref
        self._decide(path, action, f"{rel}: ingested as {what}{extra}.", take=ref)
        return 0

    def _silent_twin_take(self, path: Path, base: Path) -> str | None:
        silent = base.with_name(base.name + path.suffix)
        if not silent.is_file():
            return None
        try:
            return self.lookup(sha256_file(silent))
        except OSError:
            return None

    def _png_settled(self, png: Path) -> bool:
        try:
            st = png.stat()
        except OSError:
            return True
        return time.time() - st.st_mtime_ns / 1e9 >= self.settle

    def _decide(
        self, path: Path, action: str, message: str, *, take: str | None = None, level: int = logging.INFO
    ) -> None:
        try:
            st = path.stat()
            self._done[path] = (st.st_size, st.st_mtime_ns)
        except OSError:
            self._done.pop(path, None)
        self._seen.pop(path, None)
        decision = Decision(datetime.now(UTC), path.relative_to(self.folder).as_posix(), action, message, take)
        self.report.decisions.append(decision)
        log.log(level, message)
        if self.on_decision is not None:
            self.on_decision(decision)


_EBML_ID = b"\x1a\x45\xdf\xa3"
_SEGMENT_ID = b"\x18\x53\x80\x67"


def cut_short(path: Path) -> str | None:
    """Why a Matroska/WebM file is shorter than its header says, or None.

    A half-written MP4 has no index and fails to open, but a half-written WebM or
    MKV opens and plays its first frames; FFmpeg writing to a file records the
    Segment's size, so a file that ends before it is a crashed or unfinished render.
    """
    try:
        with path.open("rb") as f:
            head = f.read(64)
            size = path.stat().st_size
    except OSError:
        return None
    if not head.startswith(_EBML_ID):
        return None
    header = _vint(head, 4)
    if header is None:
        return None
    pos = header[1] + header[0]
    if head[pos : pos + 4] != _SEGMENT_ID:
        return None
    segment = _vint(head, pos + 4)
    if segment is None or segment[2]:
        return None  # size unknown (written to a pipe): nothing to check against
    declared = segment[1] + segment[0]
    if size < declared:
        return f"{size} of the {declared} bytes its header announces"
    return None


def _vint(data: bytes, pos: int) -> tuple[int, int, bool] | None:
    """An EBML size at `pos`: (value, offset just past it, whether it means 'unknown')."""
    if pos >= len(data) or data[pos] == 0:
        return None
    length = 9 - data[pos].bit_length()
    if pos + length > len(data):
        return None
    value = data[pos] & (0xFF >> length)
    for byte in data[pos + 1 : pos + length]:
        value = (value << 8) | byte
    return value, pos + length, value == (1 << (7 * length)) - 1


def _base(path: Path) -> tuple[Path, bool]:
    """(path without suffix and without a trailing -audio, whether it was an -audio variant)."""
    stem = path.stem
    if stem.endswith(AUDIO_MARK):
        return path.with_name(stem[: -len(AUDIO_MARK)]), True
    return path.with_name(stem), False


def _audio_last(path: Path) -> tuple[str, bool]:
    """Silent files before their -audio variants, so the variant can become a new version of the silent take."""
    base, is_audio = _base(path)
    return (str(base), is_audio)
