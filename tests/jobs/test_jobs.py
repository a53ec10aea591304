"""The job model: persistent rows, foreground runs, cancel, deleted takes, bad input, dead workers."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from takevault.errors import ConflictError, InvalidInputError, NotFoundError
from takevault.jobs.runner import execute
from takevault.vault import Vault
from tests.web.conftest import Seeded


def _wait(vault: Vault, job_id: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while True:
        job = vault.job(job_id)
        if job.finished:
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.1)


def test_foreground_run_keeps_a_row_with_progress_and_result(seeded: Seeded):
    ticks: list[int] = []
    with Vault.open(seeded.root) as vault:
        job = vault.run_job("proxy", {"ref": seeded.c}, progress=ticks.append)
        assert job.state == "done" and job.error is None and job.attempt == 1
        assert job.result == {"ref": f"{seeded.c}@v1", "ready": True}
        assert sum(ticks) == 24 and job.done == 24 and job.total == 24 and job.progress == 1.0
        assert job.created_by == vault.user and job.started_at and job.finished_at
        assert vault.playback(seeded.c).ready
        listed = vault.list_jobs()
        assert [j.id for j in listed] == [job.id]
        assert listed[0].to_json()["state"] == "done"
        fsck = vault.run_job("fsck")
        assert fsck.state == "done" and fsck.result["checked_versions"] == 3


def test_bad_input_is_refused_before_anything_is_queued(seeded: Seeded):
    with Vault.open(seeded.root) as vault:
        with pytest.raises(InvalidInputError, match="no job kind 'transcode'"):
            vault.submit_job("transcode", {})
        with pytest.raises(NotFoundError):
            vault.submit_job("compare", {"a": "SH999/video_01", "b": seeded.b})
        with pytest.raises(InvalidInputError, match="needs a take or version reference"):
            vault.submit_job("compare", {"a": seeded.a})
        with pytest.raises(InvalidInputError, match="fsck job does not take deep"):
            vault.submit_job("fsck", {"deep": True})
        with pytest.raises(InvalidInputError, match="needs 'paths'"):
            vault.submit_job("import", {"paths": []})
        with pytest.raises(NotFoundError, match="no job"):
            vault.job("00000000-0000-0000-0000-000000000000")
        assert vault.list_jobs() == []


def test_the_same_derived_file_asked_twice_is_one_job(seeded: Seeded):
    with Vault.open(seeded.root) as vault:
        first = vault.submit_job("compare", {"a": seeded.a, "b": seeded.b})
        again = vault.submit_job("compare", {"a": f"{seeded.a}@v1", "b": "SH010/video_02"})
        assert again.id == first.id and first.state == "queued"
        assert first.args == {"a": f"{seeded.a}@v1", "b": f"{seeded.b}@v1"}


def test_cancel_a_queued_job_and_it_never_runs(seeded: Seeded):
    with Vault.open(seeded.root) as vault:
        job = vault.submit_job("proxy", {"ref": seeded.c})
        cancelled = vault.cancel_job(job.id)
        assert cancelled.state == "cancelled" and "before it started" in cancelled.error
        with pytest.raises(ConflictError, match="already cancelled"):
            vault.cancel_job(job.id)
        assert execute(lambda _p: vault, vault.job_table, job.id) is None
        assert not vault.playback(seeded.c).ready


def test_cancel_a_running_job_keeps_nothing_half_made(seeded: Seeded):
    with Vault.open(seeded.root) as vault:
        seen: list[int] = []

        def someone_cancels(n: int) -> None:
            seen.append(n)
            if len(seen) == 1:
                vault.cancel_job(vault.list_jobs(state="running")[0].id)

        job = vault.run_job("proxy", {"ref": seeded.c}, progress=someone_cancels)
        assert job.state == "cancelled" and "Cancelled while it ran" in job.error
        assert len(seen) < 24  # stopped at the next progress write, not at the end
        proxies = seeded.root / "cache" / "proxies"
        assert not vault.playback(seeded.c).ready
        assert not (proxies.exists() and list(proxies.iterdir()))


def test_job_for_a_take_deleted_meanwhile_fails_in_one_sentence(seeded: Seeded):
    with Vault.open(seeded.root) as vault:
        job = vault.submit_job("compare", {"a": seeded.a, "b": seeded.b})
        vault.delete(seeded.b)
        done = execute(lambda _p: vault, vault.job_table, job.id)
        assert done is not None and done.state == "failed"
        assert done.error == "SEQ01/SH010/video_02 was deleted after this job was asked for; restore it and ask again."
        assert vault.cached_compare(seeded.a, seeded.b) is None


def test_a_dead_workers_job_is_taken_back_and_finished_once(seeded: Seeded, start_worker):
    with Vault.open(seeded.root) as vault:
        job = vault.submit_job("still", {"ref": seeded.a})
        # A worker claims it and dies at once: no heartbeat, no progress, ever.
        dead = vault.job_table.claim(job.id, "dead-host:1")
        assert dead is not None and dead.attempt == 1
        start_worker(seeded.root, TAKEVAULT_JOB_STALE_SECONDS="2")
        done = _wait(vault, job.id)
        assert done.state == "done" and done.attempt == 2 and done.worker != "dead-host:1"
        # The dead worker's late word changes nothing: the job completed once, by the attempt that ran it.
        assert vault.job_table.finish(dead, {"late": True}) is False
        assert vault.job_table.fail(dead, "late") is False
        assert vault.job(job.id).result == {"ref": f"{seeded.a}@v1", "ready": True}


def test_a_job_whose_workers_keep_dying_fails_in_one_sentence(seeded: Seeded):
    with Vault.open(seeded.root) as vault:
        job = vault.submit_job("still", {"ref": seeded.a})
        table = vault.job_table
        for attempt in range(1, 4):
            claimed = table.claim(job.id, f"dead:{attempt}")
            assert claimed is not None and claimed.attempt == attempt
            time.sleep(0.05)
            table.take_back_stale(0.01)
        failed = vault.job(job.id)
        assert failed.state == "failed"
        assert failed.error.startswith("Its worker stopped 3 times while running it;")


def test_worker_cannot_reach_the_store(seaweedfs_target, tmp_path: Path, web_clips, monkeypatch):
    """A worker whose store endpoint refuses gives the job back while attempts remain (another worker may
    reach it), then the last attempt records one sentence; nothing is made."""
    from tests.s3_servers import free_port

    seaweedfs_target.create_bucket()
    root = tmp_path / "v"
    store = f"s3://{seaweedfs_target.bucket}/tv"
    with Vault.init(root, store=store, endpoint_url=seaweedfs_target.endpoint_url) as vault:
        vault.add_shot("SH010")
        take = vault.add(web_clips["a"], shot="SH010")
        job = vault.submit_job("still", {"ref": take.id})
    monkeypatch.setenv("TAKEVAULT_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
    with Vault.open(root) as away:
        states = []
        for _ in range(3):
            done = execute(lambda _p: away, away.job_table, job.id)
            assert done is not None
            states.append(done.state)
        assert states == ["queued", "queued", "failed"]
        assert done.attempt == 3 and done.error and "\n" not in done.error and "reach" in done.error.lower()
        assert not (root / "cache" / "stills").exists() or not list((root / "cache" / "stills").iterdir())
