"""Instructions (valgrind callgrind) of the whole comparison and of its parts, against decoding both files.

    python bench/compare_instructions.py [--seconds 6] [--workdir DIR]

CPU seconds on the shared machine swing by 10-20 % between runs with the other processes'
load; instruction counts do not. Each step runs in a fresh Python under callgrind (threads
serialised, so this takes minutes even for a few seconds of video), and a step that only imports
is subtracted from every count. The steps:

- decode: both files' pictures and sound decoded with PyAV, nothing else (the reference);
- interleaved: both files' pictures decoded side by side, as the comparison's first pass does;
- + thumbnails: that, plus the 32x18 YUV fingerprint thumbnail of every frame;
- + metrics: that, with FFmpeg's psnr and ssim filters on every pair instead of the thumbnails;
- whole comparison: `compare_files(a, b, out_dir=...)`, everything with pictures.

The pair is made like bench/compare_speed.py's (bikes.mp4 at 1920x1080 with pink-noise sound;
B re-encoded, regraded over its middle third, 2 dB louder), short enough for callgrind.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from compare_speed import make_pair

STEPS = ("imports", "decode", "interleaved", "thumbnails", "metrics", "whole")

CHILD = """
import sys, tempfile
from pathlib import Path
sys.path.insert(0, sys.argv[4])
import compare_speed
from takevault.compare.frames import DecodeStatus
from takevault.compare.metrics import MetricsGraph
from takevault.compare.report import _interleaved, compare_files
from takevault.compare.signatures import Track
step, a, b = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
if step == "decode":
    compare_speed.decode_both(a, b, True)
elif step == "whole":
    compare_files(a, b, out_dir=tempfile.mkdtemp())
elif step != "imports":
    ta, tb, graph = Track(), Track(), MetricsGraph()
    for x, y in _interleaved(a, b, DecodeStatus(), DecodeStatus()):
        if step == "thumbnails" and x is not None:
            ta.add(*x)
        if step == "thumbnails" and y is not None:
            tb.add(*y)
        if step == "metrics" and x is not None and y is not None:
            graph.push(x[1], y[1])
    graph.flush()
"""


def instructions(step: str, a: Path, b: Path, workdir: Path) -> int:
    """Instructions callgrind counted for one step in a fresh interpreter (the real binary, not a shim)."""
    out = workdir / f"callgrind.{step}.out"
    run = subprocess.run(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable, "-c", CHILD,
         step, str(a), str(b), str(Path(__file__).parent)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    found = re.search(r"Collected : (\d+)", run.stderr)
    if found is None:
        raise RuntimeError(f"callgrind printed no count for {step}: {run.stderr[-500:]}")
    return int(found.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "takevault-bench")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    thirds = (args.seconds / 3, 2 * args.seconds / 3)
    a, b = make_pair(args.workdir, args.seconds, regrade=thirds, prefix="short_")
    counts = {}
    for step in STEPS:
        counts[step] = instructions(step, a, b, args.workdir)
        print(f"{step}: {counts[step] / 1e9:.3f} G instructions (imports included)", flush=True)
    base = counts["imports"]
    net = {step: counts[step] - base for step in STEPS[1:]}
    ref = net["decode"]
    for step in STEPS[1:]:
        print(f"{step:12s} {net[step] / 1e9:7.3f} G  {net[step] / ref:5.2f}x of decode")
    print(f"thumbnails add {(net['thumbnails'] - net['interleaved']) / ref:.1%} of decode, "
          f"metrics {(net['metrics'] - net['interleaved']) / ref:.1%}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
