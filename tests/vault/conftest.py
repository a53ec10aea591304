"""Fixtures for the take tests: a vault per catalog backend, and small clips with known properties."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.vault.takes_helpers import CATALOGS, make_take_clips, make_vault


@pytest.fixture(params=CATALOGS)
def vault(request: pytest.FixtureRequest, tmp_path: Path):
    """A fresh vault on the local store with the catalog on SQLite, then on PostgreSQL."""
    with make_vault(request, tmp_path / "vault", request.param) as v:
        yield v


@pytest.fixture(scope="session")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Three different tiny clips: a (24 frames), b (12 frames, 25 fps), c (NTSC 24000/1001 with audio)."""
    return make_take_clips(tmp_path_factory.mktemp("take_clips"))
