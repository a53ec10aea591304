"""The CLI's long commands leave job rows, and `takevault jobs` lists, shows, cancels, retries and prunes them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from takevault.catalog.schema import jobs
from takevault.vault import Vault


def _jobs(cli, *args: str) -> list[dict]:
    code, out, err = cli("jobs", "list", "--json", *args)
    assert code == 0, err
    return json.loads(out)


def _filled(cli, clips: dict[str, Path]) -> None:
    assert cli("shot", "add", "SH010")[0] == 0
    assert cli("add", str(clips["a"]), "--shot", "SH010")[0] == 0
    assert cli("add", str(clips["b"]), "--shot", "SH010")[0] == 0
    assert cli("star", "SH010/video_01")[0] == 0


def test_an_import_leaves_a_row_with_who_when_progress_and_which_file_failed(cli, clips, tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "SH010_take1.mp4").write_bytes(clips["a"].read_bytes())
    (drop / "SH020_bad.mp4").write_text("text")
    code, out, _ = cli("import", str(drop), "--create-shots", "--json")
    assert code != 0 and json.loads(out)["failed"] == 1  # output and exit code as before
    (row,) = _jobs(cli)
    assert row["kind"] == "import" and row["state"] == "done" and row["created_by"]
    assert row["created_at"] and row["finished_at"] and row["done"] == 2
    assert row["args"]["paths"] == [str(drop)] and row["args"]["create_shots"] is True
    failed = [i for i in row["result"]["items"] if i["status"] == "failed"]
    assert len(failed) == 1 and failed[0]["path"].endswith("SH020_bad.mp4")

    code, out, _ = cli("jobs", "show", row["id"][:8], "--json")
    assert code == 0 and json.loads(out)["id"] == row["id"]
    code, out, _ = cli("jobs", "show", row["id"])
    assert code == 0 and "import" in out and "done" in out and row["id"] in out
    code, out, _ = cli("jobs", "list")
    assert code == 0 and row["id"][:8] in out and "foreground" in out


def test_each_long_command_keeps_its_row_and_its_output(cli, clips, tmp_path: Path) -> None:
    _filled(cli, clips)
    code, out, _ = cli("fsck", "--json")
    assert code == 0 and json.loads(out)["ok"] is True
    code, out, _ = cli("png", "validate", "--json")
    assert len(json.loads(out)) == 2
    code, out, err = cli("export", "--to", str(tmp_path / "out"), "--json")
    assert code == 0, err
    assert (tmp_path / "out" / json.loads(out)["files"][0]["file"]).is_file()
    code, out, err = cli("compare", "SH010/video_01", "SH010/video_02", "--out", str(tmp_path / "cmp"), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert (tmp_path / "cmp" / "report.json").is_file()

    rows = {r["kind"]: r for r in _jobs(cli)}
    assert set(rows) == {"fsck", "png_validate", "export", "compare"}
    assert all(r["state"] == "done" and r["worker"].startswith("foreground:") for r in rows.values())
    assert rows["fsck"]["result"]["ok"] is True and rows["fsck"]["args"] == {"repair": False, "idle_seconds": 60.0}
    assert len(rows["png_validate"]["result"]) == 2
    assert rows["export"]["result"]["files"] and rows["export"]["args"]["starred"] is False
    assert rows["compare"]["result"]["segments"] == len(report["segments"])
    assert rows["compare"]["result"]["out"] == str((tmp_path / "cmp").resolve())
    assert rows["compare"]["done"] > 0  # frames decoded, as the progress bar counted them
    assert [r["kind"] for r in _jobs(cli, "--kind", "fsck")] == ["fsck"]
    assert {r["kind"] for r in _jobs(cli, "--state", "done")} == set(rows)
    assert _jobs(cli, "--state", "failed") == []


def test_a_rebuild_of_a_lost_catalog_writes_its_row_in_the_rebuilt_one(cli, clips) -> None:
    _filled(cli, clips)
    code, _, err = cli("catalog", "rebuild")
    assert code == 4 and "not empty" in err  # refused, as before; the refusal is on record
    (refused,) = _jobs(cli, "--kind", "rebuild")
    assert refused["state"] == "failed" and "not empty" in refused["error"]
    for name in ("catalog.db", "catalog.db-wal", "catalog.db-shm"):
        (cli.root / name).unlink(missing_ok=True)
    code, out, err = cli("catalog", "rebuild", "--json")
    assert code == 0, err
    (row,) = _jobs(cli, "--kind", "rebuild")  # the lost catalog's rows went with it
    assert row["state"] == "done" and row["result"]["journal_entries"] == json.loads(out)["journal_entries"]
    code, out, err = cli("catalog", "rebuild", "--force", "--json")
    assert code == 0, err
    forced = _jobs(cli, "--kind", "rebuild")
    assert [r["state"] for r in forced] == ["done", "done"]
    assert forced[0]["args"] == {"force": True} and forced[0]["result"]["kept_aside"]


def test_cancel_and_retry_a_queued_job(cli, clips) -> None:
    _filled(cli, clips)
    with Vault.open(cli.root) as vault:
        job = vault.submit_job("fsck", {})
    code, _, err = cli("jobs", "cancel", job.id[:8])
    assert code == 0 and "Cancelled job" in err
    code, _, err = cli("jobs", "cancel", job.id)
    assert code == 4 and err.startswith("error: ") and "already cancelled" in err
    code, out, err = cli("jobs", "retry", job.id, "--json")
    assert code == 0, err
    again = json.loads(out)
    assert again["id"] != job.id and again["state"] == "queued" and again["kind"] == "fsck"
    code, _, err = cli("jobs", "retry", again["id"])
    assert code == 4 and "is queued; only a failed or cancelled job can be retried" in err
    assert cli("jobs", "cancel", again["id"])[0] == 0
    code, out, err = cli("jobs", "retry", again["id"], "--here", "--json")
    assert code == 0, err
    ran = json.loads(out)
    assert ran["state"] == "done" and ran["result"]["ok"] is True and ran["worker"].startswith("foreground:")
    code, _, err = cli("jobs", "retry", ran["id"])
    assert code == 4 and "is done" in err and len(err.strip().splitlines()) == 1


def test_prune_deletes_old_finished_rows_only(cli, clips) -> None:
    _filled(cli, clips)
    assert cli("fsck")[0] == 0
    assert cli("fsck")[0] == 0
    with Vault.open(cli.root) as vault:
        running = vault.job_table.start(project=vault.project, kind="fsck", args={}, user="ana", worker="w")
        young, old = (r.id for r in vault.job_table.list(kind="fsck", state="done"))  # newest first
        with vault.catalog.write() as conn:
            then = datetime.now(UTC) - timedelta(days=45)
            conn.execute(jobs.update().where(jobs.c.id.in_([old, running.id])).values(finished_at=then))
            conn.execute(jobs.update().where(jobs.c.id == running.id).values(finished_at=None, created_at=then))
    code, out, err = cli("jobs", "prune", "--json")
    assert code == 0, err
    assert json.loads(out) == {"deleted": 1, "older_than_days": 30}
    assert {r["id"] for r in _jobs(cli)} == {young, running.id}
    code, _, err = cli("jobs", "prune", "--older-than", "0")
    assert code == 0 and "Deleted 1 finished job(s)" in err
    assert [r["id"] for r in _jobs(cli)] == [running.id]


@pytest.mark.parametrize(
    ("args", "code", "text"),
    [
        (("jobs", "show", "nothing"), 2, "is not a job id"),
        (("jobs", "show", "0000000"), 2, "is not a job id"),
        (("jobs", "show", "00000000-0000-0000-0000-000000000000"), 3, "There is no job"),
        (("jobs", "cancel", "abcdef12"), 3, "There is no job"),
        (("jobs", "retry", "zz;drop"), 2, "is not a job id"),
        (("jobs", "list", "--state", "stuck"), 2, "no job state 'stuck'"),
        (("jobs", "list", "--kind", "transcode"), 2, "no job kind 'transcode'"),
        (("jobs", "list", "--limit", "0"), 2, "--limit must be at least 1"),
        (("jobs", "prune", "--older-than", "-1"), 2, "0 or more"),
        (("compare", "SH010/video_01", "SH999/video_01"), 3, "SH999"),
        (("export", "--to", "{tmp}/out", "--shot", "SH999"), 3, "SH999"),
        (("import", "{tmp}/nowhere"), 2, "does not exist"),
        (("png", "validate", "SH010/video_09"), 3, "video_09"),
    ],
)
def test_bad_input_is_one_sentence_and_leaves_no_row(cli, clips, tmp_path, args, code, text) -> None:
    _filled(cli, clips)
    got, out, err = cli(*(a.format(tmp=tmp_path) for a in args))
    assert got == code, err
    assert text in err and err.startswith("error: ") and len(err.strip().splitlines()) == 1
    assert out == ""
    assert _jobs(cli) == []


def test_cancelling_a_finished_job_is_refused_in_one_sentence(cli, clips) -> None:
    _filled(cli, clips)
    assert cli("fsck")[0] == 0
    (row,) = _jobs(cli)
    code, out, err = cli("jobs", "cancel", row["id"][:8])
    assert code == 4 and out == "" and len(err.strip().splitlines()) == 1
    assert "already done; there is nothing to cancel" in err


def test_jobs_of_another_project_are_not_shown_or_touched(cli, clips) -> None:
    _filled(cli, clips)
    assert cli("fsck")[0] == 0
    (row,) = _jobs(cli)
    code, out, err = cli("--project", "other", "jobs", "list", "--json")
    assert code == 0 and json.loads(out) == []
    code, _, err = cli("--project", "other", "jobs", "show", row["id"])
    assert code == 3 and "in project other" in err


def test_ctrl_c_during_an_import_leaves_its_row_cancelled_not_running(cli, clips, tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    assert cli("shot", "add", "SH010")[0] == 0
    drop = tmp_path / "drop"
    drop.mkdir()
    for n in range(60):
        (drop / f"take_{n:02d}.mp4").write_bytes(clips["a"].read_bytes())
    src = str(Path(__file__).resolve().parents[2] / "src")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, *sys.path])}
    # Python's own Ctrl+C handler, even when this test runs where SIGINT is ignored (a background job).
    entry = "import signal; signal.signal(signal.SIGINT, signal.default_int_handler); import takevault.__main__"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            entry,
            "--vault",
            str(cli.root),
            "import",
            str(drop),
            "--shot",
            "SH010",
            "--allow-duplicates",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        with Vault.open(cli.root) as vault:
            while not any(j.done for j in vault.job_table.list(state="running")):
                assert proc.poll() is None and time.monotonic() < deadline, "the import ended before Ctrl+C"
                time.sleep(0.05)
        proc.send_signal(signal.SIGINT)  # what Ctrl+C sends
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130 and "Traceback" not in err
    (row,) = _jobs(cli)
    assert row["state"] == "cancelled" and "Ctrl+C" in row["error"] and 0 < row["done"] < 60
