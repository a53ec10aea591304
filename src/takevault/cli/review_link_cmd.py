"""`takevault review-link add|list|revoke`: guest review links for clients without an account."""

from __future__ import annotations

from typing import Annotated

import typer

from takevault.cli import ui
from takevault.cli.context import vault as open_vault
from takevault.cli.user_cmd import PasswordStdin, _read_password

link_app = typer.Typer(
    help="Guest review links: a client watches one take (or two versions side by side) and leaves notes.",
    no_args_is_help=True,
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON on stdout instead of a table.")]
TakeArg = Annotated[str, typer.Argument(help="SH010/video_03 or the take's UUID.")]


@link_app.command("add")
def add(
    ctx: typer.Context,
    take: TakeArg,
    version: Annotated[list[int] | None, typer.Option("--version", min=1, help="A version to show (repeat).")] = None,
    view: Annotated[str, typer.Option("--view", help="take, versions or compare (two versions).")] = "take",
    hours: Annotated[float, typer.Option("--hours", help="How long the link works (up to 90 days).")] = 72,
    password_stdin: PasswordStdin = False,
    as_json: JsonOpt = False,
) -> None:
    """Make a link; its address is printed once on stdout (append it to the server's URL)."""
    password = _read_password(password_stdin, required=False) if password_stdin else None
    link = open_vault(ctx).create_link(take, versions=version, view=view, hours=hours, password=password)
    if as_json:
        ui.print_json(link.to_json())
        return
    shown = ", ".join(f"v{v}" for v in link.versions)
    ui.info(f"Review link for {link.ref} ({shown}), until {link.expires_at.isoformat(timespec='minutes')}:")
    print(f"/review/{link.token}")


@link_app.command("list")
def list_links(ctx: typer.Context, take: TakeArg, as_json: JsonOpt = False) -> None:
    """The review links of a take and their state (active, expired, revoked)."""
    links = open_vault(ctx).links(take)
    if as_json:
        ui.print_json([x.to_json() for x in links])
        return
    ui.table(
        "Review links",
        ("id", "versions", "view", "state", "expires", "password", "by"),
        [
            [
                x.id,
                ",".join(map(str, x.versions)),
                x.view,
                x.state,
                x.expires_at.isoformat(timespec="minutes"),
                "yes" if x.has_password else "no",
                x.created_by,
            ]
            for x in links
        ],
    )


@link_app.command("revoke")
def revoke(ctx: typer.Context, link_id: Annotated[str, typer.Argument(help="The link's id (from 'list').")]) -> None:
    """Revoke a link; its guests lose access at once."""
    link = open_vault(ctx).revoke_link(link_id)
    ui.info(f"Review link {link.id} for {link.ref} is {link.state}.")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.add_typer(link_app, name="review-link")
