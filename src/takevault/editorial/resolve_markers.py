"""DaVinci Resolve's timeline-marker EDL: what its Timelines > Import > Timeline Markers from EDL reads.

Resolve writes (Timelines > Export > Timeline Markers to EDL) and reads back one one-frame CMX 3600
event per marker, followed by a line holding the marker's note, then `|C:ResolveColor<Colour>`,
`|M:<name>` and `|D:<duration in frames>`:

    001  001      V     C        00:00:02:03 00:00:02:04 00:00:02:03 00:00:02:04
    Fox's ear flickers |C:ResolveColorRed |M:rita: Fox's ear flickers |D:6

Resolve has no CSV marker import; this is the file that puts review notes on its timeline.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from takevault.timecode import frame_to_timecode, is_drop_frame_rate


@dataclass(frozen=True)
class Marker:
    frame: int  # record frame of the timeline, from 0
    duration: int  # frames, at least 1
    name: str
    note: str
    color: str  # one of Resolve's marker colours: Red, Yellow, Green, Purple, Cream…


def _field(text: str) -> str:
    # One line, and no "|": Resolve splits the note line at it.
    return " ".join(text.replace("|", "/").split())


def marker_edl(title: str, rate: Fraction, markers: Iterable[Marker]) -> str:
    """The marker EDL of `markers` at the timeline's `rate` (record timecode from 00:00:00:00)."""
    fcm = "DROP FRAME" if is_drop_frame_rate(rate) else "NON-DROP FRAME"
    lines = [f"TITLE: {_field(title)}", f"FCM: {fcm}", ""]
    for n, m in enumerate(markers, start=1):
        tc_in, tc_out = frame_to_timecode(m.frame, rate), frame_to_timecode(m.frame + 1, rate)
        lines.append(f"{n:03d}  001      V     C        {tc_in} {tc_out} {tc_in} {tc_out}  ")
        lines.append(f"{_field(m.note)} |C:ResolveColor{m.color} |M:{_field(m.name)} |D:{max(1, m.duration)}")
        lines.append("")
    return "\n".join(lines)


__all__ = ["Marker", "marker_edl"]
