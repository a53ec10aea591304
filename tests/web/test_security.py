"""The server's defences over HTTP: foreign hosts, cross-site writes, served types, verified bytes,
project names, upload budgets and timeouts. Every refusal leaves the vault as it was."""

from __future__ import annotations

import contextlib
import re
import shutil
import socket
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest

from takevault.errors import ConfigError
from takevault.web import create_app
from tests.web.conftest import Seeded, TestClient, free_port

OCTET = {"Content-Type": "application/octet-stream"}
SAFE = {"GET", "HEAD", "OPTIONS"}
SAMPLE = {"take_id": str(uuid.uuid4()), "ref": str(uuid.uuid4()), "version": "1", "number": "1", "name": "a.png"}


def routes(app) -> list[tuple[str, str]]:
    """Every (method, concrete path) the app serves: the OpenAPI paths (every API route, including
    ones added later) plus the top-level pages, docs and static mount."""

    def concrete(path: str) -> str:
        return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: SAMPLE.get(m.group(1), "SH010"), path)

    found: list[tuple[str, str]] = []
    for path, ops in app.openapi()["paths"].items():
        found += [(method.upper(), concrete(path)) for method in ops if method != "parameters"]
    for route in app.routes:
        path = getattr(route, "path", None)
        if path is None or path.startswith("/api/"):
            continue
        methods = getattr(route, "methods", None)
        if methods is None:
            found.append(("GET", concrete(path) + "/app.css"))  # a mount (static files)
        else:
            found += [(method, concrete(path)) for method in sorted(methods)]
    return found


def snapshot(client: TestClient) -> tuple:
    takes = client.get("/api/takes", params={"deleted": "all"}).json()
    events = [len(client.get(f"/api/takes/{t['id']}/events").json()) for t in takes]
    return (
        [(t["id"], t["starred"], t["deleted"], t["note"], len(client.get(f"/api/takes/{t['id']}/history").json()))
         for t in takes],
        events,
        [s["code"] for s in client.get("/api/shots").json()],
        [s["code"] for s in client.get("/api/sections").json()],
    )  # fmt: skip


# -- (1) rebinding and cross-site ------------------------------------------------------------------
def test_foreign_host_refused_on_every_route(client: TestClient, seeded: Seeded):
    before = snapshot(client)
    checked = routes(client.app)
    assert len(checked) > 25 and ("POST", "/api/takes/" + SAMPLE["ref"] + "/star") in checked
    for method, path in checked:
        for host in ("evil.example", "evil.example:8470", "127.0.0.1.evil.example", "localhost.evil.example"):
            r = client.request(method, path, headers={"Host": host, **OCTET}, content=b"x")
            assert r.status_code == 421, (method, path, host, r.status_code)
            assert method == "HEAD" or "loopback" in r.json()["error"]
            assert r.headers["x-content-type-options"] == "nosniff"
    assert snapshot(client) == before
    for host in ("127.0.0.1:8470", "localhost:8470", "[::1]:8470", "127.0.0.2", "app.localhost"):
        assert client.get("/api/info", headers={"Host": host}).status_code == 200, host
    assert client.get("/", headers={"Host": "localhost"}).status_code == 200


def test_allowed_hosts_and_token_open_other_names(seeded: Seeded, monkeypatch: pytest.MonkeyPatch):
    (seeded.root / "takevault.toml").write_text(
        (seeded.root / "takevault.toml").read_text() + '\n[web]\nallowed_hosts = ["studio.lan", "review.lan:8470"]\n'
    )
    with TestClient(create_app(seeded.root)) as c:
        assert c.get("/api/info", headers={"Host": "studio.lan:8470"}).status_code == 200
        assert c.get("/api/info", headers={"Host": "REVIEW.lan"}).status_code == 200
        assert c.get("/api/info", headers={"Host": "evil.example"}).status_code == 421
    monkeypatch.setenv("TAKEVAULT_ALLOWED_HOSTS", "edit-bay, cutting-room")
    with TestClient(create_app(seeded.root)) as c:
        assert c.get("/api/info", headers={"Host": "cutting-room"}).status_code == 200
        assert c.get("/api/info", headers={"Host": "studio.lan"}).status_code == 421
    # With a token any name is answered, but nothing without the token.
    with TestClient(create_app(seeded.root, token="s3cret")) as c:
        assert c.get("/api/takes", headers={"Host": "evil.example"}).status_code == 401
        r = c.get("/api/takes", headers={"Host": "evil.example", "Authorization": "Bearer s3cret"})
        assert r.status_code == 200


WRITES = [
    ("POST", "/api/takes/{a}/star", None),
    ("POST", "/api/takes/{a}/restore", None),
    ("DELETE", "/api/takes/{a}", None),
    ("PATCH", "/api/takes/{a}", '{"note": "pwned"}'),
    ("POST", "/api/takes/{a}/revert", '{"to_version": 1}'),
    ("POST", "/api/sections", '{"code": "EVIL"}'),
    ("POST", "/api/shots", '{"code": "EVIL"}'),
    ("DELETE", "/api/shots/SH010/star", None),
    ("POST", "/api/shots/SH010/takes?filename=x.mp4", "CLIP"),
    ("POST", "/api/takes/{a}/replace?filename=x.mp4", "CLIP"),
    ("POST", "/api/takes/{a}/versions/1/png?filename=x.png", "CLIP"),
    ("POST", "/api/media/{a}/1/proxy", None),
    ("POST", "/api/session", '{"token": "x"}'),
    ("DELETE", "/api/session", None),
    ("POST", "/api/signin", '{"name": "ana", "password": "x"}'),
    ("POST", "/api/signout", None),
    ("POST", "/api/takes/{a}/notes", '{"at": 1, "text": "pwned"}'),
    ("POST", "/api/notes/SH010/replies", '{"text": "pwned"}'),
    ("POST", "/api/notes/SH010/resolve", "{}"),
    ("POST", "/api/takes/{a}/approval", '{"state": "approved"}'),
    ("POST", "/api/takes/{a}/links", "{}"),
    ("DELETE", "/api/links/SH010", None),
    ("POST", "/api/links/SH010/open", '{"name": "x"}'),
    ("POST", "/api/jobs", "{}"),
    ("POST", "/api/jobs/SH010/cancel", None),
]


def test_cross_site_writes_refused(client: TestClient, seeded: Seeded, web_clips):
    client.post(f"/api/takes/{seeded.b}/star", json={})
    before = snapshot(client)
    clip = web_clips["d"].read_bytes()
    unsafe = {(m, p) for m, p in routes(client.app) if m not in SAFE}
    covered = {(m, re.sub(r"\?.*", "", p.format(a=SAMPLE["ref"]))) for m, p, _ in WRITES}
    missing = {(m, p) for m, p in unsafe if (m, p.replace(SAMPLE["take_id"], SAMPLE["ref"])) not in covered}
    assert not missing, f"write routes without a cross-site case here: {missing}"
    attacks = [
        {"Origin": "http://evil.example", "Content-Type": "text/plain"},
        {"Origin": "http://127.0.0.1:9999", "Content-Type": "application/json"},
        {"Origin": "null", "Content-Type": "application/octet-stream"},
        {"Sec-Fetch-Site": "cross-site", "Content-Type": "application/json"},
        {"Sec-Fetch-Site": "same-site", "Origin": "http://localhost:1", "Content-Type": "application/json"},
        {"Content-Type": "text/plain;charset=UTF-8"},  # a no-cors fetch from an old browser without Origin
        {"Content-Type": "application/x-www-form-urlencoded"},
        {"Content-Type": "multipart/form-data; boundary=x"},
    ]
    for method, path, body in WRITES:
        url = path.format(a=seeded.a)
        content = clip if body == "CLIP" else (body or "").encode()
        for headers in attacks:
            r = client.request(method, url, headers=headers, content=content)
            assert r.status_code == 403, (method, url, headers, r.status_code, r.text)
    assert snapshot(client) == before
    assert not any((seeded.root / "cache" / "uploads").glob("*/*"))
    # The page itself (same origin, JSON) and scripts (no Origin) still work.
    ok = client.post(f"/api/takes/{seeded.a}/star", json={}, headers={"Origin": "http://127.0.0.1"})
    assert ok.status_code == 200
    ok = client.post(f"/api/takes/{seeded.b}/star", json={}, headers={"Sec-Fetch-Site": "same-origin"})
    assert ok.status_code == 200


def test_uploads_need_octet_stream(client: TestClient, seeded: Seeded, web_clips):
    before = snapshot(client)
    for ctype in ("video/mp4", "application/json", ""):
        r = client.post(
            "/api/shots/SH010/takes",
            params={"filename": "d.mp4"},
            content=web_clips["d"].read_bytes(),
            headers={"Content-Type": ctype} if ctype else {},
        )
        assert r.status_code == 415 and "application/octet-stream" in r.json()["error"], r.text
    assert snapshot(client) == before


# -- (2) served media never runs -----------------------------------------------------------------
def polyglot(tmp: Path, clip: Path, name: str = "x.html") -> Path:
    """A real MP4 that is also an HTML page: the script is in the file's leading bytes' comment and at the end."""
    page = b"<html><script>document.title='PWNED';fetch('/api/takes')</script></html>"
    path = tmp / name
    path.write_bytes(clip.read_bytes() + page)
    return path


def test_polyglot_html_take_is_served_as_video_sandboxed(client: TestClient, seeded: Seeded, web_clips, tmp_path):
    from takevault.vault import Vault

    with Vault.open(seeded.root) as vault:
        take = vault.add(polyglot(tmp_path, web_clips["d"]), shot="SH020", note="<img src=x onerror=alert(1)>")
        version = take.current
        assert not version.key.endswith(".html") and version.original_name == "x.html"
        vault.ensure_proxy(take.id)
    for route in ("file", "download", "play", "still"):
        r = client.get(f"/api/media/{take.id}/1/{route}")
        assert r.status_code == 200, (route, r.text)
        assert r.headers["content-type"] in ("video/mp4", "video/quicktime", "image/jpeg"), route
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["content-security-policy"].startswith("sandbox")
    dl = client.get(f"/api/media/{take.id}/1/download")
    assert dl.headers["content-disposition"].startswith('attachment; filename="x.html"')
    for path in ("/", "/compare"):
        csp = client.get(path).headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "object-src 'none'" in csp
    assert client.get("/api/takes").headers["content-security-policy"].startswith("sandbox")


def test_control_characters_in_names_refused_at_add_and_escaped_when_served(
    client: TestClient, seeded: Seeded, web_clips, tmp_path
):
    from takevault.errors import MediaError
    from takevault.vault import Vault

    bad = tmp_path / "evil\r\nSet-Cookie: x=1.mp4"
    shutil.copy(web_clips["d"], bad)
    with Vault.open(seeded.root) as vault, pytest.raises(MediaError, match="control characters"):
        vault.add(bad, shot="SH010")
    before = snapshot(client)
    # Over the web the name is cleaned on arrival; the download header never carries CR/LF.
    r = client.post(
        "/api/shots/SH020/takes",
        params={"filename": "a\r\nb\x07.mp4"},
        content=web_clips["d"].read_bytes(),
        headers=OCTET,
    )
    assert r.status_code == 201, r.text
    take = r.json()
    dl = client.get(f"/api/media/{take['id']}/1/download")
    assert dl.status_code == 200 and "\r" not in dl.headers["content-disposition"]
    assert "\n" not in dl.headers["content-disposition"]
    assert snapshot(client)[2] == before[2]


# -- (5) only verified bytes leave the vault -----------------------------------------------------
def test_damaged_blob_is_not_served(client: TestClient, seeded: Seeded, tmp_path):
    from takevault.errors import ChecksumMismatchError
    from takevault.vault import Vault

    with Vault.open(seeded.root) as vault:
        version = vault.take(seeded.a).current
        blob = Path(vault.store.blob_path(version.key, version.version_id))
        assert client.get(f"/api/media/{seeded.a}/1/file").status_code == 200  # verified, then cached
        data = bytearray(blob.read_bytes())
        data[len(data) // 2] ^= 0xFF
        blob.chmod(0o644)
        blob.write_bytes(bytes(data))
        with pytest.raises(ChecksumMismatchError) as cli_error:
            vault.get(seeded.a, tmp_path / "out.mp4")
    for route in ("file", "download", "play"):
        r = client.get(f"/api/media/{seeded.a}/1/{route}")
        assert r.status_code == 500, route
        assert "damaged" in r.json()["error"] and "damaged" in cli_error.value.message
        assert data[:100] not in r.content
    assert not (tmp_path / "out.mp4").exists()


# -- (3) resources -------------------------------------------------------------------------------
def test_project_names_validated_and_unknown_projects_open_nothing(client: TestClient, seeded: Seeded):
    web = client.app.state.web
    for bad in ("../etc", "a b", "x" * 101, "a/b", "%00"):
        r = client.get("/api/takes", params={"project": bad})
        assert r.status_code == 400 and "project" in r.json()["error"], bad
    for n in range(200):
        r = client.get("/api/sections", params={"project": f"nosuch{n}"})
        assert r.status_code == 404 and "no project" in r.json()["error"]
    assert web.open_count() <= web.max_idle
    assert [p["name"] for p in client.get("/api/projects").json()] == ["main"]


def test_a_project_made_while_the_server_runs_is_served_at_once(client: TestClient, seeded: Seeded):
    from takevault.vault import Vault

    assert client.get("/api/sections", params={"project": "late"}).status_code == 404
    with Vault.open(seeded.root, project="late") as v:
        v.add_section("S1")
    r = client.get("/api/sections", params={"project": "late"})
    assert r.status_code == 200 and r.json()[0]["code"] == "S1"


def test_vault_pool_is_bounded(seeded: Seeded):
    from takevault.vault import Vault

    for n in range(20):
        with Vault.open(seeded.root, project=f"p{n:02d}") as v:
            v.add_section("S1")
    with TestClient(create_app(seeded.root)) as c:
        web = c.app.state.web
        for n in range(20):
            assert c.get("/api/sections", params={"project": f"p{n:02d}"}).json()[0]["code"] == "S1"
        assert web.open_count() <= web.max_idle


def test_upload_budget_answers_503_with_retry_after(client: TestClient, seeded: Seeded, web_clips):
    web = client.app.state.web
    before = snapshot(client)
    web.uploads.disk_margin = shutil.disk_usage(seeded.root).free + 1  # no room for anything
    r = client.post("/api/shots/SH010/takes", params={"filename": "d.mp4"}, content=web_clips["d"].read_bytes(),
                    headers=OCTET)  # fmt: skip
    assert r.status_code == 503 and r.headers["retry-after"] == "30" and "disk" in r.json()["error"]
    web.uploads.disk_margin = 0
    with web.uploads.admit(seeded.root, 10), web.uploads.admit(seeded.root, 10):
        web.uploads.max_concurrent = 2
        r = client.post("/api/shots/SH010/takes", params={"filename": "d.mp4"},
                        content=web_clips["d"].read_bytes(), headers=OCTET)  # fmt: skip
        assert r.status_code == 503 and "try again" in r.json()["error"]
    web.uploads.max_concurrent = 8
    assert web.uploads.in_flight() == (0, 0)
    assert snapshot(client) == before
    assert not any((seeded.root / "cache" / "uploads").iterdir())


def test_blank_token_refused(seeded: Seeded, monkeypatch: pytest.MonkeyPatch):
    with pytest.raises(ConfigError, match="blank"):
        create_app(seeded.root, token="   ")
    monkeypatch.setenv("TAKEVAULT_TOKEN", " \t")
    with pytest.raises(ConfigError, match="blank"):
        create_app(seeded.root)


class Server:
    """The app under uvicorn with the serve command's guarded protocol and short timeouts."""

    def __init__(self, app, header_seconds: float) -> None:
        import uvicorn

        from takevault.web import server

        port = free_port()
        self.port = port
        self.server = uvicorn.Server(server.config(app, "127.0.0.1", port, header_seconds=header_seconds))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def closed_within(sock: socket.socket, seconds: float) -> bool:
    sock.settimeout(seconds)
    try:
        while True:
            data = sock.recv(4096)
            if not data:
                return True
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


def test_slow_headers_and_slow_bodies_are_dropped(seeded: Seeded, web_clips):
    app = create_app(seeded.root, body_idle_seconds=0.5, body_grace_seconds=1.0)
    with Server(app, header_seconds=0.5) as srv:
        half = socket.create_connection(("127.0.0.1", srv.port))
        half.sendall(b"GET /api/info HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never finished
        assert closed_within(half, 5)
        half.close()
        slow = socket.create_connection(("127.0.0.1", srv.port))
        head = (
            "POST /api/shots/SH010/takes?filename=slow.mp4 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\n"
        )
        slow.sendall(head.encode() + b"\0" * 1000)
        slow.settimeout(5)
        answer = b""
        while b"interrupted" not in answer:
            piece = slow.recv(4096)
            if not piece:
                break
            answer += piece
        assert b" 400 " in answer.split(b"\r\n", 1)[0] and b"interrupted" in answer
        slow.close()
        trickle = socket.create_connection(("127.0.0.1", srv.port))
        head = (
            "POST /api/shots/SH010/takes?filename=trickle.mp4 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\n"
        )
        trickle.sendall(head.encode())
        answer = b""
        trickle.settimeout(0.3)
        deadline = time.monotonic() + 6
        while b"interrupted" not in answer and time.monotonic() < deadline:
            trickle.sendall(b"\0")  # one byte every 0.3 s: never idle, far below 1 KiB/s
            with contextlib.suppress(TimeoutError):
                answer += trickle.recv(4096)
        assert b"interrupted" in answer
        trickle.close()
        slow_json = socket.create_connection(("127.0.0.1", srv.port))
        head = (
            f"PATCH /api/takes/{seeded.a} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
        )
        slow_json.sendall(head.encode() + b'{"note": ')
        slow_json.settimeout(5)
        answer = b""
        while b"error" not in answer:
            piece = slow_json.recv(4096)
            if not piece:
                break
            answer += piece
        assert answer.startswith(b"HTTP/1.1 400 ")  # FastAPI's own "error parsing the body", at once
        slow_json.close()
        # A normal request on the same server still works, and nothing was left behind.
        r = httpx.get(f"http://127.0.0.1:{srv.port}/api/takes")
        assert r.status_code == 200 and len(r.json()) == 3
    assert not any((seeded.root / "cache" / "uploads").iterdir())
    app.state.web.close()


def test_no_route_reaches_files_by_path(client: TestClient, seeded: Seeded):
    secret = (seeded.root / "takevault.toml").read_text()
    probes = [
        "/static/../takevault.toml",
        "/static/%2e%2e/%2e%2e/takevault.toml",
        "/static/..%2f..%2ftakevault.toml",
        f"/api/media/{seeded.a}/1/..%2f..%2ftakevault.toml",
        "/api/media/..%2f..%2f/1/file",
        f"/api/compare/pictures/..%2ftakevault.toml?a={seeded.a}&b={seeded.b}",
        f"/api/compare/pictures/.hidden?a={seeded.a}&b={seeded.b}",
        "/api/takes/..%2f..%2fcatalog.db",
        "/api/takes/SH010%2f..%2f..%2fx/history",
        "/api/sections?project=..%2f..",
    ]
    for url in probes:
        r = client.get(url)
        assert r.status_code in (400, 404, 422), (url, r.status_code)
        assert secret not in r.text and b"SQLite format" not in r.content, url


def test_upload_folders_of_a_killed_server_are_removed_at_start(seeded: Seeded):
    import os

    uploads = seeded.root / "cache" / "uploads"
    old = uploads / "upload-killed"
    fresh = uploads / "upload-live"
    for folder in (old, fresh):
        folder.mkdir(parents=True)
        (folder / "half.mp4").write_bytes(b"\0" * 1000)
    os.utime(old, (time.time() - 2 * 86400, time.time() - 2 * 86400))
    with TestClient(create_app(seeded.root)):
        assert not old.exists() and fresh.is_dir()
