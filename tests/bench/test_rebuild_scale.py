"""`bench/rebuild_scale.py` runs end to end at 200 versions: the rebuilt catalog lists what the lost one did."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}


def test_the_rebuild_benchmark_runs_small(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "rebuild_scale.py"), "--versions", "200", "--dir", str(tmp_path)],
        capture_output=True, text=True, env=ENV, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout.splitlines()[-1])
    assert (result["takes"], result["versions"], result["shots"]) == (80, 200, 4)
    assert (result["rebuilt_takes"], result["rebuilt_versions"]) == (80, 200)
    assert result["listings_equal"] is True and result["differs"] == []
    assert result["listed_takes"] == 80  # live and deleted listings together hold every take
    assert result["journal_entries"] > 4 and result["versions_per_s"] > 0
    assert "listings before and after" in done.stdout and ": equal" in done.stdout
    assert list(tmp_path.iterdir()) == []  # the benchmark cleans up its vault


def test_a_bad_size_is_one_sentence(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "rebuild_scale.py"), "--versions", "0", "--dir", str(tmp_path)],
        capture_output=True, text=True, env=ENV, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2
    assert "--versions needs a positive number of versions" in done.stderr
    assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []
