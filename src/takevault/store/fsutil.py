"""Crash-safe file writes (temp file in the same folder, fsync, atomic rename) and the kernel-side
hashing copy that fills them."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import hashlib
import io
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from takevault.errors import StorageFullError, StoreAccessError, TakevaultError


def os_error_to_takevault(exc: OSError, what: str) -> TakevaultError:
    """Translate disk-level failures into the error a user can act on."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return StorageFullError(f"The disk is full while writing {what}; free some space and run the command again.")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return StoreAccessError(f"Permission denied while writing {what}; check the folder's permissions.")
    return StorageFullError(f"Could not write {what} ({exc.strerror or exc}); check the disk and try again.")


def fsync_dir(path: Path) -> None:
    """Make a rename durable; some filesystems refuse fsync on a directory, which is harmless."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def user_file_mode() -> int:
    """What `open()` would give under the current umask: mkstemp makes 0600 files, which an
    editor on a share cannot read. Linux reports the umask in /proc without changing it;
    elsewhere set-and-restore it (briefly racy with other threads, hence the preference)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


@contextlib.contextmanager
def atomic_write(dest: Path, *, sync_dir: bool = True) -> Iterator[BinaryIO]:
    """Yield a file that becomes `dest` only if the block finishes without error.

    `sync_dir=False` skips making the rename itself durable: for a staging file that is renamed
    again at once (its final folder is synced then), one fsync less per write."""
    dest = Path(dest)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    except OSError as exc:
        raise os_error_to_takevault(exc, str(dest)) from exc
    tmp = Path(tmp_name)
    try:
        os.fchmod(fd, user_file_mode())
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, dest)
        if sync_dir:
            fsync_dir(dest.parent)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise os_error_to_takevault(exc, str(dest)) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def sha256_file(path: Path) -> str:
    """The sha256 of a file, read into one reused buffer (no fresh chunk to allocate per read)."""
    with Path(path).open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


KERNEL_COPY_SLICE = 8 * 1024 * 1024
"""Bytes per copy_file_range call; the hash of one slice runs while the next is copied."""

WRITEBACK_STEP = 8 * 1024 * 1024
"""Written bytes after which the disk write of them is started, so the final fsync finds little left."""

READ_BACK_SIZE = 1024 * 1024
_NO_KERNEL_COPY = {errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EBADF, errno.ETXTBSY}
_FICLONE = 0x40049409  # _IOW(0x94, 9, int) from linux/fs.h
_SYNC_FILE_RANGE_WRITE = 2


@functools.cache
def _sync_file_range() -> Callable[[int, int, int, int], int] | None:
    """libc's sync_file_range (Linux only; `os` does not offer it). ctypes releases the GIL around it."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        call = libc.sync_file_range
    except (OSError, AttributeError):
        return None
    call.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
    call.restype = ctypes.c_int
    return call


def start_writeback(fd: int, offset: int, count: int) -> None:
    """Ask the kernel to start writing these bytes to disk now, without waiting for it.

    Without it every dirty page waits for the final fsync, so the disk idles while the bytes are
    hashed and then the hash idles while the disk writes: the two times add up. Advisory only:
    errors are ignored (a failed write surfaces in the fsync that follows), and where the call
    does not exist nothing happens."""
    call = _sync_file_range()
    if call is None or count <= 0:
        return
    call(fd, offset, count, _SYNC_FILE_RANGE_WRITE)


def writing_back(out: BinaryIO) -> Callable[[memoryview], int]:
    """`out.write` that starts the disk write of every WRITEBACK_STEP bytes as they are written
    (see `start_writeback`). One writer thread at a time, as `pipelined_copy` calls it."""
    try:
        fd, base = out.fileno(), out.tell()
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return out.write
    written = flushed = 0

    def write(view: memoryview) -> int:
        nonlocal written, flushed
        done = 0
        while done < len(view):  # an unbuffered file may take less than it is given
            count = out.write(view[done:])
            done = len(view) if count is None else done + count
        written += done
        if written - flushed >= WRITEBACK_STEP:
            out.flush()
            start_writeback(fd, base + flushed, written - flushed)
            flushed = written
        return len(view)

    return write


def reflink(src: BinaryIO, out: BinaryIO) -> int | None:
    """Make the empty file `out` share all of `src`'s blocks (FICLONE on XFS, Btrfs and the like):
    no byte is copied, and later writes to either file copy only the blocks they touch. Returns
    the size shared, or None, having written nothing, where the filesystem has no reflinks or the
    streams are not both at their start."""
    try:
        src_fd, out_fd = src.fileno(), out.fileno()
        if src.tell() != 0 or out.tell() != 0 or os.fstat(out_fd).st_size != 0:
            return None
        out.flush()
        fcntl.ioctl(out_fd, _FICLONE, src_fd)
        size = os.fstat(out_fd).st_size
        out.seek(size)
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None
    return size


def kernel_copy(
    src: BinaryIO, out: BinaryIO, *, on_chunk: Callable[[memoryview], None], slice_size: int = KERNEL_COPY_SLICE
) -> int | None:
    """Copy the rest of a regular file `src` into the file `out` without the bytes passing through
    Python, calling `on_chunk` on every slice *as written*: read back from `out`, so the hash is of
    the stored bytes even if the source changes meanwhile.

    A whole file on a reflink filesystem is shared (`reflink`) and then hashed; otherwise
    `copy_file_range` copies slice by slice while a hashing thread reads back the previous slice,
    and the disk write of each slice starts at once (`start_writeback`), so copying, hashing and
    the disk all work at the same time. Returns None, having written nothing, when the kernel
    cannot copy between these files (not regular files, other filesystems on old kernels, no
    copy_file_range); the caller then copies through user space."""
    if not hasattr(os, "copy_file_range"):
        return None
    try:
        src_fd, out_fd = src.fileno(), out.fileno()
        if not (stat.S_ISREG(os.fstat(src_fd).st_mode) and stat.S_ISREG(os.fstat(out_fd).st_mode)):
            return None
        src_offset, out_offset = src.tell(), out.tell()
        out.flush()
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None
    try:
        # A second, readable handle on the file being written (it was opened write-only).
        reread = open(f"/proc/self/fd/{out_fd}", "rb", buffering=0)  # noqa: SIM115 - closed below
    except OSError:
        return None
    from takevault.store.base import pipelined_copy

    with reread:
        if reflink(src, out) is not None:
            # Nothing crossed memory; the shared blocks may have to come from disk, so read and hash overlap.
            # The size is what was hashed, so the record and the hash always describe the same bytes.
            total: int | None = pipelined_copy(reread.readinto, _discard, on_chunk=on_chunk)
        else:
            total = _copy_slices(src_fd, out_fd, reread.fileno(), (src_offset, out_offset), on_chunk, slice_size)
    if total is not None:
        out.seek(out_offset + total)
    return total


KERNEL_COPY_AHEAD = 4
"""Slices the copy may run ahead of the hash. They wait in the page cache, not in our memory, and
let the hashing thread go from one slice to the next without waiting to be handed it."""


def _copy_slices(
    src_fd: int,
    out_fd: int,
    reread_fd: int,
    offsets: tuple[int, int],
    on_chunk: Callable[[memoryview], None],
    slice_size: int,
) -> int | None:
    """The slice loop of `kernel_copy`: this thread copies slices and starts their disk write, a
    hashing thread reads each one back as soon as it is copied."""
    import queue
    import threading

    src_offset, out_offset = offsets
    copied: queue.Queue[tuple[int, int] | None] = queue.Queue(maxsize=KERNEL_COPY_AHEAD)
    failure: list[BaseException] = []

    def hash_slices() -> None:
        buffer = memoryview(bytearray(READ_BACK_SIZE))  # cache-sized steps: memory stays at one of these
        while (item := copied.get()) is not None:
            if failure:
                continue  # keep taking slices so the copying thread never blocks on a full queue
            offset, count = item
            try:
                done = 0
                while done < count:
                    got = os.preadv(reread_fd, [buffer[: min(len(buffer), count - done)]], offset + done)
                    if not got:
                        raise OSError(errno.EIO, "the copied bytes could not be read back")
                    on_chunk(buffer[:got])
                    done += got
            except BaseException as exc:  # noqa: BLE001 - handed to the copying thread, which raises it
                failure.append(exc)

    hasher = threading.Thread(target=hash_slices, name="takevault-hasher", daemon=True)
    hasher.start()
    total = 0
    try:
        while not failure:
            try:
                count = os.copy_file_range(
                    src_fd, out_fd, slice_size, offset_src=src_offset + total, offset_dst=out_offset + total
                )
            except OSError as exc:
                if total == 0 and exc.errno in _NO_KERNEL_COPY:
                    return None
                raise
            if not count:
                break
            start_writeback(out_fd, out_offset + total, count)
            copied.put((out_offset + total, count))
            total += count
    finally:
        copied.put(None)
        hasher.join()
    if failure:
        raise failure[0]
    return total


def _discard(view: memoryview) -> int:
    return len(view)


def check_file_target(path: Path, fix: str) -> None:
    """Refuse to put a file where something other than a regular file is: a device, FIFO, socket, folder
    or symbolic link would be renamed over (as root that destroys /dev/null), or would hang the write."""
    import stat

    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise os_error_to_takevault(exc, str(path)) from exc
    if stat.S_ISREG(mode):
        return
    if stat.S_ISLNK(mode):
        what = "a symbolic link"
    elif stat.S_ISDIR(mode):
        what = "a folder"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        what = "a device"
    elif stat.S_ISFIFO(mode):
        what = "a FIFO (named pipe)"
    elif stat.S_ISSOCK(mode):
        what = "a socket"
    else:
        what = "a special file"
    from takevault.errors import InvalidInputError

    raise InvalidInputError(f"{path} is {what}, not a regular file, and is left as it is; {fix}.")
