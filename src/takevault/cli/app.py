"""The `takevault` command: global options, command registration, and the one error wrapper."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from typer.exceptions import TyperException

from takevault.cli import (
    approval_cmd,
    compare_cmd,
    cut_cmd,
    editorial_cmd,
    init_cmd,
    jobs_cmd,
    note_cmd,
    png_cmd,
    review_link_cmd,
    serve_cmd,
    store_cmd,
    takes_cmd,
    ui,
    user_cmd,
    worker_cmd,
)
from takevault.cli.context import CliState
from takevault.errors import TakevaultError

app = typer.Typer(
    name="takevault",
    help="Track every version of every video take: add, star, compare, restore, export.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _print_version(value: bool) -> None:
    if value:
        from takevault import __version__

        sys.stdout.write(f"takevault {__version__}\n")
        raise typer.Exit()


@app.callback()
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


for module in (
    init_cmd,
    store_cmd,
    takes_cmd,
    png_cmd,
    review_link_cmd,
    compare_cmd,
    editorial_cmd,
    cut_cmd,
    serve_cmd,
    worker_cmd,
    user_cmd,
    note_cmd,
    approval_cmd,
    jobs_cmd,
):
    module.register(app)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; the only place exceptions become messages and exit codes."""
    try:
        # Without standalone mode, click returns (not raises) the code of a `typer.Exit(code)`.
        code = app(args=argv, prog_name="takevault", standalone_mode=False)
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
