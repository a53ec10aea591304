"""The sound: offset and drift against the picture, EBU R128 loudness, changed/replaced/silent pieces."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import av
import imageio_ffmpeg
import numpy as np
import pytest

from takevault.compare.audio import read_sound
from takevault.compare.report import compare_files
from takevault.errors import MediaError
from tests.clips import make_clip

N = 24 * 12  # 12 s at 24 fps
CLIP = {"width": 128, "height": 72, "frames": N, "scenes": ((0, 1), (100, 2), (200, 3)), "audio": "speech"}


@pytest.fixture(scope="module")
def sound_a(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(tmp_path_factory.mktemp("sound") / "a.mp4", **CLIP)


def _b(tmp_path: Path, **kw: object) -> Path:
    return make_clip(tmp_path / "b.mp4", **{**CLIP, **kw})


def _kinds(report: dict) -> list[tuple[str, list[float]]]:
    return [(s["kind"], s["b"]) for s in report["audio"]["segments"]]


def test_same_sound_is_in_sync_and_one_same_piece(sound_a: Path) -> None:
    report = compare_files(sound_a, sound_a, metrics=False)
    sync = report["audio"]["sync"]
    assert sync["offset_ms"] == 0.0 and not sync["drifts"] and sync["measured"] >= 5
    assert _kinds(report) == [("same", [0.0, 12.0])]
    assert report["audio"]["a"]["integrated_lufs"] == report["audio"]["b"]["integrated_lufs"]


def test_sound_three_frames_late(sound_a: Path, tmp_path: Path) -> None:
    report = compare_files(sound_a, _b(tmp_path, audio_delay=3 / 24), metrics=False)
    sync = report["audio"]["sync"]
    assert sync["offset_ms"] == pytest.approx(125.0, abs=2) and sync["offset_frames"] == pytest.approx(3.0, abs=0.05)
    assert not sync["drifts"]
    assert _kinds(report) == [("same", [0.0, 12.0])]  # late, but the same sound
    assert "B's sound is 125 ms (3.0 frames) late against its picture." in report["summary"]["sentences"]


def test_drifting_sound(sound_a: Path, tmp_path: Path) -> None:
    report = compare_files(sound_a, _b(tmp_path, audio_drift=1.004), metrics=False)
    sync = report["audio"]["sync"]
    # 0.4 % slow: 4 ms later every second, 240 ms a minute.
    assert sync["drifts"] and sync["drift_ms_per_min"] == pytest.approx(240, rel=0.1)
    assert _kinds(report) == [("same", [0.0, 12.0])]
    assert any(s.startswith("Sound drifts against the picture") for s in report["summary"]["sentences"])


def test_louder_sound_is_measured_in_lu(sound_a: Path, tmp_path: Path) -> None:
    report = compare_files(sound_a, _b(tmp_path, audio_gain_db=4.0), metrics=False)
    a, b = report["audio"]["a"], report["audio"]["b"]
    assert b["integrated_lufs"] - a["integrated_lufs"] == pytest.approx(4.0, abs=0.2)
    assert _kinds(report) == [("changed", [0.0, 12.0])]
    assert report["audio"]["segments"][0]["level_db"] == pytest.approx(4.0, abs=0.3)


@pytest.mark.parametrize("kind", ["silent", "replaced"])
def test_silent_and_replaced_pieces_land_on_their_times(sound_a: Path, tmp_path: Path, kind: str) -> None:
    key = "audio_silent" if kind == "silent" else "audio_replace"
    report = compare_files(sound_a, _b(tmp_path, **{key: (4.0, 6.0)}), metrics=False)
    assert _kinds(report) == [("same", [0.0, 4.0]), (kind, [4.0, 6.0]), ("same", [6.0, 12.0])]
    piece = report["audio"]["segments"][1]
    assert piece["b_smpte"] == ["00:00:04:00", "00:00:06:00"] and piece["a_smpte"] == ["00:00:04:00", "00:00:06:00"]
    assert f"Sound {kind} at B 00:00:04:00–00:00:06:00." in report["summary"]["sentences"]


def test_sound_follows_the_picture_edit(sound_a: Path, tmp_path: Path) -> None:
    """A cut of 2 s in the picture takes its sound with it: the rest is still the same sound."""
    order = (*range(48), *range(96, N))
    report = compare_files(sound_a, _b(tmp_path, order=order), metrics=False)
    assert [s["kind"] for s in report["segments"]] == ["same", "removed", "same"]
    assert {s["kind"] for s in report["audio"]["segments"]} == {"same"}
    assert report["audio"]["sync"]["offset_ms"] == 0.0


def test_loudness_agrees_with_ffmpeg(sound_a: Path) -> None:
    out = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-nostats", "-i", str(sound_a), "-af", "ebur128", "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    summary = out[out.rindex("Summary:") :]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    lra = float(re.search(r"LRA:\s+(-?[\d.]+) LU", summary).group(1))
    sound = read_sound(sound_a)
    assert sound.integrated == pytest.approx(integrated, abs=0.1)
    assert sound.loudness_range == pytest.approx(lra, abs=0.15)


def test_one_side_without_sound_is_a_note(sound_a: Path, tmp_path: Path) -> None:
    report = compare_files(sound_a, _b(tmp_path, audio=False), metrics=False)
    assert report["audio"]["b"] == {"present": False} and report["audio"]["segments"] == []
    assert any("has no sound; the sound was not compared." in w for w in report["warnings"])
    assert [s["kind"] for s in report["segments"]] == ["same"]  # the picture is still compared


def test_audio_only_file_is_one_sentence(sound_a: Path, tmp_path: Path) -> None:
    path = tmp_path / "voice.m4a"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("aac", rate=48000)
        stream.layout = "mono"
        tone = np.ascontiguousarray((0.1 * np.sin(np.arange(48000) / 10)).astype(np.float32)[None, :])
        frame = av.AudioFrame.from_ndarray(tone, format="fltp", layout="mono")
        frame.sample_rate = 48000
        for packet in [*stream.encode(frame), *stream.encode()]:
            out.mux(packet)
    with pytest.raises(MediaError, match=r"voice\.m4a is sound only, with no pictures; compare two videos"):
        compare_files(sound_a, path)


def test_waveforms_are_in_the_report_and_bounded(sound_a: Path) -> None:
    report = compare_files(sound_a, sound_a, metrics=False)
    wave = report["audio"]["a"]["waveform"]
    assert wave["rate"] == 50 and abs(len(wave["peaks"]) - 600) <= 3 and 0.05 < max(wave["peaks"]) <= 1.0  # 12 s


def test_waveform_picture_only_when_there_is_sound(sound_a: Path, tmp_path: Path) -> None:
    from PIL import Image

    report = compare_files(sound_a, _b(tmp_path, audio_replace=(4.0, 6.0)), out_dir=tmp_path / "cmp", metrics=False)
    assert "waveform.png" in report["pictures"]
    img = np.asarray(Image.open(tmp_path / "cmp" / "waveform.png").convert("RGB")).astype(int)
    # The band under B is purple (replaced) somewhere and green (same) elsewhere.
    assert (np.abs(img - (160, 90, 200)).sum(axis=2) < 10).sum() > 100
    assert (np.abs(img - (90, 170, 90)).sum(axis=2) < 10).sum() > 100
    silent_a = make_clip(tmp_path / "quiet_a.mp4", **{**CLIP, "audio": False})
    report = compare_files(silent_a, silent_a, out_dir=tmp_path / "cmp2", metrics=False)
    assert "waveform.png" not in report["pictures"] and report["audio"]["notes"] == ["Neither side has sound."]
