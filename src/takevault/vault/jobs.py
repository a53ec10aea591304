"""Long work as jobs: ask for one (checked at once, queued), follow it, cancel it, or run it here.

The web asks and follows; workers run (`takevault.jobs`); the CLI runs the same
kinds in the foreground. On PostgreSQL a new job is also handed to procrastinate
so a `takevault worker` on any machine picks it up; on SQLite the server's own
worker processes take it from the table.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from takevault.errors import NotFoundError, TakevaultError
from takevault.jobs.kinds import kind as job_kind
from takevault.jobs.model import Job
from takevault.jobs.table import JobTable

if TYPE_CHECKING:
    from takevault.vault import Vault


def job_table(vault: Vault) -> JobTable:
    return JobTable(vault.catalog)


def submit_job(vault: Vault, kind: str, args: dict[str, Any] | None = None) -> Job:
    """Queue a job of `kind` (or join the same one already queued or running) and return its row.

    Its arguments are checked here, so bad input is refused before anything is queued.
    """
    spec = job_kind(kind)
    plan = spec.plan(vault, dict(args or {}))
    job, created = vault.job_table.create(
        project=vault.project,
        kind=spec.name,
        args=plan.args,
        user=vault.user,
        total=plan.total,
        dedupe=plan.dedupe,
    )
    if created and vault.catalog.dialect == "postgresql":
        from takevault.jobs.team import defer

        try:
            defer(vault.config.catalog_url, job.id)
        except TakevaultError as exc:
            # Not handed to any worker: say so on the row instead of leaving it queued forever.
            vault.job_table.refuse(job.id, exc.message)
            raise
    return job


def job(vault: Vault, job_id: str) -> Job:
    """One job's row: state, progress, result or error."""
    return vault.job_table.get(job_id)


def list_jobs(vault: Vault, *, state: str | None = None, limit: int = 100) -> list[Job]:
    """This project's jobs, newest first."""
    return vault.job_table.list(project=vault.project, state=state, limit=limit)


def cancel_job(vault: Vault, job_id: str) -> Job:
    """Cancel a queued job, or ask a running one to stop; nothing it was making is kept half-done."""
    job = vault.job_table.get(job_id)
    if job.project != vault.project:
        raise NotFoundError(f"There is no job {job_id} in project {vault.project}; list its jobs first.")
    return vault.job_table.cancel(job_id)


def run_job(
    vault: Vault, kind: str, args: dict[str, Any] | None = None, *, progress: Callable[[int], None] | None = None
) -> Job:
    """Run a job in this process, with its row kept like any other; returns the finished row.

    The row is made already claimed by this process, so a server's workers on the same vault
    never take it; how the work ended (done, failed, cancelled) is on the row, not raised."""
    from takevault.jobs.foreground import FOREGROUND
    from takevault.jobs.runner import run_claimed, worker_name

    spec = job_kind(kind)
    plan = spec.plan(vault, dict(args or {}))
    job = vault.job_table.start(
        project=vault.project,
        kind=spec.name,
        args=plan.args,
        user=vault.user,
        worker=f"{FOREGROUND}:{worker_name()}",
        total=plan.total,
    )
    with contextlib.suppress(Exception):
        run_claimed(
            lambda _project: vault,
            vault.job_table,
            job,
            stale_seconds=float(vault.config.get("jobs.stale_seconds")),
            also=progress,
            foreground=True,
        )
    return vault.job_table.get(job.id)


def compare_or_job(vault: Vault, a: str, b: str) -> tuple[dict[str, Any] | None, Job | None]:
    """The comparison report of two versions when it is made; else the job making it (queued now)."""
    report = vault.cached_compare(a, b)
    if report is not None:
        return report, None
    return None, vault.submit_job("compare", {"a": a, "b": b})


def proxy_job(vault: Vault, ref: str) -> Job | None:
    """The newest job that made (or makes) the browser proxy of that version, if any."""
    _take, version = vault.resolve_version(ref)
    return vault.job_table.latest(f"proxy:{version.sha256}")
