"""Fixtures of the web tests: real clips, a seeded vault, the app in process, and a real server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

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


@pytest.fixture
def seeded(tmp_path: Path, web_clips: dict[str, Path]) -> Seeded:
    return seed_vault(tmp_path / "vault", web_clips)


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
