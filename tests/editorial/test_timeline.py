"""Timelines written through OTIO's adapters and read back: order, durations and exact rates."""

from __future__ import annotations

from fractions import Fraction

import pytest

from takevault.editorial.timeline import (
    TimelineClip,
    build_timeline,
    exact_rate,
    format_for_path,
    read_timeline,
    write_timeline,
)
from takevault.errors import InvalidInputError

NTSC = Fraction(24000, 1001)


def _clips(rates=(NTSC, NTSC, NTSC), frames=(24, 48, 25)):
    return [
        TimelineClip(
            name=f"SH0{i + 1}0_video_01_v1",
            target_url=f"file:///tmp/media/SH0{i + 1}0_video_01_v1.mp4",
            fps=rate,
            frames=n,
            metadata={"take_id": f"take-{i}", "version": 1, "sha256": f"{i:064x}"},
        )
        for i, (rate, n) in enumerate(zip(rates, frames, strict=True))
    ]


@pytest.mark.parametrize(("fmt", "name"), [("otio", "cut.otio"), ("edl", "cut.edl"), ("fcpxml", "cut.xml")])
def test_round_trip_keeps_order_durations_and_the_ntsc_rate(tmp_path, fmt, name):
    path = tmp_path / name
    warnings = write_timeline(build_timeline("Cut", _clips()), path, fmt)
    back = read_timeline(path, rate=NTSC)
    clips = list(back.find_clips())
    assert [c.name for c in clips] == ["SH010_video_01_v1", "SH020_video_01_v1", "SH030_video_01_v1"]
    assert [c.source_range.duration.value for c in clips] == [24, 48, 25]
    assert all(exact_rate(c.source_range.duration.rate) == NTSC for c in clips)
    assert all(c.source_range.duration.rate == 24000 / 1001 for c in clips)
    starts = [c.range_in_parent().start_time.value for c in clips]
    assert starts == [0, 24, 72]
    assert clips[0].media_reference.target_url == "file:///tmp/media/SH010_video_01_v1.mp4"
    if fmt == "otio":
        meta = clips[1].metadata["takevault"]
        assert meta["take_id"] == "take-1" and meta["fps"] == "24000/1001" and meta["sha256"] == f"{1:064x}"
        assert warnings == []
    if fmt == "edl":
        assert any("24000/1001" in w for w in warnings)


def test_mixed_rates_are_exact_in_otio_and_warned_about_in_edl_and_fcpxml(tmp_path):
    clips = _clips(rates=(NTSC, Fraction(25), NTSC), frames=(24, 50, 24))
    timeline = build_timeline("Mixed", clips)
    assert exact_rate(timeline.global_start_time.rate) == NTSC
    write_timeline(timeline, tmp_path / "m.otio", "otio")
    back = list(read_timeline(tmp_path / "m.otio").find_clips())
    assert [(exact_rate(c.source_range.duration.rate), c.source_range.duration.value) for c in back] == [
        (NTSC, 24),
        (Fraction(25), 50),
        (NTSC, 24),
    ]
    for fmt, name in (("edl", "m.edl"), ("fcpxml", "m.xml")):
        warnings = write_timeline(timeline, tmp_path / name, fmt)
        assert any("SH020_video_01_v1" in w and "one rate per sequence" in w for w in warnings)
        back = list(read_timeline(tmp_path / name, rate=NTSC).find_clips())
        # conformed to the sequence, the 2-second clip stays 2 seconds (to the frame)
        assert abs(back[1].source_range.duration.to_seconds() - 2.0) < 0.05


@pytest.mark.parametrize(("fmt", "name"), [("edl", "m.edl"), ("fcpxml", "m.xml")])
def test_clips_at_other_rates_are_conformed_to_whole_frames_of_the_sequence(tmp_path, fmt, name):
    # A 23.976 take, a 25 fps take and a 24 fps take on one EDL / FCP XML sequence.
    timeline = build_timeline("Mixed", _clips(rates=(NTSC, Fraction(25), Fraction(24)), frames=(48, 50, 24)))
    warnings = write_timeline(timeline, tmp_path / name, fmt)
    read = read_timeline(tmp_path / name, rate=NTSC)
    back = list(read.find_clips())
    assert [(exact_rate(c.source_range.duration.rate), c.source_range.duration.value) for c in back] == [
        (NTSC, 48),
        (NTSC, 48),
        (NTSC, 24),
    ]
    assert [c.range_in_parent().start_time.value for c in back] == [0, 48, 96]
    (warning,) = [w for w in warnings if "one rate per sequence" in w]
    assert "SH020_video_01_v1 (25 fps, 50 frames → 48)" in warning
    assert "SH030_video_01_v1 (24 fps, 24 frames → 24)" in warning
    # the .otio of the same timeline is untouched: every clip keeps its own rate
    write_timeline(timeline, tmp_path / "m.otio", "otio")
    own = [c.source_range.duration.value for c in read_timeline(tmp_path / "m.otio").find_clips()]
    assert own == [48, 50, 24]


def test_exact_rate_recovers_common_fractions():
    assert exact_rate(24000 / 1001) == NTSC
    assert exact_rate(30000 / 1001) == Fraction(30000, 1001)
    assert exact_rate(25.0) == 25
    assert exact_rate(12.5) == Fraction(25, 2)


def test_bad_input(tmp_path):
    with pytest.raises(InvalidInputError, match="star a take"):
        build_timeline("Empty", [])
    with pytest.raises(InvalidInputError, match="no frames"):
        build_timeline("Zero", _clips(frames=(24, 0, 1)))
    with pytest.raises(InvalidInputError, match=r"\.otio, \.edl or \.xml"):
        format_for_path(tmp_path / "cut.mov")
    with pytest.raises(InvalidInputError, match="Unknown timeline format"):
        write_timeline(build_timeline("T", _clips()), tmp_path / "x", "aaf")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(InvalidInputError, match="writable"):
        write_timeline(build_timeline("T", _clips()), blocker / "cut.otio", "otio")
