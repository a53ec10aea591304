"""`takevault user add|list|role|password|token|remove`: the people of a vault and their role per project.

Whoever can open the vault folder (and its catalog) manages its people, as with
every other command; the roles are what the web server enforces.
"""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer

from takevault.cli import ui
from takevault.cli.context import vault as open_vault
from takevault.errors import InvalidInputError

user_app = typer.Typer(
    help="People of the vault: a role per project (viewer, reviewer, editor, admin), passwords, API tokens.",
    no_args_is_help=True,
)

NameArg = Annotated[str, typer.Argument(help="The person's user name, e.g. ana.ruiz.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON on stdout instead of a table.")]
PasswordStdin = Annotated[
    bool,
    typer.Option("--password-stdin", help="Read the password from the first line of stdin (for scripts)."),
]


def _read_password(from_stdin: bool, *, required: bool) -> str | None:
    """From stdin when asked, else asked twice on a terminal; without either, no password (tokens only)."""
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise InvalidInputError("No password came on stdin; send it as the first line, e.g. via printf.")
        return line
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password again: "):
            raise InvalidInputError("The two passwords differ; run the command again and type the same one twice.")
        return first or None
    if required:
        raise InvalidInputError("Give the new password with --password-stdin, or run the command on a terminal.")
    return None


@user_app.command("add")
def add(
    ctx: typer.Context,
    name: NameArg,
    role: Annotated[str, typer.Option("--role", help="viewer, reviewer, editor or admin in this project.")] = "viewer",
    password_stdin: PasswordStdin = False,
    as_json: JsonOpt = False,
) -> None:
    """Add a person with a role in the current project (--project); asks for a password on a terminal."""
    password = _read_password(password_stdin, required=False)
    user = open_vault(ctx).people.add(name, role=role, password=password)
    if as_json:
        ui.print_json(user.to_json())
        return
    ui.info(f"Added {user.name} as {user.role} in project {open_vault(ctx).project}.")
    if not user.has_password:
        ui.info(f"{user.name} has no password, so only API tokens work: 'takevault user token {user.name}'.")


@user_app.command("list")
def list_users(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Every person of the vault, with their role in each project."""
    vault = open_vault(ctx)
    users = vault.people.users()
    if as_json:
        ui.print_json([u.to_json() for u in users])
        return
    ui.table(
        f"Users (roles in {vault.project} first)",
        ("name", "role here", "other projects", "password", "tokens"),
        [
            [
                u.name,
                u.role or "-",
                ", ".join(f"{p}: {r}" for p, r in sorted(u.roles.items()) if p != vault.project) or "",
                "yes" if u.has_password else "no",
                u.tokens,
            ]
            for u in users
        ],
    )


@user_app.command("role")
def role(
    ctx: typer.Context,
    name: NameArg,
    new_role: Annotated[str, typer.Argument(metavar="ROLE", help="viewer, reviewer, editor, admin, or none.")],
    as_json: JsonOpt = False,
) -> None:
    """Set the person's role in the current project (none: no access to it)."""
    vault = open_vault(ctx)
    user = vault.people.set_role(name, new_role)
    if as_json:
        ui.print_json(user.to_json())
    else:
        ui.info(f"{user.name} is now {user.role or 'without a role'} in project {vault.project}.")


@user_app.command("password")
def password(ctx: typer.Context, name: NameArg, password_stdin: PasswordStdin = False) -> None:
    """Set a new password; every open browser session of the person ends."""
    user = open_vault(ctx).people.set_password(name, _read_password(password_stdin, required=True))
    ui.info(f"New password set for {user.name}; they sign in again in the browser.")


@user_app.command("token")
def token(
    ctx: typer.Context,
    name: NameArg,
    label: Annotated[str, typer.Option("--label", help="What the token is for, e.g. the script's name.")] = "api",
) -> None:
    """Make a personal API token and print it on stdout, once (send it as 'Authorization: Bearer TOKEN')."""
    value = open_vault(ctx).people.new_token(name, label=label)
    ui.info(f"API token for {name} ({label}); it is not shown again, keep it safe:")
    print(value)


@user_app.command("remove")
def remove(
    ctx: typer.Context,
    name: NameArg,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Remove the person: their roles, tokens and sessions stop working at once; the event log keeps their name."""
    vault = open_vault(ctx)
    vault.people.find(name)
    if not yes and not ui.confirm(f"Remove {name} from the vault?"):
        raise InvalidInputError(f"{name} was not removed; add --yes to remove without asking.")
    vault.people.remove(name)
    ui.info(f"Removed {name}.")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.add_typer(user_app, name="user")
