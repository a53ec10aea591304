"""Long work as jobs: a persistent row each, run by worker processes (embedded pool or procrastinate)."""

from __future__ import annotations

from takevault.jobs.kinds import KINDS
from takevault.jobs.model import CANCELLED, DONE, FAILED, QUEUED, RUNNING, Job

__all__ = ["CANCELLED", "DONE", "FAILED", "KINDS", "QUEUED", "RUNNING", "Job"]
