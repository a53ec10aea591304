"""Everything the CLI shows: Rich on a terminal, plain text when piped, JSON on request.

The only module of the CLI that touches Rich directly, so output style lives in one place.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def is_terminal() -> bool:
    return console.is_terminal


def print_json(data: Any) -> None:
    """JSON on stdout and nothing else, so scripts can parse it."""
    sys.stdout.write(json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def error(message: str) -> None:
    err_console.print(
        f"[bold red]error:[/] {message}" if err_console.is_terminal else f"error: {message}",
        markup=err_console.is_terminal,
    )


def info(message: str) -> None:
    """A line for people; goes to stderr so stdout stays clean for data."""
    err_console.print(message, markup=False)


def table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A Rich table on a terminal; tab-separated lines with a header when piped."""
    if is_terminal():
        t = Table(title=title, show_lines=False)
        for col in columns:
            t.add_column(col)
        for row in rows:
            t.add_row(*("" if v is None else str(v) for v in row))
        console.print(t)
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
        console.print(f"{key.ljust(width)}  {'' if value is None else value}", markup=False)


@contextlib.contextmanager
def progress_bytes(description: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """A byte progress bar on a terminal; a no-op callback when piped."""
    if not err_console.is_terminal:
        yield lambda n: None
        return
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    )
    with bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)


@contextlib.contextmanager
def progress_items(description: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """A counting progress bar (files, frames) on a terminal; a no-op callback when piped."""
    if not err_console.is_terminal:
        yield lambda n=1: None
        return
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
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


def confirm(question: str) -> bool:
    """Ask on a terminal; without one there is nobody to ask, so the answer is no."""
    if not sys.stdin.isatty():
        return False
    from rich.prompt import Confirm

    return Confirm.ask(question, console=err_console, default=False)


def lines(texts: Sequence[str]) -> None:
    """Plain sentences for people on stdout (the report's own words, e.g. a comparison's summary)."""
    for text in texts:
        console.print(text, markup=False, highlight=False)
