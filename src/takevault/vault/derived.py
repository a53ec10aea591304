"""Derived files kept in the vault's own store, so every server and worker shares what one of them made.

    .takevault/derived/proxies/<sha256>-p<N>.mp4      browser proxy of a version
    .takevault/derived/stills/<sha256>.jpg            gallery still of a version
    .takevault/derived/stills/png-<sha256>.jpg        gallery still of a workflow PNG
    .takevault/derived/compare/<sha256a>-<sha256b>/   comparison report.json and its pictures

Names are the sha256 of what they were made from, so they never go stale. The
local `cache/` folder is only a read-through copy; deleting it (or the derived
objects themselves) loses nothing: they are made again on demand. A comparison's
`report.json` is written last, so a reader that finds it finds every picture too.
"""

from __future__ import annotations

from pathlib import Path

from takevault.errors import NotFoundError
from takevault.store.base import VersionedStore, download_to_path

DERIVED_PREFIX = ".takevault/derived/"


def derived_key(kind: str, name: str) -> str:
    return f"{DERIVED_PREFIX}{kind}/{name}"


class DerivedFiles:
    """Read-through access to derived objects: the local cache first, then the store."""

    def __init__(self, store: VersionedStore) -> None:
        self.store = store

    def exists(self, kind: str, name: str) -> bool:
        try:
            self.store.head(derived_key(kind, name))
        except NotFoundError:  # includes a delete marker: someone removed it, it is made again
            return False
        return True

    def fetch(self, kind: str, name: str, dest: Path) -> bool:
        """Copy the stored derived file to `dest` (atomically); False when the store has none."""
        try:
            download_to_path(self.store, derived_key(kind, name), dest)
        except NotFoundError:
            return False
        return True

    def publish(self, kind: str, name: str, src: Path, *, sources: str) -> None:
        """Store `src` as the derived file `kind/name`, made from `sources` (sha256s)."""
        with open(src, "rb") as fh:
            self.store.put(
                derived_key(kind, name),
                fh,
                {"takevault-derived": kind, "takevault-sources": sources},
                size=src.stat().st_size,
            )


__all__ = ["DERIVED_PREFIX", "DerivedFiles", "derived_key"]
