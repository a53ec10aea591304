"""The team queue: procrastinate on the team's PostgreSQL catalog database.

Our `jobs` row stays the record of a job (what the web and CLI show); procrastinate
only carries "run job <id>" to whichever `takevault worker` is free, on any
machine. Its tables live in the catalog's own database and schema, created on
first use. A worker that dies stops beating on the job row; any other worker
then queues the row again and hands it to procrastinate once more; the claim on
the row (one attempt at a time) makes sure it still completes only once.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from takevault.errors import CatalogError, ConfigError

log = logging.getLogger("takevault.jobs")
QUEUE = "takevault"
TASK = "takevault.run_job"
_SCHEMA_LOCK = 727_012  # advisory lock id: one process creates procrastinate's tables at a time

_apps: dict[str, Any] = {}
_apps_guard = threading.Lock()


def conninfo(catalog_url: str) -> str:
    """The libpq URL of an SQLAlchemy PostgreSQL URL (options such as search_path kept)."""
    url = make_url(catalog_url)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _where(catalog_url: str) -> str:
    return make_url(catalog_url).render_as_string(hide_password=True)


@contextlib.contextmanager
def _reachable(catalog_url: str) -> Iterator[None]:
    import psycopg
    from procrastinate import exceptions

    try:
        yield
    except (exceptions.ConnectorException, psycopg.OperationalError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CatalogError(
            f"The job queue in {_where(catalog_url)} cannot be reached ({first}); check that the database "
            "is running and reachable, then try again."
        ) from None


def _ensure_schema(app: Any, catalog_url: str) -> None:
    import psycopg

    with psycopg.connect(conninfo(catalog_url), autocommit=True, connect_timeout=10) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (_SCHEMA_LOCK,))
        try:
            present = conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
            if present is None or present[0] is None:
                app.schema_manager.apply_schema()
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_SCHEMA_LOCK,))


def queue_app(catalog_url: str) -> Any:
    """This process's open procrastinate app for that catalog (made, schema ensured, on first use)."""
    with _apps_guard:
        app = _apps.get(catalog_url)
        if app is not None:
            return app
        try:
            import procrastinate
        except ModuleNotFoundError:
            raise ConfigError(
                "Jobs on a PostgreSQL catalog go through procrastinate, which is not installed; "
                "install it with \"pip install 'takevault[postgres]'\"."
            ) from None

        app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo(catalog_url)))
        app.task(name=TASK, queue=QUEUE, pass_context=False)(_run_job)
        with _reachable(catalog_url):
            app.open()
            _ensure_schema(app, catalog_url)
        _apps[catalog_url] = app
        return app


def defer(catalog_url: str, job_id: str) -> None:
    """Hand job `job_id` to the team's workers."""
    app = queue_app(catalog_url)
    with _reachable(catalog_url):
        app.configure_task(TASK, queue=QUEUE).defer(job_id=job_id)


# -- the worker side -----------------------------------------------------------
_worker: dict[str, Any] = {}


def _run_job(job_id: str) -> None:
    from takevault.jobs.runner import execute

    execute(_worker["vaults"], _worker["table"], job_id, worker=_worker["name"], stale_seconds=_worker["stale"])


def run_queue_worker(root: Path | str | None, *, parent_pid: int | None = None, concurrency: int = 1) -> None:
    """Run procrastinate's worker for the vault at `root` until stopped (Ctrl+C / SIGTERM)."""
    from takevault.jobs.prune import Pruner
    from takevault.jobs.runner import heartbeat_seconds, worker_name
    from takevault.jobs.table import JobTable
    from takevault.jobs.worker import VaultsByProject, stale_seconds

    vaults = VaultsByProject(root)
    url = vaults.first.config.catalog_url
    if vaults.first.catalog.dialect != "postgresql":
        raise ConfigError("The team queue needs a PostgreSQL catalog; this vault's catalog is SQLite.")
    table = JobTable(vaults.first.catalog)
    stale = stale_seconds(vaults.first)
    _worker.update(vaults=vaults, table=table, name=worker_name(), stale=stale)
    app = queue_app(url)
    stop = threading.Event()
    prune = Pruner(table, vaults.first.config)

    def reap() -> None:
        # Jobs whose worker died: queue the row again and send it round once more.
        while not stop.wait(heartbeat_seconds(stale)):
            if parent_pid is not None and os.getppid() != parent_pid:
                os._exit(0)  # the server that started us is gone; its jobs are taken back by others
            try:
                prune()
                for job_id in table.take_back_stale(stale):
                    defer(url, job_id)
            except Exception as exc:  # noqa: BLE001 - the reaper must outlive a database hiccup
                log.warning("job reaper: %s", exc)

    reaper = threading.Thread(target=reap, name="takevault-job-reaper", daemon=True)
    reaper.start()
    try:
        with _reachable(url):
            app.run_worker(
                queues=[QUEUE],
                concurrency=concurrency,
                name=_worker["name"],
                install_signal_handlers=threading.current_thread() is threading.main_thread(),
                fetch_job_polling_interval=1.0,
                delete_jobs="successful",
            )
    finally:
        stop.set()
        vaults.close()
