"""Every changed segment says why, with numbers: colour, reframe, local, quality, resolution."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from takevault.compare.explain import causes, explain_pair, find_reframe
from takevault.compare.report import compare_files
from tests.compare.conftest import S3, S4
from tests.compare.footage import frames, write

W, H = 320, 136


def _push(img: np.ndarray, scale: float, dx: float) -> np.ndarray:
    """Scale about the centre by `scale` and move the picture `dx` px right (a reframe in the edit)."""
    h, w = img.shape[:2]
    cw, ch = w / scale, h / scale
    x0, y0 = (w - cw) / 2 - dx / scale, (h - ch) / 2
    return np.asarray(Image.fromarray(img).resize((w, h), Image.BICUBIC, box=(x0, y0, x0 + cw, y0 + ch)))


def _warm(img: np.ndarray) -> np.ndarray:
    x = img.astype(np.float32) * 1.3
    x[..., 0] += 10
    x[..., 2] -= 10
    return np.clip(x, 0, 255).astype(np.uint8)


def _patch(img: np.ndarray) -> np.ndarray:
    x = img.copy()
    x[20:60, 30:90] = (200, 30, 30)  # a sign replaced: 60x40 px at (30, 20)
    return x


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[np.ndarray], Path, Path]:
    a = list(frames("bikes.mp4", W, H))
    out = tmp_path_factory.mktemp("explain")
    return a, write(out / "a.mp4", a), out


def _changed(source, fn, name: str) -> dict:
    a, pa, out = source
    pb = write(out / f"{name}.mp4", a[:S3] + [fn(x) for x in a[S3:S4]] + a[S4:])
    report = compare_files(pa, pb, metrics=False)
    kinds = [(s["kind"], s["a_frames"]) for s in report["segments"]]
    assert kinds == [("same", [0, S3]), ("changed", [S3, S4]), ("same", [S4, 250])]
    return report


def test_regrade_is_colour_with_stops_and_warmth(source) -> None:
    report = _changed(source, _warm, "warm")
    (cause,) = report["segments"][1]["causes"]
    assert cause["cause"] == "colour" and "warmer" in cause["text"] and "stop" in cause["text"]
    assert cause["stops"] > 0.3 and cause["contrast"] > 0.1
    assert "changed (colour: +" in report["summary"]["text"]


def test_push_in_is_a_reframe_with_scale_and_offset(source) -> None:
    report = _changed(source, lambda x: _push(x, 1.08, 12), "push")
    (cause,) = report["segments"][1]["causes"]
    assert cause["cause"] == "reframe"
    assert cause["scale"] == pytest.approx(1.08, abs=0.01) and abs(cause["dx"] - 12) <= 2 and abs(cause["dy"]) <= 1
    assert cause["text"].startswith("pushed in 8 %")


def test_replaced_region_is_local_with_a_box_in_a_pixels(source) -> None:
    report = _changed(source, _patch, "patch")
    (cause,) = report["segments"][1]["causes"]  # no colour cause: the patch is left out of the grade fit
    assert cause["cause"] == "local"
    (box,) = cause["boxes"]
    x, y, w, h = box
    assert abs(x - 30) <= 8 and abs(y - 20) <= 8 and abs(x + w - 90) <= 8 and abs(y + h - 60) <= 8


def test_softened_picture_is_quality() -> None:
    a = frames("bikes.mp4", W, H)[60]
    b = np.asarray(Image.fromarray(a).resize((a.shape[1] // 2, a.shape[0] // 2)).resize((a.shape[1], a.shape[0])))
    found = causes([explain_pair(a, b, a.shape[1])])
    assert [c["cause"] for c in found] == ["quality"] and "softer" in found[0]["text"]


def test_resolution_cause_is_named_with_the_sizes() -> None:
    a = frames("bikes.mp4", W, H)[40]
    found = causes([explain_pair(a, _warm(a), W)], resolution="320x136 against 160x68, compared scaled")
    assert [c["cause"] for c in found] == ["colour", "resolution"]


def test_no_reframe_on_the_same_picture() -> None:
    a = frames("bikes.mp4", W, H)[40]
    assert find_reframe(a, a) == (1.0, 0.0, 0.0)


def test_changes_picture_outlines_the_local_box(source, tmp_path: Path) -> None:
    a, pa, out = source
    pb = write(out / "patch2.mp4", a[:S3] + [_patch(x) for x in a[S3:S4]] + a[S4:])
    report = compare_files(pa, pb, out_dir=tmp_path / "cmp", metrics=False)
    assert "changes.png" in report["pictures"]
    img = np.asarray(Image.open(tmp_path / "cmp" / "changes.png").convert("RGB"))
    x, y, w, _h = report["segments"][1]["causes"][0]["boxes"][0]  # A pixels = working pixels here (320 wide)
    # The box outline is drawn in yellow on A's panel, along its top edge.
    edge = img[y + 1, x + 4 : x + w - 4]
    assert (np.abs(edge.astype(int) - (255, 220, 0)).sum(axis=1) < 40).mean() > 0.9


@pytest.mark.parametrize("metrics", [False, True])  # with metrics, the pass's worst pairs are reused, not decoded again
def test_a_change_over_two_shots_names_both_causes(source, metrics: bool) -> None:
    """A regraded shot followed by a shot with a replaced sign: one changed segment, both causes."""
    from tests.compare.conftest import S2

    a, pa, out = source
    pb = write(out / "two.mp4", a[:S2] + [_warm(x) for x in a[S2:S3]] + [_patch(x) for x in a[S3:S4]] + a[S4:])
    report = compare_files(pa, pb, metrics=metrics)
    (changed,) = [s for s in report["segments"] if s["kind"] == "changed"]
    assert changed["a_frames"] == [S2, S4]
    assert [c["cause"] for c in changed["causes"]] == ["colour", "local"]


def _gamma_saturation(img: np.ndarray) -> np.ndarray:
    """FFmpeg's eq=gamma=1.3:saturation=1.2, near enough: a curve and more colour, no region singled out."""
    x = 255.0 * (img.astype(np.float32) / 255.0) ** (1 / 1.3)
    grey = x.mean(axis=2, keepdims=True)
    return np.clip(grey + 1.2 * (x - grey), 0, 255).astype(np.uint8)


def test_a_curve_and_saturation_grade_is_colour_only(source) -> None:
    report = _changed(source, _gamma_saturation, "gamma")
    assert [c["cause"] for c in report["segments"][1]["causes"]] == ["colour"]
