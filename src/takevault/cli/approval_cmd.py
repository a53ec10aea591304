"""`takevault approve`, `takevault approval set|show|list`: the review decision on each take version."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from takevault.cli import ui
from takevault.cli.context import vault as open_vault

approval_app = typer.Typer(
    help="Approvals per take version: pending, changes_requested, approved (the star stays the editorial pick).",
    no_args_is_help=True,
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON on stdout instead of a table.")]
RefArg = Annotated[str, typer.Argument(help="SH010/video_03@v4 (or without @vN: the current version).")]
CommentOpt = Annotated[str | None, typer.Option("--comment", help="Why, for the history.")]


def _when(at: datetime | None) -> str:
    return at.isoformat(timespec="seconds") if at else ""


def _done(ctx: typer.Context, ref: str, state: str, comment: str | None, as_json: bool) -> None:
    found = open_vault(ctx).set_approval(ref, state, comment=comment)
    if as_json:
        ui.print_json(found.to_json())
    else:
        ui.info(f"{found.ref} is {found.state.replace('_', ' ')} (by {found.by}).")


def approve(ctx: typer.Context, ref: RefArg, comment: CommentOpt = None, as_json: JsonOpt = False) -> None:
    """Approve a take version."""
    _done(ctx, ref, "approved", comment, as_json)


@approval_app.command("set")
def set_state(
    ctx: typer.Context,
    ref: RefArg,
    state: Annotated[str, typer.Argument(help="pending, changes_requested or approved.")],
    comment: CommentOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a decision on a take version."""
    _done(ctx, ref, state, comment, as_json)


@approval_app.command("show")
def show(
    ctx: typer.Context,
    take: Annotated[str, typer.Argument(help="SH010/video_03 or the take's UUID.")],
    as_json: JsonOpt = False,
) -> None:
    """The state of every version of a take, with who decided and when."""
    found = open_vault(ctx).approvals(take)
    if as_json:
        ui.print_json([a.to_json() for a in found])
        return
    ui.table(
        "Approvals",
        ("version", "state", "by", "at", "comment"),
        [
            [f"v{a.version}", a.state, a.by or "", a.at.isoformat(timespec="seconds") if a.at else "", a.comment or ""]
            for a in found
        ],
    )


@approval_app.command("list")
def list_takes(
    ctx: typer.Context,
    state: Annotated[str, typer.Option("--state", help="pending, changes_requested or approved.")] = "approved",
    shot: Annotated[str | None, typer.Option("--shot", help="Only this shot.")] = None,
    section: Annotated[str | None, typer.Option("--section", help="Only this section.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Takes whose current version is in a state (approved by default)."""
    vault = open_vault(ctx)
    takes = vault.takes_by_approval(state, shot=shot, section=section)
    states = vault.current_approvals(takes)
    if as_json:
        ui.print_json([{**t.to_json(), "approval": states[t.id].to_json()} for t in takes])
        return
    ui.table(
        f"Takes {state.replace('_', ' ')}",
        ("take", "version", "by", "at"),
        [
            [
                t.ref,
                f"v{t.current.number}",
                states[t.id].by or "",
                _when(states[t.id].at),
            ]
            for t in takes
        ],
    )


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.add_typer(approval_app, name="approval")
    app.command("approve")(approve)
