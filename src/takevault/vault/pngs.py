"""Workflow PNGs: attach, validate, regenerate, repair, show, extract, diff-params."""

from __future__ import annotations

from pathlib import Path

from takevault.models import MediaInfo, PngRecord
from takevault.vault.core import VaultCore


class PngMixin(VaultCore):
    """Workflow PNGs: attach, validate, regenerate, repair, show, extract, diff-params."""

    def _store_workflow_png(
        self,
        *,
        png_key: str,
        video_path: Path,
        video_sha256: str,
        take_id: str,
        take_ref: str,
        version_number: int,
        media: MediaInfo,
        workflow_png: Path | None = None,
        prompt: str | None = None,
        workflow: Path | None = None,
    ) -> PngRecord | None:
        """Put the workflow PNG of a new take version under `png_key`; called by add and replace
        after the video bytes are stored and before the catalog rows are written.

        Returns what to record in the catalog, or None when no PNG was stored.
        """
        return None
