"""Crash-safe file writes: temp file in the same folder, fsync, atomic rename."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import tempfile
from collections.abc import Iterator
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
def atomic_write(dest: Path) -> Iterator[BinaryIO]:
    """Yield a file that becomes `dest` only if the block finishes without error."""
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
        fsync_dir(dest.parent)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise os_error_to_takevault(exc, str(dest)) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def sha256_file(path: Path) -> str:
    """The sha256 of a file, read in chunks."""
    from takevault.store.base import CHUNK_SIZE

    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while chunk := fh.read(CHUNK_SIZE):
            digest.update(chunk)
    return digest.hexdigest()


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
