"""Words for what changed: between two versions of a take (from the alignment), and in the cut since the last check."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from takevault.compare.align import Alignment
from takevault.timecode import frame_to_timecode


def describe(alignment: Alignment, old_frames: int, new_frames: int, rate: Fraction, number: int) -> str:
    """One line such as 'v4 regraded 00:00:02:00-00:00:03:00, trimmed 6 frames at head' (times in the new version)."""
    parts: list[str] = []
    for seg in alignment.segments:
        if seg.kind == "same":
            continue
        if seg.kind == "removed" and seg.a is not None:
            n = seg.a[1] - seg.a[0] + 1
            if seg.a[0] == 0:
                parts.append(f"trimmed {_frames(n)} at head")
            elif seg.a[1] >= old_frames - 1:
                parts.append(f"trimmed {_frames(n)} at tail")
            else:
                parts.append(f"cut {_frames(n)} at {frame_to_timecode(seg.a[0], rate)} of the old version")
            continue
        if seg.b is None:
            continue
        lo, hi = seg.b
        span = f"{frame_to_timecode(lo, rate)}-{frame_to_timecode(hi + 1, rate)}"
        if seg.kind == "inserted":
            n = hi - lo + 1
            if lo == 0:
                parts.append(f"{_frames(n)} added at head")
            elif hi >= new_frames - 1:
                parts.append(f"{_frames(n)} added at tail")
            else:
                parts.append(f"{_frames(n)} inserted at {frame_to_timecode(lo, rate)}")
        elif seg.kind == "changed":
            parts.append(f"regraded {span}")
        elif seg.kind == "retimed":
            parts.append(f"retimed {span}" + (f" ({seg.rate:.0%} speed)" if seg.rate else ""))
        elif seg.kind == "moved":
            parts.append(f"moved {span}")
    if not parts:
        parts.append("same pictures, new encode")
    return f"v{number} " + ", ".join(parts)


def _frames(n: int) -> str:
    return f"{n} frame" if n == 1 else f"{n} frames"


def cut_changes(current: list[dict[str, Any]], history: list[list[dict[str, Any]]]) -> tuple[list[str], list[dict]]:
    """ShotGrid-style cut changes per clip against the previous check; and the shots omitted since.

    `current` and each past check are lists of {"shot", "source_in", "source_out"} per clip,
    `history` oldest first (the last one is the previous check). Returns one word per current
    clip (`new`, `reinstated`, `extended`, `cut change`, `no change`) and the omitted clips.
    """
    if not history:
        return ["new"] * len(current), []
    previous = history[-1]
    earlier = {c["shot"] for check in history[:-1] for c in check if c.get("shot")}
    before: dict[str, list[dict[str, Any]]] = {}
    for c in previous:
        if c.get("shot"):
            before.setdefault(c["shot"], []).append(c)
    words: list[str] = []
    used: dict[str, int] = {}
    for clip in current:
        shot = clip.get("shot")
        if not shot:
            words.append("new")
            continue
        olds = before.get(shot, [])
        k = used.get(shot, 0)
        used[shot] = k + 1
        if k >= len(olds):
            words.append("reinstated" if shot in earlier else "new")
            continue
        old = olds[k]
        if (old["source_in"], old["source_out"]) == (clip["source_in"], clip["source_out"]):
            words.append("no change")
        elif clip["source_in"] <= old["source_in"] and clip["source_out"] >= old["source_out"]:
            words.append("extended")
        else:
            words.append("cut change")
    omitted = [c for shot, olds in before.items() for c in olds[used.get(shot, 0) :]]
    return words, omitted
