"""Notes out to the edit: open notes as markers in the OTIO, EDL and FCP XML timelines and a Resolve CSV."""

from __future__ import annotations

import csv
from fractions import Fraction
from pathlib import Path

import pytest

from takevault.cli.app import main
from takevault.editorial.timeline import read_timeline
from takevault.vault import Vault
from tests.clips import make_clip


@pytest.fixture
def cut(local_vault: Vault, tmp_path: Path) -> tuple[Vault, str, str]:
    local_vault.add_shot("SH010")
    local_vault.add_shot("SH020")
    a = local_vault.add(make_clip(tmp_path / "a.mp4", frames=48, scenes=((0, 1),)), shot="SH010")
    b = local_vault.add(make_clip(tmp_path / "b.mp4", frames=24, scenes=((0, 2),)), shot="SH020")
    local_vault.star(a.ref)
    local_vault.star(b.ref)
    local_vault.add_note(a.ref, "Sky flickers here", at=12)
    local_vault.add_note(b.ref, "Grade the range warmer", start=2, end=6)
    done = local_vault.add_note(b.ref, "Old remark", at=1)
    local_vault.resolve_note(done.id)
    return local_vault, a.ref, b.ref


def test_otio_markers_on_the_clips(cut, tmp_path: Path):
    vault, _a, _b = cut
    path = tmp_path / "cut.otio"
    vault.export_timeline(path)
    clips = list(read_timeline(path).find_clips())
    marks = [
        [(m.name, m.marked_range.start_time.value, m.marked_range.duration.value, m.color) for m in c.markers]
        for c in clips
    ]
    user = vault.user
    assert marks == [
        [(f"{user}: Sky flickers here", 12, 1, "RED")],
        [(f"{user}: Grade the range warmer", 2, 5, "RED")],
    ]
    assert clips[0].markers[0].metadata["takevault"]["author"] == user


def test_edl_and_fcp_xml_carry_the_markers(cut, tmp_path: Path):
    vault, _a, _b = cut
    edl = tmp_path / "cut.edl"
    vault.export_timeline(edl)
    text = edl.read_text().upper()  # the CMX 3600 writer puts marker names in capitals
    assert "* LOC: 00:00:00:12 RED" in text and "SKY FLICKERS HERE" in text
    assert "GRADE THE RANGE WARMER" in text and "OLD REMARK" not in text
    back = read_timeline(edl, rate=Fraction(24))
    assert [len(c.markers) for c in back.find_clips()] == [1, 1]
    xml = tmp_path / "cut.xml"
    vault.export_timeline(xml)
    body = xml.read_text()
    assert body.count("<marker>") == 2 and "Grade the range warmer" in body


def test_resolve_marker_csv_in_record_timecode(cut, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    vault, _a, _b = cut
    out = tmp_path / "markers.csv"
    assert main(["--vault", str(vault.root), "note", "markers", "--resolve-csv", str(out)]) == 0
    assert "Wrote 2 markers at 24/1 fps" in capsys.readouterr().err
    rows = list(csv.DictReader(out.read_text().splitlines()))
    assert [(r["Record In"], r["Record Out"], r["Duration"], r["Color"]) for r in rows] == [
        ("00:00:00:12", "00:00:00:13", "1", "Red"),
        ("00:00:02:02", "00:00:02:07", "5", "Red"),  # the second clip starts after the first's 48 frames
    ]
    assert rows[1]["Notes"] == "Grade the range warmer" and rows[1]["Clip"] == "SH020_video_01_v1"


def test_markers_need_a_starred_take(local_vault: Vault, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    local_vault.add_shot("SH010")
    assert main(["--vault", str(local_vault.root), "note", "markers", "--resolve-csv", str(tmp_path / "m.csv")]) == 3
    assert "star takes first" in capsys.readouterr().err
