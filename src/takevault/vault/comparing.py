"""Compare two takes, versions or files."""

from __future__ import annotations

from takevault.vault.core import VaultCore


class CompareMixin(VaultCore):
    """Compare two takes, versions or files."""
