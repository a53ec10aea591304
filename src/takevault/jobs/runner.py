"""Run one claimed job: the kind's Vault call, progress and a heartbeat into its row, cancel on request.

The heartbeat runs on its own thread, so a job busy inside one long step (one
huge frame, one slow download) is still seen as alive; a worker that dies stops
beating and its job is taken back (see `JobTable.take_back_stale`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from takevault.errors import ConfigError, StoreUnreachableError, TakevaultError
from takevault.jobs.kinds import KINDS
from takevault.jobs.model import Job, JobCancelled
from takevault.jobs.table import JobTable

if TYPE_CHECKING:
    from takevault.vault import Vault

log = logging.getLogger("takevault.jobs")
PROGRESS_EVERY_S = 0.25
"""Progress is written at most this often (a frame-by-frame UPDATE would cost more than the work)."""


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def heartbeat_seconds(stale_seconds: float) -> float:
    return max(0.2, stale_seconds / 4)


class _Tracker:
    """Adds up progress, writes it now and then, and turns a cancel request into JobCancelled."""

    def __init__(self, table: JobTable, job: Job, also: Callable[[int], None] | None = None) -> None:
        self.table, self.job, self.also = table, job, also
        self.done = 0
        self.total = job.total
        self.last = 0.0
        self.cancel = False
        self.guard = threading.Lock()

    def __call__(self, n: int = 1) -> None:
        self.done += int(n)
        if self.also is not None:
            self.also(n)
        now = time.monotonic()
        if now - self.last >= PROGRESS_EVERY_S:
            self.flush()
        if self.cancel:
            raise JobCancelled()

    def set_total(self, total: int) -> None:
        """Work that learns its size once started (a comparison) says so: the row and the bar get it."""
        self.total = int(total)
        forward = getattr(self.also, "set_total", None)
        if forward is not None:
            forward(total)

    def flush(self) -> None:
        with self.guard:
            self.last = time.monotonic()
            total = self.total
            if total is not None and self.done > total:
                total = self.done  # an estimate fell short; never show more than 100 %
            if not self.table.advance(self.job, self.done, total if total != self.job.total else None):
                self.cancel = True


@contextlib.contextmanager
def _beating(tracker: _Tracker, stale_seconds: float) -> Iterator[None]:
    """A heartbeat on the job row from its own thread while the body runs."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(heartbeat_seconds(stale_seconds)):
            try:
                tracker.flush()
            except TakevaultError as exc:  # the catalog is away for a moment; the next beat tries again
                log.warning("job %s: heartbeat failed: %s", tracker.job.id, exc)

    beater = threading.Thread(target=beat, name=f"job-{tracker.job.id[:8]}-heartbeat", daemon=True)
    beater.start()
    try:
        yield
    finally:
        stop.set()
        beater.join(5)


def run_claimed(
    vault_for: Callable[[str], Vault],
    table: JobTable,
    job: Job,
    *,
    stale_seconds: float = 60,
    also: Callable[[int], None] | None = None,
    foreground: bool = False,
) -> Any:
    """Run a job this process claimed and record how it ended on its row; returns the use case's value.

    Whatever stopped it is raised again once recorded, so a foreground caller reports it as
    the use case would. A foreground run is its caller's: a store it cannot reach fails it
    (no other worker is meant to take it), and Ctrl+C cancels it instead of leaving it running.
    """
    tracker = _Tracker(table, job, also)
    with _beating(tracker, stale_seconds):
        try:
            spec = KINDS.get(job.kind)
            if spec is None:
                raise ConfigError(f"This worker does not know jobs of kind {job.kind!r}; upgrade it to this takevault.")
            value = spec.run(vault_for(job.project), job.args, tracker)
            tracker.flush()
            table.finish(job, spec.result(value, job.args))
            return value
        except JobCancelled:
            table.cancelled(job)
            raise
        except StoreUnreachableError as exc:
            # Another worker (or this one, a moment later) may reach the store: give the job back while it
            # has attempts left, so it is not lost; the last attempt records the sentence.
            if not foreground and job.attempt < job.max_attempts:
                table.give_back(job)
            else:
                table.fail(job, exc.message)
            raise
        except TakevaultError as exc:
            table.fail(job, exc.message)
            raise
        except KeyboardInterrupt:
            if foreground:
                table.cancelled(job, INTERRUPTED)
            raise  # a worker being stopped: its row is taken back by the others once its heartbeat is stale
        except Exception as exc:
            log.exception("job %s (%s) failed unexpectedly", job.id, job.kind)
            table.fail(
                job,
                f"The {job.kind} job failed unexpectedly ({type(exc).__name__}: {exc}); "
                "see the worker's log and report it.",
            )
            raise


INTERRUPTED = "Interrupted (Ctrl+C) while it ran; run it again to do it from the start."


def execute(
    vault_for: Callable[[str], Vault],
    table: JobTable,
    job_id: str,
    *,
    worker: str | None = None,
    stale_seconds: float = 60,
    also: Callable[[int], None] | None = None,
) -> Job | None:
    """Claim and run that job; returns its final row, or None when someone else has it (or had it)."""
    job = table.claim(job_id, worker or worker_name())
    if job is None:
        return None
    # How it ended is on the row (run_claimed wrote it); a worker goes on with the next job.
    with contextlib.suppress(Exception):
        run_claimed(vault_for, table, job, stale_seconds=stale_seconds, also=also)
    return table.get(job.id)
