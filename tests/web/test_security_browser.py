"""In real Chromium: a page on another loopback port cannot change the vault through any write
route, and nothing a user stored (a polyglot `.html` take, script in every text field) ever runs."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.clips import make_clip
from tests.web.conftest import ServerThread, free_port
from tests.web.test_security import SAFE, SAMPLE, polyglot, routes

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=\"document.title='PWNED'\"><script>document.title='PWNED'</script>"


@dataclass
class Target:
    url: str
    ids: dict[str, str]
    root: Path
    app: object


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    from takevault.vault import Vault
    from takevault.web import create_app

    d = tmp_path_factory.mktemp("security-browser")
    a = make_clip(d / "a.mp4", frames=24, scenes=((0, 1),))
    b = make_clip(d / "b.mp4", frames=24, scenes=((0, 2),))
    evil = polyglot(d, make_clip(d / "c.mp4", frames=24, scenes=((0, 3),)), name="x.html")
    named = d / f"{XSS.replace('/', '_')[:80]}.mp4"
    make_clip(named, frames=24, scenes=((0, 4),))
    ids = {}
    with Vault.init(d / "vault") as vault:
        vault.add_section("SEQ01", name=XSS)
        vault.add_shot("SH010", section="SEQ01", name=XSS, description=XSS)
        ids["a"] = vault.add(a, shot="SH010", note=XSS, prompt=XSS).id
        ids["b"] = vault.add(b, shot="SH010", kind="edit").id
        vault.set(ids["a"], status=XSS[:100], tags=[XSS[:60]], note=XSS)
        ids["evil"] = vault.add(evil, shot="SH010", kind=XSS[:100]).id
        ids["named"] = vault.add(named, shot="SH010").id
        vault.star(ids["b"])
    app = create_app(d / "vault")
    with ServerThread(app, free_port()) as server:
        yield Target(url=server.url, ids=ids, root=d / "vault", app=app)
    app.state.web.close()


@pytest.fixture(scope="module")
def attacker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Another site on loopback: a plain static server on its own port (another origin, the same 'site')."""
    d = tmp_path_factory.mktemp("attacker")
    (d / "index.html").write_text("<!doctype html><title>cat pictures</title><iframe name=sink></iframe>")
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=str(d), **k)  # noqa: E731
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


def state(url: str) -> tuple:
    with httpx.Client(base_url=url) as c:
        takes = c.get("/api/takes", params={"deleted": "all"}).json()
        return (
            [(t["id"], t["starred"], t["deleted"], t["note"], t["rating"],
              len(c.get(f"/api/takes/{t['id']}/history").json())) for t in takes],
            [s["code"] for s in c.get("/api/shots").json()],
            [s["code"] for s in c.get("/api/sections").json()],
        )  # fmt: skip


ATTACK = """
async ([base, writes, clip]) => {
  const bytes = Uint8Array.from(atob(clip), c => c.charCodeAt(0));
  const tried = [];
  for (const [method, path] of writes) {
    const url = base + path;
    const json = JSON.stringify({note: "pwned", code: "EVIL", to_version: 1});
    const bodies = [new Blob([bytes], {type: "text/plain"}), json];
    for (const body of bodies) {
      for (const mode of ["no-cors", "cors"]) {
        try {
          await fetch(url, {method, mode, body, credentials: "include", headers: mode === "cors" ?
            {"Content-Type": "application/json"} : {"Content-Type": "text/plain"}});
          tried.push([method, path, mode, "sent"]);
        } catch (e) { tried.push([method, path, mode, "blocked"]); }
      }
    }
    if (method === "POST") {
      for (const enctype of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]) {
        const form = document.createElement("form");
        form.method = "POST"; form.action = url; form.enctype = enctype; form.target = "sink";
        const field = document.createElement("input");
        field.name = '{"note": "pwned", "code": "EVIL", "x":"'; field.value = '"}';
        form.appendChild(field); document.body.appendChild(form);
        const loaded = new Promise(r => document.querySelector("iframe").addEventListener("load", r, {once: true}));
        form.submit();
        await Promise.race([loaded, new Promise(r => setTimeout(r, 3000))]);
        form.remove();
      }
    }
  }
  return tried;
}
"""


def test_another_loopback_site_cannot_write(browser, target: Target, attacker: str):
    import base64

    writes = []
    ids = target.ids
    for method, path in routes(target.app):
        if method in SAFE:
            continue
        path = path.replace(SAMPLE["ref"], ids["a"]).replace(SAMPLE["take_id"], ids["a"])
        if "?" not in path and ("/takes" in path and path.endswith(("takes", "replace", "png"))):
            path += "?filename=x.mp4"
        writes.append([method, path])
    assert any(p.endswith("/star") for _m, p in writes) and len(writes) >= 12
    before = state(target.url)
    context = browser.new_context()
    page = context.new_page()
    page.goto(attacker)
    clip = base64.b64encode((target.root.parent / "b.mp4").read_bytes()).decode()
    tried = page.evaluate(ATTACK, [target.url, writes, clip])
    assert len(tried) == 4 * len(writes)
    context.close()
    assert state(target.url) == before
    assert not any((target.root / "cache" / "uploads").glob("*/*"))


def test_nothing_stored_runs_in_any_page_or_media_route(browser, target: Target):
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    violations: list[str] = []
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(target.url + "/")
    page.locator(f"[data-testid=take-card][data-take-id='{target.ids['a']}']").wait_for()
    page.locator(f"[data-testid=take-card][data-take-id='{target.ids['a']}']").click()
    page.wait_for_timeout(1000)
    assert page.title() != "PWNED"
    assert page.evaluate("() => document.querySelectorAll('img[src=x], script:not([src])').length") == 0
    assert XSS[:20] in page.content().replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
    page.goto(f"{target.url}/compare?a={target.ids['a']}&b={target.ids['named']}")
    page.wait_for_timeout(3000)
    assert page.title() != "PWNED"
    assert not violations, violations  # no stored text was ever parsed as markup, even to be blocked
    for take in ("evil", "named", "a"):
        for route in ("file", "play", "still"):
            url = f"{target.url}/api/media/{target.ids[take]}/1/{route}"
            if take == "evil" and route == "play":
                continue  # needs a proxy first; its original route is the one that matters
            try:
                response = page.goto(url)
            except PlaywrightError as exc:
                # A type Chromium does not show inline (video/quicktime) is saved, never rendered.
                assert "Download is starting" in str(exc), (take, route)
                continue
            assert response is not None and response.status == 200, (take, route)
            assert response.headers["content-security-policy"].startswith("sandbox")
            page.wait_for_timeout(300)
            assert page.title() != "PWNED", (take, route)
            # Under the sandbox the document has an opaque origin: even if a script ran it could not read the API.
            assert page.evaluate("() => window.origin") == "null", (take, route)
        page.goto(target.url + "/")  # a sandboxed media document may not start downloads; the gallery does
        with page.expect_download() as download:
            page.evaluate("url => { const a = document.createElement('a'); a.href = url; a.click(); }",
                          f"{target.url}/api/media/{target.ids[take]}/1/download")  # fmt: skip
        assert download.value.suggested_filename
    assert not dialogs
    context.close()
