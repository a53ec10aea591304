"""Sections, shots, takes and their whole lifecycle, assembled from one module per use case."""

from __future__ import annotations

from takevault.vault.delete import DeleteMixin
from takevault.vault.fetch import FetchMixin
from takevault.vault.fsck import FsckMixin
from takevault.vault.importing import ImportMixin
from takevault.vault.metadata import MetadataMixin
from takevault.vault.rebuild import RebuildMixin
from takevault.vault.star import StarMixin


class TakesMixin(ImportMixin, DeleteMixin, StarMixin, MetadataMixin, FsckMixin, RebuildMixin, FetchMixin):
    """Sections, shots, takes and their whole lifecycle."""
