"""Foreground runs keep an honest row (done, failed, cancelled by Ctrl+C or from elsewhere); old rows are pruned."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from takevault.catalog.schema import jobs
from takevault.errors import ConflictError, InvalidInputError, NotFoundError
from takevault.jobs.foreground import run_here
from takevault.jobs.prune import Pruner, prune
from takevault.vault import Vault
from tests.web.conftest import Seeded


def test_a_foreground_run_returns_the_use_cases_value_and_keeps_a_row(seeded: Seeded, tmp_path: Path):
    bad = tmp_path / "SH010_not_a_video.mp4"
    bad.write_text("text, not a video")
    with Vault.open(seeded.root) as vault:
        seen: list[int] = []
        report = run_here(vault, "import", {"paths": [str(bad)]}, progress=seen.append)
        assert report.failed and report.items[0].status == "failed"  # the ImportReport itself, as the CLI renders
        (row,) = vault.list_jobs()
        assert row.state == "done" and row.kind == "import" and row.worker.startswith("foreground:")
        assert row.result["failed"] == 1 and row.created_by == vault.user and row.finished_at >= row.started_at
        assert sum(seen) == row.done == 1


def test_a_foreground_error_is_recorded_then_raised_as_the_use_case_raised_it(seeded: Seeded):
    with Vault.open(seeded.root) as vault:
        with pytest.raises(ConflictError, match="not empty"):
            run_here(vault, "rebuild", {})
        (row,) = vault.list_jobs()
        assert row.state == "failed" and "not empty" in row.error and row.attempt == 1


def test_bad_arguments_of_a_foreground_run_leave_no_row(seeded: Seeded):
    with Vault.open(seeded.root) as vault:
        with pytest.raises(InvalidInputError, match="does not exist; check the path"):
            run_here(vault, "import", {"paths": [str(seeded.root / "nowhere.mp4")]})  # refused by the use case
        with pytest.raises(NotFoundError):
            run_here(vault, "compare", {"a": "SH999/video_01", "b": seeded.b, "out": None, "video": False})
        with pytest.raises(InvalidInputError, match="needs a folder"):
            run_here(vault, "compare", {"a": seeded.a, "b": seeded.b, "out": None, "video": True})
        with pytest.raises(InvalidInputError, match="does not exist"):
            run_here(vault, "compare", {"a": "gone.mp4", "b": seeded.b, "out": None, "video": False})
        with pytest.raises(InvalidInputError, match="'repair' is true or false"):
            run_here(vault, "fsck", {"repair": "yes"})
        with pytest.raises(InvalidInputError, match="ISO 8601"):
            run_here(vault, "export", {"dest": str(seeded.root / "out"), "as_of": "last tuesday"})
        assert vault.list_jobs() == []


def test_ctrl_c_in_a_foreground_run_marks_its_row_cancelled(seeded: Seeded, tmp_path: Path):
    def ctrl_c(_n: int) -> None:
        raise KeyboardInterrupt  # what Python raises in the main thread when Ctrl+C arrives mid-work

    with Vault.open(seeded.root) as vault:
        with pytest.raises(KeyboardInterrupt):
            run_here(vault, "export", {"dest": str(tmp_path / "out"), "starred": False}, progress=ctrl_c)
        (row,) = vault.list_jobs()
        assert row.state == "cancelled" and "Ctrl+C" in row.error and row.finished_at is not None


def test_cancel_from_elsewhere_stops_a_foreground_run_in_one_sentence(seeded: Seeded, tmp_path: Path):
    with Vault.open(seeded.root) as vault, Vault.open(seeded.root) as other:

        def someone_cancels(_n: int) -> None:
            running = other.list_jobs(state="running")
            if running:
                other.cancel_job(running[0].id)
            time.sleep(0.3)  # past the progress write interval: the next tick sees the request

        with pytest.raises(ConflictError, match="was cancelled while it ran; run the command again"):
            run_here(vault, "export", {"dest": str(tmp_path / "out"), "starred": False}, progress=someone_cancels)
        (row,) = vault.list_jobs()
        assert row.state == "cancelled"


def test_a_foreground_row_is_never_taken_by_a_worker(seeded: Seeded, tmp_path: Path):
    with Vault.open(seeded.root) as vault:
        taken: list[str | None] = []

        def look(_n: int) -> None:
            taken.append(vault.job_table.next_queued())

        run_here(vault, "export", {"dest": str(tmp_path / "out"), "starred": False}, progress=look)
        assert taken and taken == [None] * len(taken)


def test_a_killed_foreground_runs_row_can_be_cancelled(seeded: Seeded):
    with Vault.open(seeded.root) as vault:
        table = vault.job_table
        job = table.start(project=vault.project, kind="fsck", args={}, user="ana", worker="foreground:gone:1:1")
        with vault.catalog.write() as conn:
            conn.execute(jobs.update().values(heartbeat_at=datetime.now(UTC) - timedelta(minutes=5)))
        assert table.cancel(job.id).state == "running"  # without a staleness limit: only asked to stop
        ended = table.cancel(job.id, stale_after=60)
        assert ended.state == "cancelled" and "stopped showing signs of life" in ended.error


# -- pruning -------------------------------------------------------------------------
def _rows(vault: Vault) -> dict[str, tuple[str, int]]:
    """One row per state, each ended (or asked for) 40 days ago, plus a done one from yesterday."""
    table = vault.job_table
    made: dict[str, tuple[str, int]] = {}
    for name, days, end in (
        ("old_done", 40, "done"),
        ("old_failed", 40, "failed"),
        ("old_cancelled", 40, "cancelled"),
        ("old_running", 40, None),
        ("new_done", 1, "done"),
    ):
        job = table.start(project=vault.project, kind="fsck", args={}, user="ana", worker="w")
        if end == "done":
            table.finish(job, {})
        elif end == "failed":
            table.fail(job, "it broke")
        elif end == "cancelled":
            table.cancelled(job)
        made[name] = (job.id, days)
    queued, _ = table.create(project=vault.project, kind="fsck", args={}, user="ana")
    made["old_queued"] = (queued.id, 40)
    with vault.catalog.write() as conn:
        for job_id, days in made.values():
            then = datetime.now(UTC) - timedelta(days=days)
            conn.execute(
                jobs.update()
                .where(jobs.c.id == job_id)
                .values(
                    created_at=then,
                    finished_at=sa.case((jobs.c.finished_at.is_(None), None), else_=then),
                    heartbeat_at=then,
                )
            )
    return made


def _left(vault: Vault, made: dict[str, tuple[str, int]]) -> set[str]:
    ids = {j.id for j in vault.job_table.list(limit=1000)}
    return {name for name, (job_id, _days) in made.items() if job_id in ids}


def _prunes_only_old_finished_rows(vault: Vault) -> None:
    made = _rows(vault)
    assert prune(vault.job_table, 30) == 3
    assert _left(vault, made) == {"old_running", "old_queued", "new_done"}
    assert prune(vault.job_table, 0) == 1  # 0 days: every finished row, still never a live one
    assert _left(vault, made) == {"old_running", "old_queued"}
    with pytest.raises(InvalidInputError, match="0 days or more"):
        prune(vault.job_table, -1)


def test_prune_deletes_only_old_finished_rows_on_sqlite(seeded: Seeded):
    with Vault.open(seeded.root) as vault:
        _prunes_only_old_finished_rows(vault)


@pytest.mark.postgres
def test_prune_deletes_only_old_finished_rows_on_postgres(tmp_path: Path, pg_url: str):
    with Vault.init(tmp_path / "vault", catalog=pg_url) as vault:
        _prunes_only_old_finished_rows(vault)


def test_a_workers_pruner_acts_at_most_once_an_hour(seeded: Seeded):
    with Vault.open(seeded.root) as vault:
        pruner = Pruner(vault.job_table, vault.config)
        made = _rows(vault)
        assert pruner() == 3  # its first round prunes: a worker may not live an hour
        with vault.catalog.write() as conn:
            conn.execute(jobs.update().values(finished_at=datetime.now(UTC) - timedelta(days=90)))
        assert pruner() == 0 and "new_done" in _left(vault, made)  # not again within the hour
        pruner.last = time.monotonic() - 3601
        assert pruner() == 1 and _left(vault, made) == {"old_running", "old_queued"}


def test_keep_days_zero_turns_the_workers_pruning_off(seeded: Seeded):
    with Vault.open(seeded.root) as vault:
        vault.config.values["jobs.keep_days"] = 0
        made = _rows(vault)
        assert Pruner(vault.job_table, vault.config)() == 0
        assert len(_left(vault, made)) == len(made)


def test_a_running_worker_prunes_old_finished_rows(seeded: Seeded, start_worker):
    with Vault.open(seeded.root) as vault:
        made = _rows(vault)
        start_worker(seeded.root, TAKEVAULT_JOB_KEEP_DAYS="30")
        deadline = time.monotonic() + 60
        while _left(vault, made) != {"old_running", "old_queued", "new_done"}:
            assert time.monotonic() < deadline, _left(vault, made)
            time.sleep(0.2)


def test_two_threads_of_foreground_runs_keep_one_row_each(seeded: Seeded, tmp_path: Path):
    errors: list[BaseException] = []

    def one(n: int) -> None:
        try:
            with Vault.open(seeded.root) as vault:
                run_here(vault, "png_validate", {"refs": None})
        except BaseException as exc:  # noqa: BLE001 - reported by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    with Vault.open(seeded.root) as vault:
        rows = vault.job_table.list(kind="png_validate")
        assert [r.state for r in rows] == ["done", "done"] and len({r.id for r in rows}) == 2
        assert len(rows[0].result) == 3
