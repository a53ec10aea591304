"""The `takevault` command: global options, command registration, and the one error wrapper."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
import typer.main
from typer.exceptions import TyperException

from takevault.cli import ui
from takevault.cli.coercion import plain_coercion
from takevault.cli.context import CliState
from takevault.errors import TakevaultError

_SETTINGS: dict[str, Any] = {
    "name": "takevault",
    "help": "Track every version of every video take: add, star, compare, restore, export.",
    "no_args_is_help": True,
    "add_completion": True,
    "pretty_exceptions_enable": False,
    "rich_markup_mode": None,
}
_app = typer.Typer(**_SETTINGS)


def _print_version(value: bool) -> None:
    if value:
        from takevault import __version__

        sys.stdout.write(f"takevault {__version__}\n")
        raise typer.Exit()


@_app.callback()
def main_options(
    ctx: typer.Context,
    vault: Annotated[
        Path | None,
        typer.Option("--vault", help="Vault folder; else TAKEVAULT_VAULT, else the nearest takevault.toml upward."),
    ] = None,
    project: Annotated[str, typer.Option("--project", help="Project inside the vault.")] = "main",
    version: Annotated[
        bool,
        typer.Option("--version", help="Print takevault's version and exit.", is_eager=True, callback=_print_version),
    ] = False,
) -> None:
    ctx.obj = CliState(vault_path=vault, project=project)
    ctx.call_on_close(ctx.obj.close)


# The command modules in the order `--help` lists them, with the top-level names each registers.
# A command imports only its own module (and its libraries): `takevault takes` never loads the
# code of `serve` or `cut`. tests/cli/test_startup_imports.py checks this table against register().
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "init_cmd": ("init",),
    "store_cmd": ("store",),
    "takes_cmd": (
        "add",
        "import",
        "replace",
        "delete",
        "restore",
        "purge",
        "star",
        "unstar",
        "takes",
        "show",
        "history",
        "get",
        "revert",
        "set",
        "link",
        "log",
        "fsck",
        "section",
        "shot",
        "catalog",
    ),
    "png_cmd": ("diff-params", "png"),
    "review_link_cmd": ("review-link",),
    "compare_cmd": ("compare",),
    "editorial_cmd": ("export", "watch", "import-aimms", "export-aimms"),
    "cut_cmd": ("cut",),
    "serve_cmd": ("serve",),
    "worker_cmd": ("worker",),
    "user_cmd": ("user",),
    "note_cmd": ("note",),
    "approval_cmd": ("approve", "approval"),
    "jobs_cmd": ("jobs",),
}
_MODULE_OF = {name: module for module, names in COMMAND_MODULES.items() for name in names}
_VALUE_OPTIONS = ("--vault", "--project")
_registered: set[str] = set()


def _register(modules: list[str]) -> typer.Typer:
    """Add the commands of `modules` to `app`, each module once."""
    for name in modules:
        if name not in _registered:
            importlib.import_module(f"takevault.cli.{name}").register(_app)
            _registered.add(name)
    return _app


def command_in(argv: list[str]) -> str | None:
    """The top-level command `argv` invokes; "" for `--version` (no command needed); None for help,
    completion, an unknown name or anything else that shows the whole command list."""
    if os.environ.get("_TAKEVAULT_COMPLETE"):
        return None
    tokens = iter(argv)
    for token in tokens:
        if token in _VALUE_OPTIONS:
            next(tokens, None)
        elif token.startswith(tuple(f"{option}=" for option in _VALUE_OPTIONS)):
            continue
        elif token == "--version":
            return ""
        else:
            return token if token in _MODULE_OF else None
    return None


def modules_for(argv: list[str]) -> list[str]:
    """The command modules `argv` needs: the invoked command's, none for `--version`, else all."""
    name = command_in(argv)
    if name is None:
        return list(COMMAND_MODULES)
    return [_MODULE_OF[name]] if name else []


def app_for(argv: list[str]) -> typer.Typer:
    """The app that runs `argv`: the root options and only the invoked command when there is one.

    Typer turns every registered command into a click command (signatures, options, help) before
    parsing; a module such as takes_cmd registers twenty, so one invocation builds only its own."""
    name = command_in(argv)
    _register(modules_for(argv))
    if not name:
        return _app
    one = typer.Typer(**_SETTINGS)
    one.callback()(main_options)
    one.registered_commands = [c for c in _app.registered_commands if c.name == name]
    one.registered_groups = [g for g in _app.registered_groups if g.name == name]
    return one


def __getattr__(name: str) -> typer.Typer:
    # `from takevault.cli.app import app` (tests, docs, benchmarks) gets every command.
    if name == "app":
        return _register(list(COMMAND_MODULES))
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; the only place exceptions become messages and exit codes."""
    try:
        # Without standalone mode, click returns (not raises) the code of a `typer.Exit(code)`.
        args = sys.argv[1:] if argv is None else argv
        command = plain_coercion(typer.main.get_command(app_for(args)))
        code = command(args=args, prog_name="takevault", standalone_mode=False)
        if isinstance(code, int) and code:
            return code
    except TakevaultError as exc:
        ui.error(exc.message)
        return exc.exit_code
    except typer.Abort:
        # A declined prompt (or Ctrl-C at one): a refusal, not a crash.
        ui.error("Cancelled; nothing was changed.")
        return 1
    except typer.Exit as exc:
        return exc.exit_code
    except SystemExit as exc:
        if isinstance(exc.__context__, BrokenPipeError):
            # Click answers a closed pipe with exit 1 (its sys.exit raised while handling the
            # error); a filter whose reader went away ends with the status of SIGPIPE instead.
            _silence_stdout()
            return 141
        # Typer's --show-completion / --install-completion end with sys.exit.
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except TyperException as exc:
        # Typer's own (vendored click) usage errors: they print usage plus one line.
        exc.show()  # type: ignore[attr-defined]
        return getattr(exc, "exit_code", 2)
    except BrokenPipeError:
        # The reader went away (`takevault takes | head`): stop quietly, like any Unix filter.
        _silence_stdout()
        return 141
    except KeyboardInterrupt:
        ui.error("Interrupted; anything half-done was rolled back, run the command again to finish it.")
        return 130
    except Exception as exc:
        if os.environ.get("TAKEVAULT_DEBUG"):
            raise
        ui.error(
            f"Unexpected internal error ({type(exc).__name__}: {exc}); "
            "rerun with TAKEVAULT_DEBUG=1 for details and report it."
        )
        return 70
    return 0


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not complain about the closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def run() -> None:
    sys.exit(main())
