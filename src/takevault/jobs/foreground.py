"""The CLI's long commands as jobs run here: a row with who, when, progress and how it ended, the work in this process.

The row is made already running and claimed by this process (never queued), so a
server's workers on the same vault never take it. The command gets the use case's
own value back and renders it as before; an error is recorded on the row and then
raised as it is, so messages and exit codes do not change; a request refused before
any work was done (bad input) leaves no row, as the web's refusals do. Ctrl+C cancels the row
instead of leaving it running; `takevault jobs cancel` from elsewhere stops it at
its next progress step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from takevault.errors import ConflictError, InvalidInputError, NotFoundError, TakevaultError
from takevault.jobs.kinds import kind as job_kind
from takevault.jobs.model import Job, JobCancelled
from takevault.jobs.runner import run_claimed, worker_name
from takevault.jobs.table import JobTable

if TYPE_CHECKING:
    from takevault.vault import Vault

FOREGROUND = "foreground"
"""The start of a foreground run's `worker`, so listings tell them from queued work."""


def run_here(
    vault: Vault,
    kind: str,
    args: dict[str, Any] | None = None,
    *,
    progress: Callable[[int], None] | None = None,
    on_row: Callable[[Job], None] | None = None,
) -> Any:
    """Run a job of `kind` in this process with its row kept; returns the kind's Vault call's value."""
    spec = job_kind(kind)
    plan = spec.plan(vault, dict(args or {}))
    table = JobTable(vault.catalog)
    job = table.start(
        project=vault.project,
        kind=spec.name,
        args=plan.args,
        user=vault.user,
        worker=f"{FOREGROUND}:{worker_name()}",
        total=plan.total,
    )
    if on_row is not None:
        on_row(job)
    set_total = getattr(progress, "set_total", None)
    if set_total is not None and plan.total:
        set_total(plan.total)
    try:
        return run_claimed(
            lambda _project: vault,
            table,
            job,
            stale_seconds=float(vault.config.get("jobs.stale_seconds")),
            also=progress,
            foreground=True,
        )
    except (InvalidInputError, NotFoundError):
        # Refused before any work was done (a path that does not exist, filters that match nothing):
        # bad input changes nothing, as a request the plan refuses leaves no row. Work that had
        # started keeps its failed row.
        table.forget(job)
        raise
    except JobCancelled:
        raise ConflictError(
            f"The {spec.name} job {job.id[:8]} was cancelled while it ran; run the command again to do it "
            "from the start."
        ) from None


def run_then_record(vault: Vault, kind: str, args: dict[str, Any], work: Callable[[], Any]) -> Any:
    """Run work that may make the catalog itself (a rebuild), then write its finished row, when a catalog exists.

    A rebuild of a lost catalog starts with no jobs table to keep a running row in, so
    its row is written once the work ended (done or failed); when even that catalog could
    not be made, there is nowhere to keep a row and none is written.
    """
    if _has_jobs_table(vault):
        return run_here(vault, kind, args)
    spec = job_kind(kind)
    try:
        value = work()
    except BaseException as exc:
        _record(vault, spec.name, args, error=exc)
        raise
    _record(vault, spec.name, args, result=spec.result(value, args))
    return value


def _has_jobs_table(vault: Vault) -> bool:
    try:
        with vault.catalog.read() as conn:
            return sa.inspect(conn).has_table("jobs")
    except TakevaultError:  # a lost catalog (its file gone) cannot even be read yet
        return False


def _record(
    vault: Vault,
    kind: str,
    args: dict[str, Any],
    *,
    result: Any = None,
    error: BaseException | None = None,
) -> None:
    if not _has_jobs_table(vault):
        return
    table = JobTable(vault.catalog)
    job = table.start(
        project=vault.project, kind=kind, args=args, user=vault.user, worker=f"{FOREGROUND}:{worker_name()}"
    )
    if error is None:
        table.finish(job, result)
    elif isinstance(error, KeyboardInterrupt):
        from takevault.jobs.runner import INTERRUPTED

        table.cancelled(job, INTERRUPTED)
    else:
        table.fail(job, getattr(error, "message", None) or f"{type(error).__name__}: {error}")
