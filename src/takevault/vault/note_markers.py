"""Review notes out to the edit as a marker list in the timeline's record timecode (a CSV for DaVinci Resolve).

The same starred takes, in the same order and at the same sequence rate as the
EDL / FCP XML / OTIO exports (which carry the notes as markers themselves), so a
marker lands on the frame its note is on in the exported timeline. Record
timecode starts at 00:00:00:00, as in those exports.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from takevault.editorial.resolve_markers import Marker, marker_edl
from takevault.errors import InvalidInputError, NotFoundError
from takevault.store.fsutil import atomic_write
from takevault.timecode import frame_to_timecode
from takevault.vault import editorial as _editorial

if TYPE_CHECKING:
    from takevault.vault import Vault

COLUMNS = ("Name", "Record In", "Record Out", "Duration", "Color", "Notes", "Clip")
# Resolve's marker colours have no orange (its API names Blue, Cyan, Green, Yellow, Red, Pink, Purple, …, Cream).
RESOLVE_COLORS = {"RED": "Red", "ORANGE": "Yellow", "GREEN": "Green", "PURPLE": "Purple", "BLACK": "Cream"}


def export_note_markers(
    vault: Vault, path: Path | str, *, shot: str | None = None, section: str | None = None
) -> dict[str, Any]:
    """Write the open notes of the starred takes as a marker CSV, or as Resolve's marker EDL when
    `path` ends in .edl (what Resolve imports); returns where and how many."""
    selection = _editorial.select(vault, starred=True, as_of=None, shot=shot, section=section)
    if not selection.picks:
        raise NotFoundError("No shot has a starred take, so there is no timeline to put markers on; star takes first.")
    rates: Counter[Fraction] = Counter()
    for _t, v in selection.picks:
        if v.media.fps:
            rates[v.media.fps] += 1
    if not rates:
        raise InvalidInputError("The starred takes have no frame rate in their media info; probe them again.")
    # The most common rate; on a tie, the one the first of those takes has.
    rate = max(rates, key=rates.__getitem__)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    marks: list[Marker] = []  # the same markers for Resolve's marker EDL (a path ending in .edl)
    start = 0
    count = 0
    for take, version in selection.picks:
        own = version.media.fps or rate
        length = max(1, round(Fraction(version.media.frames) * rate / own))
        for mark in vault.note_markers(take, version.number):
            first = start + min(length - 1, round(Fraction(mark["frame_in"]) * rate / own))
            last = start + min(length - 1, round(Fraction(mark["frame_out"]) * rate / own))
            writer.writerow(
                [
                    mark["name"],
                    frame_to_timecode(first, rate),
                    frame_to_timecode(last + 1, rate),
                    last - first + 1,
                    RESOLVE_COLORS.get(mark["color"], "Red"),
                    mark["comment"],
                    f"{take.shot}_{take.name}_v{version.number}",
                ]
            )
            color = RESOLVE_COLORS.get(mark["color"], "Red")
            marks.append(Marker(first, last - first + 1, mark["name"], mark["comment"], color))
            count += 1
        start += length
    target = Path(path).expanduser()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(target) as fh:
            text = marker_edl(target.stem, rate, marks) if target.suffix.lower() == ".edl" else out.getvalue()
            fh.write(text.encode("utf-8"))
    except OSError as exc:
        raise InvalidInputError(f"Could not write {target} ({exc.strerror}); pick a writable path.") from None
    return {"path": str(target), "markers": count, "rate": f"{rate.numerator}/{rate.denominator}"}
