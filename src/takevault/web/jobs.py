"""Background making of browser proxies, with progress the pages can poll.

A job is one `Vault.ensure_proxy` call on a worker thread; the table only
remembers how far each one got, keyed by the source version's sha256.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from takevault.errors import TakevaultError


@dataclass
class Job:
    total: int
    done: int = 0
    state: str = "running"  # running | ready | failed
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        fraction = min(1.0, self.done / self.total) if self.total else 0.0
        if self.state == "ready":
            fraction = 1.0
        return {"state": self.state, "done": self.done, "total": self.total, "progress": fraction, "error": self.error}


class ProxyJobs:
    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._guard = threading.Lock()

    def get(self, key: str) -> Job | None:
        with self._guard:
            return self._jobs.get(key)

    def start(self, key: str, total: int, work: Callable[[Callable[[int], None]], object]) -> Job:
        """Run `work(progress)` on a thread unless a job for `key` is running or done."""
        with self._guard:
            job = self._jobs.get(key)
            if job is not None and job.state in ("running", "ready"):
                return job
            job = self._jobs[key] = Job(total=total)

        def advance(n: int) -> None:
            job.done += n

        def run() -> None:
            try:
                work(advance)
                job.state = "ready"
            except TakevaultError as exc:
                job.state, job.error = "failed", exc.message
            except Exception as exc:  # noqa: BLE001 - reported to the page, the thread must not die silently
                job.state = "failed"
                job.error = f"Making the proxy failed unexpectedly ({type(exc).__name__}: {exc}); report it."

        threading.Thread(target=run, name=f"proxy-{key[:12]}", daemon=True).start()
        return job
