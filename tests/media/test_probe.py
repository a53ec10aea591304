"""probe: what a file is, exactly, and one clear sentence when it is not a video."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from PIL import Image

from takevault.errors import MediaError
from takevault.media.probe import probe
from tests.clips import make_clip, truncate


@pytest.mark.parametrize(
    ("name", "container", "codec"),
    [
        ("a.mp4", "mp4", "h264"),
        ("a.mov", "mov", "h264"),
        ("a.mkv", "mkv", "h264"),
        ("a.webm", "webm", "vp9"),
        ("a.avi", "avi", "mpeg4"),
        ("a.gif", "gif", "gif"),
    ],
)
def test_containers_are_described(tmp_path: Path, name: str, container: str, codec: str) -> None:
    info = probe(make_clip(tmp_path / name, frames=12))
    assert (info.container, info.codec, info.width, info.height, info.frames) == (container, codec, 64, 48, 12)
    assert info.duration == pytest.approx(0.5, abs=0.05)


def test_exact_frame_rate_and_audio(tmp_path: Path) -> None:
    info = probe(make_clip(tmp_path / "ntsc.mp4", fps=Fraction(24000, 1001), frames=24, audio=True))
    assert info.fps == Fraction(24000, 1001) and info.fps_text == "24000/1001"
    assert [(a.codec, a.channels, a.sample_rate) for a in info.audio] == [("aac", 2, 48000)]
    assert info.to_json()["fps"] == "24000/1001"


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".webp"])
def test_still_images_are_not_takes(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"still{suffix}"
    Image.new("RGB", (64, 48), "red").save(path)
    with pytest.raises(MediaError, match=r"still image, not a video.*--workflow-png"):
        probe(path)


def test_what_is_not_a_video_gets_one_sentence(tmp_path: Path, clip: Path) -> None:
    text = tmp_path / "notes.mp4"
    text.write_text("not a video")
    empty = tmp_path / "empty.mp4"
    empty.touch()
    half = truncate(make_clip(tmp_path / "long.mp4", frames=96), tmp_path / "half.mp4")
    for path, reason in [(text, "Invalid data"), (empty, "empty"), (half, r"truncated|damaged|decode")]:
        with pytest.raises(MediaError, match=reason) as caught:
            probe(path)
        message = str(caught.value)
        assert message.count(". ") == 0 and "Errno" not in message and "\n" not in message
    with pytest.raises(MediaError, match="does not exist"):
        probe(tmp_path / "missing.mp4")
    with pytest.raises(MediaError, match="is a folder"):
        probe(tmp_path)


@pytest.mark.parametrize("suffix", [".mkv", ".webm", ".mp4"])
def test_a_render_cut_short_is_refused(tmp_path: Path, suffix: str) -> None:
    """Matroska declares no frame count, only a duration: a half-written render must still be caught."""
    whole = make_clip(tmp_path / f"whole{suffix}", frames=96, audio=suffix != ".webm")
    assert probe(whole).frames == 96
    with pytest.raises(MediaError, match=r"truncated|Invalid data"):
        probe(truncate(whole, tmp_path / f"half{suffix}"))
