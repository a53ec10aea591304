"""Memory of a whole comparison stays flat with length beyond what the report itself holds per pair.

Each comparison runs in a fresh process that reports its peak RSS; the difference between a long and
a short pair, per frame, is held to what the report's own per-pair rows cost, so anything that keeps
per-frame working data resident (fingerprints, signatures, Viterbi rows, sound) fails.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.compare.footage import long_take

# What a frame of B costs at the peak now, measured on the pairs below (4 and 8 minutes): 575 bytes,
# nearly all of it the report's `metrics.frames` entry for the pair (a dict of eight numbers, ~490
# bytes) and its row of numbers (96). The fingerprints, signatures, Viterbi rows and sound are in
# file-backed scratch, walked window by window. Holding the fingerprints in memory cost 1.6-4.9 KB a
# frame on the same pairs in two runs (4.1 KB between 20 s and 10 minutes).
PER_FRAME = 800
SLACK = 1.5  # run-to-run spread of RSS, allocator rounding

CHILD = """
import json, resource, sys
from takevault.compare.report import compare_files
r = compare_files(sys.argv[1], sys.argv[2])
print(json.dumps({"maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                  "frames": r["decode"]["b"]["frames"], "kinds": [s["kind"] for s in r["segments"]]}))
"""


def _peak(a: Path, b: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    run = subprocess.run([sys.executable, "-c", CHILD, str(a), str(b)], capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


def _pair(folder: Path, seconds: float) -> tuple[Path, Path]:
    mid = seconds / 2
    return (
        long_take(folder / f"a_{seconds}.mp4", seconds),
        long_take(folder / f"b_{seconds}.mp4", seconds, cut=(mid, mid + 2)),
    )


def _growth_within_the_per_frame_cost(tmp_path: Path, short: float, long: float) -> None:
    small, big = _peak(*_pair(tmp_path, short)), _peak(*_pair(tmp_path, long))
    assert big["kinds"] == ["same", "removed", "same"]  # the comparison found the cut, not something else
    frames = big["frames"] - small["frames"]
    bound = SLACK * PER_FRAME * frames
    assert big["maxrss"] - small["maxrss"] < bound, (
        f"peak grew {(big['maxrss'] - small['maxrss']) / frames:.0f} bytes a frame, more than {bound / frames:.0f}"
    )


def test_memory_grows_only_by_the_per_frame_cost(tmp_path: Path) -> None:
    # Both lengths past the candidate search's fixed working set (it grows up to ~2,000 frames of A).
    _growth_within_the_per_frame_cost(tmp_path, 240, 480)


@pytest.mark.slow
def test_memory_of_a_ten_minute_pair_grows_only_by_the_per_frame_cost(tmp_path: Path) -> None:
    _growth_within_the_per_frame_cost(tmp_path, 120, 600)
