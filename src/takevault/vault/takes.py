"""Sections, shots, takes and their whole lifecycle, assembled from one module per use case."""

from __future__ import annotations

from takevault.vault.delete import DeleteMixin
from takevault.vault.fetch import FetchMixin
from takevault.vault.metadata import MetadataMixin
from takevault.vault.star import StarMixin


class TakesMixin(DeleteMixin, StarMixin, MetadataMixin, FetchMixin):
    """Sections, shots, takes and their whole lifecycle."""
