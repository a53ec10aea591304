"""`takevault serve`: the web gallery and review room."""

from __future__ import annotations

import ipaddress
import os
import socket
from typing import Annotated

import typer

from takevault.cli import ui
from takevault.cli.context import state
from takevault.config import SETTINGS_BY_NAME
from takevault.errors import ConfigError, InvalidInputError

DEFAULT_HOST = "127.0.0.1"
MAX_SERVER_WORKERS = 64
DEFAULT_PORT = 8470


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def server_url(host: str, port: int) -> str:
    shown = host
    if host in ("0.0.0.0", "::"):
        shown = socket.gethostname()
    elif ":" in host and not host.startswith("["):
        shown = f"[{host}]"
    return f"http://{shown}:{port}/"


def _check_port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host.strip("[]"), port))
    except OSError as exc:
        raise ConfigError(
            f"Cannot listen on {host}:{port} ({exc.strerror or exc}); pick another port with --port, "
            "or stop the program using it."
        ) from None


def serve(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on; anything but loopback needs a token.")
    ] = DEFAULT_HOST,
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = DEFAULT_PORT,
    token: Annotated[
        str | None, typer.Option("--token", envvar="TAKEVAULT_TOKEN", help=SETTINGS_BY_NAME["web.token"].help)
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers", help="Server processes answering requests over the same vault (PostgreSQL suits several)."
        ),
    ] = 1,
    job_workers: Annotated[
        int | None,
        typer.Option("--job-workers", help=SETTINGS_BY_NAME["jobs.workers"].help + " Per server process."),
    ] = None,
) -> None:
    """Serve the web gallery and review room, and print its URL."""
    from takevault.web import create_app

    if workers < 1:
        raise InvalidInputError(
            f"--workers {workers} would start no server; give 1 or more server processes (the default is 1)."
        )
    if workers > MAX_SERVER_WORKERS:
        raise InvalidInputError(
            f"--workers {workers} is more than {MAX_SERVER_WORKERS}; give 1 to {MAX_SERVER_WORKERS}."
        )
    # Imported here: the job pool pulls in the catalog and SQLAlchemy, which `--version` and `--help` need not load.
    from takevault.jobs.pool import MAX_WORKERS as MAX_JOB_WORKERS

    if job_workers is not None and not 0 <= job_workers <= MAX_JOB_WORKERS:
        raise InvalidInputError(f"--job-workers {job_workers} is out of range; give 0 to {MAX_JOB_WORKERS}.")
    cli = state(ctx)
    # Built here too when several processes serve: it checks the vault and settings once, up front.
    app = create_app(cli.vault_path, token=token, project=cli.project, job_workers=job_workers)
    web = app.state.web
    # Once the vault has users everyone signs in, which guards the network as well as a token does.
    if not is_loopback(host) and not web.token and not cli.vault().people.has_users():
        raise InvalidInputError(
            f"Serving on {host} exposes the vault to the network; give a token with --token "
            "(or web.token in takevault.toml), add users with 'takevault user add', "
            "or keep the default --host 127.0.0.1."
        )
    _check_port_free(host, port)
    url = server_url(host, port)
    ui.info(f"takevault gallery for {web.root} (project {web.project})")
    if cli.vault().people.has_users():
        ui.info("  the vault has users: everyone signs in (scripts use 'takevault user token NAME')")
    elif web.token:
        ui.info("  every API request needs the access token; the page asks for it once")
    ui.info("  API docs at " + url + "docs · press Ctrl+C to stop")
    # Plain print so the URL is on stdout for scripts and stays visible when stderr is redirected.
    print(url, flush=True)
    from takevault.web.server import run

    if workers == 1:
        run(app, host=host.strip("[]"), port=port)
        return
    from takevault.web import asgi

    os.environ[asgi.ENV_VAULT] = str(web.root)
    os.environ[asgi.ENV_PROJECT] = web.project
    if web.token:
        os.environ[asgi.ENV_TOKEN] = web.token
    if job_workers is not None:
        os.environ[asgi.ENV_JOB_WORKERS] = str(job_workers)
    ui.info(f"  {workers} server processes")
    run("takevault.web.asgi:app_from_env", host=host.strip("[]"), port=port, workers=workers, factory=True)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("serve")(serve)
