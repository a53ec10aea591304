"""Notes follow the next version as a `notes_follow` job: queued by the web's replace (which answers
at once), run in the foreground by a library or CLI replace, refused or failed in one sentence."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from takevault.errors import InvalidInputError, NotFoundError
from takevault.jobs.runner import execute
from takevault.vault import Vault
from tests.clips import make_clip
from tests.web.conftest import TestClient

SPEC = {"width": 64, "height": 48, "frames": 48, "scenes": ((0, 1), (20, 2))}


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("follow-job")
    # v2 cuts frames 10-13, so a note on v1 frame 30 lands on v2 frame 26.
    return {"v1": make_clip(d / "v1.mp4", **SPEC), "v2": make_clip(d / "v2.mp4", **SPEC, drop=(10, 14))}


@pytest.fixture
def noted(local_vault: Vault, clips: dict[str, Path]) -> tuple[Vault, str]:
    local_vault.add_shot("SH010")
    take = local_vault.add(clips["v1"], shot="SH010")
    local_vault.add_note(f"{take.id}@v1", "Flicker", at=30)
    return local_vault, take.id


def _follow(client: TestClient, job_id: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["state"] not in ("queued", "running"):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.05)


def test_a_web_replace_queues_the_job_and_the_notes_land_after_it_runs(noted, clips):
    from takevault.web import create_app

    vault, take = noted
    with TestClient(create_app(vault.root)) as client:
        r = client.post(
            f"/api/takes/{take}/replace",
            params={"filename": "v2.mp4"},
            content=clips["v2"].read_bytes(),
            headers={"Content-Type": "application/octet-stream"},
        )
        assert r.status_code == 200, r.text
        job = r.json()["notes_job"]
        assert r.json()["version"] == 2
        assert job["kind"] == "notes_follow" and job["state"] in ("queued", "running")
        assert job["args"]["take"] == take and (job["args"]["from_version"], job["args"]["to_version"]) == (1, 2)
        done = _follow(client, job["id"])
        assert done["state"] == "done", done
        assert done["result"]["carried"] == 1 and done["progress"] == 1.0
        (note,) = client.get(f"/api/takes/{take}/notes", params={"version": 2}).json()
    assert (note["frame_in"], note["follow"], note["text"]) == (26, "unchanged", "Flicker")
    follow = [e for e in vault.events(take=take) if e.action == "notes_follow"]
    assert len(follow) == 1 and follow[0].user == vault.user  # the person who replaced, not the worker


def test_a_web_replace_without_open_notes_queues_nothing(local_vault: Vault, clips):
    from takevault.web import create_app

    local_vault.add_shot("SH010")
    take = local_vault.add(clips["v1"], shot="SH010")
    with TestClient(create_app(local_vault.root)) as client:
        r = client.post(
            f"/api/takes/{take.id}/replace",
            params={"filename": "v2.mp4"},
            content=clips["v2"].read_bytes(),
            headers={"Content-Type": "application/octet-stream"},
        )
        assert r.status_code == 200, r.text
        assert r.json()["notes_job"] is None
        assert client.get("/api/jobs").json() == []


def test_a_library_replace_runs_the_job_here_with_its_row(noted, clips):
    vault, take = noted
    vault.replace(take, clips["v2"])
    (note,) = vault.notes(f"{take}@v2")  # carried before replace returned
    assert note.frame_in == 26
    (job,) = vault.list_jobs()
    assert (job.kind, job.state, job.result["carried"]) == ("notes_follow", "done", 1)
    assert job.worker and job.worker.startswith("foreground:")


def test_a_job_for_a_take_deleted_meanwhile_fails_with_one_sentence(noted, clips):
    vault, take = noted
    vault.replace(take, clips["v2"], carry_notes=False)
    job = vault.submit_job("notes_follow", {"take": take, "from_version": 1, "to_version": 2})
    vault.delete(take)
    done = execute(lambda _project: vault, vault.job_table, job.id)
    assert done is not None and done.state == "failed"
    error = done.error or ""
    assert error.count(". ") == 0 and "was deleted after this job was asked for" in error
    assert vault.notes(f"{take}@v2") == []


@pytest.mark.parametrize(
    ("args", "error", "words"),
    [
        ({}, InvalidInputError, "needs 'take'"),
        ({"take": "SH010/video_09", "from_version": 1, "to_version": 2}, NotFoundError, "video_09"),
        ({"take": "SH010/video_01", "from_version": 1}, InvalidInputError, "needs 'to_version'"),
        ({"take": "SH010/video_01", "from_version": "1", "to_version": 2}, InvalidInputError, "needs 'from_version'"),
        ({"take": "SH010/video_01", "from_version": 1, "to_version": 7}, NotFoundError, "7"),
        ({"take": "SH010/video_01", "from_version": 1, "to_version": 1}, InvalidInputError, "carry them to another"),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_queued(noted, args, error, words):
    vault, _take = noted
    with pytest.raises(error) as info:
        vault.submit_job("notes_follow", args)
    assert words in info.value.message
    assert vault.list_jobs() == []
