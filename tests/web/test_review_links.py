"""Guest review links: a guest watches the link's versions and leaves notes, nothing more."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from takevault.vault import Vault
from tests.web.conftest import Seeded, TestClient
from tests.web.test_review_people import PASSWORD, bearer


@pytest.fixture
def team(seeded: Seeded) -> Iterator[tuple[TestClient, dict[str, str]]]:
    from takevault.web import create_app

    with Vault.open(seeded.root) as vault:
        vault.people.add("rita", role="reviewer", password=PASSWORD)
        vault.people.add("vic", role="viewer", password=PASSWORD)
        tokens = {"rita": vault.people.new_token("rita"), "vic": vault.people.new_token("vic")}
    with TestClient(create_app(seeded.root)) as client:
        yield client, tokens


def make_link(client: TestClient, tokens, take: str, **body) -> dict:
    res = client.post(f"/api/takes/{take}/links", json=body, headers=bearer(tokens["rita"]))
    assert res.status_code == 201, res.text
    return res.json()


def open_as_guest(client: TestClient, token: str, name: str = "Clara (client)", password: str | None = None):
    return client.post(f"/api/links/{token}/open", json={"name": name, "password": password})


def test_a_guest_watches_and_notes_and_nothing_else(team, seeded: Seeded):
    client, tokens = team
    res = client.post(f"/api/takes/{seeded.a}/links", json={}, headers=bearer(tokens["vic"]))
    assert res.status_code == 403
    link = make_link(client, tokens, seeded.a)
    assert link["token"].startswith("tvl_") and link["path"] == f"/review/{link['token']}" and link["versions"] == [1]
    token = link["token"]
    assert client.get(f"/api/links/{token}/info").json()["ref"] == "SEQ01/SH010/video_01"
    opened = open_as_guest(client, token)
    assert opened.status_code == 200 and "HttpOnly" in opened.headers["set-cookie"]
    csrf = {"X-CSRF-Token": opened.json()["csrf_token"]}
    me = client.get("/api/me").json()
    assert me["guest"] is True and me["name"] == "Clara (client)" and me["role"] == "guest"
    assert client.get(f"/api/takes/{seeded.a}").status_code == 200
    assert client.get(f"/api/media/{seeded.a}/1/still").status_code == 200
    res = client.post(f"/api/takes/{seeded.a}/notes", json={"version": 1, "at": 4, "text": "Love it"}, headers=csrf)
    assert res.status_code == 201, res.text
    note = res.json()
    assert note["guest"] is True and note["author"] == "Clara (client)"
    refused = [
        ("GET", "/api/takes", None),
        ("GET", f"/api/takes/{seeded.b}", None),
        ("GET", f"/api/media/{seeded.b}/1/still", None),
        ("POST", f"/api/takes/{seeded.a}/star", None),
        ("PATCH", f"/api/takes/{seeded.a}", {"rating": 5}),
        ("POST", f"/api/notes/{note['id']}/resolve", {}),
        ("POST", f"/api/notes/{note['id']}/replies", {"text": "x"}),
        ("POST", f"/api/takes/{seeded.a}/approval", {"state": "approved"}),
        ("GET", f"/api/takes/{seeded.a}/notes?version=2", None),
        ("GET", "/api/projects", None),
    ]
    for method, url, body in refused:
        res = client.request(method, url, json=body, headers=csrf)
        assert res.status_code == 403, (method, url, res.text)
    # A cross-site form post carries the cookie but not the CSRF token.
    res = client.post(f"/api/takes/{seeded.a}/notes", json={"version": 1, "at": 5, "text": "forged"})
    assert res.status_code == 403 and "did not come from the review page" in res.json()["error"]
    with Vault.open(seeded.root) as vault:
        notes = vault.notes(f"{seeded.a}@v1")
        assert [(n.text, n.guest) for n in notes] == [("Love it", True)]
        assert [e.user for e in vault.events(take=seeded.a) if e.action == "note"] == ["Clara (client)"]
        assert not vault.take(seeded.a).starred


def test_password_rate_limit_expiry_and_revoke(team, seeded: Seeded):
    client, tokens = team
    other = make_link(client, tokens, seeded.a)
    assert open_as_guest(client, other["token"], name="   ").status_code == 400
    assert open_as_guest(client, "tvl_nope").status_code == 404
    opened = open_as_guest(client, other["token"])
    assert opened.status_code == 200
    res = client.delete(f"/api/links/{other['id']}", headers=bearer(tokens["rita"]))
    assert res.status_code == 200 and res.json()["state"] == "revoked"
    res = client.get(f"/api/takes/{seeded.a}")
    assert res.status_code == 401 and "has ended" in res.json()["error"]
    res = open_as_guest(client, other["token"])
    assert res.status_code == 401 and "was revoked" in res.json()["error"]
    short = make_link(client, tokens, seeded.a, hours=0.0003)
    time.sleep(1.3)
    res = open_as_guest(client, short["token"])
    assert res.status_code == 401 and "has expired" in res.json()["error"]
    bad = client.post(
        f"/api/takes/{seeded.a}/links", json={"view": "compare", "versions": [1]}, headers=bearer(tokens["rita"])
    )
    assert bad.status_code == 400 and "exactly two versions" in bad.json()["error"]
    bad = client.post(f"/api/takes/{seeded.a}/links", json={"versions": [9]}, headers=bearer(tokens["rita"]))
    assert bad.status_code == 404
    # Wrong passwords: one sentence each, then a pause for that link and that address.
    link = make_link(client, tokens, seeded.a, password="client-secret-1")
    for _ in range(5):
        res = open_as_guest(client, link["token"], password="wrong one")
        assert res.status_code == 401 and "password of this review link is wrong" in res.json()["error"]
    res = open_as_guest(client, link["token"], password="client-secret-1")
    assert res.status_code == 429


def test_cli_review_links(seeded: Seeded, capsys: pytest.CaptureFixture[str]):
    from takevault.cli.app import main

    root = str(seeded.root)
    assert main(["--vault", root, "review-link", "add", seeded.a, "--hours", "2"]) == 0
    path = capsys.readouterr().out.strip()
    assert path.startswith("/review/tvl_")
    assert main(["--vault", root, "review-link", "list", seeded.a, "--json"]) == 0
    (link,) = json.loads(capsys.readouterr().out)
    assert link["state"] == "active" and link["token"] is None
    assert main(["--vault", root, "review-link", "revoke", link["id"]]) == 0
    assert "is revoked" in capsys.readouterr().err
    assert main(["--vault", root, "review-link", "add", seeded.a, "--view", "grid"]) == 2
    assert main(["--vault", root, "review-link", "revoke", "nope"]) == 3
