"""Re-check a timeline each time the editor saves it over, by polling a folder (no extra dependency).

The settling rules are the render watch folder's (`editorial/watch.py`): a file
counts as saved when its size and modification time have stayed the same for
`settle_seconds` of observation and its mtime is at least that old; hidden
files, `~` backups and temporary names (`.tmp`, `.part`…) are ignored. A saved
timeline is checked once per content (size and mtime); a check that fails (a
half-written XML, an unreadable file) is reported and retried when it changes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from takevault.editorial.cutcheck.timeline_io import CUT_FORMATS
from takevault.errors import NotFoundError, TakevaultError

SUFFIXES = frozenset(s for _a, sufs, _l in CUT_FORMATS.values() for s in sufs)
_TEMP_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".download", ".bak")


@dataclass
class WatchedCheck:
    """One check made by the watch: its report, or the one-sentence reason it could not be made."""

    path: Path
    report: Any | None = None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "report": self.report.to_json() if self.report is not None else None,
            "error": self.error,
        }


@dataclass
class _Seen:
    size: int
    mtime_ns: int
    since: float


@dataclass
class CutWatcher:
    folder: Path
    check: Callable[[Path], Any]
    settle_seconds: float = 5.0
    poll_seconds: float | None = None
    on_check: Callable[[WatchedCheck], None] | None = None
    clock: Callable[[], float] = time.monotonic
    checks: list[WatchedCheck] = field(default_factory=list)
    _seen: dict[Path, _Seen] = field(default_factory=dict)
    _done: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def run(self, *, once: bool = False, stop_event: threading.Event | None = None) -> list[WatchedCheck]:
        """Poll until `stop_event` is set, or with `once` until every timeline there has been checked."""
        stop = stop_event or threading.Event()
        poll = self.poll_seconds if self.poll_seconds is not None else min(1.0, max(0.05, self.settle_seconds / 4))
        while not stop.is_set():
            waiting = self.scan()
            if once and not waiting:
                break
            stop.wait(poll)
        return self.checks

    def scan(self) -> int:
        """One pass: check what has settled since it last changed; returns how many files are still settling."""
        if not self.folder.is_dir():
            raise NotFoundError(
                f"The watch folder {self.folder} does not exist (or is no longer there); create or remount it "
                "and start the watch again."
            )
        now, wall, waiting = self.clock(), time.time(), 0
        for path in sorted(self.folder.rglob("*")):
            rel = path.relative_to(self.folder).parts
            if any(p.startswith((".", "~")) for p in rel) or path.name.lower().endswith(_TEMP_SUFFIXES):
                continue
            if path.suffix.lower() not in SUFFIXES or not path.is_file():
                continue
            try:
                st = path.stat()
            except OSError:
                continue
            state = (st.st_size, st.st_mtime_ns)
            if self._done.get(path) == state:
                continue
            seen = self._seen.get(path)
            if seen is None or (seen.size, seen.mtime_ns) != state:
                self._seen[path] = _Seen(st.st_size, st.st_mtime_ns, now)
                waiting += 1
                continue
            settled = now - seen.since >= self.settle_seconds and wall - st.st_mtime_ns / 1e9 >= self.settle_seconds
            if not settled or st.st_size == 0:
                waiting += 1
                continue
            self._done[path] = state
            result = WatchedCheck(path)
            try:
                result.report = self.check(path)
            except TakevaultError as exc:
                result.error = exc.message
            self.checks.append(result)
            if self.on_check is not None:
                self.on_check(result)
        return waiting
