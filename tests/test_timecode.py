from fractions import Fraction

import pytest

from takevault.errors import InvalidInputError
from takevault.timecode import (
    format_rate,
    frame_to_seconds,
    frame_to_timecode,
    seconds_to_frame,
    timecode_to_frame,
)

NTSC = Fraction(30000, 1001)


@pytest.mark.parametrize(
    ("frame", "rate", "text"),
    [
        (0, 24, "00:00:00:00"),
        (112, 24, "00:00:04:16"),
        (86400, 24, "01:00:00:00"),
        (24 * 3600 + 1, Fraction(24000, 1001), "01:00:00:01"),
        (1799, NTSC, "00:00:59;29"),
        (1800, NTSC, "00:01:00;02"),
        (17981, NTSC, "00:09:59;29"),
        (17982, NTSC, "00:10:00;00"),
        (107892, NTSC, "01:00:00;00"),
        (3600, Fraction(60000, 1001), "00:01:00;04"),
        (-12, 25, "-00:00:00:12"),
    ],
)
def test_frames_and_timecodes_round_trip(frame: int, rate, text: str) -> None:
    assert frame_to_timecode(frame, rate) == text
    if frame >= 0:
        assert timecode_to_frame(text, rate) == frame


def test_every_drop_frame_number_round_trips_over_eleven_minutes() -> None:
    for frame in range(0, 30 * 60 * 11, 7):
        assert timecode_to_frame(frame_to_timecode(frame, NTSC), NTSC) == frame


def test_non_drop_counting_at_ntsc_when_asked() -> None:
    assert frame_to_timecode(1800, NTSC, drop_frame=False) == "00:01:00:00"
    assert timecode_to_frame("00:01:00:00", NTSC) == 1800


def test_seconds_and_frames_are_exact() -> None:
    assert frame_to_seconds(1001, NTSC) == Fraction(1001 * 1001, 30000)
    assert seconds_to_frame(frame_to_seconds(123456, NTSC), NTSC) == 123456
    assert seconds_to_frame(4.6666666, 24) == 112


@pytest.mark.parametrize("text", ["4:12", "00:00:04:24", "00:61:00:00", "00:01:00;00", "abc"])
def test_bad_timecodes_say_how_to_write_one(text: str) -> None:
    rate = NTSC if ";" in text else 24
    with pytest.raises(InvalidInputError) as caught:
        timecode_to_frame(text, rate)
    assert "timecode" in str(caught.value)


def test_rates_read_and_shown_as_editors_write_them() -> None:
    assert format_rate("24000/1001") == "23.976"
    assert format_rate(Fraction(30000, 1001)) == "29.97"
    assert format_rate(25) == "25"
    with pytest.raises(InvalidInputError):
        format_rate("fast")
