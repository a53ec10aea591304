"""Review notes into DaVinci Resolve: its marker EDL (what Timelines > Import > Timeline Markers from EDL
reads: a one-frame event per marker and a `|C:ResolveColor… |M:… |D:…` line), and colour names it has."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from takevault.cli.app import main
from takevault.editorial.resolve_markers import Marker, marker_edl
from takevault.vault import Vault
from tests.clips import make_clip


@pytest.fixture
def cut(local_vault: Vault, tmp_path: Path) -> Vault:
    local_vault.add_shot("SH010")
    local_vault.add_shot("SH020")
    a = local_vault.add(make_clip(tmp_path / "a.mp4", frames=48, scenes=((0, 1),)), shot="SH010")
    b = local_vault.add(make_clip(tmp_path / "b.mp4", frames=24, scenes=((0, 2),)), shot="SH020")
    local_vault.star(a.ref)
    local_vault.star(b.ref)
    local_vault.add_note(a.ref, "Sky | flickers\nhere", at=12)
    local_vault.add_note(b.ref, "Grade the range warmer", start=2, end=6)
    return local_vault


def test_cli_writes_resolve_s_marker_edl_in_record_timecode(cut: Vault, tmp_path: Path, capsys):
    out = tmp_path / "notes.edl"
    assert main(["--vault", str(cut.root), "note", "markers", "--resolve-edl", str(out)]) == 0
    assert "Wrote 2 markers at 24/1 fps" in capsys.readouterr().err
    user = cut.user
    assert out.read_text().splitlines() == [
        "TITLE: notes",
        "FCM: NON-DROP FRAME",
        "",
        "001  001      V     C        00:00:00:12 00:00:00:13 00:00:00:12 00:00:00:13  ",
        f"Sky / flickers here |C:ResolveColorRed |M:{user}: Sky / flickers here |D:1",
        "",
        # The second clip starts after the first's 48 frames; a range is one event with its duration.
        "002  001      V     C        00:00:02:02 00:00:02:03 00:00:02:02 00:00:02:03  ",
        f"Grade the range warmer |C:ResolveColorRed |M:{user}: Grade the range warmer |D:5",
    ]


def test_drop_frame_rates_say_so():
    text = marker_edl("cut", Fraction(30000, 1001), [Marker(1800, 1, "a", "b", "Yellow")])
    assert text.splitlines()[1] == "FCM: DROP FRAME"
    assert "00:01:00;02 00:01:00;03" in text and "|C:ResolveColorYellow" in text


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ([], "Give one of --resolve-csv"),
        (["--resolve-edl", "notes.txt"], "does not end in .edl"),
        (["--resolve-csv", "notes.edl"], "use --resolve-edl"),
    ],
)
def test_bad_marker_targets_are_refused_in_one_sentence(cut: Vault, tmp_path: Path, capsys, args, words):
    args = [str(tmp_path / a) if a.endswith((".txt", ".edl")) else a for a in args]
    assert main(["--vault", str(cut.root), "note", "markers", *args]) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
    assert not list(tmp_path.glob("notes.*"))
