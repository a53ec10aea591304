"""`get` (a version to a file, verified and atomic), `open_version` (a local path to its bytes) and
`verified_local` (a local path whose bytes were checked against the catalog's sha256)."""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from takevault.errors import ChecksumMismatchError, InvalidInputError
from takevault.models import Take, TakeVersion
from takevault.store.base import ProgressCallback, download_to_path
from takevault.store.fsutil import check_file_target, sha256_file

if TYPE_CHECKING:
    from takevault.vault import Vault

_VERIFIED: OrderedDict[tuple[str, int, int, int, str], None] = OrderedDict()
_VERIFIED_MAX = 4096
_verified_guard = threading.Lock()


def verify_file(path: Path, sha256: str, what: str) -> Path:
    """`path` if its bytes have `sha256`, else ChecksumMismatchError (the sentence `get` gives).

    A file checked once is remembered by (path, inode, size, mtime, sha256), so serving the
    same verified blob again costs one stat, not one read; any change to the file reads it again.
    """
    st = path.stat()
    key = (str(path), st.st_ino, st.st_size, st.st_mtime_ns, sha256)
    with _verified_guard:
        if key in _VERIFIED:
            _VERIFIED.move_to_end(key)
            return path
    actual = sha256_file(path)
    if actual != sha256:
        raise ChecksumMismatchError(
            f"{what} read back with sha256 {actual[:12]}… instead of {sha256[:12]}…; "
            "the stored bytes are damaged, fetch another version or run 'takevault fsck'."
        )
    with _verified_guard:
        _VERIFIED[key] = None
        while len(_VERIFIED) > _VERIFIED_MAX:
            _VERIFIED.popitem(last=False)
    return path


def get(vault: Vault, ref: str, dest: Path | str, *, progress: ProgressCallback | None = None) -> TakeVersion:
    """Write the version `ref` names (current unless `@vN`) to `dest`, byte-exact and sha256-checked.

    `dest` appears only when the whole file arrived intact; a folder gets a file named after the take.
    A device, FIFO, socket, symbolic link or folder in the file's place is refused, never replaced.
    """
    take, version = vault.resolve_version(ref)
    dest = Path(dest)
    if dest.is_dir() and not dest.is_symlink():
        dest = dest / _file_name(take, version)
    elif not dest.parent.is_dir():
        # Making the folders would hide a mistyped path; say so instead.
        what = "is a file" if dest.parent.exists() else "does not exist"
        raise InvalidInputError(f"The folder {dest.parent} {what}; create the folder or pick another path.")
    check_file_target(dest, "give -o a new file name or an existing regular file")
    _check_store_checksum(vault, take, version)
    download_to_path(vault.store, version.key, dest, version.version_id, progress)
    return version


def verified_local(vault: Vault, take: Take, version: TakeVersion, path: Path) -> Path:
    """`path` (a local copy or blob of `version`) once its sha256 matches the catalog's."""
    return verify_file(path, version.sha256, f"{take.ref}@v{version.number}")


@contextlib.contextmanager
def open_version(vault: Vault, ref: str) -> Iterator[Path]:
    """A local path to the bytes of a version: the blob itself on a local store (do not write to it),
    else a verified temporary download removed when the block ends."""
    take, version = vault.resolve_version(ref)
    blob = vault.store.blob_path(version.key, version.version_id)
    if blob is not None:
        yield vault.verified_local(take, version, blob)
        return
    _check_store_checksum(vault, take, version)
    suffix = Path(version.key).suffix
    fd, name = tempfile.mkstemp(prefix="takevault-", suffix=suffix)
    os.close(fd)
    tmp = Path(name)
    try:
        download_to_path(vault.store, version.key, tmp, version.version_id)
        yield tmp
    finally:
        tmp.unlink(missing_ok=True)


def _check_store_checksum(vault: Vault, take: Take, version: TakeVersion) -> None:
    info = vault.store.head(version.key, version.version_id)
    if info.sha256 and info.sha256 != version.sha256:
        raise ChecksumMismatchError(
            f"The store holds different bytes for {take.ref}@v{version.number} than the catalog recorded; "
            "run 'takevault fsck' and fetch another version."
        )


def _file_name(take: Take, version: TakeVersion) -> str:
    suffix = Path(version.key).suffix
    return f"{take.shot}_{take.name}_v{version.number}{suffix}"
