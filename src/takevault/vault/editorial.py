"""Export, timelines, watch folders, AIMMS interchange."""

from __future__ import annotations

from takevault.vault.core import VaultCore


class EditorialMixin(VaultCore):
    """Export, timelines, watch folders, AIMMS interchange."""
