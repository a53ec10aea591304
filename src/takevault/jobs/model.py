"""A job: one piece of long work with a persistent row (kind, arguments, state, progress, result, error)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"
STATES = (QUEUED, RUNNING, DONE, FAILED, CANCELLED)
FINISHED = (DONE, FAILED, CANCELLED)


class JobCancelled(Exception):
    """Raised inside a running job's progress callback once someone asked to cancel it."""


@dataclass(frozen=True)
class Job:
    id: str
    project: str
    kind: str
    args: dict[str, Any]
    state: str
    done: int
    total: int | None
    result: Any
    error: str | None
    cancel_requested: bool
    attempt: int
    max_attempts: int
    worker: str | None
    created_by: str
    created_at: datetime
    started_at: datetime | None
    heartbeat_at: datetime | None
    finished_at: datetime | None

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    @property
    def progress(self) -> float:
        if self.state == DONE:
            return 1.0
        if not self.total:
            return 0.0
        return max(0.0, min(1.0, self.done / self.total))

    def to_json(self) -> dict[str, Any]:
        def when(value: datetime | None) -> str | None:
            return value.isoformat() if value is not None else None

        return {
            "id": self.id,
            "project": self.project,
            "kind": self.kind,
            "args": self.args,
            "state": self.state,
            "done": self.done,
            "total": self.total,
            "progress": self.progress,
            "result": self.result,
            "error": self.error,
            "cancel_requested": self.cancel_requested,
            "attempt": self.attempt,
            "worker": self.worker,
            "created_by": self.created_by,
            "created_at": when(self.created_at),
            "started_at": when(self.started_at),
            "heartbeat_at": when(self.heartbeat_at),
            "finished_at": when(self.finished_at),
        }
