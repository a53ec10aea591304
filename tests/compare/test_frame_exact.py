"""Every edit to the frame: cuts and inserts of 1, 2, 3 and 6 frames, speed changes, conforms.

The clip factory's frames move every frame (a drifting texture), so each edit has one right
answer in frame numbers; real footage (bikes.mp4, as the accuracy suite uses it) is held to
within one frame.
"""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import pytest

from takevault.compare.report import compare_files
from tests.clips import make_clip
from tests.compare.conftest import S2, S3
from tests.compare.footage import frames, write

N = 96
SCENES = ((0, 1), (30, 2), (60, 3))
CLIP = {"width": 128, "height": 72, "frames": N, "scenes": SCENES}
WHERE = {"scene start": 30, "mid-shot": 45, "end": None}


def _edit(report: dict) -> list[tuple]:
    return [
        (s["kind"], tuple(s.get("a_frames") or ()) or None, tuple(s.get("b_frames") or ()) or None)
        for s in report["segments"]
    ]


@pytest.fixture(scope="module")
def clip_a(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(tmp_path_factory.mktemp("exact") / "a.mp4", **CLIP)


def _speed(lo: int, hi: int, factor: float) -> list[int]:
    """The A frames a retime by `factor` shows, as an editor's speed tool picks them."""
    out, i = [], 0
    while lo + round(i * factor) < hi:
        out.append(lo + round(i * factor))
        i += 1
    return out


@pytest.mark.parametrize("n", [1, 2, 3, 6])
@pytest.mark.parametrize("where", list(WHERE))
def test_cut_of_n_frames(clip_a: Path, tmp_path: Path, n: int, where: str) -> None:
    at = WHERE[where] if WHERE[where] is not None else N - n
    b = make_clip(tmp_path / "b.mp4", **CLIP, order=(*range(at), *range(at + n, N)))
    got = _edit(compare_files(clip_a, b, metrics=False))
    want = [("same", (0, at), (0, at)), ("removed", (at, at + n), None)]
    if at + n < N:
        want.append(("same", (at + n, N), (at, N - n)))
    assert got == want


@pytest.mark.parametrize("n", [1, 2, 3, 6])
@pytest.mark.parametrize("where", list(WHERE))
def test_insert_of_n_frames(clip_a: Path, tmp_path: Path, n: int, where: str) -> None:
    at = WHERE[where] if WHERE[where] is not None else N
    b = make_clip(tmp_path / "b.mp4", **CLIP, order=(*range(at), *([None] * n), *range(at, N)))
    got = _edit(compare_files(clip_a, b, metrics=False))
    want = [("same", (0, at), (0, at)), ("inserted", None, (at, at + n))]
    if at < N:
        want.append(("same", (at, N), (at + n, N + n)))
    assert got == want


@pytest.mark.parametrize("factor", [2.0, 1.5, 1.25, 0.8, 0.5])
def test_speed_change_at_the_end_of_a_take(clip_a: Path, tmp_path: Path, factor: float) -> None:
    shown = _speed(60, N, factor)
    b = make_clip(tmp_path / "b.mp4", **CLIP, order=(*range(60), *shown))
    report = compare_files(clip_a, b, metrics=False)
    assert _edit(report) == [("same", (0, 60), (0, 60)), ("retimed", (60, N), (60, 60 + len(shown)))]
    assert report["segments"][1]["rate"] == factor  # to 2 decimals, not 1.99 for 2


@pytest.mark.parametrize("factor", [2.0, 0.8])
def test_speed_change_mid_take(clip_a: Path, tmp_path: Path, factor: float) -> None:
    shown = _speed(30, 60, factor)
    b = make_clip(tmp_path / "b.mp4", **CLIP, order=(*range(30), *shown, *range(60, N)))
    report = compare_files(clip_a, b, metrics=False)
    end = 30 + len(shown)
    assert _edit(report) == [
        ("same", (0, 30), (0, 30)),
        ("retimed", (30, 60), (30, end)),
        ("same", (60, N), (end, end + N - 60)),
    ]
    assert report["segments"][1]["rate"] == factor


@pytest.mark.parametrize("fps", [Fraction(25), Fraction(30)])
def test_frame_rate_conform_is_one_same_segment(clip_a: Path, tmp_path: Path, fps: Fraction) -> None:
    """24 fps conformed to 25 (a frame repeated each second) or 30 (pulldown-like repeats)."""
    count = int(N * fps / 24)
    order = tuple(min(N - 1, int(i * 24 / fps + Fraction(1, 2))) for i in range(count))
    b = make_clip(tmp_path / "b.mp4", **{**CLIP, "fps": fps}, order=order)
    assert _edit(compare_files(clip_a, b, metrics=False)) == [("same", (0, N), (0, count))]


def test_cut_inside_a_conform_is_found(clip_a: Path, tmp_path: Path) -> None:
    order = tuple(i * 24 // 30 for i in range(120) if i * 24 // 30 not in (44, 45))
    b = make_clip(tmp_path / "b.mp4", **{**CLIP, "fps": Fraction(30)}, order=order)
    got = _edit(compare_files(clip_a, b, metrics=False))
    assert [g[:2] for g in got] == [("same", (0, 44)), ("removed", (44, 46)), ("same", (46, N))]


def test_segments_carry_exact_frame_times_and_smpte_timecodes(clip_a: Path, tmp_path: Path) -> None:
    b = make_clip(tmp_path / "b.mp4", **{**CLIP, "fps": Fraction(24000, 1001)}, order=(*range(45), *range(48, N)))
    report = compare_files(clip_a, b, metrics=False)
    first, removed, last = report["segments"]
    assert removed["a_frames"] == [45, 48]
    assert removed["a_exact"] == ["15/8", "2"]  # frames 45 and 48 at 24 fps, as exact fractions of seconds
    assert removed["a_smpte"] == ["00:00:01:21", "00:00:02:00"]
    assert last["b_exact"][0] == "3003/1600"  # frame 45 at 24000/1001 fps: 45 * 1001 / 24000 s
    assert last["b_smpte"] == ["00:00:01:21", "00:00:03:21"]
    assert first["a_smpte"] == ["00:00:00:00", "00:00:01:21"]


# -- real footage ----------------------------------------------------------

TOL = 1  # frame


def _close(got: list[tuple], want: list[tuple]) -> None:
    assert [g[0] for g in got] == [w[0] for w in want], f"{got} vs {want}"
    for g, w in zip(got, want, strict=True):
        for side in (1, 2):
            if w[side] is None:
                assert g[side] is None, f"{got} vs {want}"
            else:
                assert all(abs(x - y) <= TOL for x, y in zip(g[side], w[side], strict=True)), f"{got} vs {want}"


@pytest.mark.parametrize("n", [1, 2, 3, 6])
@pytest.mark.parametrize("at", [S2, S2 + 20])  # a shot start, the middle of a shot
def test_footage_cut_of_n_frames(tmp_path: Path, n: int, at: int) -> None:
    a = list(frames("bikes.mp4"))
    pa = write(tmp_path / "a.mp4", a)
    pb = write(tmp_path / "b.mp4", a[:at] + a[at + n :])
    got = _edit(compare_files(pa, pb, metrics=False))
    _close(got, [("same", (0, at), (0, at)), ("removed", (at, at + n), None), ("same", (at + n, 250), (at, 250 - n))])


@pytest.mark.parametrize("n", [1, 3, 6])
def test_footage_insert_of_n_frames_mid_shot(tmp_path: Path, n: int) -> None:
    a = list(frames("bikes.mp4"))
    foreign = list(frames("bigbuckbunny.mp4", limit=n))
    at = S3 + 25
    pa = write(tmp_path / "a.mp4", a)
    pb = write(tmp_path / "b.mp4", a[:at] + foreign + a[at:])
    got = _edit(compare_files(pa, pb, metrics=False))
    _close(got, [("same", (0, at), (0, at)), ("inserted", None, (at, at + n)), ("same", (at, 250), (at + n, 250 + n))])


def test_footage_speed_up_at_the_end(tmp_path: Path) -> None:
    a = list(frames("bikes.mp4"))
    shown = _speed(137, 250, 2.0)
    pa = write(tmp_path / "a.mp4", a)
    pb = write(tmp_path / "b.mp4", a[:137] + [a[i] for i in shown])
    report = compare_files(pa, pb, metrics=False)
    got = _edit(report)
    # The speed change starts at a cut; the rest of the take is all at 2x.
    _close(got, [("same", (0, 137), (0, 137)), ("retimed", (137, 250), (137, 137 + len(shown)))])
    assert report["segments"][1]["rate"] == 2.0


@pytest.mark.parametrize(
    ("order", "want"),
    [
        # Two shots swapped: the one that keeps more in order stays, the other is moved.
        (
            (*range(30, 60), *range(30), *range(60, N)),
            [("same", (30, 60), (0, 30)), ("moved", (0, 30), (30, 60)), ("same", (60, N), (60, N))],
        ),
        # Six frames from late in the take moved up, mid-shot.
        (
            (*range(20), *range(70, 76), *range(20, 70), *range(76, N)),
            [
                ("same", (0, 20), (0, 20)),
                ("moved", (70, 76), (20, 26)),
                ("same", (20, 70), (26, 76)),
                ("same", (76, N), (76, N)),
            ],
        ),
    ],
)
def test_moves_to_the_frame(clip_a: Path, tmp_path: Path, order: tuple, want: list) -> None:
    b = make_clip(tmp_path / "b.mp4", **CLIP, order=order)
    assert _edit(compare_files(clip_a, b, metrics=False)) == want


# -- short speed changes ---------------------------------------------------

SHORT_AT = 34  # mid-shot: the retime and what follows stay inside the shot [30, 60)


def _retimed_frames(lo: int, n: int, factor: float) -> tuple[list[int], int]:
    """The A frames n B frames show at `factor` from A frame lo (a speed tool's pick: the frame
    on screen at each B time), and the A frame normal speed resumes on."""
    return [lo + int(i * factor) for i in range(n)], lo + math.ceil(n * factor)


@pytest.mark.parametrize("factor", [2.0, 1.5, 0.5])
@pytest.mark.parametrize("n", [6, 8, 10])
@pytest.mark.parametrize("where", ["mid-shot", "end"])
def test_short_speed_change(clip_a: Path, tmp_path: Path, factor: float, n: int, where: str) -> None:
    lo = SHORT_AT if where == "mid-shot" else N - math.ceil(n * factor)
    shown, resume = _retimed_frames(lo, n, factor)
    after = tuple(range(resume, N)) if where == "mid-shot" else ()
    b = make_clip(tmp_path / "b.mp4", **CLIP, order=(*range(lo), *shown, *after))
    report = compare_files(clip_a, b, metrics=False)
    want = [("same", (0, lo), (0, lo)), ("retimed", (lo, resume), (lo, lo + n))]
    if after:
        want.append(("same", (resume, N), (lo + n, lo + n + len(after))))
    _close(_edit(report), want)
    assert [s["rate"] for s in report["segments"] if s["kind"] == "retimed"] == [factor]


@pytest.mark.parametrize(("factor", "n"), [(2.0, 6), (1.5, 8), (2.0, 10)])
def test_footage_short_speed_change(tmp_path: Path, factor: float, n: int) -> None:
    """On real footage with motion: mid-shot and over the last frames of the take."""
    a = list(frames("bikes.mp4"))
    pa = write(tmp_path / "a.mp4", a)
    for lo, tail in ((S3 + 20, True), (250 - math.ceil(n * factor), False)):
        shown, resume = _retimed_frames(lo, n, factor)
        order = [*range(lo), *shown, *(range(resume, 250) if tail else ())]
        report = compare_files(pa, write(tmp_path / "b.mp4", [a[i] for i in order]), metrics=False)
        want = [("same", (0, lo), (0, lo)), ("retimed", (lo, resume), (lo, lo + n))]
        if tail:
            want.append(("same", (resume, 250), (lo + n, len(order))))
        _close(_edit(report), want)
        assert [s["rate"] for s in report["segments"] if s["kind"] == "retimed"] == [factor]


@pytest.mark.parametrize(
    ("order", "want"),
    [
        # Two frames at 2x skip a single frame: that is a one-frame cut, and nothing says otherwise.
        ((*range(45), 45, 47, *range(48, N)), [("same", (0, 46)), ("removed", (46, 47)), ("same", (47, N))]),
        # Six frames at 1.25x also skip one frame (45, 46, 47, 48, 50, 51, then 52 on).
        (
            (*range(45), *(45 + int(i * 1.25) for i in range(6)), *range(52, N)),
            [("same", (0, 49)), ("removed", (49, 50)), ("same", (50, N))],
        ),
        # Two one-frame cuts far apart are two cuts, not a slow speed-up.
        (
            (*range(35), *range(36, 50), *range(51, N)),
            [("same", (0, 35)), ("removed", (35, 36)), ("same", (36, 50)), ("removed", (50, 51)), ("same", (51, N))],
        ),
    ],
)
def test_what_a_short_retime_cannot_be_told_from(clip_a: Path, tmp_path: Path, order: tuple, want: list) -> None:
    b = make_clip(tmp_path / "b.mp4", **CLIP, order=order)
    assert [g[:2] for g in _edit(compare_files(clip_a, b, metrics=False))] == want


@pytest.mark.parametrize("frames_held", [2, 4, 8])
def test_a_hold_is_not_a_retime(clip_a: Path, tmp_path: Path, frames_held: int) -> None:
    """A frame held on screen (a freeze) repeats one picture: no speed explains it."""
    b = make_clip(tmp_path / "b.mp4", **CLIP, order=(*range(40), *([40] * frames_held), *range(41, N)))
    kinds = [s["kind"] for s in compare_files(clip_a, b, metrics=False)["segments"]]
    assert "retimed" not in kinds
    assert kinds[0] == "same" and kinds[-1] == "same"
