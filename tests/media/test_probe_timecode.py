"""The source timecode a file carries (`ffmpeg -timecode …`) reaches the version's media info."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from takevault.media.probe import probe
from takevault.models import MediaInfo
from tests.clips import make_clip


@pytest.mark.parametrize("suffix", [".mp4", ".mov", ".mkv"])
def test_the_start_timecode_tag_is_read(tmp_path: Path, suffix: str):
    clip = make_clip(tmp_path / f"tc{suffix}", frames=6, metadata=(("timecode", "01:00:00:00"),))
    info = probe(clip)
    assert info.start_timecode == "01:00:00:00"
    # Kept in the catalog's media JSON and read back.
    assert MediaInfo.from_json(info.to_json()).start_timecode == "01:00:00:00"


def test_drop_frame_and_none(tmp_path: Path):
    tags = (("timecode", "00:59:59;28"),)
    ntsc = make_clip(tmp_path / "ntsc.mp4", frames=6, fps=Fraction(30000, 1001), metadata=tags)
    assert probe(ntsc).start_timecode == "00:59:59;28"
    assert probe(make_clip(tmp_path / "plain.mp4", frames=6)).start_timecode is None
    # A tag that is not SMPTE is not shown as a timecode.
    odd = make_clip(tmp_path / "odd.mkv", frames=6, metadata=(("timecode", "soon"),))
    assert probe(odd).start_timecode is None


def test_every_read_of_a_version_keeps_its_source_timecode(local_vault, tmp_path: Path):
    clip = make_clip(tmp_path / "tc.mov", frames=6, metadata=(("timecode", "01:00:00:00"),))
    local_vault.add_shot("SH010")
    added = local_vault.add(clip, shot="SH010")
    reads = {
        "take": local_vault.take(added.ref).current.media,
        "by id": local_vault.take(added.id).current.media,
        "listing": local_vault.takes()[0].current.media,
        "history": local_vault.history(added.ref)[0].media,
    }
    assert {name: media.start_timecode for name, media in reads.items()} == dict.fromkeys(reads, "01:00:00:00")
