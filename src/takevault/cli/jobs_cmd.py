"""`takevault jobs list|show|cancel|retry|prune`: the rows of long work, whoever ran it (CLI, web, workers).

Each command parses, makes one job-table call and renders the result through `ui`;
the jobs code is imported inside the commands, so listing other things loads none of it.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from takevault.cli import ui
from takevault.cli.context import vault as open_vault
from takevault.errors import ConflictError, InvalidInputError

if TYPE_CHECKING:
    from takevault.jobs.model import Job

jobs_app = typer.Typer(
    help="Long work kept as jobs (compare, import, export, checks, proxies): list, show, cancel, retry, prune.",
    no_args_is_help=True,
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON on stdout instead of a table.")]
IdArg = Annotated[str, typer.Argument(help="The job's id, or its first 8 characters as 'jobs list' shows them.")]


def _when(value: datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _progress(job: Job) -> str:
    if job.total:
        return f"{job.done}/{job.total} ({job.progress:.0%})"
    return str(job.done) if job.done else ""


def _where(job: Job) -> str:
    from takevault.jobs.foreground import FOREGROUND

    if job.worker is None:
        return ""
    return "foreground" if job.worker.startswith(f"{FOREGROUND}:") else job.worker


def _brief(value: Any, width: int = 60) -> str:
    text = json.dumps(value, default=str, ensure_ascii=False) if value not in (None, {}) else ""
    return text if len(text) <= width else text[: width - 1] + "…"


def _find(ctx: typer.Context, text: str) -> tuple[Any, Job]:
    vault = open_vault(ctx)
    return vault, vault.job_table.find(text, project=vault.project)


@jobs_app.command("list")
def list_(
    ctx: typer.Context,
    state: Annotated[
        str | None, typer.Option("--state", help="Only jobs in this state: queued, running, done, failed, cancelled.")
    ] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="Only jobs of this kind, e.g. import or compare.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many, newest first.")] = 100,
    as_json: JsonOpt = False,
) -> None:
    """This project's jobs, newest first: what, state, progress, who asked and when, and how it ended."""
    from takevault.jobs.kinds import KINDS
    from takevault.jobs.model import STATES

    if state is not None and state not in STATES:
        raise InvalidInputError(f"There is no job state {state!r}; use one of {', '.join(STATES)}.")
    if kind is not None and kind not in KINDS:
        raise InvalidInputError(f"There is no job kind {kind!r}; use one of {', '.join(KINDS)}.")
    if limit < 1:
        raise InvalidInputError(f"--limit must be at least 1, not {limit}.")
    vault = open_vault(ctx)
    found = vault.job_table.list(project=vault.project, state=state, kind=kind, limit=limit)
    if as_json:
        ui.print_json([j.to_json() for j in found])
        return
    rows = [
        [
            j.id[:8],
            j.kind,
            j.state,
            _progress(j),
            j.created_by,
            _when(j.created_at),
            _when(j.finished_at),
            _where(j),
            j.error or _brief(j.result),
        ]
        for j in found
    ]
    columns = ("job", "kind", "state", "progress", "by", "asked", "ended", "ran", "outcome")
    ui.table("Jobs", columns, rows)


@jobs_app.command("show")
def show(ctx: typer.Context, job_id: IdArg, as_json: JsonOpt = False) -> None:
    """Everything about one job: its arguments, progress, times, result or error."""
    _vault, job = _find(ctx, job_id)
    if as_json:
        ui.print_json(job.to_json())
        return
    ui.fields(
        [
            ("job", job.id),
            ("kind", job.kind),
            ("state", job.state + (" (cancel asked)" if job.cancel_requested and not job.finished else "")),
            ("progress", _progress(job)),
            ("args", json.dumps(job.args, default=str, ensure_ascii=False)),
            ("asked", f"{_when(job.created_at)} by {job.created_by}"),
            ("started", _when(job.started_at)),
            ("ended", _when(job.finished_at)),
            ("attempt", f"{job.attempt} of {job.max_attempts}"),
            ("ran", _where(job)),
            ("error", job.error),
            ("result", _brief(job.result, 200)),
        ]
    )


@jobs_app.command("cancel")
def cancel(ctx: typer.Context, job_id: IdArg) -> None:
    """Cancel a queued job, or ask a running one to stop at its next progress step."""
    vault, job = _find(ctx, job_id)
    after = vault.job_table.cancel(job.id, stale_after=float(vault.config.get("jobs.stale_seconds")))
    if after.finished:
        ui.info(f"Cancelled job {after.id[:8]} ({after.kind}): {after.error}")
    else:
        ui.info(f"Asked job {after.id[:8]} ({after.kind}) to stop; it stops at its next progress step.")


@jobs_app.command("retry")
def retry(
    ctx: typer.Context,
    job_id: IdArg,
    here: Annotated[
        bool, typer.Option("--here", help="Run it now in this terminal instead of queuing it for the workers.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Ask again for a failed or cancelled job: a new job with the same kind and arguments."""
    vault, job = _find(ctx, job_id)
    if job.state not in ("failed", "cancelled"):
        raise ConflictError(
            f"The job {job.id[:8]} is {job.state}; only a failed or cancelled job can be retried."
            + (" Ask for the work again to run it once more." if job.state == "done" else "")
        )
    if here:
        from takevault.jobs.foreground import run_here

        made: list[Job] = []
        with ui.progress_items(f"Running {job.kind}", None) as tick:
            run_here(vault, job.kind, job.args, progress=tick, on_row=made.append)
        again = vault.job_table.get(made[0].id)
    else:
        again = vault.submit_job(job.kind, job.args)
    if as_json:
        ui.print_json(again.to_json())
        return
    if here:
        ui.info(f"Job {again.id[:8]} ({again.kind}), a new try of {job.id[:8]}, is {again.state}.")
        return
    runs = (
        "a 'takevault worker' runs it"
        if vault.catalog.dialect == "postgresql"
        else "a running 'takevault serve' or 'takevault worker' runs it"
    )
    ui.info(
        f"Queued job {again.id[:8]} ({again.kind}), a new try of {job.id[:8]}; {runs}. "
        f"Follow it with 'takevault jobs show {again.id[:8]}'."
    )


@jobs_app.command("prune")
def prune(
    ctx: typer.Context,
    older_than: Annotated[
        float | None,
        typer.Option(
            "--older-than",
            metavar="DAYS",
            help="Delete finished jobs that ended more than DAYS ago (default: the jobs.keep_days setting).",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Delete finished jobs (done, failed, cancelled) of every project; queued and running ones stay."""
    from takevault.jobs import prune as pruning

    vault = open_vault(ctx)
    days = pruning.keep_days(vault.config) if older_than is None else older_than
    if older_than is not None and older_than < 0:
        raise InvalidInputError(f"--older-than is a number of days, 0 or more; {older_than:g} is not.")
    if older_than is None and days == 0:
        raise InvalidInputError(
            "jobs.keep_days is 0 (keep every finished job), so there is nothing to prune; "
            "give --older-than DAYS to prune anyway."
        )
    gone = pruning.prune(vault.job_table, days)
    if as_json:
        ui.print_json({"deleted": gone, "older_than_days": days})
        return
    ui.info(f"Deleted {gone} finished job(s) that ended more than {days:g} day(s) ago.")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.add_typer(jobs_app, name="jobs")
