"""Everything the CLI shows: Rich on a terminal, plain text when piped, JSON on request.

The only module of the CLI that touches Rich directly, so output style lives in one place.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.progress import Progress

# Rich loads only when something is drawn for a person on a terminal: a listing piped into a
# script (or a one-line error) must not pay its import time.
_RICH_ENV = ("FORCE_TERMINAL", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "FORCE_COLOR")
_consoles: dict[bool, Any] = {}


def _console(stderr: bool = False) -> Any:
    if stderr not in _consoles:
        from rich.console import Console

        _consoles[stderr] = Console(stderr=stderr, highlight=False, soft_wrap=True)
    return _consoles[stderr]


def __getattr__(name: str) -> Any:
    if name == "console":
        return _console(False)
    if name == "err_console":
        return _console(True)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _tty(stderr: bool) -> bool:
    """What Rich would call a terminal, without loading Rich for the common plain cases."""
    if stderr in _consoles or any(name in os.environ for name in _RICH_ENV):
        return bool(_console(stderr).is_terminal)
    stream = sys.stderr if stderr else sys.stdout
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


STREAM_FLUSH_ROWS = 500
"""Streamed output is flushed after the first row and then every this many rows."""
STREAM_FIRST_ROWS = 50
STREAM_TABLE_ROWS = 500


def is_terminal() -> bool:
    return _tty(False)


def print_json(data: Any) -> None:
    """JSON on stdout and nothing else, so scripts can parse it."""
    sys.stdout.write(json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def stream_json(items: Iterable[Any], *, lines: bool = False) -> None:
    """Items as one JSON array written as they come (or JSON Lines), so memory stays flat.

    The array is closed only after the last item: if the listing fails half-way, the
    output is visibly unfinished and the error goes to stderr with a non-zero exit."""
    if lines:
        stream_json_text((json.dumps(item, default=str, ensure_ascii=False) for item in items), lines=True)
    else:
        from takevault.cli.json_text import indented

        stream_json_text((indented(item, "  ") for item in items), lines=False)


def stream_json_text(texts: Iterable[str], *, lines: bool) -> None:
    """What `stream_json` writes, from items already encoded: with `lines`, one line each (no
    newline); else each item as an element of the indented array (`json.dumps(item, indent=2)`
    with its lines indented two more spaces). Flushed after the first item, then every
    STREAM_FLUSH_ROWS, so a reader sees the first row at once."""
    out = sys.stdout
    n = 0
    if lines:
        for n, text in enumerate(texts, 1):
            out.write(text + "\n")
            if n % STREAM_FLUSH_ROWS == 0 or n == 1:
                out.flush()
        out.flush()
        return
    out.write("[")
    for n, text in enumerate(texts, 1):
        out.write(("\n  " if n == 1 else ",\n  ") + text)
        if n % STREAM_FLUSH_ROWS == 0 or n == 1:
            out.flush()
    out.write("\n]\n" if n else "]\n")
    out.flush()


def stream_table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Rows shown as they come: Rich tables of up to STREAM_TABLE_ROWS rows on a terminal (the first
    with the header, the next ones keeping its column widths), tab-separated lines when piped.
    Returns the number of rows."""
    if not is_terminal():
        out = sys.stdout
        out.write("\t".join(columns) + "\n")
        count = 0
        for count, row in enumerate(rows, 1):
            try:
                line = "\t".join(row)  # rows of text (the whole listings) skip the conversion below
            except TypeError:
                line = "\t".join("" if v is None else str(v) for v in row)
            out.write(line + "\n")
            if count % STREAM_FLUSH_ROWS == 0 or count == 1:
                out.flush()
        out.flush()
        return count
    count = 0
    widths: list[int] | None = None
    batch: list[Sequence[Any]] = []

    from rich.table import Table

    def show() -> None:
        nonlocal widths
        t = Table(title=title if widths is None else None, show_header=widths is None, show_lines=False)
        cells = [["" if v is None else str(v) for v in row] for row in batch]
        if widths is None:
            widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
        for col, width in zip(columns, widths, strict=True):
            t.add_column(col, min_width=width)
        for row in cells:
            t.add_row(*row)
        _console(False).print(t)
        batch.clear()

    for row in rows:
        count += 1
        batch.append(row)
        if len(batch) >= (STREAM_FIRST_ROWS if widths is None else STREAM_TABLE_ROWS):
            show()
    if batch or count == 0:
        show()
    return count


def error(message: str) -> None:
    if _tty(True):
        from rich.markup import escape

        _console(True).print(f"[bold red]error:[/] {escape(message)}")
        return
    _write(sys.stderr, f"error: {message}")


def info(message: str) -> None:
    """A line for people; goes to stderr so stdout stays clean for data."""
    if _tty(True):
        _console(True).print(message, markup=False)
        return
    _write(sys.stderr, message)


def _write(stream: Any, line: str) -> None:
    stream.write(line + "\n")
    stream.flush()


def table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A Rich table on a terminal; tab-separated lines with a header when piped."""
    if is_terminal():
        from rich.table import Table

        t = Table(title=title, show_lines=False)
        for col in columns:
            t.add_column(col)
        for row in rows:
            t.add_row(*("" if v is None else str(v) for v in row))
        _console().print(t)
        return
    out = sys.stdout
    out.write("\t".join(columns) + "\n")
    for row in rows:
        out.write("\t".join("" if v is None else str(v) for v in row) + "\n")
    out.flush()


def fields(pairs: Sequence[tuple[str, Any]]) -> None:
    """`name: value` lines, aligned."""
    width = max((len(k) for k, _ in pairs), default=0)
    for key, value in pairs:
        line = f"{key.ljust(width)}  {'' if value is None else value}"
        if is_terminal():
            _console().print(line, markup=False)
        else:
            _write(sys.stdout, line)


@contextlib.contextmanager
def progress_bytes(description: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """A byte progress bar on a terminal; a no-op callback when piped."""
    if not _tty(True):
        yield lambda n: None
        return
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=_console(True),
        transient=True,
    )
    with bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)


def _no_progress(n: int = 1) -> None:
    """The progress callback when nobody is watching a terminal."""


@contextlib.contextmanager
def progress_items(description: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """A counting progress bar (files, frames) on a terminal; a no-op callback when piped."""
    if not _tty(True):
        yield _no_progress
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=_console(True),
        transient=True,
    )
    with bar:
        task = bar.add_task(description, total=total)
        yield _Ticker(bar, task)


class _Ticker:
    """The callback `progress_items` yields: call it with a count; work that learns its size once
    started (a comparison, after reading the headers) calls `set_total`, which turns on the ETA."""

    def __init__(self, bar: Progress, task: Any) -> None:
        self._bar, self._task = bar, task

    def __call__(self, n: int = 1) -> None:
        self._bar.advance(self._task, n)

    def set_total(self, total: int) -> None:
        self._bar.update(self._task, total=total)

    def set_description(self, description: str) -> None:
        """Name the step under way (decoding, aligning, the sound, the pictures) on the same bar."""
        self._bar.update(self._task, description=description)


def confirm(question: str) -> bool:
    """Ask on a terminal; without one there is nobody to ask, so the answer is no."""
    if not sys.stdin.isatty():
        return False
    from rich.prompt import Confirm

    return Confirm.ask(question, console=_console(True), default=False)


def lines(texts: Sequence[str]) -> None:
    """Plain sentences for people on stdout (the report's own words, e.g. a comparison's summary)."""
    for text in texts:
        _console(False).print(text, markup=False, highlight=False)
