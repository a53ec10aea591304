"""The JSON API in process: every route, and every bad input a user or a script can send."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from pathlib import Path

import pytest

from takevault.web import create_app
from tests.web.conftest import Seeded, TestClient

OCTET = {"Content-Type": "application/octet-stream"}


def upload(client: TestClient, url: str, path: Path, name: str | None = None, **params):
    return client.post(
        url,
        params={"filename": name or path.name, **params},
        content=path.read_bytes(),
        headers={"Content-Type": "application/octet-stream"},
    )


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- listing --------------------------------------------------------------------------------------
def test_info_sections_shots(client: TestClient):
    info = client.get("/api/info").json()
    assert info["project"] == "main" and info["token_required"] is False
    assert info["max_upload_bytes"] == 20480 * 1024 * 1024
    assert [s["code"] for s in client.get("/api/sections").json()] == ["SEQ01"]
    shots = client.get("/api/shots").json()
    assert [(s["section"], s["code"], s["takes"]) for s in shots] == [("SEQ01", "SH010", 2), ("SEQ01", "SH020", 1)]
    assert client.get("/api/shots", params={"section": "SEQ01"}).json() == shots


def test_projects_for_the_header_picker(client: TestClient, seeded: Seeded):
    from takevault.vault import Vault

    with Vault.open(seeded.root, project="trailer") as other:
        other.add_section("TR01", name="Teaser")
    assert [p["name"] for p in client.get("/api/projects").json()] == ["main", "trailer"]
    assert [s["code"] for s in client.get("/api/sections", params={"project": "trailer"}).json()] == ["TR01"]
    assert [s["code"] for s in client.get("/api/sections").json()] == ["SEQ01"]


def test_takes_in_order_and_filters(client: TestClient, seeded: Seeded):
    takes = client.get("/api/takes").json()
    assert [t["ref"] for t in takes] == ["SEQ01/SH010/video_01", "SEQ01/SH010/video_02", "SEQ01/SH020/video_01"]
    assert [t["id"] for t in client.get("/api/takes", params={"kind": "edit"}).json()] == [seeded.b]
    assert [t["id"] for t in client.get("/api/takes", params={"shot": "SH020"}).json()] == [seeded.c]
    assert [t["id"] for t in client.get("/api/takes", params={"search": "first pass"}).json()] == [seeded.a]
    assert client.get("/api/takes", params={"starred": "true"}).json() == []
    client.patch(f"/api/takes/{seeded.b}", json={"rating": 4})
    assert [t["id"] for t in client.get("/api/takes", params={"min_rating": 3}).json()] == [seeded.b]
    bad = client.get("/api/takes", params={"min_rating": 9})
    assert bad.status_code == 422 and "min_rating" in bad.json()["error"]
    assert client.get("/api/takes", params={"deleted": "maybe"}).status_code == 422


def test_show_take_and_bad_references(client: TestClient, seeded: Seeded):
    take = client.get(f"/api/takes/{seeded.a}").json()
    assert take["ref"] == "SEQ01/SH010/video_01" and take["versions"] == 1 and take["media"]["width"] == 64
    unknown = client.get("/api/takes/00000000-0000-4000-8000-000000000000")
    assert unknown.status_code == 404 and unknown.json()["error"]
    bad = client.get("/api/takes/not a ref!")
    assert bad.status_code == 400 and "reference" in bad.json()["error"]


# -- adding and replacing -------------------------------------------------------------------------
def test_add_take_by_upload(client: TestClient, seeded: Seeded, web_clips):
    r = upload(client, "/api/shots/SEQ01/SH020/takes", web_clips["d"], kind="final", note="<script>x</script>")
    assert r.status_code == 201, r.text
    take = r.json()
    assert take["ref"] == "SEQ01/SH020/video_02" and take["kind"] == "final"
    assert take["note"] == "<script>x</script>"  # stored as text; the pages only ever show it as text
    history = client.get(f"/api/takes/{take['id']}/history").json()
    assert history[0]["original_name"] == "SH020_d.mp4"
    assert history[0]["sha256"] == sha(web_clips["d"].read_bytes())
    assert not any((seeded.root / "cache" / "uploads").iterdir())


def test_upload_name_cannot_climb(client: TestClient, web_clips):
    r = upload(client, "/api/shots/SH020/takes", web_clips["d"], name="../../../etc/SH020_d.mp4")
    assert r.status_code == 201, r.text
    history = client.get(f"/api/takes/{r.json()['id']}/history").json()
    assert history[0]["original_name"] == "SH020_d.mp4"


def test_add_to_unknown_shot(client: TestClient, web_clips):
    r = upload(client, "/api/shots/SH999/takes", web_clips["d"])
    assert r.status_code == 404 and "SH999" in r.json()["error"]


def test_non_video_upload_is_refused_and_nothing_stored(client: TestClient, seeded: Seeded, tmp_path: Path):
    text = tmp_path / "notes.mp4"
    text.write_text("this is not a video\n" * 50)
    before = client.get("/api/takes").json()
    r = upload(client, "/api/shots/SH010/takes", text)
    assert r.status_code == 415
    assert "not a video" in r.json()["error"]
    assert client.get("/api/takes").json() == before
    assert not any((seeded.root / "cache" / "uploads").iterdir())
    store_files = {p for p in (seeded.root / "store").rglob("*") if p.is_file()}
    r = upload(client, "/api/shots/SH010/takes", text)
    assert {p for p in (seeded.root / "store").rglob("*") if p.is_file()} == store_files


def test_empty_and_nameless_uploads(client: TestClient):
    r = client.post("/api/shots/SH010/takes", params={"filename": "x.mp4"}, content=b"", headers=OCTET)
    assert r.status_code == 400 and "empty" in r.json()["error"]
    r = client.post("/api/shots/SH010/takes", content=b"1234")
    assert r.status_code == 422 and "filename" in r.json()["error"]
    r = client.post("/api/shots/SH010/takes", params={"filename": "../.."}, content=b"1234")
    assert r.status_code == 400


def test_oversize_upload_refused_by_content_length(seeded: Seeded, web_clips):
    with TestClient(create_app(seeded.root, max_upload_mb=1)) as client:
        r = client.post(
            "/api/shots/SH010/takes", params={"filename": "big.mp4"}, content=b"\0" * (1024 * 1024 + 1), headers=OCTET
        )
        assert r.status_code == 413 and "web.max_upload_mb" in r.json()["error"]
        assert client.get("/api/info").json()["max_upload_bytes"] == 1024 * 1024
        uploads = seeded.root / "cache" / "uploads"
        assert not uploads.exists() or not any(uploads.iterdir())


def test_oversize_upload_refused_while_streaming(seeded: Seeded):
    """A client that declares no Content-Length (chunked) is cut off as soon as the count passes the limit."""
    app = create_app(seeded.root, max_upload_mb=1)
    taken = 0
    sent: list[dict] = []

    async def receive():
        nonlocal taken
        taken += 1
        if taken > 64:
            return {"type": "http.disconnect"}
        return {"type": "http.request", "body": b"\0" * (64 * 1024), "more_body": True}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/shots/SH010/takes",
        "raw_path": b"/api/shots/SH010/takes",
        "query_string": b"filename=big.mp4",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/octet-stream"),
            (b"transfer-encoding", b"chunked"),
        ],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
        "root_path": "",
    }
    asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == 413
    assert taken <= 17  # 1 MiB is 16 chunks of 64 KiB: refused at the first byte over, not at the end
    assert "web.max_upload_mb" in json.loads(b"".join(m.get("body", b"") for m in sent[1:]))["error"]
    assert not any((seeded.root / "cache" / "uploads").iterdir())
    app.state.web.close()


def test_replace_history_download_and_revert(client: TestClient, seeded: Seeded, web_clips):
    r = upload(client, f"/api/takes/{seeded.a}/replace", web_clips["e"])
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 2 and r.json()["versions"] == 2
    history = client.get(f"/api/takes/{seeded.a}/history").json()
    assert [v["version"] for v in history] == [2, 1]
    assert all(v["created_by"] and v["created_at"] and v["size"] and len(v["sha256"]) == 64 for v in history)
    old = client.get(f"/api/media/{seeded.a}/1/download")
    assert old.status_code == 200 and old.content == web_clips["a"].read_bytes()
    assert 'filename="SH010_a.mp4"' in old.headers["content-disposition"]
    r = client.post(f"/api/takes/{seeded.a}/revert", json={"to_version": 1})
    assert r.status_code == 200 and r.json()["version"] == 3 and r.json()["sha256"] == sha(web_clips["a"].read_bytes())
    assert client.post(f"/api/takes/{seeded.a}/revert", json={"to_version": 0}).status_code == 422
    assert client.post(f"/api/takes/{seeded.a}/revert", json={"to_version": 99}).status_code == 404
    assert upload(client, "/api/takes/00000000-0000-4000-8000-000000000000/replace", web_clips["d"]).status_code == 404


# -- changing takes -------------------------------------------------------------------------------
def test_star_moves_and_unstar(client: TestClient, seeded: Seeded):
    assert client.post(f"/api/takes/{seeded.a}/star").json()["starred"] is True
    assert client.post(f"/api/takes/{seeded.b}/star").json()["starred"] is True
    starred = client.get("/api/takes", params={"starred": "true"}).json()
    assert [t["id"] for t in starred] == [seeded.b]
    shot = client.delete("/api/shots/SEQ01/SH010/star").json()
    assert shot["starred_take_id"] is None
    assert client.get("/api/takes", params={"starred": "true"}).json() == []
    assert client.delete("/api/shots/SH999/star").status_code == 404


def test_set_note_rating_status_tags(client: TestClient, seeded: Seeded):
    r = client.patch(
        f"/api/takes/{seeded.a}",
        json={"note": "<img src=x onerror=alert(1)>", "rating": 5, "status": "approved", "tags": ["hero", "night"]},
    )
    assert r.status_code == 200
    take = r.json()
    assert (take["note"], take["rating"], take["status"], take["tags"]) == (
        "<img src=x onerror=alert(1)>",
        5,
        "approved",
        ["hero", "night"],
    )
    assert client.patch(f"/api/takes/{seeded.a}", json={"rating": 6}).status_code == 422
    assert (
        client.patch(
            f"/api/takes/{seeded.a}", content=b"{not json", headers={"content-type": "application/json"}
        ).status_code
        == 422
    )


def test_delete_restore_and_events(client: TestClient, seeded: Seeded):
    assert client.delete(f"/api/takes/{seeded.b}").json()["deleted"] is True
    assert seeded.b not in [t["id"] for t in client.get("/api/takes").json()]
    assert [t["id"] for t in client.get("/api/takes", params={"deleted": "deleted"}).json()] == [seeded.b]
    assert len(client.get("/api/takes", params={"deleted": "all"}).json()) == 3
    assert client.delete(f"/api/takes/{seeded.b}").status_code in (404, 409)
    assert client.post(f"/api/takes/{seeded.b}/restore").json()["deleted"] is False
    actions = [e["action"] for e in client.get(f"/api/takes/{seeded.b}/events").json()]
    assert actions[-2:] == ["delete", "restore"]


def test_sections_and_shots_can_be_added(client: TestClient):
    assert client.post("/api/sections", json={"code": "SEQ02", "name": "End"}).status_code == 201
    r = client.post("/api/shots", json={"code": "SH100", "section": "SEQ02"})
    assert r.status_code == 201 and r.json()["section"] == "SEQ02"
    assert client.post("/api/shots", json={"code": "SH100", "section": "SEQ02"}).status_code == 409
    assert client.post("/api/shots", json={"code": ""}).status_code == 422
    assert client.post("/api/shots", json={"code": "SH200", "section": "NOPE"}).status_code == 404


# -- media ----------------------------------------------------------------------------------------
def test_media_answers_range_requests(client: TestClient, seeded: Seeded, web_clips):
    data = web_clips["a"].read_bytes()
    full = client.get(f"/api/media/{seeded.a}/1/file")
    assert full.status_code == 200 and full.content == data and full.headers["accept-ranges"] == "bytes"
    part = client.get(f"/api/media/{seeded.a}/1/file", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == data[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(data)}"
    tail = client.get(f"/api/media/{seeded.a}/1/play", headers={"Range": "bytes=-50"})
    assert tail.status_code == 206 and tail.content == data[-50:] and tail.headers["content-type"] == "video/mp4"
    bad = client.get(f"/api/media/{seeded.a}/1/file", headers={"Range": f"bytes={len(data) + 10}-"})
    assert bad.status_code == 416


@pytest.mark.parametrize(
    "path",
    [
        "/api/media/../../takevault.toml",
        "/api/media/..%2F..%2Ftakevault.toml/1/file",
        "/api/media/%2e%2e/%2e%2e/file",
        "/api/media/..%252F..%252Fcatalog.db/1/file",
        "/api/media/SEQ01%2FSH010%2Fvideo_01/1/file",
        "/api/media/00000000-0000-4000-8000-000000000000/1/..%2F..%2F..%2Ftakevault.toml",
        "/api/media/00000000-0000-4000-8000-000000000000/0/file",
        "/api/media/00000000-0000-4000-8000-000000000000/-1/file",
        "/static/..%2F..%2F..%2Fconfig.py",
        "/static/../app.py",
    ],
)
def test_media_routes_cannot_leave_the_vault(client: TestClient, path: str):
    r = client.get(path)
    assert r.status_code in (400, 404, 422), (path, r.status_code)
    assert (b"[project]" not in r.content and b"catalog" not in r.content[:200].lower()) or r.status_code != 200


def test_unknown_take_version_media(client: TestClient, seeded: Seeded):
    r = client.get("/api/media/00000000-0000-4000-8000-000000000000/1/file")
    assert r.status_code == 404 and r.json()["error"]
    assert client.get(f"/api/media/{seeded.a}/7/file").status_code == 404
    assert client.get(f"/api/media/{seeded.a}/7/still").status_code == 404


def test_still_and_workflow_png(client: TestClient, seeded: Seeded):
    still = client.get(f"/api/media/{seeded.a}/1/still")
    assert (
        still.status_code == 200 and still.headers["content-type"] == "image/jpeg" and still.content[:2] == b"\xff\xd8"
    )
    png = client.get(f"/api/media/{seeded.a}/1/png")
    assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    dl = client.get(f"/api/media/{seeded.a}/1/png", params={"download": "true"})
    assert dl.headers["content-disposition"].startswith("attachment;")
    assert (seeded.root / "cache" / "stills").is_dir()


def test_proxy_for_what_browsers_cannot_play(client: TestClient, seeded: Seeded):
    info = client.get(f"/api/media/{seeded.c}/1/playback").json()
    assert info["needs_proxy"] is True and info["ready"] is False and info["frames"] == 24
    not_yet = client.get(f"/api/media/{seeded.c}/1/play")
    assert not_yet.status_code == 404 and "proxy" in not_yet.json()["error"]
    job = client.post(f"/api/media/{seeded.c}/1/proxy").json()
    assert job["state"] in ("running", "ready") and job["total"] == 24
    deadline = time.monotonic() + 30
    while not info["ready"]:
        assert time.monotonic() < deadline, info
        time.sleep(0.05)
        info = client.get(f"/api/media/{seeded.c}/1/playback").json()
    play = client.get(f"/api/media/{seeded.c}/1/play", headers={"Range": "bytes=0-15"})
    assert play.status_code == 206 and play.headers["content-type"] == "video/mp4" and b"ftyp" in play.content
    from takevault.media.probe import probe

    proxies = list((seeded.root / "cache" / "proxies").glob("*.mp4"))
    assert len(proxies) == 1 and probe(proxies[0]).codec == "h264" and probe(proxies[0]).frames == 24
    # Sound ends with the picture: a browser's <video>.duration spans the longest track.
    import av

    with av.open(str(proxies[0])) as proxy:
        audio = proxy.streams.audio[0]
        assert abs(float(audio.duration * audio.time_base) - 1.0) < 0.05
        assert abs(proxy.duration / av.time_base - 1.0) < 0.05
    assert client.post(f"/api/media/{seeded.c}/1/proxy").json()["state"] == "ready"
    # A browser-playable take never gets one.
    assert client.get(f"/api/media/{seeded.a}/1/playback").json()["needs_proxy"] is False


# -- review -------------------------------------------------------------------------------------
def test_diff_params(client: TestClient, seeded: Seeded):
    r = client.get("/api/diff-params", params={"a": seeded.a, "b": "SH010/video_02"})
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["same"] is False and "dusk" in d["prompt"]["added"] and "dawn" in d["prompt"]["removed"]
    assert client.get("/api/diff-params", params={"a": seeded.a}).status_code == 422
    assert client.get("/api/diff-params", params={"a": seeded.a, "b": "SH999/video_01"}).status_code == 404


@pytest.mark.slow
def test_compare_report_and_pictures(client: TestClient, seeded: Seeded):
    r = client.get("/api/compare", params={"a": f"{seeded.a}@v1", "b": seeded.b})
    assert r.status_code == 202, r.text  # made by a worker, never inside the request
    job_id = r.json()["job"]["id"]
    deadline = time.monotonic() + 120
    while client.get(f"/api/jobs/{job_id}").json()["state"] in ("queued", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert client.get(f"/api/jobs/{job_id}").json()["state"] == "done"
    r = client.get("/api/compare", params={"a": f"{seeded.a}@v1", "b": seeded.b})
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["metrics"]["frames"] and report["segments"]
    again = client.get("/api/compare", params={"a": f"{seeded.a}@v1", "b": seeded.b})
    assert again.json() == report  # cached by the two versions' sha256
    for name in report.get("pictures") or []:
        pic = client.get(f"/api/compare/pictures/{name}", params={"a": f"{seeded.a}@v1", "b": seeded.b})
        assert pic.status_code == 200 and pic.content
    sneaky = client.get("/api/compare/pictures/report.json", params={"a": seeded.a, "b": seeded.b})
    assert sneaky.status_code == 404
    assert client.get("/api/compare/pictures/..%2Freport.json", params={"a": seeded.a, "b": seeded.b}).status_code in (
        404,
        422,
    )
    assert client.get("/api/compare", params={"a": "bad ref", "b": seeded.b}).status_code == 400


# -- access token ---------------------------------------------------------------------------------
def test_token_required_on_every_api_request(seeded: Seeded):
    with TestClient(create_app(seeded.root, token="s3cret")) as client:
        missing = client.get("/api/takes")
        assert missing.status_code == 401 and "token" in missing.json()["error"]
        wrong = client.get("/api/takes", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and "wrong" in wrong.json()["error"]
        ok = client.get("/api/takes", headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200 and len(ok.json()) == 3
        assert client.get(f"/api/media/{seeded.a}/1/file").status_code == 401
        assert client.post(f"/api/takes/{seeded.a}/star").status_code == 401
        # Pages, static files and docs hold no data and load without it.
        assert client.get("/").status_code == 200
        assert client.get("/static/js/api.js").status_code == 200
        assert client.get("/openapi.json").status_code == 200
        # The page trades the token for a cookie that media elements send.
        assert client.post("/api/session", json={"token": "nope"}).status_code == 401
        session = client.post("/api/session", json={"token": "s3cret"})
        assert session.status_code == 200 and "httponly" in session.headers["set-cookie"].lower()
        assert "samesite=strict" in session.headers["set-cookie"].lower()
        assert client.get(f"/api/media/{seeded.a}/1/file").status_code == 200
        # …for reading only: a change needs the header, so no other site can make one.
        assert client.post(f"/api/takes/{seeded.a}/star").status_code == 401
        assert client.post(f"/api/takes/{seeded.a}/star", headers={"Authorization": "Bearer s3cret"}).status_code == 200


def test_token_from_config(tmp_path: Path, web_clips):
    from tests.web.conftest import seed_vault

    seeded = seed_vault(tmp_path / "v", web_clips)
    toml = seeded.root / "takevault.toml"
    toml.write_text(toml.read_text() + '\n[web]\ntoken = "from-config"\nmax_upload_mb = 3\n')
    with TestClient(create_app(seeded.root)) as client:
        assert client.get("/api/info").status_code == 401
        info = client.get("/api/info", headers={"Authorization": "Bearer from-config"}).json()
        assert info["token_required"] is True and info["max_upload_bytes"] == 3 * 1024 * 1024


# -- the app itself ---------------------------------------------------------------------------------
def test_pages_openapi_and_unknown_routes(client: TestClient):
    page = client.get("/compare?items=x")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "script-src 'self'" in page.headers["content-security-policy"]
    spec = client.get("/openapi.json").json()
    for path in ("/api/takes", "/api/shots/{shot}/takes", "/api/media/{take_id}/{version}/play", "/api/compare"):
        assert path in spec["paths"]
    assert client.get("/docs").status_code == 200
    missing = client.get("/api/nothing")
    assert missing.status_code == 404 and missing.json()["error"].startswith("There is no /api/nothing")
    assert client.put("/api/takes").status_code == 405


def test_pages_never_put_user_text_into_markup():
    """User text reaches the page only through textContent: no innerHTML/outerHTML/insertAdjacentHTML."""
    static = Path(__file__).resolve().parents[2] / "src" / "takevault" / "web" / "static"
    for js in static.rglob("*.js"):
        text = js.read_text()
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in text, f"{js.name} uses {sink}"


def test_missing_vault_is_a_clear_error(tmp_path: Path):
    from takevault.errors import ConfigError

    with pytest.raises(ConfigError, match="not a takevault vault"):
        create_app(tmp_path / "nowhere")


# -- workflow PNG of a take version -----------------------------------------------------------------
def test_upload_pair_gives_one_take_with_its_companion_png(client: TestClient, seeded: Seeded, tmp_path: Path):
    from tests.clips import make_clip
    from tests.media.workflows import comfy_png

    video = make_clip(tmp_path / "gen_00001.mp4", frames=6, scenes=((0, 21),))
    png = comfy_png(tmp_path / "gen_00001.png", seed=31337)
    take = upload(client, "/api/shots/SH020/takes", video).json()
    assert take["png_status"] == "thumbnail_only"
    r = upload(client, f"/api/takes/{take['id']}/versions/{take['version']}/png", png)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "present" and r.json()["ref"] == f"{take['ref']}@v1"
    assert client.get(f"/api/takes/{take['id']}").json()["png_status"] == "present"
    assert len(client.get("/api/takes", params={"shot": "SH020"}).json()) == 2
    shown = client.get(f"/api/takes/{take['id']}/events").json()[-1]
    assert shown["action"] == "png" and shown["details"]["op"] == "attach"
    assert not any((seeded.root / "cache" / "uploads").iterdir())


def test_attach_png_bad_input_stores_nothing(client: TestClient, seeded: Seeded, web_clips, tmp_path: Path):
    from tests.media.workflows import comfy_png

    png = comfy_png(tmp_path / "ok.png")
    before = client.get(f"/api/takes/{seeded.a}").json()
    store_files = {p for p in (seeded.root / "store").rglob("*") if p.is_file()}
    cases = [
        (f"/api/takes/{seeded.a}/versions/1/png", web_clips["d"], "x.png", 400, "not a PNG file"),
        (f"/api/takes/{seeded.a}/versions/7/png", png, None, 404, "has no version v7"),
        ("/api/takes/8d4a3c0e-0000-4000-8000-000000000000/versions/1/png", png, None, 404, ""),
        (f"/api/takes/{seeded.a}/versions/0/png", png, None, 422, ""),
    ]
    for url, path, name, status, message in cases:
        r = upload(client, url, path, name=name)
        assert r.status_code == status, r.text
        assert message in r.json()["error"]
    r = client.post(f"/api/takes/{seeded.a}/versions/1/png", params={"filename": "e.png"}, content=b"", headers=OCTET)
    assert r.status_code == 400 and r.json()["error"] == "e.png is empty; choose the workflow PNG."
    assert client.get(f"/api/takes/{seeded.a}").json() == before
    assert {p for p in (seeded.root / "store").rglob("*") if p.is_file()} == store_files
    assert not any((seeded.root / "cache" / "uploads").iterdir())
    with TestClient(create_app(seeded.root, max_upload_mb=1)) as small:
        big = tmp_path / "big.png"
        big.write_bytes(png.read_bytes() + b"\0" * (1024 * 1024))
        r = upload(small, f"/api/takes/{seeded.a}/versions/1/png", big)
        assert r.status_code == 413 and "web.max_upload_mb" in r.json()["error"]
