"""Fixtures of the CLI tests: real take clips and a fresh vault driven through `main`, as a user types it."""

from __future__ import annotations

from pathlib import Path

import pytest

from takevault.cli.app import main
from tests.vault.takes_helpers import make_take_clips


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_take_clips(tmp_path_factory.mktemp("cli_clips"))


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture):
    vault_dir = tmp_path / "vault"
    assert main(["init", str(vault_dir)]) == 0
    capsys.readouterr()

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--vault", str(vault_dir), *args])
        out, err = capsys.readouterr()
        return code, out, err

    run.root = vault_dir  # type: ignore[attr-defined]
    return run
