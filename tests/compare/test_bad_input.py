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


def _write_timed(path: Path, times: list[float], seed: int = 1) -> Path:
    """An MKV whose frames sit at the given times (ms time base): a variable frame rate, or a long gap."""
    from tests.clips import scene_frame

    with av.open(str(path), mode="w") as out:
        stream = out.add_stream("libx264", rate=Fraction(25))
        stream.width, stream.height, stream.pix_fmt = 128, 72, "yuv420p"
        stream.time_base = Fraction(1, 1000)
        stream.options = {"preset": "ultrafast", "crf": "18"}
        for i, t in enumerate(times):
            frame = av.VideoFrame.from_ndarray(scene_frame(seed, i, 128, 72), format="rgb24")
            frame.pts = round(t * 1000)
            frame.time_base = Fraction(1, 1000)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def test_variable_frame_rate_side_is_a_warning(tmp_path: Path) -> None:
    steps = [0.04 if i % 3 else 0.06 for i in range(60)]  # 40 and 60 ms apart
    times = [sum(steps[:i]) for i in range(60)]
    a = _write_timed(tmp_path / "cfr.mkv", [i * 0.04 for i in range(60)])
    b = _write_timed(tmp_path / "vfr.mkv", times)
    report = compare_files(a, b, labels=("A", "B"), metrics=False)
    (vfr,) = [w for w in report["warnings"] if "variable frame rate" in w]
    assert vfr.startswith("B has a variable frame rate (frames 40-")
    # The same pictures, each B frame showing A's frame of the same number, but shown slower: a retime, in time.
    (seg,) = report["segments"]
    assert seg["kind"] == "retimed" and seg["a_frames"] == [0, 60] and seg["b_frames"] == [0, 60]
    assert seg["rate"] == pytest.approx(0.04 / (sum(steps) / 60), abs=0.02)


def test_ten_hour_file_is_one_sentence(tmp_path: Path) -> None:
    a = _write_timed(tmp_path / "short.mkv", [i * 0.04 for i in range(25)])
    long = _write_timed(tmp_path / "long.mkv", [0.0, 0.04, 36000.0])
    with pytest.raises(InvalidInputError) as info:
        compare_files(a, long)
    assert info.value.message.startswith("long.mkv is 10:00:00 long; compare takes up to 4 hours a side")
    assert "\n" not in info.value.message


def test_sides_of_different_shape_are_a_warning(tmp_path: Path) -> None:
    from tests.clips import make_clip

    scenes = ((0, 1), (24, 2))
    a = make_clip(tmp_path / "wide.mp4", width=128, height=72, frames=48, scenes=scenes)
    b = make_clip(tmp_path / "square.mp4", width=96, height=96, frames=48, scenes=scenes)
    report = compare_files(a, b, metrics=False)
    assert any(w.startswith("The pictures have different shapes (1.778:1 against 1.000:1)") for w in report["warnings"])
    for seg in report["segments"]:
        if seg["kind"] == "changed":
            assert any(c["cause"] == "resolution" and "aspect ratios differ" in c["text"] for c in seg["causes"])


def test_a_side_ten_hours_long_by_its_frame_count_is_one_sentence() -> None:
    from types import SimpleNamespace

    from takevault.compare.report import _capacity, _check_length, _stated_seconds

    counted = SimpleNamespace(duration=None, frames=900_000, fps=Fraction(25))  # no duration in the header
    assert _stated_seconds(counted) == 36_000.0
    with pytest.raises(InvalidInputError) as info:
        _check_length("long.mkv", _stated_seconds(counted))
    assert info.value.message.startswith("long.mkv is 10:00:00 long; compare takes up to 4 hours a side")
    # A side without a frame count is sized from its duration, else grown as it decodes.
    assert _capacity(SimpleNamespace(duration=60.0, frames=0, fps=Fraction(25))) == 1516
    assert _capacity(SimpleNamespace(duration=None, frames=0, fps=None)) is None
