"""`takevault init`, vault discovery and the one error wrapper."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from takevault.cli.app import main
from takevault.config import CONFIG_NAME


def test_init_makes_a_default_vault(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "v"
    assert main(["init", str(target)]) == 0
    assert (target / CONFIG_NAME).is_file()
    assert (target / "store" / "versioning").read_text() == "Enabled"
    assert (target / "catalog.db").is_file()
    assert "Initialised" in capsys.readouterr().err


def test_second_init_is_refused_and_changes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "v"
    assert main(["init", str(target)]) == 0
    before = {p: p.stat().st_mtime_ns for p in target.rglob("*") if p.is_file()}
    capsys.readouterr()
    assert main(["init", str(target)]) == 2
    err = capsys.readouterr().err
    assert "already a takevault vault" in err and "Traceback" not in err
    assert {p: p.stat().st_mtime_ns for p in target.rglob("*") if p.is_file()} == before


def test_init_over_a_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    assert main(["init", str(target)]) == 2
    assert "is a file" in capsys.readouterr().err
    assert target.read_text() == "x"


def test_failed_init_leaves_nothing_behind(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "v"
    assert main(["init", str(target), "--store", "ftp://nowhere"]) != 0
    assert "not supported" in capsys.readouterr().err
    assert not target.exists()


def test_commands_outside_a_vault_say_how_to_make_one(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TAKEVAULT_VAULT"}
    result = subprocess.run(
        [sys.executable, "-m", "takevault", "takes"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "takevault init" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_every_command_has_help() -> None:
    import typer.main

    from takevault.cli.app import app

    group = typer.main.get_command(app)

    def walk(cmd, path):
        yield path, cmd
        for name, sub in getattr(cmd, "commands", {}).items():
            yield from walk(sub, [*path, name])

    for path, cmd in walk(group, []):
        assert (cmd.help or "").strip(), f"'takevault {' '.join(path)}' has no help text"
        for param in cmd.params:
            if getattr(param, "param_type_name", "") == "option" and not param.hidden:
                assert (getattr(param, "help", "") or "").strip(), f"option {param.name} of {path} has no help"


def test_init_over_a_catalog_that_has_a_vault_but_a_new_local_store_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = tmp_path / "first"
    assert main(["init", str(first)]) == 0
    capsys.readouterr()
    second = tmp_path / "second"
    assert main(["init", str(second), "--catalog", f"sqlite:///{first / 'catalog.db'}"]) == 2
    err = capsys.readouterr().err
    assert "already holds a takevault catalog" in err and "--store" in err
    assert not second.exists()


def test_files_written_for_the_user_follow_the_umask(tmp_path: Path) -> None:
    from takevault.store.fsutil import atomic_write

    old = os.umask(0o027)
    try:
        with atomic_write(tmp_path / "out.bin") as out:
            out.write(b"x")
    finally:
        os.umask(old)
    assert (tmp_path / "out.bin").stat().st_mode & 0o777 == 0o640
