"""The gallery at scale in real Chromium: pages of takes as you scroll, "N more takes" in a full shot row,
and a star, delete or restore that redraws only its cards and keeps the scroll position."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.clips import make_clip
from tests.web.conftest import CHROMIUM_ARGS, ServerThread, chromium_path, free_port

pytestmark = pytest.mark.browser

SHOTS = {"SH010": 5, "SH020": 2, "SH030": 6, "SH040": 1, "SH050": 4}


@pytest.fixture(scope="module")
def gallery(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, list[str]]]]:
    from takevault.vault import Vault
    from takevault.web import create_app

    d = tmp_path_factory.mktemp("gallery-paging")
    ids: dict[str, list[str]] = {}
    n = 0
    with Vault.init(d / "vault") as vault:
        vault.add_section("SEQ01")
        for shot, count in SHOTS.items():
            vault.add_shot(shot, section="SEQ01", name=f"Shot {shot}")
            for _ in range(count):
                n += 1
                clip = make_clip(d / f"c{n}.mp4", width=64, height=48, frames=3, scenes=((0, n),))
                prompt = "a heron over the marsh at noon" if n == 7 else None
                ids.setdefault(shot, []).append(vault.add(clip, shot=shot, prompt=prompt).id)
    app = create_app(d / "vault", job_workers=0)
    with ServerThread(app, free_port()) as server:
        yield server.url, ids


@pytest.fixture
def page(gallery):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        # A short window, so the list is longer than the view and has to scroll.
        pg = browser.new_page(viewport={"width": 900, "height": 500})
        pg.set_default_timeout(15000)
        errors: list[str] = []
        pg.on("pageerror", lambda exc: errors.append(str(exc)))
        yield pg
        browser.close()
        assert not errors, errors


def test_pages_load_as_you_scroll_and_full_rows_say_how_many_more(page, gallery):
    url, _ids = gallery
    total = sum(SHOTS.values())
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/api/takes?" in r.url else None)
    page.goto(f"{url}/?page_size=4&row_cap=3")
    page.locator("[data-testid=take-card]").first.wait_for()
    status = page.locator("[data-testid=more-takes]")
    for _ in range(20):
        if status.inner_text() == "":
            break
        status.scroll_into_view_if_needed()
        page.wait_for_timeout(150)
    assert status.inner_text() == ""
    pages = [u for u in asked if "limit=4" in u]
    assert len(pages) == -(-total // 4)  # one request per page of 4, never the whole list at once
    assert "cursor=" not in pages[0] and all("cursor=" in u for u in pages[1:])
    rows = page.locator("[data-testid=shot-row]")
    assert rows.count() == len(SHOTS)
    expected = sum(min(3, c) for c in SHOTS.values())
    assert page.locator("[data-testid=take-card]").count() == expected
    sh030 = page.locator("[data-testid=shot-row][data-shot=SH030]")
    more = sh030.locator("[data-testid=more-in-shot]")
    assert more.inner_text() == "3 more takes"
    assert sh030.locator(".shot-meta").inner_text().startswith("6 takes")
    more.click()
    assert sh030.locator("[data-testid=take-card]").count() == 6
    assert sh030.locator("[data-testid=more-in-shot]").count() == 0


def test_star_delete_restore_redraw_only_their_cards_and_keep_the_scroll(page, gallery):
    url, ids = gallery
    page.goto(f"{url}/?page_size=50")
    page.locator("[data-testid=take-card]").first.wait_for()
    row = page.locator("[data-testid=shot-row][data-shot=SH050]")
    target = ids["SH050"][1]
    card = page.locator(f"[data-take-id='{target}']")
    card.scroll_into_view_if_needed()
    # Mark every card element: the ones that did not change must be the very same nodes afterwards.
    page.evaluate("document.querySelectorAll('[data-testid=take-card]').forEach((c) => { c._mark = true; })")
    assert page.evaluate("window.scrollY") > 0
    # What the user sees must not move: the card stays where it was on screen (stills loading above
    # may shift the document, which Chromium's scroll anchoring compensates).
    before = card.bounding_box()["y"]
    card.locator("[data-testid=star]").click()
    page.locator(f"[data-take-id='{target}'].starred").wait_for()
    assert abs(page.locator(f"[data-take-id='{target}']").bounding_box()["y"] - before) < 5
    untouched = page.evaluate(
        "[...document.querySelectorAll('[data-testid=take-card]')].filter((c) => !c._mark).map((c) => c.dataset.takeId)"
    )
    assert untouched == [target]  # only the starred card was redrawn
    assert "★" in row.locator(".shot-meta").inner_text()
    card = page.locator(f"[data-take-id='{target}']")
    card.locator("[data-testid=delete]").scroll_into_view_if_needed()
    head = row.locator(".shot-code")
    before = head.bounding_box()["y"]
    card.locator("[data-testid=delete]").click()
    page.locator("[data-testid=delete-dialog] button.danger").click()
    page.locator(f"[data-take-id='{target}']").wait_for(state="detached")
    assert abs(head.bounding_box()["y"] - before) < 5
    assert page.locator("[data-testid=shot-row][data-shot=SH010] [data-testid=take-card]").count() == 5


def test_search_finds_a_prompt(page, gallery):
    url, ids = gallery
    page.goto(f"{url}/?search=heron")
    page.locator("[data-testid=take-card]").first.wait_for()
    cards = page.locator("[data-testid=take-card]")
    assert cards.count() == 1 and cards.first.get_attribute("data-take-id") == ids["SH020"][1]
