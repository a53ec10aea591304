"""A team vault: two `serve` processes (one of them with two server processes) and two `takevault worker`
processes, on PostgreSQL and SeaweedFS, each machine with its own folder and cache.

A comparison asked for through one server is made by a worker and read through the other; the
second server never computes it, it fetches the derived report from the store.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from takevault.config import write_config
from takevault.vault import Vault
from tests.jobs.conftest import start_worker, worker_env  # noqa: F401 - start_worker is a fixture
from tests.web.conftest import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.s3, pytest.mark.slow]


def machine(where: Path, catalog: str, store: str, endpoint: str) -> Path:
    where.mkdir()
    write_config(where, {"catalog": catalog, "store": store, "s3.endpoint_url": endpoint})
    return where


def wait_up(url: str, proc: subprocess.Popen, timeout: float = 150) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else proc.returncode
        try:
            if httpx.get(f"{url}/api/projects", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not come up")


def test_two_servers_two_workers_one_vault(
    pg_url: str,
    seaweedfs_target,
    tmp_path: Path,
    web_clips,
    start_worker,  # noqa: F811
):
    seaweedfs_target.create_bucket()
    store = f"s3://{seaweedfs_target.bucket}/team"
    first = tmp_path / "server-a"
    with Vault.init(first, catalog=pg_url, store=store, endpoint_url=seaweedfs_target.endpoint_url) as vault:
        vault.add_shot("SH010")
        a = vault.add(web_clips["a"], shot="SH010").id
        b = vault.add(web_clips["b"], shot="SH010").id
    second = machine(tmp_path / "server-b", pg_url, store, seaweedfs_target.endpoint_url)
    servers = []
    try:
        urls = []
        for root, processes in ((first, "2"), (second, "1")):
            port = free_port()
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "takevault",
                    "--vault",
                    str(root),
                    "serve",
                    "--port",
                    str(port),
                    "--workers",
                    processes,
                    "--job-workers",
                    "0",
                ],
                env=worker_env(),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            servers.append(proc)
            urls.append(f"http://127.0.0.1:{port}")
            wait_up(urls[-1], proc)
        for i in range(2):
            start_worker(machine(tmp_path / f"worker-{i}", pg_url, store, seaweedfs_target.endpoint_url))
        params = {"a": a, "b": b}
        asked = httpx.get(f"{urls[0]}/api/compare", params=params, timeout=30)
        assert asked.status_code == 202, asked.text
        job_id = asked.json()["job"]["id"]
        deadline = time.monotonic() + 120
        while (job := httpx.get(f"{urls[1]}/api/jobs/{job_id}", timeout=10).json())["state"] in ("queued", "running"):
            assert time.monotonic() < deadline, job
            time.sleep(0.2)
        assert job["state"] == "done" and "worker" in job and job["attempt"] == 1, job
        seen = httpx.get(f"{urls[1]}/api/compare", params=params, timeout=30)
        assert seen.status_code == 200 and seen.json()["segments"]
        assert (second / "cache" / "compare").is_dir()  # fetched from the store into b's own cache
        assert not (first / "cache" / "compare").exists()  # server a never computed it either
        again = httpx.get(f"{urls[0]}/api/compare", params=params, timeout=30)
        assert again.status_code == 200 and again.json() == seen.json()
    finally:
        for proc in servers:
            proc.terminate()
        for proc in servers:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
            if proc.stderr:
                proc.stderr.close()
