"""Editorial hand-off: `export` (folder, .otio, EDL, FCP XML), `watch`, `import-aimms`, `export-aimms`.

Each command parses, makes one `Vault` call and renders the result through `ui`.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Annotated

import typer

from takevault.cli import ui
from takevault.cli.context import vault as open_vault
from takevault.errors import InvalidInputError

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON on stdout instead of a table.")]


def _size(size: int) -> str:
    value = float(size)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return str(size)


def _warn(lines: list[str]) -> None:
    for line in lines:
        ui.info(f"warning: {line}")


def export(
    ctx: typer.Context,
    to: Annotated[
        Path | None, typer.Option("--to", help="Folder to copy the takes into (with manifest.json and manifest.csv).")
    ] = None,
    otio_file: Annotated[Path | None, typer.Option("--otio", help="Write an OpenTimelineIO .otio timeline.")] = None,
    edl_file: Annotated[Path | None, typer.Option("--edl", help="Write a CMX 3600 EDL (through OTIO).")] = None,
    fcpxml_file: Annotated[
        Path | None, typer.Option("--fcpxml", help="Write a Final Cut Pro 7 XML (through OTIO).")
    ] = None,
    starred: Annotated[
        bool, typer.Option("--starred", help="Only each shot's starred take (always so for timelines).")
    ] = False,
    shot: Annotated[str | None, typer.Option("--shot", help="Only this shot (SH010 or SEQ01/SH010).")] = None,
    section: Annotated[str | None, typer.Option("--section", help="Only this section.")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="Only takes of this kind (raw, edit, final…).")] = None,
    status: Annotated[str | None, typer.Option("--status", help="Only takes with this status.")] = None,
    min_rating: Annotated[int | None, typer.Option("--min-rating", help="Only takes rated at least N (0-5).")] = None,
    search: Annotated[str | None, typer.Option("--search", help="Only takes whose note or name holds TEXT.")] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Export what was starred at this moment (ISO 8601, local time unless given)."),
    ] = None,
    presign: Annotated[
        bool, typer.Option("--presign", help="Timeline clips point at presigned S3 URLs instead of exported files.")
    ] = False,
    expires: Annotated[
        int, typer.Option("--expires", help="Lifetime of presigned URLs in seconds.", min=60, max=604800)
    ] = 604800,
    approved: Annotated[
        bool, typer.Option("--approved", help="Only take versions a reviewer approved (see 'takevault approve').")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Copy takes to a folder, or write a timeline of the starred takes in section and shot order."""
    from takevault.editorial.stars import parse_moment

    timelines = [(fmt, p) for fmt, p in (("otio", otio_file), ("edl", edl_file), ("fcpxml", fcpxml_file)) if p]
    if len(timelines) > 1:
        raise InvalidInputError("Give one of --otio, --edl or --fcpxml per export; run export again for another.")
    if not timelines and to is None:
        raise InvalidInputError(
            "Say where to export: --to DIR for files, or --otio/--edl/--fcpxml FILE for a timeline."
        )
    if presign and not timelines:
        raise InvalidInputError("--presign is for timelines; add --otio, --edl or --fcpxml.")
    moment = parse_moment(as_of) if as_of else None
    vault = open_vault(ctx)
    if timelines:
        if any(v is not None for v in (kind, status, min_rating, search)):
            raise InvalidInputError(
                "A timeline holds the starred take of each shot; narrow it with --shot or --section."
            )
        fmt, path = timelines[0]
        with ui.progress_items("Exporting media", None) as advance:
            timeline = vault.export_timeline(
                path,
                fmt=fmt,
                as_of=moment,
                presign=presign,
                media_dir=to,
                expires=expires,
                shot=shot,
                section=section,
                approved=approved,
                progress=advance,
            )
        if as_json:
            ui.print_json(timeline.to_json())
        else:
            ui.table(
                f"{fmt} timeline {timeline.path}",
                ["#", "clip", "fps", "frames", "sha256"],
                [[i + 1, c["name"], c["fps"], c["frames"], c["sha256"][:12]] for i, c in enumerate(timeline.clips)],
            )
            if timeline.media_dir:
                ui.info(f"Media in {timeline.media_dir}")
        _warn(timeline.warnings)
        return
    assert to is not None
    from takevault.jobs.foreground import run_here

    args = {
        "dest": str(to),
        "starred": starred,
        "shot": shot,
        "section": section,
        "kind": kind,
        "status": status,
        "min_rating": min_rating,
        "search": search,
        "as_of": moment.isoformat() if moment is not None else None,
        "approved": approved,
    }
    with ui.progress_items("Exporting takes", None) as advance:
        report = run_here(vault, "export", args, progress=advance)
    if as_json:
        ui.print_json(report.to_json())
    else:
        rows = [
            [
                f.file,
                f.item.ref,
                _size(f.item.video.size),
                f.item.video.sha256[:12],
                f.png_file or "",
                "kept" if f.reused else "copied",
            ]
            for f in report.files
        ]
        rows += [["", f"{s}/{h}" if s else h, "", "", "", "no starred take"] for s, h in report.shots_without_star]
        ui.table(f"Exported to {report.dest}", ["file", "take", "size", "sha256", "png", "status"], rows)
        ui.info(f"Manifest: {report.manifest_json} and {report.manifest_csv}")
    _warn(report.warnings)


def watch(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(help="Folder renders appear in (searched recursively).")],
    map_pattern: Annotated[
        str | None,
        typer.Option(
            "--map",
            help="Which shot a file belongs to: a template like '{section}/{shot}_*' or a regex with "
            "(?P<shot>…), optional (?P<section>…) and (?P<take>…) for a new version. Default: the rules import "
            "uses, codes such as SH010 in the name or its folders (SH010_0001.mp4, SH020/render_0001.mp4).",
        ),
    ] = None,
    once: Annotated[
        bool, typer.Option("--once", help="Ingest what is there, wait for it to settle, then stop.")
    ] = False,
    settle: Annotated[
        float, typer.Option("--settle", help="Seconds a file must stay unchanged before it is ingested.", min=0)
    ] = 5.0,
    kind: Annotated[str, typer.Option("--kind", help="Kind of the new takes.")] = "raw",
    create_shots: Annotated[
        bool, typer.Option("--create-shots", help="Create shots (and sections) the map names but the vault lacks.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Turn each finished render in FOLDER into a take (Ctrl-C stops)."""
    vault = open_vault(ctx)
    stop = threading.Event()
    try:
        report = vault.watch(
            folder,
            map_pattern=map_pattern,
            once=once,
            stop_event=stop,
            settle_seconds=settle,
            kind=kind,
            create_shots=create_shots,
            on_decision=lambda d: ui.info(d.message),
            on_start=lambda path: ui.info(f"Watching {path} ({'once' if once else 'Ctrl-C to stop'})"),
        )
    except KeyboardInterrupt:
        stop.set()
        ui.info("Stopped watching.")
        return
    if as_json:
        ui.print_json(report.to_json())
    else:
        ui.info(f"{len(report.ingested)} render(s) ingested.")


def import_aimms(
    ctx: typer.Context,
    project_dir: Annotated[Path, typer.Argument(help="The AIMMS project folder (it holds data/shots.db and media/).")],
    as_json: JsonOpt = False,
) -> None:
    """Bring an AIMMS project in: sections, shots, takes, workflow PNGs and stars."""
    vault = open_vault(ctx)
    with ui.progress_items("Importing takes", None) as advance:
        report = vault.import_aimms(project_dir, progress=advance)
    if as_json:
        ui.print_json(report.to_json())
        return
    ui.fields(
        [
            ("sections added", len(report.sections_added)),
            ("shots added", len(report.shots_added)),
            ("takes added", len(report.takes_added)),
            ("starred", len(report.starred)),
            ("problems", len(report.problems)),
        ]
    )
    _warn(report.problems)


def export_aimms(
    ctx: typer.Context,
    dest: Annotated[Path, typer.Argument(help="An empty (or new) folder for the AIMMS project.")],
    as_json: JsonOpt = False,
) -> None:
    """Write this project as an AIMMS project: data/shots.db and media/<shot_id>/video_NN.*."""
    vault = open_vault(ctx)
    with ui.progress_items("Exporting takes", None) as advance:
        report = vault.export_aimms(dest, progress=advance)
    if as_json:
        ui.print_json(report.to_json())
        return
    ui.fields([("folder", report.dest), ("shots", report.shots), ("takes", report.takes), ("pngs", report.pngs)])
    _warn(report.problems)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("export")(export)
    app.command("watch")(watch)
    app.command("import-aimms")(import_aimms)
    app.command("export-aimms")(export_aimms)
