"""Every known edit of real footage is found with the right class and boundaries within 2 frames."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from takevault.compare.report import compare_files
from tests.clips import make_clip
from tests.compare.conftest import S2, S3, S4

FPS = 25
TOL = 2 / FPS  # two frames, in seconds


def _frames(n: int, fps: float = FPS) -> float:
    return n / fps


def _assert_segments(report: dict, expected: list[tuple[str, tuple | None, tuple | None]], tol: float = TOL) -> None:
    got = [(s["kind"], s["a"], s["b"]) for s in report["segments"]]
    assert len(got) == len(expected), f"segments {got} != expected {expected}"
    for (kind, a, b), (ekind, ea, eb) in zip(got, expected, strict=True):
        assert kind == ekind, f"{got} vs {expected}"
        for side, want in ((a, ea), (b, eb)):
            if want is None:
                assert side is None, f"{got} vs {expected}"
            else:
                assert side is not None
                assert abs(side[0] - want[0]) <= tol and abs(side[1] - want[1]) <= tol, f"{got} vs {expected}"


def f(first: int, stop: int, fps: float = FPS) -> tuple[float, float]:
    """Seconds of the frame range [first, stop)."""
    return (first / fps, stop / fps)


def test_remove_a_range(footage: dict[str, Path]) -> None:
    report = compare_files(footage["a"], footage["remove"])
    _assert_segments(
        report,
        [("same", f(0, 100), f(0, 100)), ("removed", f(100, 140), None), ("same", f(140, 250), f(100, 210))],
    )


def test_insert_foreign_footage(footage: dict[str, Path]) -> None:
    report = compare_files(footage["a"], footage["insert"])
    _assert_segments(
        report,
        [("same", f(0, 120), f(0, 120)), ("inserted", None, f(120, 160)), ("same", f(120, 250), f(160, 290))],
    )


def test_swap_two_shots(footage: dict[str, Path]) -> None:
    report = compare_files(footage["a"], footage["swap"])
    b_mid = S2 + (S4 - S3)
    # Which of the two swapped shots counts as moved depends on which keeps more in order; both are correct.
    one = [
        ("same", f(0, S2), f(0, S2)),
        ("moved", f(S3, S4), f(S2, b_mid)),
        ("same", f(S2, S3), f(b_mid, S4)),
        ("same", f(S4, 250), f(S4, 250)),
    ]
    other = [
        ("same", f(0, S2), f(0, S2)),
        ("same", f(S3, S4), f(S2, b_mid)),
        ("moved", f(S2, S3), f(b_mid, S4)),
        ("same", f(S4, 250), f(S4, 250)),
    ]
    try:
        _assert_segments(report, one)
    except AssertionError:
        _assert_segments(report, other)


def test_trim_head_by_8_frames(footage: dict[str, Path]) -> None:
    report = compare_files(footage["a"], footage["trim"])
    _assert_segments(report, [("removed", f(0, 8), None), ("same", f(8, 250), f(0, 242))])


def test_speed_a_shot_up(footage: dict[str, Path]) -> None:
    report = compare_files(footage["a"], footage["speed"])
    sped = -(-(S3 - S2) * 4 // 5)  # frames of the shot at 1.25x
    _assert_segments(
        report,
        [
            ("same", f(0, S2), f(0, S2)),
            ("retimed", f(S2, S3), f(S2, S2 + sped)),
            ("same", f(S3, 250), f(S2 + sped, 250 - (S3 - S2) + sped)),
        ],
    )
    retimed = report["segments"][1]
    assert retimed["rate"] == pytest.approx(1.25, abs=0.05)


def test_regrade_a_range(footage: dict[str, Path]) -> None:
    report = compare_files(footage["a"], footage["regrade"])
    _assert_segments(
        report,
        [("same", f(0, 100), f(0, 100)), ("changed", f(100, 160), f(100, 160)), ("same", f(160, 250), f(160, 250))],
    )
    assert report["summary"]["verdict"] == "same edit, pictures changed"


@pytest.mark.parametrize("name", ["bitrate", "resolution"])
def test_reencode_is_the_same(footage: dict[str, Path], name: str) -> None:
    report = compare_files(footage["a"], footage[name])
    _assert_segments(report, [("same", f(0, 250), f(0, 250))])
    assert report["metrics"]["pairs"] == 250
    if name == "resolution":
        assert any("metrics computed at 96x40" in n for n in report["metrics"]["notes"])
        assert sum(w.startswith("Resolutions differ") for w in report["warnings"]) == 1  # said once


def test_reencode_at_another_frame_rate_is_the_same(footage: dict[str, Path]) -> None:
    report = compare_files(footage["a"], footage["fps30"])
    _assert_segments(report, [("same", f(0, 250), f(0, 300, 30))])
    assert any("Frame rates differ (25/1 vs 30/1" in w for w in report["warnings"])
    # Metrics come from the aligned pairs: every B frame against the A frame on screen at that time.
    assert report["metrics"]["pairs"] == 300
    assert report["metrics"]["ssim"]["all"] > 0.9


def test_no_common_content(footage: dict[str, Path]) -> None:
    report = compare_files(footage["a"], footage["foreign"])
    kinds = [s["kind"] for s in report["segments"]]
    assert sorted(kinds) == ["inserted", "removed"]
    assert report["summary"]["common_content"] is False
    assert report["metrics"]["pairs"] == 0 and report["metrics"]["psnr"]["average"] is None
    assert any("no content in common" in w for w in report["warnings"])


def test_synthetic_clip_regrade_and_cut(tmp_path: Path) -> None:
    """tests/clips.py frames: a cut at 12 and a +40 colour shift on frames 20..31 of B only."""
    a = make_clip(tmp_path / "a.mp4", frames=48, scenes=((0, 1), (12, 2), (30, 3)))
    b = make_clip(tmp_path / "b.mp4", frames=48, scenes=((0, 1), (12, 2), (30, 3)), shift=(20, 31, 40))
    report = compare_files(a, b)
    assert report["cuts"]["a"] == pytest.approx([0.5, 1.25])
    fps = 24
    _assert_segments(
        report,
        [
            ("same", f(0, 20, fps), f(0, 20, fps)),
            ("changed", f(20, 32, fps), f(20, 32, fps)),
            ("same", f(32, 48, fps), f(32, 48, fps)),
        ],
        tol=2 / fps,
    )


def test_identical_files_are_all_same_with_infinite_psnr(footage: dict[str, Path]) -> None:
    report = compare_files(footage["a"], footage["a"])
    _assert_segments(report, [("same", f(0, 250), f(0, 250))])
    assert report["metrics"]["psnr"]["average"] is None  # infinite: identical
    assert report["metrics"]["ssim"]["all"] == 1.0
    assert report["summary"]["verdict"] == "same content, same edit"


def test_a_grade_of_varying_strength_is_one_changed_stretch(tmp_path: Path) -> None:
    """Keyframed grade: a contrast lift that eases off mid-shot is still one change, not three."""
    from tests.compare.footage import frames, write

    a = list(frames("bikes.mp4"))

    def lift(img, gain: float):
        return np.clip((img.astype(np.float32) - 128) * gain + 128, 0, 255).astype(np.uint8)

    graded = [lift(x, 1.3 if i < 20 or i >= 40 else 1.12) for i, x in enumerate(a[S3:S4])]
    pa = write(tmp_path / "a.mp4", a)
    pb = write(tmp_path / "b.mp4", a[:S3] + graded + a[S4:])
    report = compare_files(pa, pb, metrics=False)
    _assert_segments(
        report,
        [("same", f(0, S3), f(0, S3)), ("changed", f(S3, S4), f(S3, S4)), ("same", f(S4, 250), f(S4, 250))],
    )
