"""The cut check's small parts on plain data: format sniffing, change wording, cut changes."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from takevault.compare.align import Alignment, Segment
from takevault.editorial.cutcheck.changes import cut_changes, describe
from takevault.editorial.cutcheck.identify import NAME
from takevault.editorial.cutcheck.timeline_io import format_of, sniff_format
from takevault.errors import InvalidInputError


@pytest.mark.parametrize(
    ("name", "text", "fmt"),
    [
        ("cut.xml", '<?xml version="1.0"?>\n<!DOCTYPE fcpxml>\n<fcpxml version="1.9">', "fcpxml"),
        ("cut.xml", '<?xml version="1.0"?>\n<xmeml version="5">', "fcp7"),
        ("cut.txt", "TITLE: Reel 1\nFCM: NON-DROP FRAME\n", "edl"),
        ("cut.json", '{\n  "OTIO_SCHEMA": "Timeline.1"', "otio"),
    ],
)
def test_the_content_tells_the_format_whatever_the_suffix(tmp_path, name, text, fmt):
    path = tmp_path / name
    path.write_text(text)
    assert sniff_format(path) == fmt
    assert format_of(path) == fmt


def test_aaf_is_told_by_its_compound_file_header(tmp_path):
    path = tmp_path / "cut.bin"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    assert format_of(path) == "aaf"


def test_a_file_of_no_known_format_is_named_in_the_error(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text("# notes\n")
    with pytest.raises(InvalidInputError, match=r"notes\.md is not a timeline takevault can read"):
        format_of(path)


def _alignment(*segments: Segment) -> Alignment:
    return Alignment(path=np.zeros(0, dtype=np.int64), segments=list(segments))


def test_describe_names_each_kind_of_change_in_timecode():
    rate = Fraction(24)
    line = describe(
        _alignment(
            Segment("removed", (0, 5), None),
            Segment("same", (6, 29), (0, 23)),
            Segment("changed", (30, 41), (24, 35)),
            Segment("inserted", None, (36, 47)),
            Segment("same", (42, 59), (48, 65)),
            Segment("removed", (60, 71), None),
        ),
        72,
        66,
        rate,
        4,
    )
    expected = (
        "v4 trimmed 6 frames at head, regraded 00:00:01:00-00:00:01:12, 12 frames inserted at 00:00:01:12, "
        "trimmed 12 frames at tail"
    )
    assert line == expected
    assert describe(_alignment(Segment("same", (0, 9), (0, 9))), 10, 10, rate, 2) == "v2 same pictures, new encode"


def test_cut_changes_against_the_previous_check():
    def clip(shot, a, b):
        return {"shot": shot, "source_in": a, "source_out": b}

    older = [clip("SH050", 0, 10)]
    previous = [clip("SH010", 5, 25), clip("SH020", 5, 25), clip("SH030", 5, 25), clip("SH040", 0, 8)]
    now = [clip("SH010", 5, 25), clip("SH020", 3, 28), clip("SH030", 8, 20), clip("SH050", 0, 10), clip("SH060", 0, 5)]
    words, omitted = cut_changes(now, [older, previous])
    assert words == ["no change", "extended", "cut change", "reinstated", "new"]
    assert omitted == [clip("SH040", 0, 8)]
    assert cut_changes(now, []) == (["new"] * 5, [])


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("SH010_video_03_v2", ("SH010", "video_03", "2")),
        ("SH010_video_03_v2_proxy.mov", ("SH010", "video_03", "2")),
        ("SH010_video_03", ("SH010", "video_03", None)),
    ],
)
def test_export_names_are_read_back(text, parts):
    m = NAME.search(text)
    assert m and (m.group("shot"), m.group("take"), m.group("version")) == parts
