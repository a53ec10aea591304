"""Fixtures of the web tests: real clips, a seeded vault, the app in process, and a real server."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.clips import make_clip


@pytest.fixture(scope="session")
def web_clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Small real videos, each with different pictures so no two are duplicates."""
    d = tmp_path_factory.mktemp("web-clips")
    return {
        "a": make_clip(d / "SH010_a.mp4", frames=24, scenes=((0, 1),)),
        "b": make_clip(d / "SH010_b.mp4", frames=24, scenes=((0, 1), (12, 2)), shift=(4, 8, 40)),
        "c": make_clip(d / "SH020_c.mkv", frames=24, scenes=((0, 3),), audio=True),
        "d": make_clip(d / "SH020_d.mp4", frames=24, scenes=((0, 4),)),
        "e": make_clip(d / "SH010_e.webm", frames=12, scenes=((0, 5),)),
    }


@dataclass
class Seeded:
    root: Path
    a: str  # SH010/video_01 (mp4)
    b: str  # SH010/video_02 (mp4, edit)
    c: str  # SH020/video_01 (mkv: needs a browser proxy)


def seed_vault(root: Path, clips: dict[str, Path]) -> Seeded:
    from takevault.vault import Vault

    with Vault.init(root) as vault:
        vault.add_section("SEQ01", name="Opening")
        vault.add_shot("SH010", section="SEQ01", name="Wide")
        vault.add_shot("SH020", section="SEQ01", name="Close-up")
        a = vault.add(clips["a"], shot="SH010", note="first pass", prompt="a red fox at dawn, mist")
        b = vault.add(clips["b"], shot="SH010", kind="edit", prompt="a red fox at dusk, rain")
        c = vault.add(clips["c"], shot="SH020")
        return Seeded(root=root, a=a.id, b=b.id, c=c.id)


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory, web_clips: dict[str, Path]) -> Seeded:
    """The seeded vault made once; tests get copies (a local vault's settings name only relative paths)."""
    return seed_vault(tmp_path_factory.mktemp("seeded-template") / "vault", web_clips)


def copy_seeded(template: Seeded, root: Path) -> Seeded:
    shutil.copytree(template.root, root, symlinks=True)
    return dataclasses.replace(template, root=root)


@pytest.fixture
def seeded(tmp_path: Path, seeded_template: Seeded) -> Seeded:
    return copy_seeded(seeded_template, tmp_path / "vault")


class TestClient:
    """The app in process over httpx's ASGI transport, called synchronously, lifespan included.

    Starlette's own TestClient now warns unless the separate httpx2 package is installed;
    this needs only httpx. Requests run on a private event loop in a background thread.
    """

    __test__ = False  # not a test class, whatever pytest thinks of the name

    def __init__(self, app) -> None:
        self.app = app
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1")
        self._lifespan = None

    def _run(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(120)

    def __enter__(self) -> TestClient:
        self._thread.start()
        self._lifespan = self.app.router.lifespan_context(self.app)
        self._run(self._lifespan.__aenter__())
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self._run(self._client.aclose())
            self._run(self._lifespan.__aexit__(None, None, None))
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop.close()

    def request(self, method: str, url: str, **kwargs) -> httpx.Response:
        return self._run(self._client.request(method, url, **kwargs))

    def get(self, url: str, **kwargs) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def put(self, url: str, **kwargs) -> httpx.Response:
        return self.request("PUT", url, **kwargs)

    def patch(self, url: str, **kwargs) -> httpx.Response:
        return self.request("PATCH", url, **kwargs)

    def delete(self, url: str, **kwargs) -> httpx.Response:
        return self.request("DELETE", url, **kwargs)

    def head(self, url: str, **kwargs) -> httpx.Response:
        return self.request("HEAD", url, **kwargs)


@pytest.fixture
def client(seeded: Seeded) -> Iterator[TestClient]:
    from takevault.web import create_app

    with TestClient(create_app(seeded.root)) as c:
        yield c


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerThread:
    """A real uvicorn server on 127.0.0.1 in this process, stopped cleanly at the end."""

    def __init__(self, app, port: int) -> None:
        import uvicorn

        self.url = f"http://127.0.0.1:{port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


# -- real Chromium (Debian's, driven by Playwright) ---------------------------------------------
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str:
    path = os.environ.get("TAKEVAULT_CHROMIUM") or "/usr/bin/chromium"
    if Path(path).exists():
        return path
    message = f"Chromium not found at {path}; install it (apt-get install chromium) or set TAKEVAULT_CHROMIUM."
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser():
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


@contextlib.contextmanager
def checked_page(browser, width: int = 1280, height: int = 720, timeout_ms: int = 20000):
    """A page in its own browser context that fails the test if any script on it raised."""
    context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
    pg = context.new_page()
    pg.set_default_timeout(timeout_ms)
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert not errors, f"JavaScript errors: {errors}"
