"""`takevault cut check TIMELINE`: which take versions an editor's cut uses, and which are out of date.

Parses, makes one `Vault.cut_check` call, renders the report through `ui`.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from takevault.cli import ui
from takevault.cli.context import vault as open_vault
from takevault.timecode import parse_rate

cut_app = typer.Typer(
    help="Check an editor's timeline against the vault: outdated versions, cut changes, a corrected timeline.",
    no_args_is_help=True,
)


def check(
    ctx: typer.Context,
    timeline: Annotated[Path, typer.Argument(help="The cut: .otio, .edl (CMX 3600), .xml (FCP 7), .fcpxml or .aaf.")],
    write: Annotated[
        Path | None,
        typer.Option(
            "--write",
            help="Also write the timeline with outdated clips on the current versions (same format, or .otio), "
            "their media exported beside it.",
        ),
    ] = None,
    rate: Annotated[
        str | None, typer.Option("--rate", help="Frame rate of an EDL, which carries none (24, 25, 24000/1001…).")
    ] = None,
    approved: Annotated[
        bool,
        typer.Option(
            "--approved",
            help="Pick by review approval: the starred take's newest approved version, else the shot's newest "
            "approved version (see 'takevault approve').",
        ),
    ] = False,
    no_record: Annotated[
        bool, typer.Option("--no-record", help="Do not keep this check as the one the next check compares with.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout instead of a table.")] = False,
) -> None:
    """Identify every clip on every video track and say whether it is the version the vault would pick."""
    vault = open_vault(ctx)
    with contextlib.ExitStack() as stack:
        # The bar starts once the timeline is read, so it knows how many clips there are.
        bar: list[Callable[[int], None]] = []

        def start(total: int) -> None:
            bar.append(stack.enter_context(ui.progress_items("Checking clips", total)))

        def advance(n: int = 1) -> None:
            if bar:
                bar[0](n)

        report = vault.cut_check(
            timeline,
            rate=parse_rate(rate) if rate else None,
            write=write,
            record=not no_record,
            approved=approved,
            progress=advance,
            on_total=start,
        )
    if as_json:
        ui.print_json(report.to_json())
        return
    rows = []
    for c in report.clips:
        what = c.changed or ""
        if c.status == "outdated" and c.pick:
            what = f"→ {c.pick}: {what}" if what else f"→ {c.pick}"
        rows.append(
            [
                c.index,
                c.record_in,
                c.name,
                c.ref or "",
                f"{c.how} ({c.sure})" if c.how else "",
                c.status,
                what,
                c.cut_change or "",
                "; ".join(c.notes + ([c.written] if c.written and c.written not in c.notes else [])),
            ]
        )
    ui.table(
        f"{report.name} ({report.fmt}, {report.rate} fps"
        + (", picked by approval)" if report.pick_by == "approved" else ")"),
        ["#", "record in", "clip", "version", "found by", "status", "what changed", "cut", "notes"],
        rows,
    )
    for gone in report.omitted:
        ui.info(f"omitted since the last check: {gone.get('shot')} ({gone.get('ref') or 'unidentified'})")
    if report.pick_by == "approved":
        ui.info("picked by approval: the starred take's newest approved version, else the shot's newest approved one")
    counts = report.counts()
    ui.info(", ".join(f"{n} {s}" for s, n in counts.items() if n) or "no clips")
    if report.written:
        ui.info(
            f"Corrected timeline: {report.written}" + (f", media in {report.media_dir}" if report.media_dir else "")
        )


def watch(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(help="Folder the editor saves the timeline(s) in (searched recursively).")],
    once: Annotated[
        bool, typer.Option("--once", help="Check the timelines there once they have settled, then stop.")
    ] = False,
    settle: Annotated[
        float, typer.Option("--settle", help="Seconds a timeline must stay unchanged before it is checked.", min=0)
    ] = 5.0,
    rate: Annotated[
        str | None, typer.Option("--rate", help="Frame rate of EDLs, which carry none (24, 25, 24000/1001…).")
    ] = None,
    approved: Annotated[
        bool, typer.Option("--approved", help="Pick by review approval, as 'cut check --approved'.")
    ] = False,
) -> None:
    """Re-check each timeline in FOLDER every time it is saved (Ctrl-C stops); the web room shows the latest."""
    vault = open_vault(ctx)
    stop = threading.Event()

    def said(result) -> None:
        if result.error:
            ui.info(f"{result.path.name}: not checked: {result.error}")
            return
        counts = result.report.counts()
        ui.info(f"{result.path.name}: " + (", ".join(f"{n} {s}" for s, n in counts.items() if n) or "no clips"))

    ui.info(f"Watching {folder} for timelines ({'once' if once else 'Ctrl-C to stop'})")
    try:
        vault.cut_watch(
            folder,
            rate=parse_rate(rate) if rate else None,
            approved=approved,
            once=once,
            stop_event=stop,
            settle_seconds=settle,
            on_check=said,
        )
    except KeyboardInterrupt:
        stop.set()
        ui.info("Stopped watching.")


def register(app: typer.Typer) -> None:
    """Add the `cut` command group to the main app."""
    cut_app.command("check")(check)
    cut_app.command("watch")(watch)
    app.add_typer(cut_app, name="cut")
