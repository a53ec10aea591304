"""The compare room in real Chromium follows the comparison job: waiting, analysing N %, then the plot."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.clips import make_clip
from tests.jobs.conftest import worker_env
from tests.web.conftest import CHROMIUM_ARGS, ServerThread, chromium_path, free_port

pytestmark = pytest.mark.browser

WATCH_STATUS = """
() => {
  window.__statuses = [];
  const seen = () => {
    const el = document.querySelector('[data-testid=analysis-status]');
    const last = window.__statuses[window.__statuses.length - 1];
    if (el && last !== el.textContent) window.__statuses.push(el.textContent);
  };
  new MutationObserver(seen).observe(document.body, {subtree: true, childList: true, characterData: true});
  seen();
}
"""


def test_compare_room_shows_the_analysis_progress(tmp_path: Path):
    from playwright.sync_api import sync_playwright

    from takevault.vault import Vault
    from takevault.web import create_app

    a = make_clip(tmp_path / "a.mp4", width=320, height=180, frames=360, scenes=((0, 1),))
    b = make_clip(tmp_path / "b.mp4", width=320, height=180, frames=360, scenes=((0, 1), (180, 2)), shift=(4, 8, 40))
    root = tmp_path / "vault"
    with Vault.init(root) as vault:
        vault.add_shot("SH010")
        ia, ib = vault.add(a, shot="SH010").id, vault.add(b, shot="SH010").id
    # No embedded workers: the job waits until a worker process is started, as on a team server.
    app = create_app(root, job_workers=0)
    with ServerThread(app, free_port()) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.add_init_script(f"document.addEventListener('DOMContentLoaded', {WATCH_STATUS})")
        page.goto(f"{server.url}/compare?items={ia}@v1,{ib}@v1")
        status = page.locator("[data-testid=analysis-status]")
        status.filter(has_text="Waiting for a worker").wait_for(timeout=15000)
        worker = subprocess.Popen(
            [sys.executable, "-m", "takevault", "--vault", str(root), "worker"],
            env=worker_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            page.locator("[data-testid=diff-plot]").wait_for(timeout=120000)
        finally:
            worker.terminate()
            worker.wait(10)
        statuses = page.evaluate("window.__statuses")
        browser.close()
    assert errors == []
    assert statuses[0].startswith("Comparing") or "Waiting for a worker…" in statuses
    shown = [int(m.group(1)) for s in statuses if (m := re.fullmatch(r"Analysing (\d+)%", s))]
    assert shown, statuses
    assert shown == sorted(shown) and all(0 <= n <= 100 for n in shown)
