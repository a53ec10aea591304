"""`takevault worker`: run long work (compare, proxies, stills, import, export, checks) for a vault.

On a PostgreSQL catalog, start one on every machine that should help: they share
the team's database as the queue (procrastinate). On SQLite, `serve` already runs
its own workers; this command adds one on the same machine.
"""

from __future__ import annotations

import threading
from typing import Annotated

import typer

from takevault.cli import ui
from takevault.cli.context import state
from takevault.errors import InvalidInputError


def worker(
    ctx: typer.Context,
    concurrency: Annotated[
        int, typer.Option("--concurrency", help="Jobs this worker runs at once (PostgreSQL queue only).")
    ] = 1,
) -> None:
    """Run jobs for this vault until stopped with Ctrl+C."""
    if concurrency < 1:
        raise InvalidInputError(f"--concurrency must be at least 1, not {concurrency}; give 1 or more.")
    cli = state(ctx)
    vault = cli.vault()
    dialect = vault.catalog.dialect
    root = vault.root
    ui.info(f"takevault worker for {root} ({'PostgreSQL queue' if dialect == 'postgresql' else 'SQLite job table'})")
    ui.info("  press Ctrl+C to stop; a job it was running is taken back by another worker")
    print("worker ready", flush=True)
    if dialect == "postgresql":
        from takevault.jobs.team import run_queue_worker

        run_queue_worker(root, concurrency=concurrency)
        return
    if concurrency != 1:
        raise InvalidInputError("An SQLite vault runs one job per worker; drop --concurrency or start more workers.")
    from takevault.jobs.worker import run_table_worker

    run_table_worker(root, threading.Event())


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("worker")(worker)
