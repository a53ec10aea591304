"""Playback helpers for the web room: browser proxies of what browsers cannot play."""

from __future__ import annotations

from takevault.vault.core import VaultCore


class PlaybackMixin(VaultCore):
    """Playback helpers for the web room: browser proxies of what browsers cannot play."""
