"""Low-level store commands: enable-versioning, status, upload, versions, get.

These work on the vault's versioned store directly, by object key, without the
catalog: the seed's four scripts as `Vault` methods.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from urllib.parse import quote

from takevault.errors import InvalidInputError
from takevault.models import ObjectVersion
from takevault.store.base import ProgressCallback, download_to_path, validate_key
from takevault.vault.core import VaultCore


def readable_file(path: Path | str) -> Path:
    """`path` as an existing, readable regular file, else one sentence saying what is wrong."""
    path = Path(path).expanduser()
    try:
        st = path.stat()
    except FileNotFoundError:
        raise InvalidInputError(f"The file {path} does not exist; check the path.") from None
    except PermissionError:
        raise InvalidInputError(f"The file {path} cannot be reached (permission denied); check its folder.") from None
    except OSError as exc:
        raise InvalidInputError(f"The file {path} cannot be read ({exc.strerror}); check the path.") from None
    if stat.S_ISDIR(st.st_mode):
        raise InvalidInputError(f"{path} is a folder, not a file; give the path of one video file.")
    if not stat.S_ISREG(st.st_mode):
        raise InvalidInputError(f"{path} is not a regular file; give the path of one video file.")
    if not os.access(path, os.R_OK):
        raise InvalidInputError(f"The file {path} is not readable (permission denied); check its permissions.")
    return path


class StoreOpsMixin(VaultCore):
    """Low-level store commands: enable-versioning, status, upload, versions, get."""

    def store_enable_versioning(self, *, create_bucket: bool = False) -> str:
        """Turn versioning on (creating the bucket or folder when asked); returns the new status."""
        self.store.enable_versioning(create_bucket=create_bucket)
        return self.store.versioning_status()

    def store_status(self) -> dict[str, str | None]:
        """Where the store is and whether versioning is on."""
        return {
            "store": self.store.url,
            "endpoint_url": self.config.endpoint_url if self.config.store_url.startswith("s3:") else None,
            "versioning": self.store.versioning_status(),
        }

    def store_upload(self, path: Path | str, key: str, *, progress: ProgressCallback | None = None) -> ObjectVersion:
        """Store `path` as a new version of `key`; nothing is overwritten."""
        key = validate_key(key)
        path = readable_file(path)
        metadata = {"uploader": self.user, "original-name": quote(path.name, safe="")}
        try:
            with path.open("rb") as stream:
                return self.store.put(key, stream, metadata, size=path.stat().st_size, progress=progress)
        except PermissionError:
            raise InvalidInputError(
                f"The file {path} is not readable (permission denied); check its permissions."
            ) from None
        except IsADirectoryError:
            raise InvalidInputError(f"{path} is a folder, not a file; give the path of one video file.") from None

    def store_versions(self, key: str) -> list[ObjectVersion]:
        """Every version and delete marker of `key`, newest first (empty when the key was never written)."""
        return list(self.store.list_versions(validate_key(key)))

    def store_get(
        self,
        key: str,
        dest: Path | str,
        *,
        version_id: str | None = None,
        progress: ProgressCallback | None = None,
    ) -> ObjectVersion:
        """Write one version (latest when None) to `dest`, byte-exact and sha256-checked.

        `dest` appears whole or not at all; a folder as `dest` keeps the key's file name.
        """
        key = validate_key(key)
        dest = Path(dest).expanduser()
        if dest.is_dir():
            dest = dest / key.rsplit("/", 1)[-1]
        if dest.parent.exists() and not dest.parent.is_dir():
            raise InvalidInputError(f"{dest.parent} is a file, not a folder; choose another output path.")
        return download_to_path(self.store, key, dest, version_id=version_id, progress=progress)
