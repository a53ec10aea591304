"""Low-level store commands: enable-versioning, status, upload, versions, get."""

from __future__ import annotations

from takevault.vault.core import VaultCore


class StoreOpsMixin(VaultCore):
    """Low-level store commands: enable-versioning, status, upload, versions, get."""
