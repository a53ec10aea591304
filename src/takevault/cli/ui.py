"""Everything the CLI shows: Rich on a terminal, plain text when piped, JSON on request.

The only module of the CLI that touches Rich directly, so output style lives in one place.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

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


def is_terminal() -> bool:
    return _tty(False)


def print_json(data: Any) -> None:
    """JSON on stdout and nothing else, so scripts can parse it."""
    sys.stdout.write(json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n")
    sys.stdout.flush()


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


@contextlib.contextmanager
def progress_items(description: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """A counting progress bar (files, frames) on a terminal; a no-op callback when piped."""
    if not _tty(True):
        yield lambda n=1: None
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
        yield lambda n=1: bar.advance(task, n)


def confirm(question: str) -> bool:
    """Ask on a terminal; without one there is nobody to ask, so the answer is no."""
    if not sys.stdin.isatty():
        return False
    from rich.prompt import Confirm

    return Confirm.ask(question, console=_console(True), default=False)
