"""End to end in real Chromium: drag-drop, star, delete/restore, players, the compare room, the token.

Chromium is Debian's (/usr/bin/chromium, or TAKEVAULT_CHROMIUM); Playwright drives it.
Screenshots go to test-artifacts/ (gitignored).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.clips import make_clip
from tests.web.conftest import ServerThread, free_port
from tests.web.scenic import scenic_clip

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"


@dataclass
class Room:
    url: str
    ids: dict[str, str]
    clips: dict[str, Path]
    root: Path


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Room]:
    """A fresh vault with real clips, served by uvicorn on a free loopback port."""
    from takevault.vault import Vault
    from takevault.web import create_app

    d = tmp_path_factory.mktemp("browser")
    c = d / "clips"
    clip = {
        "a.mp4": scenic_clip(c / "a.mp4", hue=0.05),
        "b.mp4": scenic_clip(c / "b.mp4", hue=0.05, sun_y=0.42, cut=24),
        "c.mkv": make_clip(c / "c.mkv", width=320, height=180, frames=24, scenes=((0, 13),), audio=True),
        "d.mp4": scenic_clip(c / "d.mp4", hue=0.6, frames=24),
        "e.mp4": scenic_clip(c / "e.mp4", hue=0.8, frames=24),
        "f.mp4": scenic_clip(c / "f.mp4", hue=0.35, frames=24),
        "SH030_drop.mp4": scenic_clip(c / "SH030_drop.mp4", hue=0.9, frames=24),
        "SH020_drop.mp4": scenic_clip(c / "SH020_drop.mp4", hue=0.2, frames=24),
        "g.mp4": scenic_clip(c / "g.mp4", hue=0.5, frames=24),
    }
    ids = {}
    with Vault.init(d / "vault") as vault:
        vault.add_section("SEQ01", name="Arrival")
        vault.add_shot("SH010", section="SEQ01", name="Wide: the valley at dawn")
        vault.add_shot("SH020", section="SEQ01", name="Close-up: the fox")
        vault.add_shot("SH030", section="SEQ01", name="Tracking")
        ids["a"] = vault.add(clip["a.mp4"], shot="SH010", prompt="a red fox in a misty valley at dawn, 35mm").id
        ids["b"] = vault.add(clip["b.mp4"], shot="SH010", kind="edit", prompt="a red fox in a valley at dusk, rain").id
        ids["d"] = vault.add(clip["d.mp4"], shot="SH010", kind="final").id
        vault.set(ids["a"], rating=4, status="review", note="Good light, slight flicker at 0:01", tags=["hero"])
        vault.set(ids["b"], rating=3, status="approved", tags=["rain", "alt"])
        vault.star(ids["b"])
        ids["c"] = vault.add(clip["c.mkv"], shot="SH020").id
        ids["e"] = vault.add(clip["e.mp4"], shot="SH030", note="<b>bold?</b> <script>alert(1)</script>").id
        ids["f"] = vault.add(clip["f.mp4"], shot="SH030", kind="edit").id
    app = create_app(d / "vault")
    with ServerThread(app, free_port()) as server:
        yield Room(url=server.url, ids=ids, clips=clip, root=d / "vault")
    app.state.web.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, device_scale_factor=1)
    pg = context.new_page()
    pg.set_default_timeout(15000)
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    yield pg
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


def shot(page, code: str):
    return page.locator(f"[data-testid=shot-row][data-shot={code}]")


def card(page, take: str, code: str):
    return shot(page, code).locator(f"[data-testid=take-card][data-take={take}]")


def wait_js(page, expression: str, timeout: float | None = None) -> None:
    """Wait until a JS expression holds (as a function: the pages' CSP forbids eval of strings)."""
    if not expression.lstrip().startswith("()"):
        expression = f"() => ({expression})"
    page.wait_for_function(expression, timeout=timeout)


def wait_images(page) -> None:
    wait_js(page, "Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path))
    return path


def drop_files(page, selector: str, files: list[Path]) -> None:
    """A real drop: File objects in a DataTransfer, dispatched as dragenter/dragover/drop."""
    payload = [{"name": f.name, "b64": base64.b64encode(f.read_bytes()).decode()} for f in files]
    page.evaluate(
        """([selector, files]) => {
            const dt = new DataTransfer();
            for (const f of files) {
                const bin = atob(f.b64);
                const bytes = new Uint8Array(bin.length);
                for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
                dt.items.add(new File([bytes], f.name, { type: "video/mp4" }));
            }
            const el = document.querySelector(selector);
            for (const type of ["dragenter", "dragover", "drop"]) {
                el.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
            }
        }""",
        [selector, payload],
    )


def test_gallery_shows_sections_shots_and_cards(page, room: Room):
    page.goto(room.url + "/")
    page.wait_for_selector("[data-testid=take-card]")
    assert page.locator("[data-testid=shot-row]").evaluate_all("rows => rows.map(r => r.dataset.shot)") == [
        "SH010",
        "SH020",
        "SH030",
    ]
    assert card(page, "video_02", "SH010").get_attribute("class").split().count("starred") == 1
    assert shot(page, "SH010").locator(".card.starred").count() == 1
    # User text is shown as text, never as markup.
    note = card(page, "video_01", "SH030").locator(".card-note")
    assert note.text_content() == "<b>bold?</b> <script>alert(1)</script>"
    assert note.locator("b, script").count() == 0
    assert card(page, "video_01", "SH010").locator("[data-png]").get_attribute("data-png") in (
        "present",
        "thumbnail_only",
    )
    wait_images(page)
    screenshot(page, "gallery.png")


def test_gallery_in_a_narrow_window(browser, room: Room):
    """At 900 px nothing runs off the side: the filters wrap, cards stay whole and do not overlap."""
    context = browser.new_context(viewport={"width": 900, "height": 900}, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        page.goto(room.url + "/")
        page.wait_for_selector("[data-testid=take-card]")
        wait_images(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 900
        boxes = page.locator("[data-testid=take-card]").evaluate_all(
            "cs => cs.map(c => { const r = c.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })"
        )
        assert all(right <= 900 and right - left > 150 for left, _, right, _ in boxes)
        overlaps = [
            (i, j)
            for i, a in enumerate(boxes)
            for j, b in enumerate(boxes[i + 1 :], i + 1)
            if a[0] < b[2] - 1 and b[0] < a[2] - 1 and a[1] < b[3] - 1 and b[1] < a[3] - 1
        ]
        assert not overlaps
        for control in page.locator(".filterbar input, .filterbar select, .filterbar button").all():
            box = control.bounding_box()
            assert box is None or box["x"] + box["width"] <= 900
        screenshot(page, "gallery-narrow.png")
    finally:
        context.close()


def test_project_picker_switches_project(page, room: Room):
    from takevault.vault import Vault

    with Vault.open(room.root, project="trailer") as other:
        other.add_section("TR01", name="Teaser")
    page.goto(room.url + "/")
    page.wait_for_selector("[data-testid=take-card]")
    picker = page.locator("[data-testid=project-picker]")
    wait_js(page, "document.querySelectorAll('#project-picker option').length === 3")
    assert picker.input_value() == "main"
    picker.select_option("trailer")
    page.wait_for_url(re.compile(r"/\?project=trailer$"))
    page.wait_for_selector("[data-section=TR01]")
    assert page.locator("[data-testid=take-card]").count() == 0
    assert picker.input_value() == "trailer"
    picker.select_option("main")
    page.wait_for_url(re.compile(r"/$"))
    page.wait_for_selector("[data-testid=take-card]")


def test_add_dialog_keeps_what_was_typed_when_refused(page, room: Room):
    page.goto(room.url + "/")
    page.wait_for_selector("[data-testid=take-card]")
    page.click("[data-testid=add-section]")
    dialog = page.locator("[data-testid=prompt-dialog]")
    dialog.locator("input[name=code]").fill("SEQ01")
    dialog.locator("input[name=name]").fill("Arrival again")
    dialog.locator("button[type=submit]").click()
    dialog.locator(".dialog-error", has_text="already exists").wait_for()
    assert dialog.is_visible() and dialog.locator("input[name=name]").input_value() == "Arrival again"
    dialog.locator("button", has_text="Cancel").click()
    page.click("[data-testid=add-shot]")
    assert dialog.locator("select[name=section]").input_value() == "SEQ01"
    dialog.locator("button", has_text="Cancel").click()


def test_filters_live_in_the_url(page, room: Room):
    page.goto(room.url + "/?kind=edit")
    page.wait_for_selector("[data-testid=take-card]")
    names = page.locator("[data-testid=take-card]").evaluate_all(
        "cs => cs.map(c => c.closest('.shot').dataset.shot + '/' + c.dataset.take)"
    )
    assert names == ["SH010/video_02", "SH030/video_02"]
    page.reload()
    page.wait_for_selector("[data-testid=take-card]")
    assert page.locator("[data-testid=take-card]").count() == 2
    assert page.locator("select[data-filter=kind]").input_value() == "edit"
    page.check("input[data-filter=starred]")
    page.wait_for_url(re.compile(r"starred=1"))
    wait_js(page, "document.querySelectorAll('[data-testid=take-card]').length === 1")
    page.select_option("select[data-filter=kind]", "")
    page.wait_for_url(lambda url: "kind=" not in url)
    assert "starred=1" in page.url


def test_star_moves_and_unstars(page, room: Room):
    page.goto(room.url + "/")
    first, second = card(page, "video_01", "SH030"), card(page, "video_02", "SH030")
    first.locator("[data-testid=star]").click()
    wait_js(page, "document.querySelector('[data-shot=SH030] [data-take=video_01]').classList.contains('starred')")
    second = card(page, "video_02", "SH030")
    second.locator("[data-testid=star]").click()
    wait_js(page, "document.querySelector('[data-shot=SH030] [data-take=video_02]').classList.contains('starred')")
    assert "starred" not in card(page, "video_01", "SH030").get_attribute("class")
    assert shot(page, "SH030").locator(".card.starred").count() == 1
    card(page, "video_02", "SH030").locator("[data-testid=star]").click()
    wait_js(page, "!document.querySelector('[data-shot=SH030] .card.starred')")


def test_drag_and_drop_onto_a_shot_and_by_name(page, room: Room):
    page.goto(room.url + "/")
    page.wait_for_selector("[data-testid=shot-row][data-shot=SH020]")
    before = shot(page, "SH020").locator("[data-testid=take-card]").count()
    drop_files(page, "[data-testid=shot-row][data-shot=SH020]", [room.clips["g.mp4"]])
    wait_js(page, f"document.querySelectorAll('[data-shot=SH020] [data-testid=take-card]').length === {before + 1}")
    row = page.locator("[data-testid=upload-row]").first
    assert "added as SEQ01/SH020/video_02" in row.text_content()
    # Dropped on the gallery: names pick the shots; a name that maps nowhere gets a message.
    stray = room.clips["SH030_drop.mp4"].with_name("nothing_here.mp4")
    stray.write_bytes(room.clips["d.mp4"].read_bytes())
    drop_files(page, "#gallery .drop-hint", [room.clips["SH030_drop.mp4"], room.clips["SH020_drop.mp4"], stray])
    wait_js(page, "document.querySelectorAll('[data-shot=SH020] [data-testid=take-card]').length === 3")
    wait_js(page, "document.querySelectorAll('[data-shot=SH030] [data-testid=take-card]').length === 3")
    failed = page.locator("[data-testid=upload-row].failed")
    assert failed.count() == 1 and "No shot matches" in failed.text_content()


def test_refused_file_gets_a_message(page, room: Room, tmp_path: Path):
    page.goto(room.url + "/")
    page.wait_for_selector("[data-testid=shot-row][data-shot=SH010]")
    bogus = tmp_path / "SH010_notes.mp4"
    bogus.write_text("not a video at all\n" * 20)
    count = shot(page, "SH010").locator("[data-testid=take-card]").count()
    shot(page, "SH010").locator("[data-testid=add-take-input]").set_input_files(str(bogus))
    failed = page.locator("[data-testid=upload-row].failed")
    failed.wait_for()
    assert "not a video" in failed.text_content()
    assert shot(page, "SH010").locator("[data-testid=take-card]").count() == count


def test_delete_and_restore(page, room: Room):
    page.goto(room.url + "/")
    target = card(page, "video_02", "SH030")
    target.locator("[data-testid=delete]").click()
    dialog = page.locator("[data-testid=delete-dialog]")
    assert "SEQ01/SH030/video_02" in dialog.text_content()
    dialog.locator("[data-testid=confirm]").click()
    wait_js(page, "!document.querySelector('[data-shot=SH030] [data-take=video_02]')")
    page.select_option("select[data-filter=deleted]", "deleted")
    page.wait_for_url(re.compile(r"deleted=deleted"))
    restore = card(page, "video_02", "SH030").locator("[data-testid=restore]")
    restore.click()
    wait_js(page, "!document.querySelector('[data-shot=SH030] [data-take=video_02]')")
    page.select_option("select[data-filter=deleted]", "")
    card(page, "video_02", "SH030").wait_for()


def test_floating_players_and_history_panel(page, room: Room):
    page.goto(room.url + "/")
    card(page, "video_01", "SH010").locator("[data-testid=play]").click()
    card(page, "video_01", "SH020").locator("[data-testid=play]").click()  # MKV: played through a proxy
    windows = page.locator("[data-testid=player-window]")
    assert windows.count() == 2
    wait_js(page, "Array.from(document.querySelectorAll('.window video')).every(v => v.readyState >= 2)", timeout=30000)
    box = windows.nth(0).bounding_box()
    bar = windows.nth(0).locator(".window-bar")
    bar.hover(position={"x": 40, "y": 10})
    page.mouse.down()
    page.mouse.move(box["x"] + 240, box["y"] + 160, steps=5)
    page.mouse.up()
    moved = windows.nth(0).bounding_box()
    assert moved["x"] > box["x"] + 150 and moved["y"] > box["y"] + 100
    # Flung far past the corner, its title bar stays within reach.
    bar.hover(position={"x": 40, "y": 10})
    page.mouse.down()
    page.mouse.move(5000, 5000, steps=3)
    page.mouse.up()
    flung = windows.nth(0).bounding_box()
    assert flung["x"] <= 1440 - 80 and flung["y"] + 20 <= 900
    windows.nth(1).locator("button[aria-label=Close]").click()
    assert windows.count() == 1
    card(page, "video_01", "SH010").locator("[data-testid=details]").click()
    history = page.locator("[data-testid=history] .version")
    history.first.wait_for()
    assert "sha256" in history.first.text_content()
    page.fill("[data-testid=note]", "Check the <flicker>")
    page.click("[data-testid=save]")
    wait_js(
        page,
        "document.querySelector('[data-shot=SH010] [data-take=video_01] .card-note')?.textContent"
        " === 'Check the <flicker>'",
    )


def test_compare_room_seeks_in_sync(page, room: Room):
    a, b, c = room.ids["a"], room.ids["b"], room.ids["c"]
    page.goto(f"{room.url}/compare?items={a}@v1,{b}@v1,{c}@v1")
    page.wait_for_selector("video[data-item=A][data-ready='1']", state="attached", timeout=30000)
    page.wait_for_selector("video[data-item=B][data-ready='1']", state="attached", timeout=30000)
    page.wait_for_selector("video[data-item=C][data-ready='1']", state="attached", timeout=30000)
    # Seek A with its own scrubber to 0.9 s: B and C (1 s long) follow.
    page.locator("[data-testid=tile-scrub]").first.evaluate(
        "el => { el.value = 450; el.dispatchEvent(new Event('input', { bubbles: true })); }"
    )
    wait_js(
        page,
        """() => { const [a, b, c] = ['A', 'B', 'C'].map(k => document.querySelector(`video[data-item=${k}]`));
                   return a.currentTime > 0.85 && Math.abs(a.currentTime - b.currentTime) < 0.02
                          && Math.abs(a.currentTime - c.currentTime) < 0.02 && !a.seeking && !b.seeking; }""",
    )
    times = page.evaluate("['A','B'].map(k => document.querySelector(`video[data-item=${k}]`).currentTime)")
    # Seek B: A follows.
    page.locator("[data-testid=tile-scrub]").nth(1).evaluate(
        "el => { el.value = 250; el.dispatchEvent(new Event('input', { bubbles: true })); }"
    )
    wait_js(
        page,
        """() => { const q = (k) => document.querySelector(`video[data-item=${k}]`);
                   const a = q('A'), b = q('B');
                   return a.currentTime < 0.7 && Math.abs(a.currentTime - b.currentTime) < 0.02; }""",
    )
    # Frame step moves all by one frame.
    before = page.evaluate("Math.floor(document.querySelector('video[data-item=A]').currentTime * 24 + 1e-3)")
    page.click("[data-testid=step-forward]")
    wait_js(
        page,
        f"""() => ['A','B'].every(k =>
                   Math.floor(document.querySelector(`video[data-item=${{k}}]`).currentTime * 24 + 1e-3)
                   === {before + 1})""",
    )
    assert times[0] > 0.85
    # Play in sync, then pause.
    page.click("[data-testid=play-all]")
    wait_js(page, "document.querySelector('video[data-item=A]').currentTime > 0.9")
    page.click("[data-testid=play-all]")
    wait_js(
        page,
        """() => { const q = (k) => document.querySelector(`video[data-item=${k}]`);
                   const a = q('A'), b = q('B');
                   return a.paused && b.paused && Math.abs(a.currentTime - b.currentTime) < 0.05; }""",
    )
    page.locator("[data-testid=diff-plot]").wait_for(timeout=60000)
    page.locator("[data-testid=tile-scrub]").first.evaluate(
        "el => { el.value = 420; el.dispatchEvent(new Event('input', { bubbles: true })); }"
    )
    page.wait_for_timeout(300)
    assert "dusk" in page.locator(".word.added").all_text_contents()
    screenshot(page, "compare-side-by-side.png")
    page.click("button[data-mode=wipe]")
    page.wait_for_url(re.compile(r"mode=wipe"))
    stage = page.locator(".wipe").bounding_box()
    page.mouse.click(stage["x"] + stage["width"] * 0.3, stage["y"] + stage["height"] / 2)
    assert page.locator(".wipe-top").evaluate("el => el.style.clipPath").startswith("inset(0px 0px 0px 3")
    screenshot(page, "compare-wipe.png")
    page.click("button[data-mode=diff]")
    wait_js(page, "document.querySelector('[data-testid=diff-canvas]').width > 0")
    # Clicking the plot jumps there (scrolled to: the sound strip sits between the players and the plot).
    page.locator("[data-testid=diff-plot]").scroll_into_view_if_needed()
    plot = page.locator("[data-testid=diff-plot]").bounding_box()
    page.mouse.click(plot["x"] + plot["width"] * 0.75, plot["y"] + plot["height"] / 2)
    wait_js(page, "document.querySelector('video[data-item=A]').currentTime > 1.2")
    screenshot(page, "compare-difference.png")


PLOT_PIXELS = """([r, g, b]) => {
    // Columns of the plot canvas holding a colour (within a tolerance), as fractions of its width.
    const c = document.querySelector('[data-testid=diff-plot]');
    const { data, width, height } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    const hits = [];
    for (let x = 0; x < width; x++) {
        for (let y = 0; y < height; y++) {
            const i = (y * width + x) * 4;
            const off = Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b);
            if (data[i + 3] > 200 && off < 60) {
                hits.push(x / width);
                break;
            }
        }
    }
    return hits;
}"""
CURSOR_RGB, PSNR_RGB = (0xF2, 0xB1, 0x34), (0x4C, 0x8D, 0xFF)


def seek_main(page, fraction: float) -> None:
    page.locator("[data-testid=main-scrub]").evaluate(
        f"el => {{ el.value = {round(fraction * 1000)}; el.dispatchEvent(new Event('input', {{ bubbles: true }})); }}"
    )
    wait_js(page, "() => [...document.querySelectorAll('video[data-item]')].every(v => !v.seeking)")


def timeline(page) -> dict:
    return page.evaluate(
        """() => {
            const q = (k) => document.querySelector(`video[data-item=${k}]`);
            const main = document.querySelector('[data-testid=main-scrub]');
            const tiles = [...document.querySelectorAll('[data-testid=tile-scrub]')];
            return { a: q('A').currentTime, c: q('C').currentTime, cDuration: q('C').duration,
                     main: main.value / main.max, tiles: tiles.map(t => t.value / t.max),
                     label: document.querySelector('[data-testid=timecode]').textContent };
        }"""
    )


def test_compare_timeline_plot_and_seek_bars_share_one_time_base(page, room: Room):
    """Two 2 s clips and a 1 s MKV (played through a proxy with audio): one timeline of 2 s."""
    a, b, c = room.ids["a"], room.ids["b"], room.ids["c"]
    page.goto(f"{room.url}/compare?items={a}@v1,{b}@v1,{c}@v1")
    for item in "ABC":
        page.wait_for_selector(f"video[data-item={item}][data-ready='1']", state="attached", timeout=30000)
    page.locator("[data-testid=diff-plot]").wait_for(timeout=60000)
    wait_js(page, "document.querySelectorAll('[data-testid=segments] .segment').length > 0")
    # The proxy's picture and sound end together: its duration is its 24 frames, not a long audio tail.
    assert abs(timeline(page)["cDuration"] - 1.0) < 0.1

    # Seek to 0.84 s (frame 20 of 48): every bar and the plot cursor sit at 42 %.
    seek_main(page, 0.42)
    state = timeline(page)
    assert abs(state["a"] - 0.84) < 0.03 and "frame 20 / 48" in state["label"]
    assert abs(state["main"] - 0.42) < 0.02
    assert abs(state["tiles"][0] - 0.42) < 0.02 and abs(state["tiles"][1] - 0.42) < 0.02
    assert abs(state["tiles"][2] - 0.84) < 0.03  # C is 1 s long: 0.84 s is 84 % of it
    cursor = page.evaluate(PLOT_PIXELS, list(CURSOR_RGB))
    assert cursor and abs(sum(cursor) / len(cursor) - 0.42) < 0.02, cursor

    # Past C's end, C holds its last frame while A and B go on.
    seek_main(page, 0.75)
    state = timeline(page)
    assert abs(state["a"] - 1.5) < 0.03 and abs(state["main"] - 0.75) < 0.02
    assert 0.95 < state["c"] < 1.0 and state["tiles"][2] > 0.95
    cursor = page.evaluate(PLOT_PIXELS, list(CURSOR_RGB))
    assert cursor and abs(sum(cursor) / len(cursor) - 0.75) < 0.02, cursor

    # The PSNR line runs across the whole plot, not squeezed into its left edge.
    psnr = page.evaluate(PLOT_PIXELS, list(PSNR_RGB))
    assert psnr and min(psnr) < 0.05 and max(psnr) > 0.95, (min(psnr or [0]), max(psnr or [0]))

    # Equal lengths: on each side's lane the segments cover the lane from edge to edge.
    for lane in ("lane-a", "lane-b"):
        bar = page.locator(f"[data-testid={lane}]").bounding_box()
        spans = page.locator(f"[data-testid={lane}] .segment").evaluate_all(
            "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.left, r.right]; })"
        )
        assert abs(min(left for left, _ in spans) - bar["x"]) < 0.01 * bar["width"]
        assert abs(max(right for _, right in spans) - (bar["x"] + bar["width"])) < 0.01 * bar["width"]

    # Clicking the plot at x seeks to the time under x.
    plot = page.locator("[data-testid=diff-plot]").bounding_box()
    page.mouse.click(plot["x"] + plot["width"] * 0.25, plot["y"] + plot["height"] / 2)
    wait_js(
        page,
        "() => { const v = document.querySelector('video[data-item=A]'); return !v.seeking && v.currentTime < 1; }",
    )
    state = timeline(page)
    assert abs(state["a"] - 0.5) < 0.04 and abs(state["main"] - 0.25) < 0.02


def test_loop_brings_a_shorter_player_back(page, room: Room):
    """Looping 0.2–1.8 s: C (1 s) ends on each pass and plays again, in step, when the loop comes round."""
    a, b, c = room.ids["a"], room.ids["b"], room.ids["c"]
    page.goto(f"{room.url}/compare?items={a}@v1,{b}@v1,{c}@v1")
    for item in "ABC":
        page.wait_for_selector(f"video[data-item={item}][data-ready='1']", state="attached", timeout=30000)
    seek_main(page, 0.1)
    page.keyboard.press("i")
    seek_main(page, 0.9)
    page.keyboard.press("o")
    page.locator(".transport button", has_text="Loop").click()  # L is the shuttle key now
    page.click("[data-testid=play-all]")
    wait_js(
        page,
        """() => { const q = (k) => document.querySelector(`video[data-item=${k}]`);
                   const a = q('A'), c = q('C');
                   if (c.ended) window.cEnded = true;
                   return window.cEnded === true && a.currentTime > 0.3 && a.currentTime < 0.8 && !c.paused
                          && Math.abs(c.currentTime - a.currentTime) < 0.1; }""",
    )
    page.click("[data-testid=play-all]")


def test_token_is_asked_once(browser, room: Room):
    from takevault.web import create_app

    vault = Path(room.clips["a.mp4"]).parents[1] / "vault"
    app = create_app(vault, token="let-me-in")
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        with ServerThread(app, free_port()) as server:
            page.goto(server.url + "/")
            page.fill("#token-input", "wrong")
            page.keyboard.press("Enter")
            wait_js(page, "document.getElementById('token-error').textContent.includes('wrong')")
            page.fill("#token-input", "let-me-in")
            page.keyboard.press("Enter")
            page.wait_for_selector("[data-testid=take-card]")
            wait_images(page)  # stills load through the session cookie
            page.reload()
            page.wait_for_selector("[data-testid=take-card]")
            assert page.locator("#token-input").count() == 0 or not page.locator("#token-input").is_visible()
    finally:
        context.close()
        app.state.web.close()


def test_generation_parameters_and_a_third_take_in_the_compare_room(page, room: Room, tmp_path: Path):
    """With three takes, A can be wiped and analysed against C; ComfyUI graph changes read as tables."""
    from takevault.vault import Vault
    from tests.media.workflows import comfy_png, comfy_prompt, variant

    prompt = comfy_prompt()
    ids = []
    with Vault.open(room.root, project="generated") as vault:
        vault.add_shot("GEN010")
        for name, changes in (("d.mp4", {}), ("e.mp4", {}), ("f.mp4", {"3__seed": 42, "3__steps": 20})):
            png = comfy_png(tmp_path / f"{name}.png", variant(prompt, **changes))
            ids.append(vault.add(room.clips[name], shot="GEN010", workflow_png=png).id)
    a, b, c = ids
    page.goto(f"{room.url}/compare?project=generated&items={a}@v1,{b}@v1,{c}@v1&mode=wipe")
    page.locator("[data-testid=analysis-status], [data-testid=diff-plot]").first.wait_for()
    page.locator(".card-panel .note-ok", has_text="Same generation parameters").wait_for()
    page.select_option("[data-testid=vs-picker]", "2")
    page.wait_for_url(re.compile(r"vs=2"))
    assert page.locator(".wipe-label.right").text_content().startswith("C ")
    page.locator("h3", has_text="Difference per frame · A vs C").wait_for()
    graph = page.locator(".param-graph table")
    graph.first.wait_for()
    assert graph.first.locator("thead th").all_text_contents() == ["node", "type", "input", "a", "b"]
    rows = graph.first.locator("tbody tr").all_text_contents()
    assert any("KSampler" in r and "seed" in r and "42" in r for r in rows)
    assert not any("[{" in cell for cell in page.locator(".param-graph td").all_text_contents())


def test_comfyui_pair_dropped_on_a_shot_is_one_take_with_its_png(page, room: Room, tmp_path: Path):
    """gen_00001.mp4 + gen_00001.png dropped together: one take whose workflow PNG is the companion;
    a PNG without its video is refused with a message; the replace dialog takes a companion PNG too."""
    from takevault.vault import Vault
    from tests.media.workflows import comfy_png

    with Vault.open(room.root, project="pairs") as vault:
        vault.add_shot("PR010")
    video = make_clip(tmp_path / "gen_00001.mp4", frames=8, scenes=((0, 41),))
    png = comfy_png(tmp_path / "gen_00001.png", seed=41)
    lone = comfy_png(tmp_path / "gen_00002.png", seed=42)
    page.goto(room.url + "/?project=pairs")
    page.wait_for_selector("[data-testid=shot-row][data-shot=PR010]")
    drop_files(page, "[data-testid=shot-row][data-shot=PR010]", [png, video, lone])
    wait_js(page, "document.querySelectorAll('[data-shot=PR010] [data-testid=take-card]').length === 1")
    badge = card(page, "video_01", "PR010").locator(".badge.png")
    assert badge.get_attribute("data-png") == "present"
    done = page.locator("[data-testid=upload-row].ok")
    assert done.count() == 1 and "with its workflow PNG (present)" in done.text_content()
    failed = page.locator("[data-testid=upload-row].failed")
    assert failed.count() == 1
    assert "gen_00002.png is a workflow PNG and needs its video" in failed.text_content()
    screenshot(page, "gallery-png-pair.png")
    # Replace with a new render and its companion: v2 carries that PNG.
    card(page, "video_01", "PR010").locator("[data-testid=replace]").click()
    video2 = make_clip(tmp_path / "gen_00003.mp4", frames=8, scenes=((0, 43),))
    page.set_input_files("[data-testid=replace-file]", str(video2))
    page.set_input_files("[data-testid=replace-png]", str(comfy_png(tmp_path / "gen_00003.png", seed=43)))
    assert "with gen_00003.png as its workflow PNG" in page.locator(".replace-new").text_content()
    screenshot(page, "replace-with-png.png")
    page.click("[data-testid=replace-confirm]")
    card(page, "video_01", "PR010").locator(".badge.ver", has_text="v2").wait_for()
    assert card(page, "video_01", "PR010").locator(".badge.png").get_attribute("data-png") == "present"
    with Vault.open(room.root, project="pairs") as vault:
        assert vault.pngs.show("PR010/video_01")["generation"]["seed"] == 43
        assert [v.png.status for v in vault.history("PR010/video_01")] == ["present", "present"]
