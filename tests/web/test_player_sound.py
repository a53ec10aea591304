"""The compare room's sound: which side is heard, the waveform strip of it (peaks from the server, kept as
a derived file), the S key and the key help; and the source timecode beside the record-run SMPTE."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import pytest

from takevault.vault import Vault
from tests.clips import make_clip
from tests.web.conftest import ServerThread, TestClient, checked_page, free_port
from tests.web.test_browser import wait_js

DOCS_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
UNKNOWN = "00000000-0000-4000-8000-000000000000"


@dataclass
class Room:
    root: Path
    loud: str  # speech-like sound, a 01:00:00:00 start timecode
    other: str  # another sound
    silent: str  # no audio stream


def _seed(root: Path, d: Path) -> Room:
    spec = {"width": 160, "height": 90, "frames": 48}
    loud = make_clip(d / "SH010_loud.mp4", **spec, scenes=((0, 1),), audio="speech",
                     metadata=(("timecode", "01:00:00:00"),))  # fmt: skip
    other = make_clip(d / "SH010_other.mp4", **spec, scenes=((0, 2),), audio=True)
    silent = make_clip(d / "SH010_silent.mp4", **spec, scenes=((0, 3),))
    with Vault.init(root) as vault:
        vault.add_shot("SH010")
        return Room(
            root=root,
            loud=vault.add(loud, shot="SH010").id,
            other=vault.add(other, shot="SH010").id,
            silent=vault.add(silent, shot="SH010").id,
        )


@pytest.fixture
def room(tmp_path: Path) -> Room:
    return _seed(tmp_path / "vault", tmp_path)


def test_waveform_peaks_are_made_once_and_kept_as_a_derived_file(room: Room):
    from takevault.media.waveform import WAVEFORM_FORMAT
    from takevault.web import create_app

    with TestClient(create_app(room.root)) as client:
        r = client.get(f"/api/media/{room.loud}/1/waveform")
        assert r.status_code == 200, r.text
        peaks = r.json()
        assert peaks["version"] == 1 and peaks["per_second"] == 100 and peaks["channels"] == 2
        assert abs(peaks["duration"] - 2.0) < 0.1 and len(peaks["min"]) == len(peaks["max"]) > 190
        assert all(-1 <= lo <= hi <= 1 for lo, hi in zip(peaks["min"], peaks["max"], strict=True))
        assert max(peaks["max"]) > 0.05  # real sound, not zeros
        playback = client.get(f"/api/media/{room.loud}/1/playback").json()
        assert playback["start_timecode"] == "01:00:00:00"
        assert client.get(f"/api/media/{room.other}/1/playback").json()["start_timecode"] is None
        with Vault.open(room.root) as vault:
            sha = vault.take(room.loud).current.sha256
            name = f"{sha}-w{WAVEFORM_FORMAT}.json"
            assert vault.derived.exists("waveforms", name)
            # Another machine (an empty cache) gets the stored copy, not a new decode.
            (room.root / "cache" / "waveforms" / name).unlink()
        again = client.get(f"/api/media/{room.loud}/1/waveform")
        assert again.json() == peaks

        silent = client.get(f"/api/media/{room.silent}/1/waveform")
        assert silent.status_code == 404
        assert silent.json() == {"error": "SH010/video_03@v1 has no sound, so it has no waveform."}
        assert client.get(f"/api/media/{room.loud}/9/waveform").status_code == 404
        unknown = client.get(f"/api/media/{UNKNOWN}/1/waveform")
        assert unknown.status_code == 404 and "error" in unknown.json()
        assert client.get("/api/media/not-a-take/1/waveform").status_code in (400, 404, 422)
    assert not list((room.root / "cache" / "waveforms").glob(f"*{room.silent}*"))


def test_page_timecode_parsing_matches_the_timecode_module(browser, room: Room):
    from takevault.timecode import frame_to_timecode, timecode_to_frame

    app_server = ServerThread(_app(room), free_port())
    with app_server as server:
        page = browser.new_page()
        try:
            page.goto(server.url)
            ntsc, ntsc60 = Fraction(30000, 1001), Fraction(60000, 1001)
            cases = [("01:00:00:00", Fraction(24)), ("00:59:59:24", Fraction(25)), ("01:00:00;00", ntsc),
                     ("00:10:00;02", ntsc), ("10:00:00;00", ntsc60)]  # fmt: skip
            for text, fps in cases:
                parsed, source = page.evaluate(
                    """async ([text, fps]) => { const m = await import('/static/js/timecode.js');
                         return [m.parseTimecode(text, fps), m.sourceTimecode(text, 1000, fps)]; }""",
                    [text, float(fps)],
                )
                assert parsed == timecode_to_frame(text, fps), text
                assert source == frame_to_timecode(parsed + 1000, fps), text
            bad = "async () => (await import('/static/js/timecode.js')).parseTimecode('soon', 24)"
            assert page.evaluate(bad) is None
        finally:
            page.close()


def _app(room: Room):
    from takevault.web import create_app

    return create_app(room.root)


@pytest.fixture
def served(room: Room) -> Iterator[str]:
    app = _app(room)
    with ServerThread(app, free_port()) as server:
        yield server.url
    app.state.web.close()


@pytest.fixture
def page(browser):
    with checked_page(browser, timeout_ms=20000) as pg:
        yield pg


MUTED = "[...document.querySelectorAll('video')].map(v => v.muted ? 'm' : 's').join('')"
LANES = "document.querySelector('[data-testid=sound-strip]')?.dataset.lanes"
# Both players in the page and loaded (an empty page would pass a bare `every`).
VIDEOS_READY = (
    "document.querySelectorAll('video').length >= 2"
    " && [...document.querySelectorAll('video')].every(v => v.dataset.ready === '1')"
)


@pytest.mark.browser
def test_choose_the_sound_with_buttons_and_the_s_key_and_seek_on_the_strip(page, room: Room, served: str):
    page.goto(f"{served}/compare?items={room.loud}@v1,{room.other}@v1")
    wait_js(page, VIDEOS_READY)
    wait_js(page, "document.querySelector('[data-testid=sound-strip]')?.dataset.ready === '1'")
    assert page.evaluate(MUTED) == "sm" and page.evaluate(LANES) == "A"
    page.locator("[data-testid=compare-stage]").click(position={"x": 5, "y": 5})
    page.keyboard.press("k")
    page.keyboard.press("s")
    wait_js(page, f"{MUTED} === 'ms' && {LANES} === 'B'")
    assert page.locator("[data-testid=sound-B]").get_attribute("aria-pressed") == "true"
    page.keyboard.press("s")
    wait_js(page, f"{MUTED} === 'mm' && {LANES} === 'A,B'")  # no sound: both strips, A above
    assert "sound=none" in page.url
    page.keyboard.press("s")
    wait_js(page, f"{MUTED} === 'sm' && {LANES} === 'A'")
    page.click("[data-testid=sound-B]")
    wait_js(page, f"{MUTED} === 'ms'")
    page.click("[data-testid=sound-both]")
    wait_js(page, f"{LANES} === 'A,B' && document.querySelector('[data-testid=sound-strip]')?.dataset.ready === '1'")
    # A click on the strip seeks every player there: the middle of 48 frames is frame 24.
    strip = page.locator("[data-testid=sound-strip]").bounding_box()
    page.mouse.click(strip["x"] + strip["width"] * 0.51, strip["y"] + 10)
    wait_js(page, "document.querySelector('[data-testid=timecode]').textContent.includes('frame 24')")
    head = float(page.locator("[data-testid=sound-strip]").get_attribute("data-playhead"))
    assert 0.49 < head < 0.53
    # The strip, the sound choice and the transport fit a 1280x720 window.
    assert page.locator("[data-testid=sound-wrap]").bounding_box()["y"] + 60 < 720
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.keyboard.press("?")
    page.locator("[data-testid=key-help]").wait_for()
    assert "sound: A, B, …, none" in page.locator("[data-testid=key-help]").inner_text()
    page.keyboard.press("?")
    wait_js(page, "!document.querySelector('[data-testid=key-help]')")


@pytest.mark.browser
def test_a_side_without_sound_says_so_and_the_source_timecode_is_shown(page, room: Room, served: str):
    page.goto(f"{served}/compare?items={room.loud}@v1,{room.silent}@v1&waves=both")
    wait_js(page, VIDEOS_READY)
    wait_js(page, "document.querySelector('[data-testid=sound-strip]')?.dataset.ready === '1'")
    assert page.locator("[data-testid=sound-message]").inner_text() == (
        "B: SH010/video_03@v1 has no sound, so it has no waveform."
    )
    src = "document.querySelector('[data-testid=source-tc]')"
    page.locator("[data-testid=compare-stage]").click(position={"x": 5, "y": 5})
    page.keyboard.press("k")
    page.keyboard.press("Home")
    wait_js(page, f"{src}.textContent === 'src 01:00:00:00' && !{src}.hidden")
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    wait_js(page, f"{src}.textContent === 'src 01:00:00:05'")
    assert page.locator("[data-testid=smpte]").inner_text() == "00:00:00:05"
    DOCS_SHOTS.mkdir(exist_ok=True)
    page.click("[data-testid=sound-A]")
    page.wait_for_timeout(300)
    shot = DOCS_SHOTS / "review-sound.png"
    save_small_png(page.screenshot(), shot)
    assert shot.stat().st_size < 200_000


def save_small_png(png: bytes, dest: Path) -> None:
    """A screenshot for the docs in a 128-colour palette: noisy test pictures stay well under 200 KB."""
    import io

    from PIL import Image

    Image.open(io.BytesIO(png)).convert("RGB").quantize(128).save(dest, optimize=True)
