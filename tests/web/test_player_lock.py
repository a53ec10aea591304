"""Floating players in real Chromium: the frame number, record-run SMPTE and source timecode in the bar,
and "Lock": locked players play, pause, seek and step frames together at their offset at lock time."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from takevault.vault import Vault
from tests.clips import make_clip
from tests.web.conftest import ServerThread, checked_page, free_port
from tests.web.test_browser import wait_js

pytestmark = pytest.mark.browser


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    from takevault.web import create_app

    spec = {"width": 160, "height": 90, "frames": 72}
    first = make_clip(tmp_path / "SH010_a.mp4", **spec, scenes=((0, 1),), metadata=(("timecode", "01:00:00:00"),))
    second = make_clip(tmp_path / "SH010_b.mp4", **spec, scenes=((0, 2),))
    with Vault.init(tmp_path / "vault") as vault:
        vault.add_shot("SH010")
        vault.add(first, shot="SH010")
        vault.add(second, shot="SH010")
    app = create_app(tmp_path / "vault")
    with ServerThread(app, free_port()) as server:
        yield server.url
    app.state.web.close()


@pytest.fixture
def page(browser):
    with checked_page(browser, timeout_ms=20000) as pg:
        yield pg


WINDOWS = "document.querySelectorAll('[data-testid=player-window]')"
VIDEOS = "document.querySelectorAll('[data-testid=player-window] video')"


def video(n: int) -> str:
    return f"{VIDEOS}[{n}]"


def frame(n: int) -> str:
    return f"{WINDOWS}[{n}].querySelector('[data-testid=player-frame]').textContent"


def seek(page, n: int, to_frame: int) -> None:
    """What dragging the player's own bar does: set its time (mid-frame)."""
    page.evaluate(f"() => {{ {video(n)}.currentTime = ({to_frame} + 0.5) / 24; }}")


def open_two(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("[data-testid=take-card]")
    for button in page.locator("[data-testid=take-card] [data-testid=play]").all():
        button.click()
    wait_js(page, f"[...{VIDEOS}].filter(v => v.dataset.ready === '1').length === 2")
    page.evaluate(f"() => {VIDEOS}.forEach(v => v.pause())")
    wait_js(page, f"{video(0)}.paused && {video(1)}.paused")
    # Side by side: drag the second window by its title bar to the right of the first.
    bar = page.locator("[data-testid=player-window] .window-title").nth(1).bounding_box()
    page.mouse.move(bar["x"] + 20, bar["y"] + bar["height"] / 2)
    page.mouse.down()
    page.mouse.move(bar["x"] + 560, bar["y"] + 60, steps=5)
    page.mouse.up()


def test_locked_players_seek_step_play_and_pause_together(page, served: str):
    open_two(page, served)
    seek(page, 0, 10)
    seek(page, 1, 20)
    wait_js(page, f"{frame(0)} === 'frame 10' && {frame(1)} === 'frame 20'")  # unlocked: each on its own
    for lock in page.locator("[data-testid=player-lock]").all():
        lock.click()
    assert page.locator("[data-testid=player-window][data-locked='1']").count() == 2
    # Seek A: B follows at the 10-frame offset they had when locked.
    seek(page, 0, 30)
    wait_js(page, f"{frame(0)} === 'frame 30' && {frame(1)} === 'frame 40'")
    # Step B with the keys in its window: A steps too.
    page.locator("[data-testid=player-window]").nth(1).locator(".window-title").click()
    page.keyboard.press("ArrowRight")
    wait_js(page, f"{frame(1)} === 'frame 41' && {frame(0)} === 'frame 31'")
    page.keyboard.press("Shift+ArrowLeft")
    wait_js(page, f"{frame(1)} === 'frame 31' && {frame(0)} === 'frame 21'")
    # Play one: both play; pause the other: both pause, still 10 frames apart.
    page.evaluate(f"() => {video(0)}.play()")
    wait_js(page, f"!{video(0)}.paused && !{video(1)}.paused")
    page.wait_for_timeout(400)
    page.evaluate(f"() => {video(1)}.pause()")
    wait_js(page, f"{video(0)}.paused && {video(1)}.paused")
    wait_js(
        page,
        f"Number({frame(1)}.split(' ')[1]) - Number({frame(0)}.split(' ')[1]) === 10 && !{video(0)}.seeking",
    )
    # Unlock B: seeking A leaves B where it is.
    page.locator("[data-testid=player-lock]").nth(1).click()
    before = page.evaluate(f"() => {frame(1)}")
    seek(page, 0, 5)
    wait_js(page, f"{frame(0)} === 'frame 5'")
    page.wait_for_timeout(300)
    assert page.evaluate(f"() => {frame(1)}") == before


def test_the_player_bar_shows_smpte_and_the_source_timecode(page, served: str):
    open_two(page, served)
    windows = page.locator("[data-testid=player-window]")
    # Cards are listed newest first or by take; find the one whose file carries a timecode.
    seek(page, 0, 30)
    seek(page, 1, 30)
    wait_js(page, f"{frame(0)} === 'frame 30' && {frame(1)} === 'frame 30'")
    sources = [windows.nth(i).locator("[data-testid=player-source-tc]") for i in (0, 1)]
    shown = [s.inner_text() for s in sources if s.is_visible()]
    assert shown == ["src 01:00:01:06"]
    assert [windows.nth(i).locator("[data-testid=player-smpte]").inner_text() for i in (0, 1)] == ["00:00:01:06"] * 2
