"""The report's shape (as `compare --json` prints it) and the pictures and video written beside it."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import av
import pytest
from PIL import Image

from takevault.compare.progress import ALIGN_SHARE, SOUND_SHARE
from takevault.compare.report import compare_files


def test_report_shape_and_pictures(tmp_path: Path, footage: dict[str, Path]) -> None:
    out = tmp_path / "out"
    report = compare_files(footage["a"], footage["regrade"], out_dir=out)
    assert set(report) >= {"a", "b", "technical", "metrics", "cuts", "segments", "pictures"}
    assert set(report["technical"]) >= {"a", "b", "differences", "warnings"}
    assert set(report["metrics"]["psnr"]) == {"y", "u", "v", "average"}
    assert set(report["metrics"]["ssim"]) == {"y", "u", "v", "all"}
    first = report["metrics"]["frames"][0]
    assert set(first) >= {"a_time", "b_time", "psnr", "ssim"}
    assert all(s["kind"] in ("same", "changed", "inserted", "removed", "moved", "retimed") for s in report["segments"])
    starts = [s["b"][0] for s in report["segments"] if s["b"]]
    assert starts == sorted(starts)
    on_disk = json.loads((out / "report.json").read_text())
    assert on_disk["segments"] == report["segments"]
    assert report["pictures"] == [
        "difference.png",
        "alignment.png",
        "worst_pairs.png",
        "wipe.png",
        "heatmap.png",
        "changes.png",
    ]
    for name in report["pictures"]:
        with Image.open(out / name) as img:
            img.verify()
    # The worst pair is inside the regraded range (the encoder smears a little past it), and the strip shows them.
    worst = report["metrics"]["worst"]
    assert worst and 4.0 <= worst[0]["b_time"] < 6.4
    with Image.open(out / "worst_pairs.png") as strip:
        assert strip.height >= len(worst) * 68


def test_heat_map_is_true_absolute_difference_with_gain() -> None:
    import numpy as np

    from takevault.compare.render import heat

    a = np.full((8, 8, 3), 100, dtype=np.uint8)
    b = a.copy()
    b[:4] = 90  # darker: a clipped A-B would show nothing here
    b[4:] = 110
    rgb, gain = heat(a, b)
    assert gain == pytest.approx(25.5)
    assert (rgb[:4] == rgb[4:]).all() and rgb.max() == 255


def test_side_by_side_video(tmp_path: Path, footage: dict[str, Path]) -> None:
    out = tmp_path / "out"
    report = compare_files(footage["a"], footage["insert"], out_dir=out, video=True)
    assert "side_by_side.mp4" in report["pictures"]
    with av.open(str(out / "side_by_side.mp4")) as container:
        stream = container.streams.video[0]
        images = [f.to_ndarray(format="rgb24") for f in container.decode(stream)]
        assert stream.width == 3 * 160
    assert len(images) == 290  # every frame of B, A black where B is inserted
    inserted = images[140]  # B frames 120..159 are foreign footage
    below_caption = inserted[20:]
    assert below_caption[:, 160:320].mean() > 40  # B's picture
    assert below_caption[:, :160].mean() < 3 and below_caption[:, 320:].mean() < 3  # no A, so no difference either
    assert inserted[:16, :160].mean() > 10  # A's panel is captioned (white text on black)
    # With a second pass the metrics cover exactly the matched pairs.
    assert report["metrics"]["pairs"] == 250


def test_edited_pair_metrics_use_aligned_pairs(footage: dict[str, Path]) -> None:
    report = compare_files(footage["a"], footage["remove"])
    rows = report["metrics"]["frames"]
    assert len(rows) == 210
    assert all(r["psnr"] is None or r["psnr"] > 40 for r in rows)  # pairs show the same picture
    assert rows[100]["a_time"] == pytest.approx(140 / 25) and rows[100]["b_time"] == pytest.approx(100 / 25)


def test_progress_goes_on_through_the_second_pass(footage: dict[str, Path]) -> None:
    """A cut needs the matched pairs decoded again for the metrics; the count keeps moving meanwhile."""
    counted = []
    report = compare_files(footage["a"], footage["remove"], progress=counted.append)
    assert "second pass" in report["metrics"]["method"]
    first_pass = 250 + 210
    assert sum(counted) >= first_pass + 2 * report["metrics"]["pairs"]


class Bar:
    """A progress callback like the CLI's bar: a count, a total, the name of the step under way."""

    def __init__(self) -> None:
        self.done, self.totals, self.steps = 0, [], []

    def __call__(self, n: int = 1) -> None:
        self.done += n

    def set_total(self, total: int) -> None:
        self.totals.append(total)

    def set_description(self, description: str) -> None:
        self.steps.append((description, self.done, self.totals[-1]))


def test_progress_gets_a_total_that_the_count_reaches(footage: dict[str, Path]) -> None:
    """A bar that takes a total (the CLI's, for its ETA) is told it: both files' frames and the steps
    after them, then the second pass's frames."""
    bar = Bar()
    compare_files(footage["a"], footage["remove"], progress=bar)
    frames = 250 + 210
    after = round(ALIGN_SHARE * frames) + round(SOUND_SHARE * frames)
    assert bar.totals[0] == frames + after  # from the headers, before decoding starts
    assert bar.totals[-1] == frames + 210 + 210 + after and bar.done == bar.totals[-1]


def test_progress_has_a_total_and_moves_through_every_step(footage: dict[str, Path], tmp_path: Path) -> None:
    """Decoding, alignment, the second pass, the causes, the sound and the pictures each move the count,
    and the count stays short of the total until the last of them is over."""
    bar = Bar()
    report = compare_files(footage["a"], footage["regrade"], progress=bar, out_dir=tmp_path)
    assert any(s["kind"] == "changed" for s in report["segments"])
    assert report["metrics"]["method"].endswith("single pass")  # same frames: no second pass
    names = [name for name, _, _ in bar.steps]
    assert names == ["Decoding frames", "Aligning", "Explaining changes", "Comparing sound", "Drawing pictures"]
    counts = [done for _, done, _ in bar.steps]
    assert all(later > earlier for earlier, later in itertools.pairwise(counts))  # each step moved it
    assert all(done < total for _, done, total in bar.steps)
    assert bar.done == bar.totals[-1]


def test_cli_bar_has_a_total_and_an_eta() -> None:
    from rich.progress import TimeRemainingColumn

    from takevault.cli import ui

    ui.err_console.is_terminal  # noqa: B018 (the bar only exists on a terminal; force one)
    forced = ui.err_console._force_terminal
    ui.err_console._force_terminal = True
    try:
        with ui.progress_items("Comparing", None) as tick:
            tick.set_total(10)
            tick(4)
            task = tick._bar.tasks[0]
            assert task.total == 10 and task.completed == 4
            tick.set_description("Comparing sound")
            assert task.description == "Comparing sound" and task.total == 10
            assert any(isinstance(c, TimeRemainingColumn) for c in tick._bar.columns)
    finally:
        ui.err_console._force_terminal = forced
