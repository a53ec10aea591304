"""takevault: every version of every video take, kept, compared and handed to the edit.

The public API is what `__all__` lists: the `Vault` facade, the plain records it
returns, and the error tree (see `takevault.errors`).
"""

from __future__ import annotations

import logging

from takevault.errors import (
    BadReferenceError,
    CatalogError,
    ChecksumMismatchError,
    ConfigError,
    ConflictError,
    DeleteMarkerError,
    DuplicateBytesError,
    InvalidInputError,
    InvalidKeyError,
    MediaError,
    NotFoundError,
    StorageFullError,
    StoreAccessError,
    StoreError,
    StoreUnreachableError,
    TakevaultError,
    VersioningError,
)
from takevault.models import AudioStreamInfo, MediaInfo, ObjectVersion

__version__ = "0.1.0"

# A library logs; whoever runs it decides where logs go. Without this, Python's last-resort
# handler prints every warning to stderr, so a CLI that also shows the message says it twice.
logging.getLogger("takevault").addHandler(logging.NullHandler())


def __getattr__(name: str) -> object:
    # Vault pulls in SQLAlchemy and PyAV; import it only when asked for.
    if name == "Vault":
        from takevault.vault import Vault

        return Vault
    raise AttributeError(name)


__all__ = [
    "AudioStreamInfo",
    "BadReferenceError",
    "CatalogError",
    "ChecksumMismatchError",
    "ConfigError",
    "ConflictError",
    "DeleteMarkerError",
    "DuplicateBytesError",
    "InvalidInputError",
    "InvalidKeyError",
    "MediaError",
    "MediaInfo",
    "NotFoundError",
    "ObjectVersion",
    "StorageFullError",
    "StoreAccessError",
    "StoreError",
    "StoreUnreachableError",
    "TakevaultError",
    "Vault",
    "VersioningError",
    "__version__",
]
