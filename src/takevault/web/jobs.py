"""The web side of jobs: the server's own worker pool, woken when a page asks for long work.

Requests never run long work themselves: they queue a job (one Vault call) and
the page follows it with GET /api/jobs/{id}. The pool is bounded (`jobs.workers`,
default 2) and started on the first job, so a server that only browses costs nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from takevault.jobs.model import CANCELLED, DONE, FAILED, Job
from takevault.jobs.pool import EmbeddedPool


class JobService:
    def __init__(self, root: Path, workers: int) -> None:
        self.pool = EmbeddedPool(root, workers)

    def wake(self) -> None:
        self.pool.wake()

    def close(self) -> None:
        self.pool.close()


def proxy_state(job: Job | None, *, ready: bool, frames: int) -> dict[str, Any]:
    """A proxy job in the shape the player polls: state running | ready | failed, with progress."""
    if ready:
        return {
            "state": "ready",
            "done": frames,
            "total": frames,
            "progress": 1.0,
            "error": None,
            "job_id": job.id if job else None,
        }
    if job is None:
        return {"state": "missing", "done": 0, "total": frames, "progress": 0.0, "error": None, "job_id": None}
    state = {DONE: "ready", FAILED: "failed", CANCELLED: "failed"}.get(job.state, "running")
    if job.state == DONE and not ready:
        state = "failed"
    error = job.error
    if state == "failed" and not error:
        error = "The browser proxy was made but is gone from this server; ask for it again."
    return {
        "state": state,
        "done": job.done,
        "total": job.total or frames,
        "progress": job.progress,
        "error": error,
        "job_id": job.id,
    }
