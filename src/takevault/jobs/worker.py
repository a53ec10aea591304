"""A worker process: opens the vault once, then runs jobs until told to stop.

On an SQLite vault (one machine) it takes queued rows straight from the jobs
table. On PostgreSQL jobs arrive through procrastinate (see `team.py`), so any
number of workers on any number of machines share the team's database as the queue.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from takevault.errors import TakevaultError
from takevault.jobs.prune import Pruner
from takevault.jobs.runner import execute, worker_name
from takevault.jobs.table import JobTable

log = logging.getLogger("takevault.jobs")
POLL_S = 0.2


class VaultsByProject:
    """One `Vault` per project over ONE catalog and store client (workers serve every project)."""

    def __init__(self, root: Path | str | None) -> None:
        from takevault.vault import Vault

        self.first = Vault.open(root)
        self._open: dict[str, object] = {self.first.project: self.first}
        self._guard = threading.Lock()

    def __call__(self, project: str):  # -> Vault
        from takevault.vault import Vault

        with self._guard:
            vault = self._open.get(project)
            if vault is None:
                vault = Vault(self.first.config, project=project)
                # Share the parts: one engine and one store client in this process.
                vault.__dict__["catalog"] = self.first.catalog
                vault.__dict__["store"] = self.first.store
                self._open[project] = vault
            return vault

    def close(self) -> None:
        self.first.close()


def stale_seconds(vault) -> float:
    return float(vault.config.get("jobs.stale_seconds"))


def run_table_worker(root: Path | str | None, stop: threading.Event, *, parent_pid: int | None = None) -> None:
    """The embedded worker loop (SQLite): take back stale jobs, claim the oldest queued one, run it."""
    vaults = VaultsByProject(root)
    table = JobTable(vaults.first.catalog)
    stale = stale_seconds(vaults.first)
    name = worker_name()
    prune = Pruner(table, vaults.first.config)
    try:
        while not stop.is_set():
            if parent_pid is not None and os.getppid() != parent_pid:
                return  # the server that started us is gone; never linger as an orphan
            try:
                prune()
                table.take_back_stale(stale)
                job_id = table.next_queued()
                if job_id is None:
                    stop.wait(POLL_S)
                    continue
                done = execute(vaults, table, job_id, worker=name, stale_seconds=stale)
                if done is not None and done.state == "queued":
                    stop.wait(1.0)  # given back (store unreachable): let it breathe before the next try
            except TakevaultError as exc:
                log.warning("job worker: %s", exc)
                stop.wait(1.0)
    finally:
        vaults.close()


def worker_main(root: str, parent_pid: int | None = None) -> None:
    """Entry point of one worker process (the embedded pool and `takevault worker`)."""
    from takevault.vault import Vault

    with Vault.open(root) as probe:
        dialect = probe.catalog.dialect
    if dialect == "postgresql":
        from takevault.jobs.team import run_queue_worker

        run_queue_worker(root, parent_pid=parent_pid)
        return
    run_table_worker(root, threading.Event(), parent_pid=parent_pid)
