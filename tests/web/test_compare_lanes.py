"""The compare room in real Chromium: A and B on their own lanes, a segment click seeks each player to
its own matched frame, the first table names the versions compared, `local` boxes over the players."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.clips import make_clip
from tests.web.conftest import ServerThread, free_port
from tests.web.test_browser import page, screenshot, wait_js  # noqa: F401  (the room tests' page fixture)

pytestmark = pytest.mark.browser

FPS = 24
N = 96
CLIP = {"width": 320, "height": 180, "frames": N, "scenes": ((0, 1), (30, 2), (60, 3))}
CUT = (45, 51)  # frames of A that B leaves out
PATCH = (66, 84, (40, 30, 80, 50))  # a red box on frames 66..84 of B: 80x50 px at (40, 30)


@dataclass
class Pair:
    url: str
    take: str


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    from takevault.vault import Vault
    from takevault.web import create_app

    d = tmp_path_factory.mktemp("lanes")
    a = make_clip(d / "a.mp4", **CLIP)
    order = (*range(CUT[0]), *range(CUT[1], N))
    b = make_clip(d / "b.mp4", **CLIP, order=order, patch=PATCH)
    with Vault.init(d / "vault") as vault:
        vault.add_shot("SH010")
        take = vault.add(a, shot="SH010").id
        vault.replace(take, b)
        vault.replace(take, a)  # the take's current version is v3: the room must show v1 against v2
    app = create_app(d / "vault")
    with ServerThread(app, free_port()) as server:
        yield Pair(url=server.url, take=take)
    app.state.web.close()


def _open(page, pair: Pair) -> None:  # noqa: F811
    page.goto(f"{pair.url}/compare?items={pair.take}@v1,{pair.take}@v2")
    for item in "AB":
        page.wait_for_selector(f"video[data-item={item}][data-ready='1']", state="attached", timeout=30000)
    wait_js(page, "document.querySelectorAll('[data-testid=lane-a] .segment').length >= 3", timeout=60000)


def _times(page) -> dict:  # noqa: F811
    return page.evaluate(
        """() => { const q = (k) => document.querySelector(`video[data-item=${k}]`);
                   return { a: q('A').currentTime, b: q('B').currentTime }; }"""
    )


def _settled(page) -> None:  # noqa: F811
    wait_js(page, "() => [...document.querySelectorAll('video')].every(v => !v.seeking)")


def test_lanes_show_each_side_and_a_click_seeks_each_player_to_its_matched_frame(page, pair: Pair) -> None:  # noqa: F811
    _open(page, pair)
    kinds = {
        lane: page.locator(f"[data-testid={lane}] .segment").evaluate_all("els => els.map(e => e.dataset.kind)")
        for lane in ("lane-a", "lane-b")
    }
    assert "removed" in kinds["lane-a"] and "removed" not in kinds["lane-b"]  # removed lives on A's lane only
    assert page.locator("[data-testid=lane-b] [data-kind=removed-at]").count() == 1  # and is marked where it was in B
    assert page.locator("[data-testid=lane-joins] polygon").count() == len(kinds["lane-b"])

    # The removed segment sits at 45..51 of A's 96 frames on A's lane.
    lane = page.locator("[data-testid=lane-a]").bounding_box()
    removed = page.locator("[data-testid=lane-a] .segment[data-kind=removed]").bounding_box()
    assert abs((removed["x"] - lane["x"]) / lane["width"] - CUT[0] / N) < 0.01
    assert abs(removed["width"] / lane["width"] - (CUT[1] - CUT[0]) / N) < 0.01

    # The material after the cut: A plays it from frame 51, B from frame 45.
    after = page.locator("[data-testid=lane-b] .segment[data-kind=same]").nth(1)
    after.click()
    _settled(page)
    t = _times(page)
    assert int(t["a"] * FPS) == CUT[1] and int(t["b"] * FPS) == CUT[0], t

    # The removed mark: A to the first removed frame, B to where it was cut out.
    page.locator("[data-testid=lane-b] [data-kind=removed-at]").click()
    _settled(page)
    t = _times(page)
    assert int(t["a"] * FPS) == CUT[0] and int(t["b"] * FPS) == CUT[0], t

    # Stepping keeps each on its own frame: one frame on, both move by one.
    after.click()
    _settled(page)
    page.click("[data-testid=step-forward]")
    _settled(page)
    t = _times(page)
    assert int(t["a"] * FPS) == CUT[1] + 1 and int(t["b"] * FPS) == CUT[0] + 1, t


def test_first_table_names_the_compared_versions_with_units(page, pair: Pair) -> None:  # noqa: F811
    _open(page, pair)
    table = page.locator("[data-testid=technical]")
    text = table.inner_text()
    assert f"{pair.take}" not in text  # refs, not ids
    assert "SH010/video_01@v1" in text and "SH010/video_01@v2" in text and "@v3" not in text
    wait_js(page, "document.querySelector('[data-testid=compare-summary]') !== null", timeout=60000)
    text = page.locator("[data-testid=technical]").inner_text()
    assert "SH010/video_01@v1" in text and "@v3" not in text
    assert "4.000 s" in text and "3.750 s" in text and re.search(r"\d [kM]b/s", text)  # units, not raw numbers
    summary = page.locator("[data-testid=compare-summary]").inner_text()
    assert "6 frames of A (00:00:01:21–00:00:02:03) cut out at B 00:00:01:21." in summary
    assert "local: 1 region changed" in summary


def test_local_boxes_are_drawn_over_both_players_during_the_changed_segment(page, pair: Pair) -> None:  # noqa: F811
    _open(page, pair)
    page.locator("[data-testid=lane-b] .segment[data-kind=changed]").click()
    _settled(page)
    wait_js(page, "document.querySelectorAll('[data-testid=local-box]').length === 2")
    screenshot(page, "compare-lanes-local-boxes.png")
    for item in "AB":
        video = page.locator(f"video[data-item={item}]").bounding_box()
        box = page.locator(f"[data-testid=box-layer][data-item={item}] [data-testid=local-box]").bounding_box()
        scale = video["width"] / CLIP["width"]
        x, y, w, h = PATCH[2]
        # In the picture's pixels (the video fills its tile's width here), to the 8 px cells the boxes are found in.
        assert abs((box["x"] - video["x"]) / scale - x) <= 9 and abs((box["y"] - video["y"]) / scale - y) <= 9
        assert abs(box["width"] / scale - w) <= 17 and abs(box["height"] / scale - h) <= 17
    # Outside the segment, no boxes.
    page.locator("[data-testid=lane-b] .segment[data-kind=same]").first.click()
    _settled(page)
    wait_js(page, "document.querySelectorAll('[data-testid=local-box]').length === 0")


def test_fps_is_written_as_editors_write_it(page, pair: Pair) -> None:  # noqa: F811
    _open(page, pair)
    got = page.evaluate(
        """async () => {
             const m = await import('/static/js/compare.js');
             const cases = [['fps', '24000/1001'], ['fps', '25/1'], ['fps', '30000/1001'],
                            ['bit_rate', 1234567], ['bit_rate', 640000], ['duration', 2]];
             return cases.map(([f, v]) => m.fmtField(f, v)); }"""
    )
    assert got == ["23.976 fps", "25 fps", "29.97 fps", "1.23 Mb/s", "640 kb/s", "2.000 s"]
