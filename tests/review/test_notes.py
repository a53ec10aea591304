"""Notes on frames and ranges of a take version: add, reply, resolve, list; every bad input is one sentence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from takevault.cli.app import main
from takevault.errors import ConflictError, InvalidInputError, NotFoundError
from takevault.vault import Vault
from tests.clips import make_clip

BOX = {"shapes": [{"kind": "box", "points": [[0.1, 0.1], [0.4, 0.5]]}]}


@pytest.fixture
def noted(local_vault: Vault, tmp_path: Path) -> tuple[Vault, str]:
    clip = make_clip(tmp_path / "v1.mp4", frames=48, scenes=((0, 1), (24, 2)))
    local_vault.add_shot("SH010")
    take = local_vault.add(clip, shot="SH010")
    return local_vault, take.ref


def test_note_on_a_frame_and_a_range_with_timecodes(noted):
    vault, ref = noted
    one = vault.add_note(f"{ref}@v1", "Flicker on the sky", at="00:00:01:04", drawing=BOX)
    assert (one.frame_in, one.frame_out, one.version) == (28, 28, 1)
    data = one.to_json()
    assert data["timecode_in"] == "00:00:01:04" and data["status"] == "open" and data["author"] == vault.user
    assert data["drawing"]["shapes"][0] == {
        "kind": "box",
        "points": [[0.1, 0.1], [0.4, 0.5]],
        "color": "#ff3b30",
        "width": 3.0,
    }
    rng = vault.add_note(ref, "Too dark here", start=2, end="00:00:00:10")
    assert (rng.frame_in, rng.frame_out) == (2, 10) and rng.to_json()["time_out"] == pytest.approx(11 / 24)
    assert [n.frame_in for n in vault.notes(ref)] == [2, 28]
    assert [e.action for e in vault.events(take=ref)][-2:] == ["note", "note"]


def test_replies_and_resolving(noted):
    vault, ref = noted
    note = vault.add_note(ref, "Horizon tilts", at=5)
    vault.reply_note(note.id[:8], "Fixed in the next pass")
    answered = vault.reply_note(note.id, "Thanks")
    assert [r.text for r in answered.replies] == ["Fixed in the next pass", "Thanks"]
    resolved = vault.resolve_note(note.id)
    assert resolved.status == "resolved" and resolved.resolved_by == vault.user and resolved.resolved_at
    assert vault.notes(ref, status="open") == []
    assert vault.resolve_note(note.id, resolved=False).status == "open"
    with pytest.raises(InvalidInputError, match="That is a reply"):
        vault.resolve_note(answered.replies[0].id)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"at": 48}, "Frame 48 is outside SH010/video_01@v1, whose last frame is 47 (00:00:01:23)"),
        ({"at": "00:00:05:00"}, "Frame 120 is outside"),
        ({"start": 20, "end": 10}, "The range ends (frame 10) before it starts (frame 20)"),
        ({"start": 1}, "Say where the note goes"),
        ({"at": 1, "end": 3}, "not both"),
        ({"at": "-3"}, "before the first frame"),
        ({"at": "soon"}, "not a timecode"),
        ({"at": 1, "drawing": {"shapes": [{"kind": "stroke", "points": [[0.5, 0.5]] * 100_000}]}}, "more than 10000"),
        ({"at": 1, "drawing": {"shapes": [{"kind": "blob", "points": [[0, 0]]}]}}, "kind 'blob'"),
        ({"at": 1, "drawing": {"shapes": [{"kind": "box", "points": [[0, 0], [2, 1]]}]}}, "between 0 and 1"),
        ({"at": 1, "drawing": {"shapes": [{"kind": "box", "points": [[0, 0]]}]}}, "needs exactly 2 points"),
        ({"at": 1, "drawing": {"shapes": [{"kind": "arrow", "points": [[0, 0], [1, 1]], "onload": "x"}]}}, "only"),
        ({"at": 1, "drawing": {"shapes": [{"kind": "box", "points": [[0, 0], [1, 1]], "color": "red;"}]}}, "#rrggbb"),
        ({"at": 1, "drawing": "<svg onload=alert(1)>"}, "must be an object"),
        ({"at": 1, "drawing": {"shapes": [{"kind": "box", "points": [[0, "nan"], [1, 1]]}]}}, "between 0 and 1"),
    ],
)
def test_bad_notes_are_one_sentence_and_store_nothing(noted, kwargs, message):
    vault, ref = noted
    with pytest.raises(InvalidInputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        vault.add_note(ref, "text", **kwargs)
    assert vault.notes(ref) == []


def test_empty_text_unknown_version_and_deleted_take(noted):
    vault, ref = noted
    with pytest.raises(InvalidInputError, match="The note is empty"):
        vault.add_note(ref, "   ", at=1)
    with pytest.raises(NotFoundError, match="has no version v9"):
        vault.add_note(f"{ref}@v9", "text", at=1)
    with pytest.raises(NotFoundError, match="There is no note"):
        vault.resolve_note("00000000-0000-0000-0000-000000000000")
    vault.delete(ref)
    with pytest.raises(ConflictError, match="is deleted; restore it"):
        vault.add_note(ref, "text", at=1)
    assert vault.notes(ref) == []


def test_drop_frame_timecode_at_29_97(local_vault: Vault, tmp_path: Path):
    from fractions import Fraction

    clip = make_clip(tmp_path / "ntsc.mp4", frames=60, fps=Fraction(30000, 1001))
    local_vault.add_shot("SH020")
    take = local_vault.add(clip, shot="SH020")
    note = local_vault.add_note(take.ref, "check", at="00:00:01;15")
    assert note.frame_in == 45 and note.to_json()["timecode_in"] == "00:00:01;15"


def test_cli_note_add_list_resolve(noted, capsys: pytest.CaptureFixture[str], tmp_path: Path):
    vault, ref = noted
    root = str(vault.root)
    drawing = tmp_path / "arrow.json"
    drawing.write_text(json.dumps({"shapes": [{"kind": "arrow", "points": [[0.2, 0.2], [0.5, 0.5]]}]}))
    assert (
        main(
            [
                "--vault",
                root,
                "note",
                "add",
                f"{ref}@v1",
                "--at",
                "00:00:00:12",
                "Soften this",
                "--drawing",
                str(drawing),
            ]
        )
        == 0
    )
    assert "Noted SH010/video_01@v1 at 00:00:00:12" in capsys.readouterr().err
    assert main(["--vault", root, "note", "add", ref, "--from", "3", "--to", "9", "Grade drifts"]) == 0
    capsys.readouterr()
    assert main(["--vault", root, "note", "list", ref, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(n["frame_in"], n["frame_out"], n["text"]) for n in listed] == [
        (3, 9, "Grade drifts"),
        (12, 12, "Soften this"),
    ]
    assert listed[1]["drawing"]["shapes"][0]["kind"] == "arrow"
    assert main(["--vault", root, "note", "reply", listed[0]["id"][:8], "On it"]) == 0
    assert main(["--vault", root, "note", "resolve", listed[0]["id"][:8]]) == 0
    capsys.readouterr()
    assert main(["--vault", root, "note", "list", ref, "--status", "open", "--json"]) == 0
    assert [n["text"] for n in json.loads(capsys.readouterr().out)] == ["Soften this"]
    assert main(["--vault", root, "note", "list", ref]) == 0
    assert "Soften this" in capsys.readouterr().out
    assert main(["--vault", root, "note", "add", ref, "--at", "999", "late"]) == 2
    err = capsys.readouterr().err
    assert "outside" in err and "Traceback" not in err
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    assert main(["--vault", root, "note", "add", ref, "--at", "1", "x", "--drawing", str(bad)]) == 2
    assert "is not a JSON drawing" in capsys.readouterr().err
