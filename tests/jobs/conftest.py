"""Fixtures of the job tests: the web tests' seeded vault (real clips), and worker processes."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.conftest import Seeded, copy_seeded, seeded_template, web_clips  # noqa: F401 - fixtures

SRC = str(Path(__file__).resolve().parents[2] / "src")


@pytest.fixture
def seeded(tmp_path: Path, seeded_template: Seeded) -> Seeded:  # noqa: F811
    return copy_seeded(seeded_template, tmp_path / "vault")


def worker_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


@pytest.fixture
def start_worker() -> Iterator:
    """Start `takevault worker` processes; every one is stopped (killed if need be) after the test."""
    procs: list[subprocess.Popen] = []

    def start(root: Path, **env: str) -> subprocess.Popen:
        proc = subprocess.Popen(
            [sys.executable, "-m", "takevault", "--vault", str(root), "worker"],
            env=worker_env(**env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
