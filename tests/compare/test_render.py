"""Pictures: a readable time axis, no line drawn over material B has no pairs for, a legend of what is there."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from takevault.compare import render


def test_time_ticks_are_round_and_fit_the_width() -> None:
    assert render.time_ticks(10.0, 1120) == [float(i) for i in range(11)]
    ticks = render.time_ticks(600.0, 1120)
    assert ticks[1] - ticks[0] == 60 and ticks[-1] == 600
    assert render.time_ticks(3.0, 300) == [0.0, 1.0, 2.0, 3.0]
    assert render.short_time(75.0, 5) == "1:15"
    assert render.short_time(0.5, 0.5) == "0:00.5"
    assert render.short_time(3725.0, 600) == "1:02:05"


def test_difference_plot_breaks_the_line_over_inserted_material_and_lists_only_present_kinds(tmp_path: Path) -> None:
    times = [i / 25 for i in range(100)] + [6 + i / 25 for i in range(100)]
    segments = [
        {"kind": "same", "a": [0.0, 4.0], "b": [0.0, 4.0]},
        {"kind": "inserted", "a": None, "b": [4.0, 6.0]},
        {"kind": "same", "a": [4.0, 8.0], "b": [6.0, 10.0]},
    ]
    path = render.difference_plot(tmp_path / "d.png", times, [0.95] * 200, [40.0] * 200, 10.0, segments, [4.0, 6.0])
    img = np.asarray(Image.open(path).convert("RGB"))
    ssim_blue = np.all(img == (40, 90, 200), axis=2)
    left, right = 60, img.shape[1] - 20
    x_mid_gap = round(left + (right - left) * 0.5)
    assert ssim_blue[:, left + 50].any()  # the line is drawn where there are pairs
    assert not ssim_blue[:, x_mid_gap - 20 : x_mid_gap + 20].any()  # and not across the insert
    for kind in ("removed", "moved", "retimed", "changed"):  # no legend key for kinds not in the edit
        assert not np.all(img == render.KIND_COLOURS[kind], axis=2).any(), kind


def test_edit_band_labels_never_overlap_or_run_off_the_edge(tmp_path: Path) -> None:
    """Removed material at five close points, one at the very end: every label inside, none on another."""
    centres = [100.0, 104.0, 108.0, 400.0, 1195.0, 1199.0]
    widths = [70.0] * len(centres)
    placed = render.place_labels(centres, widths, 4, 1196, rows=2)
    boxes = [(x, x + w, row) for (x, row), w in zip(placed, widths, strict=True) if row is not None]
    assert all(x0 >= 4 and x1 <= 1196 for x0, x1, _ in boxes)
    for i, (a0, a1, ra) in enumerate(boxes):
        for b0, b1, rb in boxes[i + 1 :]:
            assert ra != rb or a1 <= b0 or b1 <= a0
    assert [row for _, row in placed] == [0, 1, None, 0, 0, 1]  # the third close one has no room: its mark stays
    segments = [{"kind": "same", "a": [0.0, 10.0], "b": [0.0, 9.5]}]
    segments += [{"kind": "removed", "a": [t, t + 0.1], "b": None, "at": 9.5} for t in (9.6, 9.7, 9.8)]
    path = render.difference_plot(tmp_path / "d.png", [0.0, 1.0], [0.9, 0.9], [30.0, 30.0], 9.5, segments, [])
    img = np.asarray(Image.open(path).convert("RGB"))
    red = np.all(img == render.KIND_COLOURS["removed"], axis=2)
    band = red[img.shape[0] - 60 + 13 :, :]
    assert band.any() and not band[:, -3:].any()  # the labels stop short of the right edge
