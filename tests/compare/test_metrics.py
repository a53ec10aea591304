"""PSNR/SSIM from the libavfilter graph agree with FFmpeg's own command line and a NumPy oracle."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import av
import imageio_ffmpeg
import pytest

from takevault.compare.metrics import compute_metrics, psnr_from_mse, summarize
from tests.compare.footage import DATA, write
from tests.compare.ssim_oracle import mse_plane, planes, ssim_plane

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()  # a recent static FFmpeg; never a system 5.x (SIMD SSIM bug)


def ffmpeg_metrics(a: Path, b: Path, tmp: Path, scale_b: tuple[int, int] | None = None) -> dict:
    """Per-frame and summary values from `ffmpeg -lavfi ssim;psnr` with stats files."""
    sl, pl = tmp / "ssim.log", tmp / "psnr.log"
    pre = f"[1:v]scale={scale_b[0]}:{scale_b[1]}:flags=bicubic[bs];[bs]" if scale_b else "[1:v]"
    graph = f"{pre}split[b1][b2];[0:v]split[a1][a2];[a1][b1]ssim=stats_file={sl};[a2][b2]psnr=stats_file={pl}"
    run = subprocess.run(
        [FFMPEG, "-hide_banner", "-nostdin", "-i", str(a), "-i", str(b), "-lavfi", graph, "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    psnr_line = re.search(r"PSNR y:(\S+) u:(\S+) v:(\S+) average:(\S+)", run.stderr)
    ssim_line = re.search(r"SSIM Y:(\S+) \S+ U:(\S+) \S+ V:(\S+) \S+ All:(\S+)", run.stderr)
    frames_ssim = [dict(kv.split(":") for kv in line.split()[:5]) for line in sl.read_text().splitlines()]
    frames_psnr = [dict(kv.split(":") for kv in line.split()) for line in pl.read_text().splitlines()]
    return {
        "psnr": [float(x) for x in psnr_line.groups()],
        "ssim": [float(x) for x in ssim_line.groups()],
        "frames_ssim": frames_ssim,
        "frames_psnr": frames_psnr,
    }


def _check_against_ffmpeg(ours, ref) -> None:
    s = ours.summary
    for got, want in zip(
        (s["psnr"]["y"], s["psnr"]["u"], s["psnr"]["v"], s["psnr"]["average"]), ref["psnr"], strict=False
    ):
        assert got == pytest.approx(want, abs=1e-4)
    ssim = (s["ssim"]["y"], s["ssim"]["u"], s["ssim"]["v"], s["ssim"]["all"])
    for got, want in zip(ssim, ref["ssim"], strict=True):
        assert got == pytest.approx(want, abs=1e-6)
    assert len(ours.frames) == len(ref["frames_ssim"])
    for mine, fs, fp in zip(ours.frames, ref["frames_ssim"], ref["frames_psnr"], strict=False):
        # Both sides print 6 decimals, so one unit in the last place is the resolution of the comparison.
        assert mine.ssim[0] == pytest.approx(float(fs["Y"]), abs=1.01e-6)
        assert mine.ssim_all == pytest.approx(float(fs["All"]), abs=1.01e-6)
        # The stats file rounds MSE to 2 decimals; the per-frame agreement is to that precision.
        assert mine.mse[0] == pytest.approx(float(fp["mse_y"]), abs=0.006)


def test_carphone_pair_matches_ffmpeg(tmp_path: Path) -> None:
    a, b = DATA / "carphone_pristine.mp4", DATA / "carphone_distorted.mp4"
    ours = compute_metrics(a, b)
    _check_against_ffmpeg(ours, ffmpeg_metrics(a, b, tmp_path))
    assert len(ours.frames) == 120 and ours.notes == []


def test_different_resolutions_scale_the_larger_and_say_so(tmp_path: Path, footage: dict[str, Path]) -> None:
    a, b = footage["resolution"], footage["a"]  # 96x40 against 160x68: B is scaled down
    ours = compute_metrics(a, b)
    assert any("metrics computed at 96x40" in n for n in ours.notes)
    _check_against_ffmpeg(ours, ffmpeg_metrics(a, b, tmp_path, scale_b=(96, 40)))


def test_width_8_mod_16_plane(tmp_path: Path) -> None:
    """Plane widths = 8 (mod 16) are where Debian's FFmpeg 5.1 SIMD SSIM was wrong; ours and a recent FFmpeg agree."""
    from tests.compare.footage import frames

    imgs = list(frames("bikes.mp4", 152, 64, limit=20))  # luma 152 = 8 mod 16
    a = write(tmp_path / "a.mp4", imgs)
    b = write(tmp_path / "b.mp4", imgs, crf=38)
    ours = compute_metrics(a, b)
    _check_against_ffmpeg(ours, ffmpeg_metrics(a, b, tmp_path))


def test_numpy_oracle_agrees_frame_by_frame(footage: dict[str, Path]) -> None:
    a, b = footage["a"], footage["bitrate"]
    ours = compute_metrics(a, b)
    with av.open(str(a)) as ca, av.open(str(b)) as cb:
        for i, (fa, fb) in enumerate(zip(ca.decode(video=0), cb.decode(video=0), strict=False)):
            if i % 25:
                continue
            pa, pb = planes(fa), planes(fb)
            m = ours.frames[i]
            for k in range(3):
                assert m.ssim[k] == pytest.approx(ssim_plane(pa[k], pb[k]), abs=2e-6)
                assert m.mse[k] == pytest.approx(mse_plane(pa[k], pb[k]), rel=1e-6)  # FFmpeg keeps MSE as float


def test_summary_psnr_is_psnr_of_mean_mse(footage: dict[str, Path]) -> None:
    ours = compute_metrics(footage["a"], footage["bitrate"])
    mean_mse = sum(r.mse[0] for r in ours.frames) / len(ours.frames)
    assert ours.summary["psnr"]["y"] == pytest.approx(psnr_from_mse(mean_mse, 255), abs=1e-6)
    mean_of_psnr = sum(r.psnr[0] for r in ours.frames) / len(ours.frames)
    assert abs(ours.summary["psnr"]["y"] - mean_of_psnr) > 1e-3  # the trap: these differ
    assert summarize([]) is None
