"""Sections, shots and the take lifecycle: add, import, replace, delete, restore, purge, star, list, fetch.

Each command parses, makes one `Vault` call and renders the result through `ui`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from takevault.cli import take_json, ui
from takevault.cli.context import listing
from takevault.cli.context import vault as open_vault
from takevault.errors import CatalogNotEmptyError, DuplicateBytesError, InvalidInputError, TakevaultError
from takevault.models import ListedTake, RebuildReport, Section, Shot, Take, TakeFilter, TakeLink, TakeVersion

section_app = typer.Typer(help="Sections: ordered groups of shots (sequences, scenes).", no_args_is_help=True)
shot_app = typer.Typer(help="Shots: units of the edit such as SH010, ordered in their section.", no_args_is_help=True)
catalog_app = typer.Typer(help="The catalog database itself.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON on stdout instead of a table.")]
JsonlOpt = Annotated[
    bool, typer.Option("--jsonl", help="Print JSON Lines (one object a line) on stdout, for large listings.")
]
TakeArg = Annotated[str, typer.Argument(help="SH010/video_03, SEQ01/SH010/video_03 or the take's UUID.")]


# -- formatting -------------------------------------------------------------
def human_size(size: int | None) -> str:
    if size is None:
        return ""
    value = float(size)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return str(size)


def _when(value: datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _media_line(version: TakeVersion) -> str:
    m = version.media
    fps = m.fps_text or "?"
    if m.fps is not None and m.fps.denominator != 1:
        fps = f"{float(m.fps):.3f} ({fps})"
    elif m.fps is not None:
        fps = str(m.fps.numerator)
    return f"{m.width}x{m.height} {m.codec} {fps} fps {m.duration:.2f} s"


def _listed_rows(takes: Iterable[ListedTake]) -> Iterator[list[object]]:
    """The table of a listing: one row a take, in TAKE_COLUMNS."""
    return (
        [
            t.ref,
            "*" if t.starred else "",
            t.kind,
            f"v{t.version}",
            human_size(t.size),
            f"{t.width}x{t.height} {t.codec} {t.fps_shown or '?'} fps {t.duration:.2f} s",
            t.png_status,
            "" if t.rating is None else str(t.rating),
            t.status or "",
            ",".join(t.tags),
            "deleted" if t.deleted else (t.note or ""),
        ]
        for t in takes
    )


TAKE_COLUMNS = ("take", "star", "kind", "version", "size", "media", "png", "rating", "status", "tags", "note")


def _png_status(version: TakeVersion) -> str:
    """The workflow PNG's state, as in `png validate` (reason shown there)."""
    return version.png.status if version.png is not None else "missing"


def _link_text(link: TakeLink) -> str:
    return f"{link.other_ref} {link.kind} this take" if link.incoming else f"{link.kind} {link.other_ref}"


def _say_png_trouble(take: Take, given: Path | None) -> None:
    """A workflow PNG the user gave that is stored but not usable must not pass in silence."""
    png = take.current.png
    if given is None or png is None or png.status in ("present", "thumbnail_only"):
        return
    ui.info(
        f"warning: the workflow PNG {given.name} is {png.status} ({png.reason}); it is kept as given. "
        f"Check it with 'takevault png validate {take.ref}', fix it with 'takevault png repair {take.ref}'."
    )


def _say_take(verb: str, take: Take) -> None:
    ui.info(f"{verb} {take.ref} (v{take.current.number}, {human_size(take.current.size)}, {_media_line(take.current)})")


def _needs_terminal_or_yes(what: str, flag: str = "--yes") -> None:
    if not sys.stdin.isatty():
        raise InvalidInputError(f"{what} needs confirmation and there is no terminal to ask on; add {flag} to confirm.")


# -- sections and shots -------------------------------------------------------
@section_app.command("add")
def section_add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Section code, e.g. SEQ01.")],
    name: Annotated[str | None, typer.Option("--name", help="A readable name.")] = None,
    order: Annotated[int | None, typer.Option("--order", help="Position among sections (default: last).")] = None,
) -> None:
    """Add a section."""
    section = open_vault(ctx).add_section(code, name=name, order=order)
    ui.info(f"Added section {section.code} (order {section.order})")


@section_app.command("list")
def section_list(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """List sections in order."""
    sections: list[Section] = open_vault(ctx).list_sections()
    if as_json:
        ui.print_json([s.to_json() for s in sections])
        return
    ui.table("Sections", ("section", "name", "order"), [[s.code, s.name, s.order] for s in sections])


@shot_app.command("add")
def shot_add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Shot code, e.g. SH010.")],
    section: Annotated[str | None, typer.Option("--section", help="Section the shot belongs to.")] = None,
    name: Annotated[str | None, typer.Option("--name", help="A readable name.")] = None,
    order: Annotated[int | None, typer.Option("--order", help="Position inside its section (default: last).")] = None,
    description: Annotated[str | None, typer.Option("--description", help="What happens in the shot.")] = None,
) -> None:
    """Add a shot."""
    shot = open_vault(ctx).add_shot(code, section=section, name=name, order=order, description=description)
    ui.info(f"Added shot {shot.path} (order {shot.order})")


@shot_app.command("list")
def shot_list(
    ctx: typer.Context,
    section: Annotated[str | None, typer.Option("--section", help="Only this section.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List shots in edit order, with their number of takes and their star."""
    vault = open_vault(ctx)
    shots: list[Shot] = vault.list_shots(section=section)
    if as_json:
        ui.print_json([s.to_json() for s in shots])
        return
    starred = {t.id: t.name for t in vault.takes(starred=True)}
    rows = [
        [s.section or "", s.code, s.name or "", s.takes_count, starred.get(s.starred_take_id or "", "")] for s in shots
    ]
    ui.table("Shots", ("section", "shot", "name", "takes", "starred"), rows)


# -- adding -------------------------------------------------------------------
def add(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Video files; each becomes the next take of the shot.")],
    shot: Annotated[str, typer.Option("--shot", help="Shot code, or SEQ01/SH010 when codes repeat.")],
    kind: Annotated[str, typer.Option("--kind", help="raw, edit, final or your own word.")] = "raw",
    note: Annotated[str | None, typer.Option("--note", help="A note on the take.")] = None,
    workflow_png: Annotated[Path | None, typer.Option("--workflow-png", help="The take's workflow PNG.")] = None,
    prompt: Annotated[str | None, typer.Option("--prompt", help="The AI prompt, for a generated PNG.")] = None,
    workflow: Annotated[Path | None, typer.Option("--workflow", help="Workflow JSON file, for the PNG.")] = None,
    allow_duplicates: Annotated[
        bool, typer.Option("--allow-duplicates", help="Add a file even when the shot already holds its bytes.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Add video files as new takes of a shot (numbered video_01, video_02, … automatically)."""
    vault = open_vault(ctx)
    if len(files) > 1 and workflow_png is not None:
        raise InvalidInputError(
            "--workflow-png belongs to one video; add the files one at a time to give each its PNG."
        )
    added: list[Take] = []
    for file in files:
        size = file.stat().st_size if file.is_file() else None
        try:
            with ui.progress_bytes(f"Adding {file.name}", size) as progress:
                take = vault.add(
                    file,
                    shot=shot,
                    kind=kind,
                    note=note,
                    workflow_png=workflow_png,
                    prompt=prompt,
                    workflow=workflow,
                    allow_duplicates=allow_duplicates,
                    progress=progress,
                )
        except DuplicateBytesError as exc:
            raise DuplicateBytesError(
                f"{file.name} is already in the shot as {exc.existing} (the same bytes); nothing was added. "
                "Add --allow-duplicates to add it anyway.",
                exc.existing,
            ) from None
        added.append(take)
        if not as_json:
            _say_take("Added", take)
            _say_png_trouble(take, workflow_png)
    if as_json:
        ui.print_json([t.to_json() for t in added])


def import_(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Files and folders (searched recursively).")],
    shot: Annotated[str | None, typer.Option("--shot", help="Put every file in this shot.")] = None,
    map_pattern: Annotated[
        str | None,
        typer.Option(
            "--map",
            help="Regex with a named group 'shot' (and optionally 'section'), searched in each file's path; "
            "default finds SH010 / SEQ01 style codes in names and folders.",
        ),
    ] = None,
    create_shots: Annotated[bool, typer.Option("--create-shots", help="Create missing shots and sections.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would happen; change nothing.")] = False,
    allow_duplicates: Annotated[
        bool, typer.Option("--allow-duplicates", help="Add files whose bytes are already in the vault.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Import many files at once; one bad file never stops the rest."""
    from takevault.jobs.foreground import run_here

    vault = open_vault(ctx)
    args = {
        "paths": [str(p) for p in paths],
        "shot": shot,
        "map_pattern": map_pattern,
        "create_shots": create_shots,
        "dry_run": dry_run,
        "allow_duplicates": allow_duplicates,
    }
    with ui.progress_items("Importing", None) as progress:
        report = run_here(vault, "import", args, progress=progress)
    if as_json:
        ui.print_json(report.to_json())
    else:
        rows = [[i.status, i.path, i.ref or i.shot or "", i.reason or ""] for i in report.items]
        ui.table("Import (dry run)" if dry_run else "Import", ("status", "file", "take", "reason"), rows)
        verb = "would add" if dry_run else "added"
        ui.info(
            f"{report.count('planned') if dry_run else report.count('added')} {verb}, "
            f"{report.count('skipped')} skipped, {report.count('failed')} failed"
        )
    if report.failed:
        raise TakevaultError(
            f"{len(report.failed)} file(s) could not be imported; the table says why for each, fix them and "
            "import them again (files already added are skipped as duplicates)."
        )


# -- changing takes -------------------------------------------------------------
def replace(
    ctx: typer.Context,
    take: TakeArg,
    file: Annotated[Path, typer.Argument(help="The new video; the old version stays as the backup.")],
    workflow_png: Annotated[Path | None, typer.Option("--workflow-png", help="The new version's PNG.")] = None,
    prompt: Annotated[str | None, typer.Option("--prompt", help="The AI prompt, for a generated PNG.")] = None,
    workflow: Annotated[Path | None, typer.Option("--workflow", help="Workflow JSON file, for the PNG.")] = None,
) -> None:
    """Store a new version of a take (number, star, note, rating, tags and links stay)."""
    size = file.stat().st_size if file.is_file() else None
    with ui.progress_bytes(f"Uploading {file.name}", size) as progress:
        result = open_vault(ctx).replace(
            take, file, workflow_png=workflow_png, prompt=prompt, workflow=workflow, progress=progress
        )
    _say_take("Replaced", result)


def delete(
    ctx: typer.Context,
    take: TakeArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Delete a take (a delete marker; every version stays restorable with 'restore')."""
    vault = open_vault(ctx)
    if not yes:
        target = vault.take(take)
        _needs_terminal_or_yes(f"Deleting {target.ref}")
        star = " It is the shot's star; the star will be cleared." if target.starred else ""
        ui.info(
            f"{target.ref}: {target.versions_count} version(s), current v{target.current.number} "
            f"({human_size(target.current.size)}) will be hidden behind a delete marker.{star}"
        )
        if not ui.confirm(f"Delete {target.ref}?"):
            raise typer.Abort()
    result = vault.delete(take)
    ui.info(f"Deleted {result.ref}; bring it back with 'takevault restore {result.ref}'.")


def restore(ctx: typer.Context, take: TakeArg) -> None:
    """Bring a deleted take back (its last version becomes current again)."""
    result = open_vault(ctx).restore(take)
    _say_take("Restored", result)


def purge(
    ctx: typer.Context,
    take: TakeArg,
    yes: Annotated[bool, typer.Option("--yes", help="Required: confirms that every version goes for good.")] = False,
) -> None:
    """Remove every version of a take for good (its number is never reused)."""
    if not yes:
        raise InvalidInputError(
            f"purge removes every version of {take} for good; add --yes to confirm, or use 'delete' to keep them."
        )
    vault = open_vault(ctx)
    target = vault.take(take)
    vault.purge(take)
    ui.info(f"Purged {target.ref}: {target.versions_count} version(s) removed for good.")


def star(ctx: typer.Context, take: TakeArg) -> None:
    """Star a take: the shot's chosen one (the star moves from any other take of the shot)."""
    result = open_vault(ctx).star(take)
    ui.info(f"Starred {result.ref} (v{result.current.number})")


def unstar(ctx: typer.Context, shot: Annotated[str, typer.Argument(help="Shot code or SEQ01/SH010.")]) -> None:
    """Clear a shot's star."""
    result = open_vault(ctx).unstar(shot)
    ui.info(f"{result.path} has no star now")


def revert(
    ctx: typer.Context,
    take: TakeArg,
    to: Annotated[str, typer.Option("--to", help="The version to bring back, e.g. v2.")],
) -> None:
    """Make an old version current again by copying it to a new version (history only grows)."""
    result = open_vault(ctx).revert(take, to_version=to)
    ui.info(f"Reverted {result.ref}: v{result.current.number} is a copy of v{result.current.source_version}")


def set_(
    ctx: typer.Context,
    take: TakeArg,
    note: Annotated[str | None, typer.Option("--note", help="Replace the note ('' clears it).")] = None,
    rating: Annotated[int | None, typer.Option("--rating", help="0 to 5.")] = None,
    status: Annotated[str | None, typer.Option("--status", help="e.g. review, approved ('' clears it).")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="Add a tag (repeat for more).")] = None,
    untag: Annotated[list[str] | None, typer.Option("--untag", help="Remove a tag (repeat for more).")] = None,
) -> None:
    """Set a take's note, rating, status or tags."""
    result = open_vault(ctx).set(take, note=note, rating=rating, status=status, add_tags=tag, remove_tags=untag)
    tags = ",".join(result.tags) or "-"
    ui.info(
        f"{result.ref}: rating {result.rating if result.rating is not None else '-'}, status "
        f"{result.status or '-'}, tags {tags}, note {result.note or '-'}"
    )


def link(
    ctx: typer.Context,
    take: TakeArg,
    other: Annotated[str, typer.Argument(help="The take it relates to.")],
    kind: Annotated[str, typer.Option("--kind", help="What the relation is, e.g. derived-from.")] = "related",
) -> None:
    """Record a relation between two takes."""
    vault = open_vault(ctx)
    vault.link(take, other, kind=kind)
    ui.info(f"Linked {take} -> {other} ({kind})")


# -- reading ------------------------------------------------------------------
def takes(
    ctx: typer.Context,
    shot: Annotated[str | None, typer.Option("--shot", help="Only this shot.")] = None,
    section: Annotated[str | None, typer.Option("--section", help="Only this section.")] = None,
    starred: Annotated[bool, typer.Option("--starred", help="Only starred takes.")] = False,
    kind: Annotated[str | None, typer.Option("--kind", help="Only this kind.")] = None,
    status: Annotated[str | None, typer.Option("--status", help="Only this status.")] = None,
    min_rating: Annotated[int | None, typer.Option("--min-rating", help="Only ratings at least this.")] = None,
    search: Annotated[
        str | None,
        typer.Option("--search", help="Words that each begin a word of the name, shot, note, status, tags or prompt."),
    ] = None,
    deleted: Annotated[bool, typer.Option("--deleted", help="Only deleted takes.")] = False,
    as_json: JsonOpt = False,
    as_jsonl: JsonlOpt = False,
) -> None:
    """List takes in edit order (section, shot, take number), streamed as they are read."""
    where = TakeFilter(
        shot=shot,
        section=section,
        starred=True if starred else None,
        kind=kind,
        status=status,
        min_rating=min_rating,
        search=search,
        deleted=deleted,
    )
    found = listing(ctx, lambda reads: reads.iter_listed_takes(where))
    if as_json or as_jsonl:
        encode = take_json.line if as_jsonl else take_json.block
        ui.stream_json_text(map(encode, found), lines=as_jsonl)
        return
    ui.stream_table("Takes", TAKE_COLUMNS, _listed_rows(found))


def show(ctx: typer.Context, take: TakeArg, as_json: JsonOpt = False) -> None:
    """Everything about one take."""
    t = listing(ctx, lambda reads: reads.take(take))
    if as_json:
        ui.print_json(t.to_json())
        return
    v = t.current
    ui.fields(
        [
            ("take", t.ref),
            ("id", t.id),
            ("kind", t.kind),
            ("starred", "yes" if t.starred else "no"),
            ("deleted", "yes" if t.deleted else "no"),
            ("version", f"v{v.number} of {t.versions_count} (store id {v.version_id})"),
            ("key", t.key),
            ("media", _media_line(v)),
            ("container", f"{v.media.container}, {v.media.frames} frames, pix_fmt {v.media.pix_fmt or '?'}"),
            ("size", f"{human_size(v.size)} ({v.size} bytes)"),
            ("sha256", v.sha256),
            ("workflow png", v.png.status if v.png else "missing"),
            ("rating", t.rating),
            ("status", t.status),
            ("tags", ", ".join(t.tags)),
            ("note", t.note),
            ("links", ", ".join(_link_text(link) for link in t.links)),
            ("created", f"{_when(t.created_at)} by {t.created_by}"),
        ]
    )


def history(ctx: typer.Context, take: TakeArg, as_json: JsonOpt = False, as_jsonl: JsonlOpt = False) -> None:
    """Every version of a take, newest first."""
    versions = listing(ctx, lambda reads: reads.history(take))
    if as_json or as_jsonl:
        ui.stream_json((v.to_json() for v in versions), lines=as_jsonl)
        return
    rows = (
        [
            f"v{v.number}" + (" (current)" if v.is_current else ""),
            _when(v.created_at),
            v.created_by,
            human_size(v.size),
            v.sha256[:12],
            v.source if v.source_version is None else f"{v.source} of v{v.source_version}",
            v.original_name or "",
            _png_status(v),
            v.version_id,
        ]
        for v in versions
    )
    columns = ("version", "created", "by", "size", "sha256", "source", "original name", "png", "store id")
    ui.stream_table(take, columns, rows)


def get(
    ctx: typer.Context,
    take: Annotated[str, typer.Argument(help="TAKE or TAKE@vN (default: the current version).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="File (or folder) to write.")],
) -> None:
    """Fetch any version of a take, byte-exact and checked against its sha256."""
    vault = open_vault(ctx)
    _take, version = vault.resolve_version(take)
    with ui.progress_bytes(f"Fetching {take}", version.size) as progress:
        got = vault.get(take, output, progress=progress)
    ui.info(f"Wrote v{got.number} ({human_size(got.size)}, sha256 {got.sha256[:12]}…) to {output}")


def log(
    ctx: typer.Context,
    take: Annotated[str | None, typer.Argument(help="Only this take.")] = None,
    as_json: JsonOpt = False,
    as_jsonl: JsonlOpt = False,
) -> None:
    """The event log: who did what to which take, when (streamed, oldest first)."""
    found = listing(ctx, lambda reads: reads.iter_events(take=take))
    if as_json or as_jsonl:
        ui.stream_json((e.to_json() for e in found), lines=as_jsonl)
        return
    rows = (
        [_when(e.at), e.user, e.action, e.details.get("ref") or e.shot or "", _event_detail(e.details)] for e in found
    )
    ui.stream_table("Events", ("when", "user", "action", "take", "details"), rows)


def _event_detail(details: dict) -> str:
    parts = []
    for key in ("version", "from_version", "kind", "other", "reason"):
        if details.get(key) is not None:
            parts.append(f"{key} {details[key]}")
    if details.get("changes"):
        parts.append(", ".join(f"{k}={v}" for k, v in details["changes"].items()))
    return "; ".join(parts)


# -- upkeep -------------------------------------------------------------------------
def fsck(
    ctx: typer.Context,
    repair: Annotated[
        bool,
        typer.Option(
            "--repair",
            help="Do the safe repairs (journal, delete markers, PNG links, leftovers, unfinished uploads); "
            "never deletes a version's bytes.",
        ),
    ] = False,
    idle_for: Annotated[
        float,
        typer.Option(
            "--idle-for",
            min=0,
            metavar="SECONDS",
            help="With --repair: an unfinished S3 upload that sent nothing for this long is abandoned.",
        ),
    ] = 60.0,
    as_json: JsonOpt = False,
) -> None:
    """Check that catalog and store agree and that every version's bytes match their sha256."""
    from takevault.jobs.foreground import run_here

    report = run_here(open_vault(ctx), "fsck", {"repair": repair, "idle_seconds": idle_for})
    if as_json:
        ui.print_json(report.to_json())
    else:
        for line in report.repaired:
            ui.info(f"repaired: {line}")
        if report.notes:
            counts: dict[str, int] = {}
            for note in report.notes:
                counts[note.kind] = counts.get(note.kind, 0) + 1
            ui.info("Not problems: " + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in sorted(counts.items())) + ".")
        if report.problems:
            rows = [[p.kind, p.take_ref or "", p.key or "", p.version_id or "", p.message] for p in report.problems]
            ui.table("Problems", ("problem", "take", "key", "version id", "what to do"), rows)
        ui.info(
            f"Checked {report.checked_versions} version(s) and {report.checked_objects} store object version(s): "
            + ("all good." if report.ok else f"{len(report.problems)} problem(s).")
        )
    if not report.ok:
        raise TakevaultError(
            f"fsck found {len(report.problems)} problem(s) between catalog and store; each line above says what to do."
        )


@catalog_app.command("upgrade")
def catalog_upgrade(ctx: typer.Context) -> None:
    """Bring the catalog's schema up to this takevault's (run once after upgrading takevault)."""
    before, after = open_vault(ctx).upgrade_catalog()
    if before == after:
        ui.info(f"The catalog schema is already current ({after}).")
    else:
        ui.info(f"Upgraded the catalog schema from {before or 'empty'} to {after}.")


@catalog_app.command("rebuild")
def catalog_rebuild(
    ctx: typer.Context,
    force: Annotated[
        bool, typer.Option("--force", help="Rebuild even if the catalog holds rows; the old catalog is kept aside.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Rebuild the catalog from the store: its journal of committed changes, else the object metadata."""
    from takevault.jobs.foreground import run_then_record

    vault = open_vault(ctx)

    try:
        report: RebuildReport = run_then_record(
            vault, "rebuild", {"force": force}, lambda: vault.rebuild_catalog(force=force)
        )
    except CatalogNotEmptyError as refused:
        raise refused.told("run 'takevault catalog rebuild --force'") from None
    if as_json:
        ui.print_json(report.to_json())
        return
    if report.kept_aside:
        ui.info(f"The catalog that was there is kept aside in {report.kept_aside}.")
    source = f"{report.journal_entries} journal entries" if report.journal_entries else "the object metadata"
    ui.info(
        f"Rebuilt {report.takes_added} take(s) with {report.versions_added} version(s) "
        f"in {report.shots_added} shot(s) from {source}; {len(report.skipped)} object(s) skipped."
    )
    for line in report.skipped:
        ui.info(f"  skipped: {line}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.add_typer(section_app, name="section")
    app.add_typer(shot_app, name="shot")
    app.add_typer(catalog_app, name="catalog")
    app.command("add")(add)
    app.command("import")(import_)
    app.command("replace")(replace)
    app.command("delete")(delete)
    app.command("restore")(restore)
    app.command("purge")(purge)
    app.command("star")(star)
    app.command("unstar")(unstar)
    app.command("takes")(takes)
    app.command("show")(show)
    app.command("history")(history)
    app.command("get")(get)
    app.command("revert")(revert)
    app.command("set")(set_)
    app.command("link")(link)
    app.command("log")(log)
    app.command("fsck")(fsck)
