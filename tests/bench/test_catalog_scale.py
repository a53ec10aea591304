"""`bench/catalog_scale.py` runs end to end at a tiny size and prints every figure with its target."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_the_catalog_benchmark_runs_tiny(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    if backend == "postgres":
        request.getfixturevalue("pg_server")
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "catalog_scale.py"), "--takes", "300", "--samples", "3",
         "--backends", backend, "--dir", str(tmp_path)],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    # Targets may be missed on a busy machine (exit 1); what must hold is that every figure is measured.
    assert done.returncode in (0, 1), done.stderr
    out = done.stdout
    for figure in ("resolve SEQ/SH/video_NN", "star", "starred list", "search (rare word)", "list_shots",
                   "CLI takes --shot", "web GET /api/takes?shot=", "takes --jsonl", "takes --json"):  # fmt: skip
        line = next(x for x in out.splitlines() if x.startswith(f"| {figure} "))
        assert any(ch.isdigit() for ch in line), line
    assert "300 takes, 750 versions" in out
    assert ("all targets met" in out) == (done.returncode == 0)
    assert list(tmp_path.iterdir()) == []  # the benchmark cleans up its vault
