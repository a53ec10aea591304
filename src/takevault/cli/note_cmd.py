"""`takevault note add|list|reply|resolve`: review notes on a frame or an In/Out range of a take version."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from takevault.cli import ui
from takevault.cli.context import vault as open_vault
from takevault.errors import InvalidInputError

note_app = typer.Typer(
    help="Review notes on frames and ranges of a take version (they follow the take to its next version).",
    no_args_is_help=True,
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON on stdout instead of a table.")]
RefArg = Annotated[str, typer.Argument(help="SH010/video_03@v3 (or without @vN: the current version).")]
NoteArg = Annotated[str, typer.Argument(help="The note's id (or its first 8 characters, from 'note list').")]


def _drawing(path: Path | None) -> object:
    if path is None:
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInputError(f"{path} does not exist; give the drawing's JSON file.") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInputError(f"{path} is not a JSON drawing ({exc}); see docs/review.md for its shape.") from None


@note_app.command("add")
def add(
    ctx: typer.Context,
    ref: RefArg,
    text: Annotated[str, typer.Argument(help="What should change.")],
    at: Annotated[str | None, typer.Option("--at", help="One frame: HH:MM:SS:FF or a frame number.")] = None,
    start: Annotated[str | None, typer.Option("--from", help="Range In point: HH:MM:SS:FF or frame.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Range Out point (inclusive): HH:MM:SS:FF or frame.")] = None,
    drawing: Annotated[
        Path | None, typer.Option("--drawing", help='JSON file {"shapes": [...]} drawn over the frame.')
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Put a note on one frame (--at) or a range (--from/--to) of a take version."""
    note = open_vault(ctx).add_note(ref, text, at=at, start=start, end=end, drawing=_drawing(drawing))
    if as_json:
        ui.print_json(note.to_json())
    else:
        where = note.timecode(note.frame_in) or f"frame {note.frame_in}"
        if note.frame_out != note.frame_in:
            where += f"-{note.timecode(note.frame_out) or note.frame_out}"
        ui.info(f"Noted {note.ref} at {where} (note {note.id[:8]}).")


@note_app.command("list")
def list_notes(
    ctx: typer.Context,
    ref: RefArg,
    status: Annotated[str | None, typer.Option("--status", help="open or resolved.")] = None,
    every_version: Annotated[bool, typer.Option("--all", help="Notes of every version, not one.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """The notes of a take version by frame, with their replies."""
    notes = open_vault(ctx).notes(ref, status=status, all_versions=every_version)
    if as_json:
        ui.print_json([n.to_json() for n in notes])
        return
    table = []
    for n in notes:
        where = n.timecode(n.frame_in) or str(n.frame_in)
        if n.frame_out != n.frame_in:
            where += f"-{n.timecode(n.frame_out) or n.frame_out}"
        state = n.status + (f", {n.follow}" if n.follow else "")
        author = n.author + (" (guest)" if n.guest else "")
        table.append([n.id[:8], f"v{n.version}", where, n.frame_in, state, author, n.text])
        for r in n.replies:
            table.append(["", "", "", "", "reply", r.author + (" (guest)" if r.guest else ""), r.text])
    ui.table("Notes", ("note", "version", "timecode", "frame", "state", "by", "text"), table)


@note_app.command("reply")
def reply(ctx: typer.Context, note: NoteArg, text: Annotated[str, typer.Argument(help="The reply.")]) -> None:
    """Answer a note."""
    found = open_vault(ctx).reply_note(note, text)
    ui.info(f"Replied to note {found.id[:8]} ({len(found.replies)} replies).")


@note_app.command("resolve")
def resolve(
    ctx: typer.Context,
    note: NoteArg,
    reopen: Annotated[bool, typer.Option("--reopen", help="Open the note again instead.")] = False,
) -> None:
    """Mark a note resolved (or open again with --reopen)."""
    found = open_vault(ctx).resolve_note(note, resolved=not reopen)
    ui.info(f"Note {found.id[:8]} is {found.status}.")


@note_app.command("follow")
def follow(
    ctx: typer.Context,
    take: Annotated[str, typer.Argument(help="SH010/video_03 or the take's UUID.")],
    from_version: Annotated[int, typer.Option("--from", min=1, help="The version whose open notes move.")],
    to_version: Annotated[
        int | None, typer.Option("--to", min=1, help="Where to; default the current version.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Carry the open notes of one version to another through the frame alignment (replace does this itself)."""
    carried = open_vault(ctx).follow_notes(take, from_version=from_version, to_version=to_version)
    if as_json:
        ui.print_json([n.to_json() for n in carried])
        return
    states = [n.follow for n in carried]
    ui.info(
        f"{len(carried)} notes carried: {states.count('changed')} changed, "
        f"{states.count('unchanged')} unchanged, {states.count('gone')} gone."
    )


@note_app.command("markers")
def markers(
    ctx: typer.Context,
    resolve_csv: Annotated[Path | None, typer.Option("--resolve-csv", help="CSV marker list to write.")] = None,
    resolve_edl: Annotated[
        Path | None,
        typer.Option("--resolve-edl", help="Resolve's marker EDL to write (Timelines > Import > Timeline Markers)."),
    ] = None,
    shot: Annotated[str | None, typer.Option("--shot", help="Only this shot.")] = None,
    section: Annotated[str | None, typer.Option("--section", help="Only this section.")] = None,
) -> None:
    """Open notes of the starred takes as markers in the timeline's record timecode (for Resolve).

    The OTIO, EDL and FCP XML exports ('takevault export --otio/--edl/--fcpxml') carry them as markers too.
    """
    if (resolve_csv is None) == (resolve_edl is None):
        raise InvalidInputError("Give one of --resolve-csv FILE.csv or --resolve-edl FILE.edl.")
    if resolve_edl is not None and resolve_edl.suffix.lower() != ".edl":
        raise InvalidInputError(f"{resolve_edl.name} does not end in .edl; Resolve imports marker EDLs by that name.")
    target = resolve_edl if resolve_edl is not None else resolve_csv
    assert target is not None
    if resolve_csv is not None and resolve_csv.suffix.lower() == ".edl":
        raise InvalidInputError("For Resolve's marker EDL use --resolve-edl; --resolve-csv writes a CSV.")
    found = open_vault(ctx).export_note_markers(target, shot=shot, section=section)
    ui.info(f"Wrote {found['markers']} markers at {found['rate']} fps to {found['path']}.")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.add_typer(note_app, name="note")
