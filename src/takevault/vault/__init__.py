"""`Vault`: the one place where catalog, store and media meet.

CLI and web are thin adapters: every command and endpoint is one `Vault` call.
Each group of use cases lives in its own module as a mixin; this class only
assembles them.
"""

from __future__ import annotations

from takevault.vault.approvals import ApprovalsMixin
from takevault.vault.comparing import CompareMixin
from takevault.vault.core import DEFAULT_PROJECT, VaultCore
from takevault.vault.cutcheck import CutCheckMixin
from takevault.vault.editorial import EditorialMixin
from takevault.vault.jobs import JobsMixin
from takevault.vault.links import LinksMixin
from takevault.vault.listing import ListingMixin
from takevault.vault.note_markers import NoteMarkersMixin
from takevault.vault.notes_follow import NotesFollowMixin
from takevault.vault.people import PeopleMixin
from takevault.vault.playback import PlaybackMixin
from takevault.vault.pngs import PngMixin
from takevault.vault.store_ops import StoreOpsMixin
from takevault.vault.takes import TakesMixin


class Vault(
    PeopleMixin,
    NotesFollowMixin,
    NoteMarkersMixin,
    ApprovalsMixin,
    LinksMixin,
    TakesMixin,
    PngMixin,
    CompareMixin,
    CutCheckMixin,
    EditorialMixin,
    PlaybackMixin,
    JobsMixin,
    ListingMixin,
    StoreOpsMixin,
    VaultCore,
):
    """A catalog plus a versioned store. Open one with `Vault.open()` or make one with `Vault.init()`."""


__all__ = ["DEFAULT_PROJECT", "Vault"]
