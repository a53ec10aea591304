"""Jobs over HTTP: long work is queued, followed and cancelled; nothing long runs inside a request."""

from __future__ import annotations

import time
from pathlib import Path

from takevault.web import create_app
from tests.web.conftest import Seeded, ServerThread, TestClient, free_port

UNKNOWN = "00000000-0000-4000-8000-000000000000"


def _follow(client: TestClient, job_id: str, timeout: float = 120) -> list[dict]:
    seen = []
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(f"/api/jobs/{job_id}").json()
        seen.append(job)
        if job["state"] not in ("queued", "running"):
            return seen
        assert time.monotonic() < deadline, job
        time.sleep(0.05)


def test_a_job_asked_over_http_is_run_by_the_servers_workers(client: TestClient, seeded: Seeded):
    r = client.post("/api/jobs", json={"kind": "still", "args": {"ref": seeded.a}})
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["state"] == "queued" and job["kind"] == "still" and job["args"] == {"ref": f"{seeded.a}@v1"}
    final = _follow(client, job["id"])[-1]
    assert final["state"] == "done" and final["progress"] == 1.0 and final["result"]["ready"] is True
    assert final["worker"] and final["attempt"] == 1 and final["finished_at"]
    # The still was made by a worker process, not by the request.
    assert list((seeded.root / "cache" / "stills").glob("*.jpg"))
    listed = client.get("/api/jobs").json()
    assert [j["id"] for j in listed] == [job["id"]]
    assert client.get("/api/jobs", params={"state": "failed"}).json() == []


def test_compare_is_queued_and_shows_progress(client: TestClient, seeded: Seeded):
    params = {"a": seeded.a, "b": seeded.b}
    first = client.get("/api/compare", params=params)
    assert first.status_code == 202, first.text
    body = first.json()
    assert body["state"] in ("queued", "running") and body["job"]["kind"] == "compare"
    assert body["job"]["total"] and body["job"]["total"] >= 48
    # Asking again while it runs joins the same job.
    again = client.get("/api/compare", params={"a": f"{seeded.a}@v1", "b": "SH010/video_02"})
    assert again.status_code in (200, 202)
    if again.status_code == 202:
        assert again.json()["job"]["id"] == body["job"]["id"]
    seen = _follow(client, body["job"]["id"])
    assert seen[-1]["state"] == "done"
    fractions = [j["progress"] for j in seen]
    assert fractions == sorted(fractions)  # progress only moves forward
    done = client.get("/api/compare", params=params)
    assert done.status_code == 200 and done.json()["segments"]
    pictures = done.json().get("pictures") or []
    if pictures:
        assert client.get(f"/api/compare/pictures/{pictures[0]}", params=params).status_code == 200


def test_picture_of_a_comparison_not_made_yet_is_404_json(client: TestClient, seeded: Seeded):
    r = client.get("/api/compare/pictures/psnr.png", params={"a": seeded.a, "b": seeded.b})
    assert r.status_code == 404 and "not made yet" in r.json()["error"]
    assert "--" not in r.json()["error"]  # web users are not told CLI flags


def test_cancel_over_http(seeded: Seeded):
    with TestClient(create_app(seeded.root, job_workers=0)) as client:  # no workers: it stays queued
        job = client.post("/api/jobs", json={"kind": "proxy", "args": {"ref": seeded.c}}).json()
        r = client.post(f"/api/jobs/{job['id']}/cancel")
        assert r.status_code == 200 and r.json()["state"] == "cancelled"
        twice = client.post(f"/api/jobs/{job['id']}/cancel")
        assert twice.status_code == 409 and twice.json() == {
            "error": f"The job {job['id']} is already cancelled; there is nothing to cancel."
        }


def test_bad_job_requests_get_one_sentence(client: TestClient, seeded: Seeded):
    unknown_kind = client.post("/api/jobs", json={"kind": "transcode", "args": {}})
    assert unknown_kind.status_code == 422 and "kind" in unknown_kind.json()["error"]
    bad_args = client.post("/api/jobs", json={"kind": "fsck", "args": {"deep": True}})
    assert bad_args.status_code == 400 and bad_args.json() == {
        "error": "An fsck job does not take deep; use repair, idle_seconds."
    }
    missing_take = client.post("/api/jobs", json={"kind": "still", "args": {"ref": "SH999/video_01"}})
    assert missing_take.status_code == 404 and missing_take.json()["error"]
    assert client.get(f"/api/jobs/{UNKNOWN}").status_code == 404
    assert client.post(f"/api/jobs/{UNKNOWN}/cancel").json()["error"].startswith("There is no job")
    assert client.get("/api/jobs/not-a-uuid").status_code == 422
    assert client.get("/api/jobs").json() == []


def test_jobs_are_documented_in_openapi(client: TestClient):
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert {"JobOut", "JobIn", "ErrorOut", "CompareQueued"} <= set(schemas)
    compare = spec["paths"]["/api/compare"]["get"]["responses"]
    assert "202" in compare and "404" in compare
    submit = spec["paths"]["/api/jobs"]["post"]["responses"]
    assert submit["400"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")


def test_a_real_server_stops_its_workers(seeded: Seeded):
    import os

    app = create_app(seeded.root)
    with ServerThread(app, free_port()) as server:
        import httpx

        r = httpx.post(f"{server.url}/api/jobs", json={"kind": "still", "args": {"ref": seeded.b}})
        assert r.status_code == 202
        pids = app.state.jobs.pool.pids
        assert 1 <= len(pids) <= 2
        deadline = time.monotonic() + 60
        while httpx.get(f"{server.url}/api/jobs/{r.json()['id']}").json()["state"] != "done":
            assert time.monotonic() < deadline
            time.sleep(0.1)
    for pid in pids:
        deadline = time.monotonic() + 10
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                break
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()


def test_many_concurrent_requests_share_one_engine_and_one_store_client(seeded: Seeded):
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    app = create_app(seeded.root, job_workers=0)
    with ServerThread(app, free_port()) as server, httpx.Client(base_url=server.url, timeout=30) as http:

        def one(i: int) -> int:
            return http.get("/api/takes", params={"limit": 50, "search": "" if i % 2 else "fox"}).status_code

        with ThreadPoolExecutor(20) as pool:
            codes = list(pool.map(one, range(200)))
        assert set(codes) == {200}
        web = app.state.web
        pooled = list(web._idle.values())
        assert pooled and web._parts is not None
        catalog, store = web._parts
        assert all(v.catalog is catalog and v.store is store for v in pooled)
        assert len({id(v.catalog.engine) for v in pooled}) == 1


def test_serve_refuses_zero_server_processes(seeded: Seeded, capsys):
    from takevault.cli.app import main

    assert main(["--vault", str(seeded.root), "serve", "--workers", "0"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith("--workers 0 would start no server; give 1 or more server processes (the default is 1).")
    assert len(err.splitlines()) == 1
    assert main(["--vault", str(seeded.root), "serve", "--job-workers", "99"]) == 2


def test_serve_with_two_server_processes_runs_jobs_in_their_pools(seeded: Seeded):
    import subprocess
    import sys

    import httpx

    from tests.jobs.conftest import worker_env

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "takevault",
            "--vault",
            str(seeded.root),
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
            "--job-workers",
            "1",
        ],
        env=worker_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stderr.read()
            try:
                if httpx.get(f"{url}/api/projects", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline
            time.sleep(0.2)
        job = httpx.post(f"{url}/api/jobs", json={"kind": "still", "args": {"ref": seeded.c}}).json()
        deadline = time.monotonic() + 60
        while (state := httpx.get(f"{url}/api/jobs/{job['id']}").json())["state"] in ("queued", "running"):
            assert time.monotonic() < deadline, state
            time.sleep(0.1)
        assert state["state"] == "done", state
        codes = {httpx.get(f"{url}/api/takes", params={"limit": 2}).status_code for _ in range(10)}
        assert codes == {200}
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        proc.stdout.close()
        proc.stderr.close()
