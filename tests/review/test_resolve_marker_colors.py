"""The marker CSV only names colours DaVinci Resolve's markers have.

Resolve's marker colours, as its scripting API (Timeline.AddMarker) names them: there is no orange,
so a carried note whose picture changed (orange in OTIO, EDL and FCP XML) is Yellow in Resolve.
"""

from __future__ import annotations

from takevault.vault.note_markers import RESOLVE_COLORS

RESOLVE_MARKER_COLORS = {
    "Blue", "Cyan", "Green", "Yellow", "Red", "Pink", "Purple", "Fuchsia",
    "Rose", "Lavender", "Sky", "Mint", "Lemon", "Sand", "Cocoa", "Cream",
}  # fmt: skip


def test_every_marker_colour_written_is_one_resolve_has():
    assert set(RESOLVE_COLORS.values()) <= RESOLVE_MARKER_COLORS
    assert RESOLVE_COLORS["ORANGE"] == "Yellow"
    # Every colour the notes get in the timelines has a Resolve colour.
    assert {"RED", "ORANGE", "GREEN", "PURPLE"} <= set(RESOLVE_COLORS)
