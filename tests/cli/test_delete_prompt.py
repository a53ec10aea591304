"""`delete` asks on a terminal: a real pseudo-terminal answers its prompt."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from takevault.vault import Vault
from tests.clips import make_clip


def _answer_prompt(vault_dir: Path, ref: str, answer: str) -> tuple[int, str]:
    """Run `takevault delete REF` on a pty, wait for its question, type `answer`."""
    master, slave = os.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "takevault", "--vault", str(vault_dir), "delete", ref],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        close_fds=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + 60
    answered = False
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                seen += chunk
            if not answered and b"?" in seen.split(b"Delete", 1)[-1]:
                os.write(master, answer.encode() + b"\r")
                answered = True
            if proc.poll() is not None and not ready:
                break
        code = proc.wait(timeout=30)
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    assert answered, f"no question was asked: {seen!r}"
    return code, seen.decode(errors="replace")


@pytest.fixture
def vault_with_a_starred_take(tmp_path: Path) -> Path:
    with Vault.init(tmp_path / "v") as vault:
        vault.add_shot("SH010")
        take = vault.add(make_clip(tmp_path / "a.mp4"), shot="SH010")
        vault.star(take.ref)
    return tmp_path / "v"


def test_declining_changes_nothing(vault_with_a_starred_take: Path) -> None:
    code, screen = _answer_prompt(vault_with_a_starred_take, "SH010/video_01", "n")
    assert code == 1
    assert "will be hidden behind a delete marker" in screen and "star will be cleared" in screen
    assert "Cancelled; nothing was changed." in screen and "Traceback" not in screen
    with Vault.open(vault_with_a_starred_take) as vault:
        take = vault.take("SH010/video_01")
        assert not take.deleted and take.starred


def test_confirming_deletes(vault_with_a_starred_take: Path) -> None:
    code, screen = _answer_prompt(vault_with_a_starred_take, "SH010/video_01", "y")
    assert code == 0, screen
    assert "bring it back with 'takevault restore" in screen
    with Vault.open(vault_with_a_starred_take) as vault:
        assert vault.take("SH010/video_01").deleted
