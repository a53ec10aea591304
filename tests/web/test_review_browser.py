"""The review flow in real Chromium: people sign in, their names are shown as text, roles hold in the page."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.web.conftest import ServerThread, free_port
from tests.web.scenic import scenic_clip
from tests.web.test_browser import ARTIFACTS, CHROMIUM_ARGS, chromium_path, wait_js

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
    clips = {
        "v1": scenic_clip(d / "v1.mp4", hue=0.05, frames=48),
        "v2": scenic_clip(d / "v2.mp4", hue=0.05, sun_y=0.42, frames=48),
    }
    with Vault.init(d / "vault") as vault:
        vault.add_shot("SH010", name="Wide")
        take = vault.add(clips["v1"], shot="SH010", note="<img src=x onerror=window.__pwned=1>")
        vault.add_user("rita", role="reviewer", password=PASSWORD)
        vault.add_user("ed", role="editor", password=PASSWORD)
        vault.add_user("vic", role="viewer", password=PASSWORD)
        ids = {"take": take.id}
    app = create_app(d / "vault")
    with ServerThread(app, free_port()) as server:
        yield Studio(url=server.url, root=d / "vault", ids=ids, clips=clips)
    app.state.web.close()


@pytest.fixture(scope="module")
def browser():
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 720}, device_scale_factor=1)
    pg = context.new_page()
    pg.set_default_timeout(15000)
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


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
