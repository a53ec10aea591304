"""One large immutable object read as parallel ranged fetches, handed out in order.

One connection reads an object far slower than several (s3transfer downloads the
same way), but a verified download needs the bytes in order for its sha256. So
parts are fetched by a few threads into reused buffers and the reader hands them
out strictly in order; the caller hashes them as they come (in its own thread
when it uses `HashingReader.copy_to`). Memory: `concurrency` parts.
Knows nothing of S3: the backend passes `fill`, which fetches one byte range.
"""

from __future__ import annotations

import queue
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

Fill = Callable[[int, memoryview], None]
"""`fill(offset, view)` writes the object's bytes `offset .. offset + len(view)` into `view`, or raises."""


class RangedReader:
    """A read-only stream over an object of known `size`, fetched `part_size` bytes at a time by
    `concurrency` threads, at most `concurrency` parts ahead of the reader."""

    def __init__(self, fill: Fill, size: int, *, part_size: int, concurrency: int) -> None:
        self._fill = fill
        self._size = size
        self._part_size = part_size
        self._next_offset = 0
        self._free: queue.SimpleQueue[bytearray] = queue.SimpleQueue()
        self._pending: deque[Future[memoryview]] = deque()
        self._pool = ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="takevault-ranged")
        self._current: memoryview | None = None
        self._current_buffer: bytearray | None = None
        self._pos = 0
        self._closed = False
        for _ in range(max(1, concurrency)):
            if not self._submit_next():
                break

    def _buffer(self) -> bytearray:
        """A finished part's buffer when there is one (reused: fresh pages cost more than the copy), else a new one."""
        try:
            return self._free.get_nowait()
        except queue.Empty:
            return bytearray(self._part_size)

    def _submit_next(self) -> bool:
        if self._next_offset >= self._size:
            return False
        offset = self._next_offset
        length = min(self._part_size, self._size - offset)
        self._next_offset += length
        buffer = self._buffer()
        self._pending.append(self._pool.submit(self._fetch, offset, buffer, length))
        return True

    def _fetch(self, offset: int, buffer: bytearray, length: int) -> memoryview:
        view = memoryview(buffer)[:length]
        self._fill(offset, view)
        return view

    def _advance(self) -> bool:
        """Give the finished part's buffer back, start the next fetch, and wait for the next part in order."""
        if self._current_buffer is not None:
            self._free.put(self._current_buffer)
            self._current_buffer = None
            self._current = None
            self._submit_next()
        if not self._pending:
            return False
        future = self._pending.popleft()
        view = future.result()  # a failed part raises here, in the reader's thread
        self._current = view
        self._current_buffer = view.obj  # type: ignore[assignment]
        self._pos = 0
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:
        out = memoryview(buffer).cast("B")
        if self._closed or not len(out):
            return 0
        while self._current is None or self._pos >= len(self._current):
            if not self._advance():
                return 0
        assert self._current is not None
        count = min(len(out), len(self._current) - self._pos)
        out[:count] = self._current[self._pos : self._pos + count]
        self._pos += count
        return count

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self._size
        buffer = bytearray(min(size, self._size))
        view = memoryview(buffer)
        got = 0
        while got < len(view):
            count = self.readinto(view[got:])
            if not count:
                break
            got += count
        return bytes(view[:got])

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        """Stop fetching: parts not started are dropped, running ones finish and are thrown away."""
        if self._closed:
            return
        self._closed = True
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pending.clear()
        self._current = None
        self._current_buffer = None
