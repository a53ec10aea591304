"""SMPTE timecodes and exact frame times: one place for every `HH:MM:SS:FF` the product shows or reads.

Frame rates are exact fractions (`Fraction(24000, 1001)`), never floats, so a frame number
converts to a time and back without drifting over an hour of footage. Drop-frame counting
(`HH:MM:SS;FF`) applies to 29.97 and 59.94 fps, as editors expect from NTSC material: frame
numbers 0 and 1 (0-3 at 59.94) are skipped at the start of every minute except each tenth.
"""

from __future__ import annotations

import re
from fractions import Fraction

from takevault.errors import InvalidInputError

_TIMECODE = re.compile(r"^(\d{1,2}):(\d{2}):(\d{2})([:;.])(\d{2,3})$")


def parse_rate(rate: Fraction | str | float | int) -> Fraction:
    """`"24000/1001"`, `"23.976"`, `24`, `Fraction(...)` as an exact frame rate."""
    try:
        value = Fraction(rate) if not isinstance(rate, float) else Fraction(rate).limit_denominator(1001)
    except (ValueError, ZeroDivisionError):
        raise InvalidInputError(f"{rate!r} is not a frame rate; give one like 24, 25 or 24000/1001.") from None
    if isinstance(rate, str) and "/" not in rate and "." in rate:
        value = value.limit_denominator(1001)
    if value <= 0:
        raise InvalidInputError(f"{rate!r} is not a frame rate; give one like 24, 25 or 24000/1001.")
    return value


def nominal_rate(rate: Fraction) -> int:
    """The whole number of frames a timecode second counts: 24 for 23.976, 30 for 29.97."""
    return max(1, round(rate))


def is_drop_frame_rate(rate: Fraction) -> bool:
    """29.97 and 59.94 fps are counted drop-frame; every other rate non-drop."""
    return rate in (Fraction(30000, 1001), Fraction(60000, 1001))


def _drop_per_minute(rate: Fraction) -> int:
    return 2 * (nominal_rate(rate) // 30)


def frame_to_timecode(frame: int, rate: Fraction | str | float | int, *, drop_frame: bool | None = None) -> str:
    """Frame number (0-based, from the start of the clip) as `HH:MM:SS:FF`, or `HH:MM:SS;FF` drop-frame.

    `drop_frame=None` picks drop-frame for 29.97 and 59.94 fps. Negative frames are shown with
    a leading minus sign, which is how the product reports material before a clip's start.
    """
    fps = parse_rate(rate)
    if frame < 0:
        return "-" + frame_to_timecode(-frame, fps, drop_frame=drop_frame)
    base = nominal_rate(fps)
    drop = is_drop_frame_rate(fps) if drop_frame is None else drop_frame and is_drop_frame_rate(fps)
    if drop:
        dropped = _drop_per_minute(fps)
        per_ten_minutes = base * 600 - dropped * 9
        per_minute = base * 60 - dropped
        tens, rest = divmod(frame, per_ten_minutes)
        if rest > dropped:
            frame += dropped * 9 * tens + dropped * ((rest - dropped) // per_minute)
        else:
            frame += dropped * 9 * tens
    ff = frame % base
    seconds = frame // base
    sep = ";" if drop else ":"
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}{sep}{ff:02d}"


def timecode_to_frame(text: str, rate: Fraction | str | float | int) -> int:
    """`HH:MM:SS:FF` (or `;FF` drop-frame) at `rate` as a 0-based frame number; the inverse of
    `frame_to_timecode`. A frame field past the rate's last frame is refused."""
    fps = parse_rate(rate)
    found = _TIMECODE.match(text.strip())
    if not found:
        raise InvalidInputError(f"{text!r} is not a timecode; write it as HH:MM:SS:FF, e.g. 00:00:04:12.")
    hh, mm, ss, sep, ff = found.groups()
    hours, minutes, seconds, frames = int(hh), int(mm), int(ss), int(ff)
    base = nominal_rate(fps)
    if minutes > 59 or seconds > 59 or frames >= base:
        raise InvalidInputError(
            f"{text!r} is not a timecode at {format_rate(fps)} fps: minutes and seconds go to 59 and frames "
            f"to {base - 1}."
        )
    drop = sep == ";" and is_drop_frame_rate(fps)
    total_minutes = hours * 60 + minutes
    frame = (total_minutes * 60 + seconds) * base + frames
    if drop:
        dropped = _drop_per_minute(fps)
        if seconds == 0 and frames < dropped and minutes % 10 != 0:
            raise InvalidInputError(f"{text!r} does not exist in drop-frame timecode; frames 00-{dropped - 1:02d} "
                                    "are skipped at the start of each minute except every tenth.")
        frame -= dropped * (total_minutes - total_minutes // 10)
    return frame


def seconds_to_frame(seconds: Fraction | float, rate: Fraction | str | float | int) -> int:
    """The frame shown at `seconds` (the frame whose interval holds that time)."""
    fps = parse_rate(rate)
    exact = Fraction(seconds) if not isinstance(seconds, float) else Fraction(seconds).limit_denominator(10**6)
    # A time a hair before a frame boundary (float noise) belongs to the next frame.
    return int((exact * fps + Fraction(1, 10**4)) // 1)


def frame_to_seconds(frame: int, rate: Fraction | str | float | int) -> Fraction:
    """The exact start time of frame `frame`."""
    return Fraction(frame) / parse_rate(rate)


def seconds_to_timecode(seconds: Fraction | float, rate: Fraction | str | float | int) -> str:
    """Time in seconds as the timecode of the frame shown then."""
    return frame_to_timecode(seconds_to_frame(seconds, rate), rate)


def format_rate(rate: Fraction | str | float | int) -> str:
    """A frame rate as editors write it: `24`, `25`, `23.976`, `29.97`."""
    fps = parse_rate(rate)
    if fps.denominator == 1:
        return str(fps.numerator)
    return f"{float(fps):.3f}".rstrip("0").rstrip(".")


__all__ = [
    "format_rate",
    "frame_to_seconds",
    "frame_to_timecode",
    "is_drop_frame_rate",
    "nominal_rate",
    "parse_rate",
    "seconds_to_frame",
    "seconds_to_timecode",
    "timecode_to_frame",
]
