"""Bad input reaches the user as one sentence, or as a report on what could be read."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from takevault.compare.report import compare_files
from takevault.errors import InvalidInputError, MediaError
from tests.clips import make_clip, truncate


def test_not_a_video(tmp_path: Path, clip: Path) -> None:
    text = tmp_path / "notes.mp4"
    text.write_text("this is a shopping list, not a film\n" * 20)
    with pytest.raises(MediaError, match="not a video"):
        compare_files(clip, text)


def test_missing_file_and_folder(tmp_path: Path, clip: Path) -> None:
    with pytest.raises(InvalidInputError, match="does not exist"):
        compare_files(clip, tmp_path / "nope.mp4")
    with pytest.raises(InvalidInputError, match="is a folder"):
        compare_files(tmp_path, clip)


def test_empty_file(tmp_path: Path, clip: Path) -> None:
    empty = tmp_path / "empty.mp4"
    empty.touch()
    with pytest.raises(MediaError, match="empty"):
        compare_files(empty, clip)


def test_video_with_no_frames(tmp_path: Path, clip: Path) -> None:
    path = tmp_path / "noframes.mkv"
    with av.open(str(path), mode="w") as out:
        stream = out.add_stream("libx264", rate=Fraction(24))
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        audio = out.add_stream("aac", rate=48000)
        audio.layout = "stereo"
        # A second of silence and not one picture: the header declares video that never comes.
        for _ in range(47):
            frame = av.AudioFrame.from_ndarray(np.zeros((2, 1024), dtype=np.float32), format="fltp", layout="stereo")
            frame.sample_rate = 48000
            for packet in audio.encode(frame):
                out.mux(packet)
        for packet in audio.encode():
            out.mux(packet)
    with pytest.raises(MediaError) as info:
        compare_files(clip, path)
    assert "frames" in info.value.message or "picture size" in info.value.message
    assert "\n" not in info.value.message


def test_stream_corrupt_half_way(tmp_path: Path) -> None:
    a = make_clip(tmp_path / "a.mkv", frames=96, scenes=((0, 1), (48, 2)))
    broken = truncate(a, tmp_path / "broken.mkv", 0.5)
    report = compare_files(a, broken)
    read = report["decode"]["b"]
    assert 10 < read["frames"] < 96
    damage = [w for w in report["warnings"] if "damaged" in w]
    assert damage and f"{read['frames']} frames decoded, up to 00:00:0" in damage[0]
    assert "of a stated 00:00:04.000" in damage[0]
    # What could be read is compared: it is the same as A's start, and the rest of A is removed.
    kinds = [s["kind"] for s in report["segments"]]
    assert kinds == ["same", "removed"]
    assert report["segments"][0]["b"][1] == pytest.approx(read["last_time"] + 1 / 24, abs=2e-3)
    assert report["metrics"]["pairs"] == read["frames"]


def test_bytes_garbled_half_way(tmp_path: Path) -> None:
    """Garbage in the middle of the stream: decoding goes on or stops, either way there is a report."""
    a = make_clip(tmp_path / "a.mkv", frames=72, scenes=((0, 1), (36, 2)))
    data = bytearray(a.read_bytes())
    mid = len(data) // 2
    data[mid : mid + 2000] = bytes((i * 37) % 256 for i in range(2000))
    broken = tmp_path / "garbled.mkv"
    broken.write_bytes(bytes(data))
    report = compare_files(a, broken)
    assert report["decode"]["b"]["frames"] > 0
    assert report["segments"][0]["kind"] in ("same", "changed")
