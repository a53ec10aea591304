"""`takevault compare A B`: what differs between two takes, take versions or files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from takevault.cli import context, ui
from takevault.errors import ConfigError, InvalidInputError


def _fmt(value: float | None, digits: int) -> str:
    return "identical (inf)" if value is None else f"{value:.{digits}f}"


def _value(field: str, value: Any) -> Any:
    """A technical value for people: durations in seconds, bit rates in kb/s or Mb/s."""
    if value is None:
        return "-"
    if field == "duration":
        return f"{value:.3f} s"
    if field == "bit_rate":
        return f"{value / 1e6:.2f} Mb/s" if value >= 1e6 else f"{value / 1e3:.0f} kb/s"
    return value


def _segment_row(seg: dict[str, Any]) -> tuple[str, str, str, str, str, str]:
    """One row of the edit table: SMPTE timecodes of each side, the length, the speed and why."""
    a_range, b_range = seg.get("a"), seg.get("b")
    a_text = "–".join(seg["a_smpte"]) if seg.get("a_smpte") else "-"
    b_text = (
        "–".join(seg["b_smpte"]) if seg.get("b_smpte") else (f"at {seg['at_smpte']}" if seg.get("at_smpte") else "-")
    )
    span = b_range or a_range
    assert span is not None, "a segment has an A side, a B side or both"
    length = span[1] - span[0]
    why = "; ".join(f"{c['cause']}: {c['text']}" for c in seg.get("causes", []))
    return (
        seg["kind"],
        a_text,
        b_text,
        f"{length:.2f} s",
        f"{seg['rate']:.2f}x" if seg.get("rate") else "",
        why,
    )


def _show(report: dict[str, Any], out: Path | None) -> None:
    summary = report["summary"]
    ui.lines(summary.get("sentences", []))
    ui.fields(
        [
            ("A", report["a"]["label"]),
            ("B", report["b"]["label"]),
            ("verdict", summary["verdict"]),
        ]
    )
    tech = report["technical"]
    if tech["differences"]:
        differences = [
            (d["field"], _value(d["field"], d["a"]), _value(d["field"], d["b"])) for d in tech["differences"]
        ]
        ui.table("Technical differences", ("field", "A", "B"), differences)
    m = report["metrics"]
    if m["pairs"]:
        p, s = m["psnr"], m["ssim"]
        ui.table(
            f"Metrics over {m['pairs']} aligned frame pairs",
            ("metric", "Y", "U", "V", "overall"),
            [
                ("PSNR dB", *(_fmt(p.get(k), 2) for k in ("y", "u", "v", "average"))),
                ("SSIM", *(_fmt(s.get(k), 6) for k in ("y", "u", "v", "all"))),
            ],
        )
    cuts = report["cuts"]
    ui.fields([("cuts in A", len(cuts["a"])), ("cuts in B", len(cuts["b"]))])
    rows = [_segment_row(seg) for seg in report["segments"]]
    ui.table("What changed", ("kind", "A", "B", "length", "speed", "why"), rows)
    for warning in report["warnings"]:
        ui.info(f"warning: {warning}")
    if out is not None:
        ui.info(f"Wrote report.json and {len(report['pictures'])} pictures to {out}")


def compare(
    ctx: typer.Context,
    a: Annotated[str, typer.Argument(help="A take (SH010/video_02), a version (SH010/video_02@v1) or a file.")],
    b: Annotated[str, typer.Argument(help="The other side: take, version or file.")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder for report.json and the pictures (created if missing).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON on stdout.")] = False,
    video: Annotated[
        bool, typer.Option("--video", help="Also write side_by_side.mp4 (A | B | difference) to --out.")
    ] = False,
) -> None:
    """Compare two versions: technical diff, PSNR/SSIM, scene cuts, and what was cut, added, moved or regraded."""
    with ui.progress_items("Decoding frames", None) as tick:
        try:
            vault = context.vault(ctx)
        except ConfigError:
            # Two plain files need no vault; anything else does.
            if not (Path(a).is_file() and Path(b).is_file()):
                from takevault.media.formats import VIDEO_SUFFIXES

                for side in (a, b):
                    # A mistyped file name is not a take reference: say the file is missing, not the vault.
                    if not Path(side).exists() and Path(side).suffix.lower() in VIDEO_SUFFIXES:
                        raise InvalidInputError(
                            f"{side} does not exist; give an existing video file or a take reference."
                        ) from None
                raise
            from takevault.compare.report import compare_files

            report = compare_files(a, b, out_dir=out, progress=tick, video=video, labels=(Path(a).name, Path(b).name))
        else:
            from takevault.jobs.foreground import run_here

            args = {"a": a, "b": b, "out": str(out) if out is not None else None, "video": video}
            report = run_here(vault, "compare", args, progress=tick)
    if as_json:
        ui.print_json(report)
        return
    _show(report, out)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("compare")(compare)
