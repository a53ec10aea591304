"""Sections, shots, takes and their whole lifecycle."""

from __future__ import annotations

from takevault.vault.core import VaultCore


class TakesMixin(VaultCore):
    """Sections, shots, takes and their whole lifecycle."""
