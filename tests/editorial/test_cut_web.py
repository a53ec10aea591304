"""The cut check page: the recorded check over the API, and in real Chromium with stills and the compare button."""

from __future__ import annotations

import opentimelineio as otio
import pytest

from tests.editorial.test_cut_check import build_cut, cut_project  # noqa: F401 - the fixture
from tests.web.conftest import CHROMIUM_ARGS, ServerThread, TestClient, chromium_path, free_port


def _checked(p):
    path = p["tmp"] / "cut.otio"
    otio.adapters.write_to_file(build_cut(p), str(path))
    p["vault"].cut_check(path)
    return path


def test_api_lists_the_latest_check_of_each_timeline(cut_project):  # noqa: F811
    from takevault.web import create_app

    p = cut_project
    path = _checked(p)
    p["vault"].cut_check(path)
    with TestClient(create_app(p["tmp"] / "vault")) as client:
        checks = client.get("/api/cuts").json()
        assert len(checks) == 1
        latest = checks[0]
        assert latest["timeline"] == str(path.resolve())
        assert [c["status"] for c in latest["clips"]] == ["outdated", "current", "outdated", "outdated"]
        assert [c["cut_change"] for c in latest["clips"]] == ["no change"] * 4
        one = client.get(f"/api/cuts/{latest['id']}").json()
        assert one["clips"][0]["changed"].startswith("v2 10 frames added at head")
        missing = client.get("/api/cuts/9999")
        assert missing.status_code == 404 and "no cut check 9999" in missing.json()["error"]
        page = client.get("/cuts")
        assert page.status_code == 200 and "cuts.js" in page.text
        assert "script-src 'self'" in page.headers["content-security-policy"]


@pytest.mark.browser
def test_page_shows_clips_with_stills_and_opens_the_compare(cut_project):  # noqa: F811
    from playwright.sync_api import sync_playwright

    from takevault.web import create_app

    p = cut_project
    _checked(p)
    executable = chromium_path()
    app = create_app(p["tmp"] / "vault")
    try:
        with ServerThread(app, free_port()) as server, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{server.url}/cuts")
            rows = page.locator("[data-testid=cut-clip]")
            rows.first.wait_for()
            assert rows.count() == 4
            assert [rows.nth(i).get_attribute("data-status") for i in range(4)] == [
                "outdated",
                "current",
                "outdated",
                "outdated",
            ]
            page.wait_for_function(
                "() => Array.from(document.querySelectorAll('img.cut-still'))"
                ".every(i => i.complete && i.naturalWidth > 0)"
            )
            assert page.locator("img.cut-still").count() == 4
            assert "regraded" in rows.nth(0).inner_text()
            page.locator("[data-testid=cut-compare]").first.click()
            page.locator("[data-testid=compare-room]").wait_for()
            assert "/compare?items=" in page.url
            browser.close()
            assert not errors, errors
    finally:
        app.state.web.close()
