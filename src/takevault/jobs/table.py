"""The jobs table: create, claim, advance, finish, cancel and take back jobs whose worker died.

Every change is one conditional UPDATE, so two workers (or a worker and a
canceller) racing on one row cannot both win: a worker may only write progress
to, and finish, the attempt it claimed; a job taken back after its worker died
gets a new attempt, and the dead worker's late writes then match nothing.
"""

from __future__ import annotations

import builtins
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from takevault.catalog.schema import jobs
from takevault.errors import ConflictError, InvalidInputError, NotFoundError
from takevault.jobs.model import CANCELLED, DONE, FAILED, FINISHED, QUEUED, RUNNING, Job

if TYPE_CHECKING:
    from takevault.catalog import Catalog


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; every stored time is UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _job(row: Any) -> Job:
    return Job(
        id=row["id"],
        project=row["project"],
        kind=row["kind"],
        args=dict(row["args"] or {}),
        state=row["state"],
        done=int(row["done"] or 0),
        total=row["total"],
        result=row["result"],
        error=row["error"],
        cancel_requested=bool(row["cancel_requested"]),
        attempt=int(row["attempt"] or 0),
        max_attempts=int(row["max_attempts"] or 1),
        worker=row["worker"],
        created_by=row["created_by"],
        created_at=_aware(row["created_at"]),  # type: ignore[arg-type]
        started_at=_aware(row["started_at"]),
        heartbeat_at=_aware(row["heartbeat_at"]),
        finished_at=_aware(row["finished_at"]),
    )


class JobTable:
    """Job rows of one catalog (all projects: workers serve every project of the vault)."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    # -- asking -------------------------------------------------------------
    def create(
        self,
        *,
        project: str,
        kind: str,
        args: dict[str, Any],
        user: str,
        total: int | None = None,
        dedupe: str | None = None,
        max_attempts: int = 3,
    ) -> tuple[Job, bool]:
        """A new queued job, or the queued/running one with the same `dedupe` key; returns (job, created).

        Done jobs are not reused: the caller looks for the derived file first, and asks
        again only when it is missing (deleted, or never made on this store)."""
        with self.catalog.write() as conn:
            if dedupe is not None:
                row = (
                    conn.execute(
                        sa.select(jobs)
                        .where(jobs.c.dedupe == dedupe, jobs.c.state.in_((QUEUED, RUNNING)))
                        .order_by(jobs.c.created_at.desc())
                        .limit(1)
                    )
                    .mappings()
                    .first()
                )
                if row is not None:
                    return _job(row), False
            job_id = str(uuid.uuid4())
            conn.execute(
                jobs.insert().values(
                    id=job_id,
                    project=project,
                    kind=kind,
                    args=args,
                    dedupe=dedupe,
                    state=QUEUED,
                    done=0,
                    total=total,
                    attempt=0,
                    max_attempts=max_attempts,
                    created_by=user,
                    created_at=_now(),
                )
            )
            row = conn.execute(sa.select(jobs).where(jobs.c.id == job_id)).mappings().one()
            return _job(row), True

    def start(
        self, *, project: str, kind: str, args: dict[str, Any], user: str, worker: str, total: int | None = None
    ) -> Job:
        """A new job already claimed by `worker` (a foreground run): never queued, so no worker can take it."""
        job_id = str(uuid.uuid4())
        now = _now()
        with self.catalog.write() as conn:
            conn.execute(
                jobs.insert().values(
                    id=job_id,
                    project=project,
                    kind=kind,
                    args=args,
                    state=RUNNING,
                    done=0,
                    total=total,
                    attempt=1,
                    max_attempts=1,
                    worker=worker,
                    created_by=user,
                    created_at=now,
                    started_at=now,
                    heartbeat_at=now,
                )
            )
            row = conn.execute(sa.select(jobs).where(jobs.c.id == job_id)).mappings().one()
        return _job(row)

    def latest(self, dedupe: str) -> Job | None:
        """The newest job with that `dedupe` key, whatever its state."""
        with self.catalog.read() as conn:
            row = (
                conn.execute(sa.select(jobs).where(jobs.c.dedupe == dedupe).order_by(jobs.c.created_at.desc()).limit(1))
                .mappings()
                .first()
            )
        return _job(row) if row is not None else None

    def get(self, job_id: str) -> Job:
        with self.catalog.read() as conn:
            row = conn.execute(sa.select(jobs).where(jobs.c.id == job_id)).mappings().first()
        if row is None:
            raise NotFoundError(f"There is no job {job_id}; list jobs with GET /api/jobs or 'takevault jobs'.")
        return _job(row)

    def find(self, text: str, *, project: str | None = None) -> Job:
        """The job a user names: its whole id, or the start of it (8 characters or more, as listings show)."""
        given = text.strip().lower()
        if len(given) < 8 or len(given) > 36 or any(c not in "0123456789abcdef-" for c in given):
            raise InvalidInputError(
                f"{text!r} is not a job id; give the id (or its first 8 characters) as 'takevault jobs list' shows it."
            )
        query = sa.select(jobs).where(jobs.c.id.startswith(given, autoescape=True)).limit(2)
        if project is not None:
            query = query.where(jobs.c.project == project)
        with self.catalog.read() as conn:
            rows = conn.execute(query).mappings().all()
        where = f" in project {project}" if project is not None else ""
        if not rows:
            raise NotFoundError(f"There is no job {text}{where}; 'takevault jobs list' shows its jobs.")
        if len(rows) > 1:
            raise InvalidInputError(f"More than one job{where} starts with {text}; give more of its id.")
        return _job(rows[0])

    def list(
        self,
        *,
        project: str | None = None,
        state: str | None = None,
        kind: str | None = None,
        limit: int = 100,
    ) -> builtins.list[Job]:
        query = sa.select(jobs).order_by(jobs.c.created_at.desc()).limit(limit)
        if project is not None:
            query = query.where(jobs.c.project == project)
        if state is not None:
            query = query.where(jobs.c.state == state)
        if kind is not None:
            query = query.where(jobs.c.kind == kind)
        with self.catalog.read() as conn:
            return [_job(r) for r in conn.execute(query).mappings()]

    def cancel(self, job_id: str, *, stale_after: float | None = None) -> Job:
        """Cancel a queued job at once; ask a running one to stop at its next progress step.

        With `stale_after`, a running job whose process gave no sign of life for that long (a
        foreground run that was killed, with no worker around to take it back) ends at once."""
        job = self.get(job_id)
        if job.finished:
            raise ConflictError(f"The job {job_id} is already {job.state}; there is nothing to cancel.")
        with self.catalog.write() as conn:
            if stale_after is not None:
                conn.execute(
                    jobs.update()
                    .where(
                        jobs.c.id == job_id,
                        jobs.c.state == RUNNING,
                        jobs.c.heartbeat_at < _now() - timedelta(seconds=stale_after),
                    )
                    .values(
                        state=CANCELLED,
                        cancel_requested=True,
                        finished_at=_now(),
                        error="Cancelled; the process running it had stopped showing signs of life.",
                    )
                )
            conn.execute(
                jobs.update()
                .where(jobs.c.id == job_id, jobs.c.state == QUEUED)
                .values(
                    state=CANCELLED, cancel_requested=True, finished_at=_now(), error="Cancelled before it started."
                )
            )
            conn.execute(
                jobs.update().where(jobs.c.id == job_id, jobs.c.state == RUNNING).values(cancel_requested=True)
            )
        return self.get(job_id)

    def refuse(self, job_id: str, error: str) -> None:
        """Fail a job that was never handed to a worker (its queue could not be reached)."""
        with self.catalog.write() as conn:
            conn.execute(
                jobs.update()
                .where(jobs.c.id == job_id, jobs.c.state == QUEUED)
                .values(state=FAILED, error=error, finished_at=_now())
            )

    # -- working --------------------------------------------------------------
    def claim(self, job_id: str, worker: str) -> Job | None:
        """Take that queued job for `worker` (a new attempt); None when it is not queued any more."""
        now = _now()
        with self.catalog.write() as conn:
            hit = conn.execute(
                jobs.update()
                .where(jobs.c.id == job_id, jobs.c.state == QUEUED)
                .values(
                    state=RUNNING,
                    worker=worker,
                    attempt=jobs.c.attempt + 1,
                    started_at=now,
                    heartbeat_at=now,
                    done=0,
                )
            ).rowcount
        return self.get(job_id) if hit else None

    def next_queued(self) -> str | None:
        """The oldest queued job's id (the embedded pool's order of work)."""
        with self.catalog.read() as conn:
            return conn.execute(
                sa.select(jobs.c.id).where(jobs.c.state == QUEUED).order_by(jobs.c.created_at).limit(1)
            ).scalar()

    def advance(self, job: Job, done: int, total: int | None = None) -> bool:
        """Record progress (and a heartbeat) of the attempt `job` holds; False once cancel was asked."""
        values: dict[str, Any] = {"done": done, "heartbeat_at": _now()}
        if total is not None:
            values["total"] = total
        with self.catalog.write() as conn:
            conn.execute(jobs.update().where(*self._mine(job)).values(**values))
            asked = conn.execute(sa.select(jobs.c.cancel_requested).where(jobs.c.id == job.id)).scalar()
        return not asked

    def finish(self, job: Job, result: Any) -> bool:
        return self._end(job, DONE, result=result)

    def fail(self, job: Job, error: str) -> bool:
        return self._end(job, FAILED, error=error)

    def cancelled(self, job: Job, error: str | None = None) -> bool:
        return self._end(job, CANCELLED, error=error or "Cancelled while it ran; ask again to run it from the start.")

    def _end(self, job: Job, state: str, *, result: Any = None, error: str | None = None) -> bool:
        with self.catalog.write() as conn:
            hit = conn.execute(
                jobs.update()
                .where(*self._mine(job))
                .values(state=state, result=result, error=error, finished_at=_now(), heartbeat_at=_now())
            ).rowcount
        return bool(hit)

    def give_back(self, job: Job) -> bool:
        """Put the attempt `job` holds back in the queue (its worker cannot do it now)."""
        with self.catalog.write() as conn:
            hit = conn.execute(jobs.update().where(*self._mine(job)).values(state=QUEUED, worker=None, done=0)).rowcount
        return bool(hit)

    @staticmethod
    def _mine(job: Job) -> tuple[Any, ...]:
        return (jobs.c.id == job.id, jobs.c.state == RUNNING, jobs.c.attempt == job.attempt)

    def forget(self, job: Job) -> bool:
        """Delete the failed row of a request refused before any work was done (as if never asked)."""
        with self.catalog.write() as conn:
            hit = conn.execute(
                jobs.delete().where(
                    jobs.c.id == job.id, jobs.c.state == FAILED, jobs.c.attempt == job.attempt, jobs.c.done == 0
                )
            ).rowcount
        return bool(hit)

    def prune(self, older_than: timedelta) -> int:
        """Delete finished rows (done, failed, cancelled) that ended more than `older_than` ago; returns how many.

        Queued and running rows are never touched, whatever their age."""
        cutoff = _now() - older_than
        with self.catalog.write() as conn:
            return int(
                conn.execute(jobs.delete().where(jobs.c.state.in_(FINISHED), jobs.c.finished_at < cutoff)).rowcount or 0
            )

    def take_back_stale(self, stale_after: float) -> builtins.list[str]:
        """Running jobs whose worker stopped beating for `stale_after` s: queue them again, or fail
        them once they used their attempts. Returns the ids queued again."""
        cutoff = _now() - timedelta(seconds=stale_after)
        stale = (jobs.c.state == RUNNING, jobs.c.heartbeat_at < cutoff)
        # Looked for with a read first: the embedded workers ask often, and a write would take SQLite's lock.
        with self.catalog.read() as conn:
            if conn.execute(sa.select(jobs.c.id).where(*stale).limit(1)).first() is None:
                return []
        with self.catalog.write() as conn:
            rows = conn.execute(
                sa.select(jobs.c.id, jobs.c.attempt, jobs.c.max_attempts).where(
                    jobs.c.state == RUNNING, jobs.c.heartbeat_at < cutoff
                )
            ).all()
            again: list[str] = []
            for job_id, attempt, max_attempts in rows:
                still = (jobs.c.id == job_id, jobs.c.state == RUNNING, jobs.c.attempt == attempt)
                if attempt >= max_attempts:
                    conn.execute(
                        jobs.update()
                        .where(*still)
                        .values(
                            state=FAILED,
                            finished_at=_now(),
                            error=f"Its worker stopped {attempt} times while running it; "
                            "check the workers' logs, then ask for it again.",
                        )
                    )
                elif conn.execute(jobs.update().where(*still).values(state=QUEUED, worker=None, done=0)).rowcount:
                    again.append(job_id)
        return again


__all__ = ["FINISHED", "JobTable"]
