"""Versioned object stores: one Protocol, backends chosen by URL scheme.

`open_store("file:///path")` gives a `LocalStore`; `open_store("s3://bucket/prefix")`
an `S3Store` (imported lazily, so boto3 loads only when S3 is used).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

from takevault.errors import ConfigError
from takevault.store.base import CHUNK_SIZE, HashingReader, VersionedStore, download_to_path, validate_key

__all__ = [
    "CHUNK_SIZE",
    "HashingReader",
    "VersionedStore",
    "check_store_url",
    "download_to_path",
    "open_store",
    "validate_key",
]


def check_store_url(url: str) -> None:
    """Refuse a store URL no backend takes, before anything is written anywhere."""
    parsed = urlparse(url)
    if parsed.scheme == "s3" and not parsed.netloc:
        raise ConfigError(f"The store URL {url!r} names no bucket; write it as 's3://bucket/prefix'.")
    if parsed.scheme not in ("file", "s3"):
        raise ConfigError(f"The store URL {url!r} is not supported; use 'file://PATH' or 's3://bucket/prefix'.")


def open_store(
    url: str,
    *,
    endpoint_url: str | None = None,
    region: str | None = None,
    base_dir: Path | None = None,
) -> VersionedStore:
    """Open the store named by `url`; relative `file:` paths resolve against `base_dir`."""
    check_store_url(url)
    parsed = urlparse(url)
    if parsed.scheme == "file":
        from takevault.store.local import LocalStore

        raw = unquote(parsed.netloc + parsed.path) if parsed.netloc not in ("", "localhost") else unquote(parsed.path)
        path = Path(raw)
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        return LocalStore(path)
    from takevault.store.s3 import S3Store

    return S3Store(
        bucket=parsed.netloc,
        prefix=parsed.path.strip("/"),
        endpoint_url=endpoint_url,
        region=region,
    )
