"""Notes follow the next version through the frame alignment: moved to the aligned frame, marked
changed / unchanged / gone by what the new version shows there."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from takevault.cli.app import main
from takevault.compare.follow import Span, follow_tracks
from takevault.compare.signatures import Track
from takevault.vault import Vault
from tests.clips import make_clip, scene_frame

SCENES = ((0, 1), (40, 2), (80, 3), (130, 4))
BOX = {"shapes": [{"kind": "box", "points": [[0.2, 0.2], [0.6, 0.7]]}]}


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("follow")
    spec = {"width": 96, "height": 54, "frames": 180, "scenes": SCENES}
    return {
        "v1": make_clip(d / "v1.mp4", width=96, height=54, frames=120, scenes=((0, 7), (60, 8))),
        "v2": make_clip(d / "v2.mp4", width=96, height=54, frames=150, scenes=((0, 9), (70, 5))),
        "v3": make_clip(d / "v3.mp4", **spec),
        # v4: 6 frames cut before frame 120 (frames 50-55), and frames 146-156 of v3 regraded.
        "v4": make_clip(d / "v4.mp4", **spec, drop=(50, 56), shift=(146, 156, 40)),
    }


@pytest.fixture
def take_at_v3(local_vault: Vault, versions: dict[str, Path]) -> tuple[Vault, str]:
    local_vault.add_shot("SH010")
    take = local_vault.add(versions["v1"], shot="SH010")
    local_vault.replace(take.ref, versions["v2"])
    local_vault.replace(take.ref, versions["v3"])
    return local_vault, take.ref


def test_replace_carries_open_notes_to_the_aligned_frames(take_at_v3, versions):
    vault, ref = take_at_v3
    at_120 = vault.add_note(f"{ref}@v3", "Fox's ear flickers", at=120, drawing=BOX)
    at_150 = vault.add_note(f"{ref}@v3", "Too warm", at=150)
    cut = vault.add_note(f"{ref}@v3", "Shaky", start=51, end=54)
    done = vault.add_note(f"{ref}@v3", "Already fine", at=10)
    vault.reply_note(at_120.id, "Will fix")
    vault.resolve_note(done.id)

    vault.replace(ref, versions["v4"])

    carried = {n.carried_from: n for n in vault.notes(f"{ref}@v4")}
    assert set(carried) == {at_120.id, at_150.id, cut.id}  # a resolved note stays where it was
    first = carried[at_120.id]
    assert (first.frame_in, first.follow, first.version) == (114, "unchanged", 4)
    assert first.text == "Fox's ear flickers" and first.drawing == at_120.drawing and first.author == at_120.author
    assert [r.text for r in first.replies] == ["Will fix"]
    assert (carried[at_150.id].frame_in, carried[at_150.id].follow) == (144, "changed")
    assert carried[cut.id].follow == "gone"
    # The notes of v3 stay on v3; the event log says what happened.
    assert len(vault.notes(f"{ref}@v3")) == 4
    follow = [e for e in vault.events(take=ref) if e.action == "notes_follow"][-1]
    assert follow.details["changed"] == 1 and follow.details["unchanged"] == 1 and follow.details["gone"] == 1
    # Running it again carries nothing twice.
    assert vault.follow_notes(ref, from_version=3, to_version=4) == []


def test_cli_note_follow_and_list_show_the_state(take_at_v3, versions, capsys: pytest.CaptureFixture[str]):
    vault, ref = take_at_v3
    vault.add_note(f"{ref}@v3", "Check", at=120)
    # A replace without open notes skips the alignment; the CLI can run the carry later.
    root = str(vault.root)
    assert main(["--vault", root, "replace", ref, str(versions["v4"])]) == 0
    capsys.readouterr()
    assert main(["--vault", root, "note", "follow", ref, "--from", "3"]) == 0
    assert "0 notes carried" in capsys.readouterr().err  # the replace already carried it
    assert main(["--vault", root, "note", "list", f"{ref}@v4"]) == 0
    assert "open, unchanged" in capsys.readouterr().out
    assert main(["--vault", root, "note", "follow", ref, "--from", "4"]) == 2
    assert "is the version the notes are on" in capsys.readouterr().err


def _track(frames: list[np.ndarray]) -> Track:
    track = Track()
    for i, rgb in enumerate(frames):
        track.add(i / 24, av.VideoFrame.from_ndarray(rgb, format="rgb24"))
    return track


def test_a_drawn_region_decides_changed_or_unchanged():
    a = [scene_frame(5, i, 128, 72) for i in range(30)]
    b = [f.copy() for f in a]
    for f in b[10:20]:
        f[:18, :32] = 255  # a white patch in the top-left corner of frames 10-19 only
    ta, tb = _track(a), _track(b)
    top_left, bottom_right = (0.0, 0.0, 0.25, 0.25), (0.6, 0.6, 1.0, 1.0)
    found = follow_tracks(ta, tb, [Span(12, 12, top_left), Span(12, 12, bottom_right), Span(12, 12), Span(25, 25)])
    assert [f.state for f in found] == ["changed", "unchanged", "changed", "unchanged"]
    assert [f.first for f in found] == [12, 12, 12, 25]
