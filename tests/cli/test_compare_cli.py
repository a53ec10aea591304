"""`takevault compare A B [--out DIR] [--json] [--video]`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from takevault.cli.app import main
from tests.clips import make_clip


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    scenes = ((0, 1), (12, 2), (30, 3))
    a = make_clip(tmp_path / "a.mp4", frames=48, scenes=scenes)
    b = make_clip(tmp_path / "b.mp4", frames=48, scenes=scenes, shift=(20, 31, 40))
    return a, b


@pytest.fixture
def no_vault(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TAKEVAULT_VAULT", raising=False)
    monkeypatch.chdir(tmp_path)


def test_json_report_for_two_files(pair, no_vault, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", str(pair[0]), str(pair[1]), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [s["kind"] for s in report["segments"]] == ["same", "changed", "same"]
    assert report["metrics"]["pairs"] == 48 and report["pictures"] == []


def test_summary_and_pictures(pair, no_vault, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cmp"
    assert main(["compare", str(pair[0]), str(pair[1]), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "same edit, pictures changed" in captured.out
    assert "changed\t00:00:00:20–00:00:01:08" in captured.out
    assert captured.out.startswith("B is the same edit as A with pictures changed.")
    assert "PSNR dB" in captured.out and "SSIM" in captured.out
    assert f"pictures to {out}" in captured.err
    assert (out / "report.json").is_file() and (out / "alignment.png").is_file()


def test_takes_in_a_vault(pair, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from takevault.vault import Vault

    with Vault.init(tmp_path / "v") as vault:
        vault.add_shot("SH010")
        vault.add(pair[0], shot="SH010")
        vault.replace("SH010/video_01", pair[1])
    args = ["--vault", str(tmp_path / "v"), "compare", "SH010/video_01@v1", "SH010/video_01", "--json"]
    assert main(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["a"]["label"] == "SH010/video_01@v1" and report["b"]["label"] == "SH010/video_01@v2"
    assert [s["kind"] for s in report["segments"]] == ["same", "changed", "same"]


def test_bad_input_is_one_sentence(pair, no_vault, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "junk.mp4"
    junk.write_text("not a video\n")
    assert main(["compare", str(pair[0]), str(junk)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "not a video" in err and "\n" not in err
    # A take reference with no vault around: the vault error says what to do.
    assert main(["compare", str(pair[0]), "SH010/video_01"]) == 2
    err = capsys.readouterr().err
    assert "error:" in err and "Traceback" not in err
    assert main(["compare", str(pair[0]), str(pair[1]), "--video"]) != 0
    capsys.readouterr()
    # A mistyped file name outside a vault: the file is missing, not the vault.
    assert main(["compare", str(pair[0]), str(tmp_path / "typo.mp4")]) == 2
    err = capsys.readouterr().err
    assert "typo.mp4 does not exist" in err and "vault" not in err.split(";")[0]


def test_summary_says_where_material_was_removed_and_uses_units(
    no_vault, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.compare.footage import frames, write

    shots = list(frames("bikes.mp4"))
    a = write(tmp_path / "a.mp4", shots)
    b = write(tmp_path / "b.mp4", shots[:100] + shots[140:])
    assert main(["compare", str(a), str(b)]) == 0
    out = capsys.readouterr().out
    assert "removed\t00:00:04:00–00:00:05:15\tat 00:00:04:00\t1.60 s" in out
    assert "40 frames of A (00:00:04:00–00:00:05:15) cut out at B 00:00:04:00." in out
    assert "duration\t10.000 s\t8.400 s" in out
    assert "kb/s" in out or "Mb/s" in out
