"""In real Chromium: while the notes of a replaced version are still following to the new one (a queued
job), the compare room's note panel says so, and shows the carried note once the job has run."""

from __future__ import annotations

from pathlib import Path

import pytest

from takevault.jobs.runner import execute
from takevault.vault import Vault
from tests.clips import make_clip
from tests.web.conftest import ServerThread, free_port
from tests.web.test_browser import wait_js

pytestmark = pytest.mark.browser
SPEC = {"width": 64, "height": 48, "frames": 48, "scenes": ((0, 1), (20, 2))}


def test_the_note_panel_shows_following_notes_until_the_job_is_done(browser, tmp_path: Path):
    from takevault.web import create_app

    v1 = make_clip(tmp_path / "v1.mp4", **SPEC)
    v2 = make_clip(tmp_path / "v2.mp4", **SPEC, drop=(10, 14))  # frame 30 of v1 is frame 26 of v2
    with Vault.init(tmp_path / "vault") as vault:
        vault.add_shot("SH010")
        take = vault.add(v1, shot="SH010").id
        vault.add_note(f"{take}@v1", "Flicker", at=30)
        vault.replace(take, v2, carry_notes=False)
        # Queued as the web's replace queues it; nobody wakes the server's workers, so it waits.
        job = vault.submit_job("notes_follow", {"take": take, "from_version": 1, "to_version": 2})
    app = create_app(tmp_path / "vault")
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.set_default_timeout(20000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        with ServerThread(app, free_port()) as server:
            page.goto(f"{server.url}/compare?items={take}@v1,{take}@v2")
            following = page.locator("[data-testid=notes-following]")
            following.wait_for()
            assert following.inner_text() == "Following notes from v1 to v2…"
            assert page.locator("[data-testid=note-item][data-item=B]").count() == 0
            with Vault.open(tmp_path / "vault") as vault:
                done = execute(lambda _project: vault, vault.job_table, job.id)
            assert done is not None and done.state == "done"
            carried = page.locator("[data-testid=note-item][data-item=B]")
            carried.wait_for()
            assert carried.get_attribute("data-frame") == "26"
            assert carried.locator("[data-testid=note-follow]").inner_text() == "unchanged"
            wait_js(page, "!document.querySelector('[data-testid=notes-following]')")
    finally:
        context.close()
        app.state.web.close()
    assert not errors, errors
