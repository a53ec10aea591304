"""`get` (a version to a file, verified and atomic) and `open_version` (a local path to its bytes)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from takevault.errors import ChecksumMismatchError, InvalidInputError
from takevault.models import Take, TakeVersion
from takevault.store.base import ProgressCallback, download_to_path
from takevault.vault.takebase import TakeBase


class FetchMixin(TakeBase):
    """Read the bytes of any version of any take."""

    def get(self, ref: str, dest: Path | str, *, progress: ProgressCallback | None = None) -> TakeVersion:
        """Write the version `ref` names (current unless `@vN`) to `dest`, byte-exact and sha256-checked.

        `dest` appears only when the whole file arrived intact; a folder gets a file named after the take.
        """
        take, version = self.resolve_version(ref)
        dest = Path(dest)
        if dest.is_dir():
            dest = dest / _file_name(take, version)
        elif not dest.parent.is_dir():
            # Making the folders would hide a mistyped path; say so instead.
            what = "is a file" if dest.parent.exists() else "does not exist"
            raise InvalidInputError(f"The folder {dest.parent} {what}; create the folder or pick another path.")
        self._check_store_checksum(take, version)
        download_to_path(self.store, version.key, dest, version.version_id, progress)
        return version

    @contextlib.contextmanager
    def open_version(self, ref: str) -> Iterator[Path]:
        """A local path to the bytes of a version: the blob itself on a local store (do not write to it),
        else a verified temporary download removed when the block ends."""
        take, version = self.resolve_version(ref)
        blob_path = getattr(self.store, "blob_path", None)
        if blob_path is not None:
            yield Path(blob_path(version.key, version.version_id))
            return
        self._check_store_checksum(take, version)
        suffix = Path(version.key).suffix
        fd, name = tempfile.mkstemp(prefix="takevault-", suffix=suffix)
        os.close(fd)
        tmp = Path(name)
        try:
            download_to_path(self.store, version.key, tmp, version.version_id)
            yield tmp
        finally:
            tmp.unlink(missing_ok=True)

    def _check_store_checksum(self, take: Take, version: TakeVersion) -> None:
        info = self.store.head(version.key, version.version_id)
        if info.sha256 and info.sha256 != version.sha256:
            raise ChecksumMismatchError(
                f"The store holds different bytes for {take.ref}@v{version.number} than the catalog recorded; "
                "run 'takevault fsck' and fetch another version."
            )


def _file_name(take: Take, version: TakeVersion) -> str:
    suffix = Path(version.key).suffix
    return f"{take.shot}_{take.name}_v{version.number}{suffix}"
