"""The embedded pool: `serve` runs a bounded number of worker processes itself, nothing else to start.

Processes are started on the first job asked for (a gallery that only browses
costs nothing), and stopped with the server. Each watches its parent and exits
if the server dies without stopping it.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from pathlib import Path

from takevault.errors import InvalidInputError
from takevault.jobs.worker import worker_main

MAX_WORKERS = 16


class EmbeddedPool:
    def __init__(self, root: Path | str, size: int) -> None:
        if size < 0 or size > MAX_WORKERS:
            raise InvalidInputError(f"The job worker count must be 0 to {MAX_WORKERS}; {size} is out of range.")
        self.root = str(root)
        self.size = size
        self._procs: list[multiprocessing.process.BaseProcess] = []
        self._guard = threading.Lock()
        self._closed = False

    def wake(self) -> None:
        """Make sure the workers run (restarting any that died); cheap when they do."""
        if self.size == 0:
            return
        with self._guard:
            if self._closed:
                return
            self._procs = [p for p in self._procs if p.is_alive()]
            ctx = multiprocessing.get_context("spawn")  # never fork a process holding DB connections
            while len(self._procs) < self.size:
                proc = ctx.Process(
                    target=worker_main, args=(self.root, os.getpid()), name="takevault-job-worker", daemon=True
                )
                proc.start()
                self._procs.append(proc)

    @property
    def pids(self) -> list[int]:
        with self._guard:
            return [p.pid for p in self._procs if p.pid is not None and p.is_alive()]

    def close(self, timeout: float = 5.0) -> None:
        with self._guard:
            self._closed = True
            procs, self._procs = self._procs, []
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.join(timeout)
            if proc.is_alive():
                proc.kill()
                proc.join(1)
