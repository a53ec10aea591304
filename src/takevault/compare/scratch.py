"""File-backed arrays in a private temporary folder, so a comparison's memory does not grow with length.

A comparison keeps a few kilobytes per frame (thumbnails, signatures, the sound) for passes that
walk them again and again. Held in memory, an hour-long pair costs most of a gigabyte; here each
array is a shared mapping of a file, and a pass that is done with a window of it hands the pages
back (`forget`): the data stays in the file (and the kernel's page cache, which it can reclaim),
and only the windows in use count in the process's resident memory.

Each file is unlinked as soon as it is mapped, so nothing is left behind even if the process is
killed; the folder itself goes when the comparison closes its `Scratch`, on error or Ctrl-C too.
The space is reserved up front (`posix_fallocate`): a full disk is one clear error at the start,
not a crash on the first write to a page that has nowhere to go.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import shutil
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np

from takevault.errors import TakevaultError

PAGE = mmap.PAGESIZE
# A read fault on a file-backed mapping maps the cached pages around it too (Linux's fault-around,
# 64 KB by default), so handing back just the pages read would leave their neighbours resident.
AROUND = max(PAGE, 64 * 1024)


class ScratchError(TakevaultError):
    """The temporary folder cannot hold a comparison's working arrays."""


class Scratch:
    """A private temporary folder of file-backed arrays, removed by `close` (or leaving a `with`)."""

    def __init__(self, parent: str | Path | None = None) -> None:
        where = Path(parent) if parent is not None else Path(tempfile.gettempdir())
        try:
            self.folder: Path | None = Path(tempfile.mkdtemp(prefix="takevault-compare-", dir=where))
        except OSError as exc:
            raise ScratchError(
                f"The temporary folder {where} is not usable for the comparison's working files "
                f"({exc.strerror or type(exc).__name__}); set TMPDIR to a writable folder."
            ) from None
        self._maps: list[np.ndarray] = []
        self._count = 0

    def array(self, name: str, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
        """A new zero-filled array of `shape` backed by a file of its own (reserved on disk now).

        A plain ndarray view of the memmap: indexing a memmap runs Python code (its `__getitem__`
        and `__array_finalize__`) on every access, which the per-frame loops would pay for."""
        if self.folder is None:
            raise ScratchError("The comparison's working folder is already closed.")
        dtype = np.dtype(dtype)
        size = max(1, int(np.prod(shape, dtype=np.int64)) * dtype.itemsize)
        self._count += 1
        path = self.folder / f"{self._count:03d}-{name}.bin"
        try:
            with open(path, "w+b") as f:
                os.posix_fallocate(f.fileno(), 0, size)
            arr = np.memmap(path, dtype=dtype, mode="r+", shape=shape)
        except OSError as exc:
            with contextlib.suppress(OSError):
                path.unlink()
            raise ScratchError(
                f"The temporary folder {self.folder.parent} has no room for the comparison's working files "
                f"({size / 2**20:.0f} MB more needed: {exc.strerror or type(exc).__name__}); free some space "
                "there or set TMPDIR to a folder on a larger disk."
            ) from None
        path.unlink()  # the mapping keeps the file alive; nothing is left on disk if the process dies
        view = arr.view(np.ndarray)
        self._maps.append(view)
        return view

    def drop(self, arr: np.ndarray) -> None:
        """Unmap an array that was replaced (a block that grew): its file goes with its last view."""
        self._maps = [m for m in self._maps if m is not arr]

    def release(self) -> None:
        """Hand every page of every array back: what is needed next is read again from the page cache."""
        for arr in self._maps:
            forget(arr)

    def close(self) -> None:
        self._maps.clear()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def __enter__(self) -> Scratch:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def _mapping(arr: np.ndarray) -> mmap.mmap | None:
    """The mmap under a memmap or a view of one (plain ndarray views too); None for ordinary memory."""
    obj: Any = arr
    while obj is not None:
        mm = obj if isinstance(obj, mmap.mmap) else getattr(obj, "_mmap", None)
        if isinstance(mm, mmap.mmap):
            return None if mm.closed else mm
        obj = getattr(obj, "base", None)
    return None


def forget(arr: np.ndarray) -> None:
    """Drop the resident pages under `arr` (a memmap or a slice of one) from this process.

    For a shared file mapping this loses nothing: the next access reads the page back from the
    file. Rounded outwards to whole fault-around windows, which is safe for the same reason. A
    no-op for an array in ordinary memory.
    """
    mm = _mapping(arr)
    if mm is None or arr.size == 0:
        return
    base = np.frombuffer(mm, dtype=np.uint8, count=1).__array_interface__["data"][0]  # count=0 points elsewhere
    lo = arr.__array_interface__["data"][0] - base
    hi = lo + arr.nbytes if arr.flags.contiguous else len(mm)
    lo = max(0, lo - lo % AROUND) if arr.flags.contiguous else 0
    hi = min(len(mm), hi + (-hi) % AROUND)
    if hi > lo:
        mm.madvise(mmap.MADV_DONTNEED, lo, hi - lo)
