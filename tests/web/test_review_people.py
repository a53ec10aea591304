"""People on the web: sign-in sessions, personal tokens, CSRF, and the role every endpoint needs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from takevault.vault import Vault
from takevault.vault.people import role_rank
from takevault.web import create_app
from takevault.web.identity import WRITE_ROLES, required_role
from tests.web.conftest import Seeded, TestClient

PASSWORD = "correct horse battery"
ROLES = ("viewer", "reviewer", "editor", "admin")


@pytest.fixture
def people(seeded: Seeded) -> dict[str, str]:
    """One user per role in project main, each with a personal API token."""
    tokens = {}
    with Vault.open(seeded.root) as vault:
        for role in ROLES:
            vault.people.add(role, role=role, password=PASSWORD)
            tokens[role] = vault.people.new_token(role, label="tests")
    return tokens


@pytest.fixture
def app_client(seeded: Seeded) -> Iterator[TestClient]:
    with TestClient(create_app(seeded.root)) as c:
        yield c


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> str:
    res = client.post("/api/signin", json={"name": name, "password": password})
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["signed_in"] and body["name"] == name and body["role"] == name
    cookie = res.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    return body["csrf_token"]


def test_single_user_mode_without_users(client: TestClient):
    me = client.get("/api/me").json()
    assert me["sign_in_required"] is False and me["role"] == "admin"
    assert client.get("/api/takes").status_code == 200
    bad = client.post("/api/signin", json={"name": "ana", "password": PASSWORD})
    assert bad.status_code == 401 and "no users" in bad.json()["error"]


def test_users_make_every_request_need_a_person(app_client: TestClient, people, seeded: Seeded):
    res = app_client.get("/api/takes")
    assert res.status_code == 401 and res.json()["sign_in"] is True
    assert res.json()["error"].startswith("Sign in first")
    assert app_client.get("/api/me").json() == {
        "sign_in_required": True,
        "signed_in": False,
        "name": None,
        "role": None,
        "project": "main",
        "csrf_token": None,
    }
    # A bearer value that is not a personal token names nobody.
    res = app_client.get("/api/takes", headers=bearer("some-shared-secret"))
    assert res.status_code == 401 and "personal API token" in res.json()["error"]
    assert app_client.get("/api/takes", headers=bearer(people["viewer"])).status_code == 200


def test_sign_in_session_and_csrf(app_client: TestClient, people, seeded: Seeded):
    csrf = sign_in(app_client, "editor")
    assert app_client.get("/api/takes").status_code == 200
    assert app_client.get("/api/me").json()["name"] == "editor"
    # A cookie alone cannot change anything: a cross-site form post carries no CSRF token.
    res = app_client.post(f"/api/takes/{seeded.a}/star")
    assert res.status_code == 403 and "CSRF" in res.json()["error"]
    res = app_client.post(f"/api/takes/{seeded.a}/star", headers={"X-CSRF-Token": "forged"})
    assert res.status_code == 403
    with Vault.open(seeded.root) as vault:
        assert not vault.take(seeded.a).starred
    res = app_client.post(f"/api/takes/{seeded.a}/star", headers={"X-CSRF-Token": csrf})
    assert res.status_code == 200 and res.json()["starred"]
    with Vault.open(seeded.root) as vault:
        star = [e for e in vault.events(take=seeded.a) if e.action == "star"]
    assert star and star[-1].user == "editor"
    assert app_client.post("/api/signout").json() == {"signed_in": False}
    assert app_client.get("/api/takes").status_code == 401


def test_events_record_the_token_owner(app_client: TestClient, people, seeded: Seeded):
    res = app_client.patch(f"/api/takes/{seeded.b}", json={"rating": 3}, headers=bearer(people["editor"]))
    assert res.status_code == 200
    with Vault.open(seeded.root) as vault:
        last = vault.events(take=seeded.b)[-1]
    assert last.user == "editor"


def test_wrong_password_is_one_sentence_and_rate_limited(app_client: TestClient, people):
    for _ in range(5):
        res = app_client.post("/api/signin", json={"name": "viewer", "password": "not it at all"})
        assert res.status_code == 401
        assert res.json()["error"] == "The name or password is wrong; check both and try again."
    res = app_client.post("/api/signin", json={"name": "viewer", "password": PASSWORD})
    assert res.status_code == 429 and "Too many wrong passwords" in res.json()["error"]
    unknown = app_client.post("/api/signin", json={"name": "nobody", "password": "whatever1"})
    assert unknown.status_code == 429  # the same address is paused too


def test_viewer_cannot_star(app_client: TestClient, people, seeded: Seeded):
    res = app_client.post(f"/api/takes/{seeded.a}/star", headers=bearer(people["viewer"]))
    assert res.status_code == 403
    assert res.json()["error"] == (
        "viewer is a viewer in project main and this needs the editor role; ask an admin of the project."
    )
    with Vault.open(seeded.root) as vault:
        assert not vault.take(seeded.a).starred


def test_token_of_a_removed_user(app_client: TestClient, people, seeded: Seeded):
    with Vault.open(seeded.root) as vault:
        vault.people.remove("reviewer")
    res = app_client.get("/api/takes", headers=bearer(people["reviewer"]))
    assert res.status_code == 401 and "its user was removed" in res.json()["error"]


def test_no_role_in_another_project(app_client: TestClient, people, seeded: Seeded):
    with Vault.open(seeded.root, project="trailer") as other:
        other.add_section("TR01")
    res = app_client.get("/api/sections", params={"project": "trailer"}, headers=bearer(people["admin"]))
    assert res.status_code == 403 and "has no role in project trailer" in res.json()["error"]


def _example_path(template: str, seeded: Seeded) -> str:
    values = {"ref": seeded.a, "take_id": seeded.a, "version": "1", "number": "1", "shot:path": "SEQ01/SH010"}
    return re.sub(r"\{([^}]+)\}", lambda m: values.get(m.group(1), "x"), template)


def test_every_write_in_the_openapi_needs_its_role(app_client: TestClient, people, seeded: Seeded):
    """Walk the OpenAPI; each write is tried with every role: below its role 403, at or above not refused."""
    schema = app_client.get("/openapi.json", headers=bearer(people["viewer"])).json()
    writes = [
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in item
        if method.upper() in ("POST", "PUT", "PATCH", "DELETE") and path.startswith("/api/")
    ]
    assert len(writes) >= len(WRITE_ROLES)
    open_paths = {"/api/signin", "/api/signout", "/api/session"}
    for method, template in writes:
        if template in open_paths:
            continue
        fastapi_template = template.replace("{shot}", "{shot:path}")
        needed = required_role(method, fastapi_template)
        url = _example_path(fastapi_template, seeded)
        for role in ROLES:
            res = app_client.request(method, url, headers=bearer(people[role]))
            if role_rank(role) < role_rank(needed):
                assert res.status_code == 403, (method, template, role, res.text)
                assert f"needs the {needed} role" in res.json()["error"]
            else:
                assert res.status_code not in (401, 403), (method, template, role, res.text)


def test_unlisted_writes_need_admin():
    assert required_role("POST", "/api/something/new") == "admin"
    assert required_role("GET", "/api/something/new") == "viewer"


def test_cli_user_commands(seeded: Seeded, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    import io
    import json

    from takevault.cli.app import main

    root = str(seeded.root)
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["--vault", root, "user", "add", "ana", "--role", "reviewer", "--password-stdin"]) == 0
    assert main(["--vault", root, "user", "token", "ana", "--label", "ci"]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert token.startswith("tvk_")
    assert main(["--vault", root, "user", "role", "ana", "editor"]) == 0
    capsys.readouterr()
    assert main(["--vault", root, "user", "list", "--json"]) == 0
    (ana,) = json.loads(capsys.readouterr().out)
    assert ana["name"] == "ana" and ana["role"] == "editor" and ana["has_password"] and ana["tokens"] == 1
    assert main(["--vault", root, "user", "role", "ana", "boss"]) == 2
    assert "'boss' is not a role" in capsys.readouterr().err
    assert main(["--vault", root, "user", "add", "ana"]) == 4
    assert main(["--vault", root, "user", "add", "<script>"]) == 2
    assert main(["--vault", root, "user", "remove", "nobody", "--yes"]) == 3
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["--vault", root, "user", "add", "bo", "--password-stdin"]) == 2
    assert "too short" in capsys.readouterr().err
    assert main(["--vault", root, "user", "remove", "ana", "--yes"]) == 0
    with Vault.open(root) as vault:
        assert [u.name for u in vault.people.users()] == []
        with pytest.raises(Exception, match="its user was removed"):
            vault.people.identify_token(token)


def test_removed_password_ends_sessions(app_client: TestClient, people, seeded: Seeded, tmp_path: Path):
    sign_in(app_client, "reviewer")
    with Vault.open(seeded.root) as vault:
        vault.people.set_password("reviewer", "another long password")
    assert app_client.get("/api/takes").status_code == 401
