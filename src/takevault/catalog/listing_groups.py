"""How a whole listing walks its shots: in groups that grow, each read while the one before is written out.

Both readers of a listing use this, the catalog's (catalog/listing.py, through SQLAlchemy) and
the fast path's (catalog/fast_reader.py, straight through the driver), so the two read the same
groups in the same order; it imports no database code.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar

T = TypeVar("T")

FIRST_GROUP_TAKES = 100
"""About this many takes in the first read, so the first row comes at once."""
MAX_GROUP_TAKES = 5000
"""Later reads grow up to about this many takes: few round trips, bounded memory."""


def groups(shot_rows: Sequence[Any]) -> Iterator[list[int]]:
    """Shot ids in edit order, from (id, next take number) rows in edit order, in groups of about
    FIRST_GROUP_TAKES takes, then growing fourfold up to MAX_GROUP_TAKES.

    A shot's take counter bounds its number of takes, so a group never holds far more than asked."""
    limit, most = FIRST_GROUP_TAKES, MAX_GROUP_TAKES
    group: list[int] = []
    takes_in_group = 0
    for shot_id, next_number in shot_rows:
        group.append(shot_id)
        takes_in_group += max(1, next_number - 1)
        if takes_in_group >= limit:
            yield group
            limit, group, takes_in_group = min(limit * 4, most), [], 0
    if group:
        yield group


def in_shot_order(group: Sequence[int], rows: Sequence[Any]) -> list[Any]:
    """A group's rows (read in take-number order, the shot id second) shot by shot as `group` orders them."""
    of_shot: dict[int, list[Any]] = {shot_id: [] for shot_id in group}
    for row in rows:
        of_shot[row[1]].append(row)
    return [row for shot_id in group for row in of_shot[shot_id]]


class ReadAhead(Generic[T]):
    """`read(group)` of each group in turn, the next one read in a thread while the caller uses this one.

    The database (SQLite's steps, PostgreSQL's server) works while Python formats rows. Only the
    thread reads, one group at a time; `close()` waits for a read under way, so the caller can end
    its transaction safely afterwards. The first read starts at once."""

    def __init__(self, read: Callable[[list[int]], T], groups: Iterator[list[int]]) -> None:
        self._read, self._groups = read, groups
        self._ahead = self._start()

    def _start(self) -> _Ahead | None:
        group = next(self._groups, None)
        return _Ahead(self._read, group) if group is not None else None

    def __iter__(self) -> Iterator[T]:
        while self._ahead is not None:
            value = self._ahead.result()
            self._ahead = self._start()
            yield value

    def close(self) -> None:
        if self._ahead is not None:
            self._ahead.wait()
            self._ahead = None


class _Ahead:
    """One call run in its own thread; `result()` waits for it and gives its value or raises its error."""

    def __init__(self, call: Callable[[Any], Any], arg: Any) -> None:
        self._value: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(call, arg), daemon=True)
        self._thread.start()

    def _run(self, call: Callable[[Any], Any], arg: Any) -> None:
        try:
            self._value = call(arg)
        except BaseException as exc:  # noqa: BLE001 - raised again by result(), in the caller's thread
            self._error = exc

    def wait(self) -> None:
        self._thread.join()

    def result(self) -> Any:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value
