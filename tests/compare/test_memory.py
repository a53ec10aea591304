"""Memory of a whole comparison grows with length only by the per-frame fingerprints (and report rows).

Each comparison runs in a fresh process that reports its peak RSS; the difference between a long and
a short pair, per frame, is held to the per-frame cost the comparison documents, so anything that
grows faster (a whole video held, a float copy of the thumbnails, per-frame Python objects) fails.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.compare.footage import long_take

# What a frame of B costs at the peak, measured on the ten-minute pair below: 4.1 KB. It holds the
# fingerprints of both sides, each in one block (32x18 YUV thumbnail 1728 bytes, float32 signature
# 576, dHash and time 16, per side), beside the alignment's rows and the matched pairs' metrics rows,
# which are not all live at the peak. Gathering the thumbnails one array per frame cost 9.1 KB here.
PER_FRAME = 4150
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
    _growth_within_the_per_frame_cost(tmp_path, 10, 60)


@pytest.mark.slow
def test_memory_of_a_ten_minute_pair_grows_only_by_the_per_frame_cost(tmp_path: Path) -> None:
    _growth_within_the_per_frame_cost(tmp_path, 20, 600)
