"""Low-level store commands: enable-versioning, status, upload, versions, get.

These work on the vault's versioned store directly, by object key, without the
catalog: the seed's four scripts as `Vault` methods.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from takevault.errors import InvalidInputError
from takevault.models import ObjectVersion
from takevault.store.base import ProgressCallback, download_to_path, validate_key

if TYPE_CHECKING:
    from takevault.vault import Vault


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


def store_enable_versioning(vault: Vault, *, create_bucket: bool = False) -> str:
    """Turn versioning on (creating the bucket or folder when asked); returns the new status."""
    vault.store.enable_versioning(create_bucket=create_bucket)
    return vault.store.versioning_status()


def store_status(vault: Vault) -> dict[str, str | None]:
    """Where the store is and whether versioning is on."""
    return {
        "store": vault.store.url,
        "endpoint_url": vault.config.endpoint_url if vault.config.store_url.startswith("s3:") else None,
        "versioning": vault.store.versioning_status(),
    }


def store_upload(
    vault: Vault, path: Path | str, key: str, *, progress: ProgressCallback | None = None
) -> ObjectVersion:
    """Store `path` as a new version of `key`; nothing is overwritten."""
    key = validate_key(key)
    path = readable_file(path)
    metadata = {"uploader": vault.user, "original-name": quote(path.name, safe="")}
    try:
        with path.open("rb") as stream:
            return vault.store.put(key, stream, metadata, size=path.stat().st_size, progress=progress)
    except PermissionError:
        raise InvalidInputError(
            f"The file {path} is not readable (permission denied); check its permissions."
        ) from None
    except IsADirectoryError:
        raise InvalidInputError(f"{path} is a folder, not a file; give the path of one video file.") from None


def store_versions(vault: Vault, key: str) -> list[ObjectVersion]:
    """Every version and delete marker of `key`, newest first (empty when the key was never written)."""
    return list(vault.store.list_versions(validate_key(key)))


def store_get(
    vault: Vault,
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
    return download_to_path(vault.store, key, dest, version_id=version_id, progress=progress)
