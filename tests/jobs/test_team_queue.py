"""The team queue on PostgreSQL: procrastinate carries jobs to `takevault worker` processes.

Real parts: the PostgreSQL server of tests/pg_server.py, worker processes started
as a team would start them, and a worker killed with SIGKILL in the middle of a job.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from takevault.vault import Vault
from tests.clips import make_clip
from tests.jobs.conftest import worker_env

pytestmark = pytest.mark.postgres


def _wait(vault: Vault, job_id: str, until, timeout: float = 120):
    deadline = time.monotonic() + timeout
    while True:
        job = vault.job(job_id)
        if until(job):
            return job
        assert time.monotonic() < deadline, job.to_json()
        time.sleep(0.1)


@pytest.fixture(scope="session")
def long_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An MKV whose proxy takes seconds to make: long enough to kill its worker in the middle."""
    return make_clip(tmp_path_factory.mktemp("long") / "long.mkv", width=640, height=360, frames=480, scenes=((0, 3),))


@pytest.fixture
def team_vault(pg_url: str, tmp_path: Path, web_clips) -> tuple[Path, dict[str, str]]:
    root = tmp_path / "team"
    with Vault.init(root, catalog=pg_url) as vault:
        vault.add_shot("SH010")
        ids = {
            "a": vault.add(web_clips["a"], shot="SH010").id,
            "b": vault.add(web_clips["b"], shot="SH010").id,
        }
    return root, ids


def test_workers_on_the_team_queue_run_a_job_once(team_vault, start_worker):
    root, ids = team_vault
    workers = [start_worker(root, TAKEVAULT_JOB_STALE_SECONDS="3") for _ in range(2)]
    with Vault.open(root) as vault:
        job = vault.submit_job("compare", {"a": ids["a"], "b": ids["b"]})
        done = _wait(vault, job.id, lambda j: j.finished)
        assert done.state == "done" and done.attempt == 1, done.to_json()
        assert int(done.worker.split(":")[1]) in {w.pid for w in workers}
        assert vault.cached_compare(ids["a"], ids["b"])["segments"]


@pytest.mark.slow
def test_a_worker_killed_mid_job_has_its_job_finished_by_the_other(team_vault, long_clip, start_worker):
    root, ids = team_vault
    with Vault.open(root) as vault:
        ids["long"] = vault.add(long_clip, shot="SH010").id
    workers = {w.pid: w for w in (start_worker(root, TAKEVAULT_JOB_STALE_SECONDS="3") for _ in range(2))}
    with Vault.open(root) as vault:
        job = vault.submit_job("proxy", {"ref": ids["long"]})
        running = _wait(vault, job.id, lambda j: j.state == "running" and j.done > 0)
        victim = int(running.worker.split(":")[1])
        os.kill(victim, signal.SIGKILL)
        workers[victim].wait(10)
        done = _wait(vault, job.id, lambda j: j.finished, timeout=180)
        assert done.state == "done", done.to_json()
        assert done.attempt == 2 and int(done.worker.split(":")[1]) != victim
        assert vault.playback(ids["long"]).ready


def test_an_unreachable_queue_database_is_one_sentence(tmp_path: Path):
    from tests.s3_servers import free_port

    root = tmp_path / "away"
    root.mkdir()
    (root / "takevault.toml").write_text(
        f'catalog = "postgresql+psycopg://postgres@127.0.0.1:{free_port()}/test"\nstore = "file://store"\n'
    )
    run = subprocess.run(
        [sys.executable, "-m", "takevault", "--vault", str(root), "worker"],
        env=worker_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 6, run.stderr
    lines = [line for line in run.stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1 and "reachable" in lines[0] and "Traceback" not in run.stderr
