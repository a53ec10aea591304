"""Fixtures shared by the whole suite: real clips, fresh vaults, and servers are in plugins below."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.clips import make_clip

pytest_plugins = ["tests.s3_servers", "tests.pg_server"]


@pytest.fixture(autouse=True)
def _fail_on_error_logs(caplog: pytest.LogCaptureFixture):
    """A test that logs at ERROR has hidden a failure; make it visible."""
    yield
    errors = [r for r in caplog.get_records("call") if r.levelno >= logging.ERROR and r.name.startswith("takevault")]
    assert not errors, f"takevault logged errors: {[r.getMessage() for r in errors]}"


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashes():
    """Passwords hashed in this process use argon2's cheapest parameters, not the 64 MiB default.

    An argon2 hash carries its own parameters, so verifying, refusing and rate limiting behave as
    in production; only the seconds spent per user change. Servers and workers started as child
    processes keep the production cost, and tests/vault/test_people_hashing.py checks that cost."""
    from argon2 import PasswordHasher
    from argon2.profiles import CHEAPEST

    from takevault.vault import people

    people._hasher = PasswordHasher.from_parameters(CHEAPEST)
    yield
    people._hasher = None


@pytest.fixture(scope="session")
def clip_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("clips")


@pytest.fixture(scope="session")
def clip(clip_dir: Path) -> Path:
    """A 1-second 64x48 24 fps H.264 MP4."""
    return make_clip(clip_dir / "clip.mp4")


@pytest.fixture
def local_vault(tmp_path: Path):
    """A fresh default vault (SQLite + local store) in a temporary folder."""
    from takevault.vault import Vault

    with Vault.init(tmp_path / "vault") as vault:
        yield vault
