"""The review flow in real Chromium: people sign in, their names are shown as text, roles hold in the page."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.clips import make_clip
from tests.web.conftest import ServerThread, checked_page, free_port
from tests.web.scenic import scenic_clip
from tests.web.test_browser import ARTIFACTS, wait_js

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


@dataclass
class Studio:
    url: str
    root: Path
    ids: dict[str, str]
    clips: dict[str, Path]


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Studio]:
    from takevault.vault import Vault
    from takevault.web import create_app

    d = tmp_path_factory.mktemp("review-browser")
    spec = {"width": 160, "height": 90, "frames": 180, "scenes": ((0, 1), (40, 2), (80, 3), (130, 4))}
    clips = {
        "v1": scenic_clip(d / "v1.mp4", hue=0.05, frames=48),
        "v2": scenic_clip(d / "v2.mp4", hue=0.05, sun_y=0.42, frames=48),
        "v3": make_clip(d / "v3.mp4", **spec),
        # v4 cuts 6 frames (50-55) before the noted frame 112, so it lands on frame 106.
        "v4": make_clip(d / "v4.mp4", **spec, drop=(50, 56)),
    }
    with Vault.init(d / "vault") as vault:
        vault.add_shot("SH010", name="Wide")
        take = vault.add(clips["v1"], shot="SH010", note="<img src=x onerror=window.__pwned=1>")
        vault.replace(take.id, clips["v2"])
        vault.replace(take.id, clips["v3"])
        vault.people.add("rita", role="reviewer", password=PASSWORD)
        vault.people.add("ed", role="editor", password=PASSWORD)
        vault.people.add("vic", role="viewer", password=PASSWORD)
        ids = {"take": take.id}
    app = create_app(d / "vault")
    with ServerThread(app, free_port()) as server:
        yield Studio(url=server.url, root=d / "vault", ids=ids, clips=clips)
    app.state.web.close()


@pytest.fixture
def page(browser):
    with checked_page(browser, timeout_ms=15000) as pg:
        yield pg


def wait_follow(vault, timeout: float = 60) -> None:
    """The web's replace answers at once; its notes follow as a job run by the server's workers."""
    import time

    deadline = time.monotonic() + timeout
    while any(j.state in ("queued", "running") for j in vault.list_jobs() if j.kind == "notes_follow"):
        assert time.monotonic() < deadline, "the notes_follow job did not finish"
        time.sleep(0.1)
    assert [j.state for j in vault.list_jobs() if j.kind == "notes_follow"][:1] == ["done"]


def sign_in(page, studio: Studio, name: str, password: str = PASSWORD) -> None:
    page.goto(studio.url)
    page.wait_for_selector("#signin-form")
    page.fill("#signin-name", name)
    page.fill("#signin-password", password)
    page.click("#signin-form button[type=submit]")


def test_sign_in_wrong_then_right_and_sign_out(page, studio: Studio):
    sign_in(page, studio, "rita", "not the password")
    wait_js(page, "document.getElementById('signin-error').textContent.includes('wrong')")
    page.fill("#signin-password", PASSWORD)
    page.click("#signin-form button[type=submit]")
    page.wait_for_selector("[data-testid=take-card]")
    assert page.locator("[data-testid=who]").inner_text().startswith("rita")
    page.reload()
    page.wait_for_selector("[data-testid=take-card]")  # the session cookie outlives a reload
    page.click("#sign-out")
    page.wait_for_selector("#signin-form")


def test_a_viewer_is_refused_a_star_with_one_sentence(page, studio: Studio):
    from takevault.vault import Vault

    sign_in(page, studio, "vic")
    page.wait_for_selector("[data-testid=take-card]")
    page.locator("[data-testid=take-card] [data-testid=star]").first.click()
    wait_js(page, "document.getElementById('toasts').textContent.includes('needs the editor role')")
    with Vault.open(studio.root) as vault:
        assert not vault.take(studio.ids["take"]).starred
    assert page.evaluate("() => window.__pwned") is None
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "review-viewer-refused.png"))


def test_an_editor_stars_and_the_event_names_them(page, studio: Studio):
    from takevault.vault import Vault

    sign_in(page, studio, "ed")
    page.wait_for_selector("[data-testid=take-card]")
    page.locator("[data-testid=take-card] [data-testid=star]").first.click()
    wait_js(page, "document.querySelector('[data-testid=take-card].starred') !== null")
    with Vault.open(studio.root) as vault:
        stars = [e for e in vault.events(take=studio.ids["take"]) if e.action == "star"]
    assert stars[-1].user == "ed"


def test_note_with_a_drawing_follows_the_replace_to_the_aligned_frame(browser, studio: Studio):
    """A reviewer notes frame 112 of v3 with a box, the editor replaces the take, the note is on v4
    at frame 106 (6 frames were cut before it) marked unchanged, and clicking it seeks both players."""
    from takevault.vault import Vault

    take = studio.ids["take"]
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.set_default_timeout(20000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{studio.url}/compare?items={take}@v3,{take}@v2")
        page.fill("#signin-name", "rita")
        page.fill("#signin-password", PASSWORD)
        page.click("#signin-form button[type=submit]")
        page.wait_for_selector("[data-testid=note-form]")
        wait_js(page, "[...document.querySelectorAll('video')].every(v => v.dataset.ready === '1')")
        page.locator("[data-testid=main-scrub]").fill("625")  # 4.6875 s of 7.5 s: frame 112 at 24 fps
        wait_js(page, "document.querySelector('[data-testid=timecode]').textContent.includes('frame 112')")
        page.click("[data-testid=note-draw]")
        overlay = page.locator("[data-testid=note-overlay][data-item=A]")
        overlay.scroll_into_view_if_needed()
        box = overlay.bounding_box()
        page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.3)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.7, steps=5)
        page.mouse.up()
        page.fill("[data-testid=note-text]", "<script>window.__pwned=1</script>Ear flickers")
        page.click("[data-testid=note-add]")
        page.wait_for_selector("[data-testid=note-item]")
        assert page.locator("[data-testid=note-item] .note-text").inner_text() == (
            "<script>window.__pwned=1</script>Ear flickers"
        )
        assert page.locator("[data-testid=note-mark]").count() == 1
        wait_js(page, "document.querySelector('[data-testid=note-overlay][data-item=A]').dataset.shown === '1'")
        with Vault.open(studio.root) as vault:
            (note,) = vault.notes(f"{take}@v3")
        assert (note.frame_in, note.author, note.drawing["shapes"][0]["kind"]) == (112, "rita", "box")

        # The editor replaces the take in the gallery.
        page.click("#sign-out")
        page.wait_for_selector("#signin-form")
        page.goto(studio.url)
        page.fill("#signin-name", "ed")
        page.fill("#signin-password", PASSWORD)
        page.click("#signin-form button[type=submit]")
        page.locator("[data-testid=take-card] [data-testid=replace]").first.click()
        page.set_input_files("[data-testid=replace-file]", str(studio.clips["v4"]))
        page.click("[data-testid=replace-confirm]")
        wait_js(page, "document.getElementById('toasts').textContent.includes('is now v4')", timeout=60000)
        with Vault.open(studio.root) as vault:
            assert [e.user for e in vault.events(take=take) if e.action == "replace"][-1] == "ed"

        with Vault.open(studio.root) as vault:
            wait_follow(vault)
            (carried_note,) = vault.notes(f"{take}@v4")
            vault.reply_note(carried_note.id, "<img src=x onerror=window.__pwned=2>")
            vault.set_approval(f"{take}@v3", "changes_requested", comment="<script>window.__pwned=3</script>")
        # The reviewer finds the note on v4 at the aligned frame, marked unchanged.
        page.click("#sign-out")
        page.wait_for_selector("#signin-form")
        page.goto(f"{studio.url}/compare?items={take}@v3,{take}@v4")
        page.fill("#signin-name", "rita")
        page.fill("#signin-password", PASSWORD)
        page.click("#signin-form button[type=submit]")
        carried = page.locator("[data-testid=note-item][data-item=B]")
        carried.wait_for()
        assert carried.get_attribute("data-frame") == "106"
        assert carried.locator("[data-testid=note-follow]").inner_text() == "unchanged"
        assert "<img src=x onerror=window.__pwned=2>" in carried.locator(".note-replies").inner_text()
        wait_js(page, "[...document.querySelectorAll('video')].every(v => v.dataset.ready === '1')")
        carried.click()
        wait_js(
            page,
            "document.querySelectorAll('[data-testid=compare-tile] .tile-head')[1].textContent.includes('frame 106')",
        )
        wait_js(page, "document.querySelector('[data-testid=note-overlay][data-item=B]').dataset.shown === '1'")
        # "," and "." step between notes: A's note is at 112 (4.69 s), B's at 106 (4.44 s).
        page.keyboard.press(".")
        wait_js(page, "document.querySelector('[data-testid=timecode]').textContent.includes('frame 112')")
        page.keyboard.press(",")
        wait_js(page, "document.querySelector('[data-testid=timecode]').textContent.includes('frame 106')")
        assert page.evaluate("() => window.__pwned") is None
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "review-notes.png"))

        # The reviewer approves v4 in the take's history; the card shows it.
        page.goto(studio.url)
        page.locator("[data-testid=take-card] [data-testid=details]").first.click()
        page.locator("li.version[data-version='4'] [data-testid=approve]").click()
        wait_js(page, "document.getElementById('toasts').textContent.includes('@v4: approved')")
        page.locator("li.version[data-version='4'] [data-testid=approval][data-state=approved]").wait_for()
        page.locator("[data-testid=take-card] [data-testid=approval][data-state=approved]").wait_for()
        page.screenshot(path=str(ARTIFACTS / "review-approved.png"))
        # ...and makes a guest link there.
        page.click("[data-testid=share-link]")
        page.fill("[data-testid=prompt-dialog] input[name=hours]", "24")
        page.click("[data-testid=prompt-dialog] button[type=submit]")
        shared = page.locator("[data-testid=share-url]").input_value()
        assert "/review/tvl_" in shared
        page.click("[data-testid=share-dialog] [data-testid=confirm]")
        assert page.evaluate("() => window.__pwned") is None
    finally:
        context.close()
    assert not errors, errors
    with Vault.open(studio.root) as vault:
        approval = vault.approval(f"{take}@v4")
        assert (approval.state, approval.by) == ("approved", "rita")
        # The carried note reaches the edit as a marker on v4's clip.
        vault.star(take)
        edl, otio_file = studio.root.parent / "cut.edl", studio.root.parent / "cut.otio"
        vault.export_timeline(edl)
        vault.export_timeline(otio_file)
    assert "EAR FLICKERS" in edl.read_text().upper()
    from takevault.editorial.timeline import read_timeline

    with Vault.open(studio.root) as vault:
        assert [x.created_by for x in vault.links(take)][-1] == "rita"
    (clip,) = read_timeline(otio_file).find_clips()
    assert [(m.marked_range.start_time.value, m.color) for m in clip.markers] == [(106, "GREEN")]


def test_a_guest_link_lets_a_client_add_a_note_and_nothing_more(browser, studio: Studio):
    from takevault.vault import Vault

    take = studio.ids["take"]
    with Vault.open(studio.root) as vault:
        link = vault.create_link(take, versions=[1, 2], view="compare", hours=1, password="client pass 1")
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.set_default_timeout(20000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{studio.url}/review/{link.token}")
        page.wait_for_selector("#guest-form")
        page.fill("#guest-name", "Clara <b>Client</b>")
        page.fill("#guest-password", "wrong")
        page.click("#guest-form button[type=submit]")
        wait_js(page, "document.getElementById('guest-message').textContent.includes('wrong')")
        page.fill("#guest-password", "client pass 1")
        page.click("#guest-form button[type=submit]")
        page.wait_for_selector("[data-testid=note-form]")
        assert page.locator("[data-testid=who]").inner_text().startswith("Clara <b>Client</b>")
        wait_js(page, "[...document.querySelectorAll('video')].every(v => v.dataset.ready === '1')")
        page.fill("[data-testid=note-text]", "Can the fox be warmer?")
        page.click("[data-testid=note-add]")
        page.wait_for_selector("[data-testid=note-item]")
        assert page.locator("[data-testid=note-item] .nbadge.guest").count() == 1
        assert page.locator("[data-testid=note-resolve]").count() == 0  # guests only watch and note
        status = page.evaluate(
            """async (id) => (await fetch(`/api/takes/${id}/star`, { method: "POST",
                 headers: { "X-CSRF-Token": sessionStorage.getItem("takevault.csrf") } })).status""",
            take,
        )
        assert status == 403
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "review-guest.png"))
    finally:
        context.close()
    assert not errors, errors
    with Vault.open(studio.root) as vault:
        (note,) = [n for n in vault.notes(f"{take}@v1") + vault.notes(f"{take}@v2") if n.guest]
        assert note.author == "Clara <b>Client</b>" and note.text == "Can the fox be warmer?"
        stars = [e.user for e in vault.events(take=take) if e.action == "star"]
        assert "Clara <b>Client</b>" not in stars


def test_editor_keys_and_smpte_timecode(page, studio: Studio):
    take = studio.ids["take"]
    sign_in(page, studio, "rita")
    page.wait_for_selector("[data-testid=take-card]")
    page.goto(f"{studio.url}/compare?items={take}@v3,{take}@v2")
    wait_js(page, "[...document.querySelectorAll('video')].every(v => v.dataset.ready === '1')")
    smpte = "document.querySelector('[data-testid=smpte]').textContent"
    frame = "document.querySelector('[data-testid=timecode]').textContent"
    page.locator("[data-testid=compare-stage]").click(position={"x": 5, "y": 5})  # focus the page, not an input
    page.keyboard.press("k")
    page.keyboard.press("Home")
    wait_js(page, f"{smpte} === '00:00:00:00'")
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("ArrowRight")
    wait_js(page, f"{frame}.includes('frame 21') && {smpte} === '00:00:00:21'")
    page.keyboard.press("Shift+ArrowLeft")
    wait_js(page, f"{frame}.includes('frame 11')")
    page.keyboard.press("End")
    wait_js(page, f"{frame}.includes('frame 179') && {smpte} === '00:00:07:11'")
    page.keyboard.press("Home")
    page.keyboard.press("l")
    page.keyboard.press("l")
    wait_js(page, "document.querySelector('video[data-item=A]').playbackRate === 2")
    wait_js(page, "document.querySelector('video[data-item=A]').currentTime > 0.5")
    page.keyboard.press("k")
    wait_js(page, "document.querySelector('video[data-item=A]').paused")
    before = page.evaluate("() => document.querySelector('video[data-item=A]').currentTime")
    page.keyboard.press("j")
    wait_js(page, f"document.querySelector('video[data-item=A]').currentTime < {before} - 0.1")
    page.keyboard.press("k")
    page.keyboard.press("f")
    wait_js(
        page, "document.querySelector('.wipe-top') && document.querySelector('.wipe-top').style.clipPath.includes('0%')"
    )
    page.keyboard.press("x")
    wait_js(page, f"location.search.includes('items={take}%40v2') || location.search.includes('items={take}@v2')")


def test_page_timecode_matches_the_timecode_module(page, studio: Studio):
    from fractions import Fraction

    from takevault.timecode import frame_to_timecode

    page.goto(studio.url)
    frames = [0, 1, 29, 1799, 1800, 17982, 17983, 107892, 3599]
    for fps in (Fraction(24), Fraction(25), Fraction(30000, 1001), Fraction(60000, 1001), Fraction(24000, 1001)):
        shown = page.evaluate(
            """async ([frames, fps]) => { const m = await import('/static/js/editor.js');
                 return frames.map((f) => m.timecode(f, fps)); }""",
            [frames, float(fps)],
        )
        assert shown == [frame_to_timecode(f, fps) for f in frames], fps


def test_zoom_to_one_to_one_pixel_values_and_guides(page, studio: Studio):
    take = studio.ids["take"]
    sign_in(page, studio, "rita")
    page.wait_for_selector("[data-testid=take-card]")
    page.goto(f"{studio.url}/compare?items={take}@v3,{take}@v2")
    wait_js(page, "[...document.querySelectorAll('video')].every(v => v.dataset.ready === '1')")
    page.locator("[data-testid=compare-stage]").click(position={"x": 5, "y": 5})
    page.keyboard.press("k")
    page.wait_for_timeout(500)  # let the pause settle (see the report: a "1" right after "k" was once lost)
    page.keyboard.press("1")
    # 1:1: one video pixel per screen pixel, so the zoom is the video width over its shown width.
    wait_js(
        page,
        """() => { const v = document.querySelector('video[data-item=A]'); const box = v.parentElement;
                   const s = Math.min(v.clientWidth / v.videoWidth, v.clientHeight / v.videoHeight);
                   return Math.abs(Number(box.dataset.zoom) - 1 / s) < 0.01
                          && v.style.transform.includes('scale'); }""",
    )
    tile = page.locator("video[data-item=A]").bounding_box()
    page.mouse.move(tile["x"] + tile["width"] / 2, tile["y"] + tile["height"] / 2)
    wait_js(
        page,
        r"/^\d+,\d+ · A \d+ \d+ \d+ · B \d+ \d+ \d+$/.test("
        "document.querySelector('[data-testid=pixel-values]').textContent)",
    )
    page.keyboard.press("0")
    wait_js(page, "document.querySelector('video[data-item=A]').parentElement.dataset.zoom === '1'")
    page.keyboard.press("g")
    wait_js(page, "document.querySelectorAll('[data-testid=guides][data-on=\"1\"]').length === 2")
    page.keyboard.press("g")
    wait_js(page, "document.querySelectorAll('[data-testid=guides]').length === 0")
