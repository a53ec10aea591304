"""The notes API: what a reviewer adds on a frame shows in the list; bad notes are one sentence, nothing stored."""

from __future__ import annotations

from takevault.vault import Vault
from tests.web.conftest import Seeded, TestClient
from tests.web.test_review_people import PASSWORD, bearer


def test_add_list_reply_resolve(client: TestClient, seeded: Seeded):
    drawing = {"shapes": [{"kind": "stroke", "points": [[0.1, 0.1], [0.2, 0.15], [0.3, 0.1]], "width": 4}]}
    res = client.post(
        f"/api/takes/{seeded.a}/notes", json={"version": 1, "at": 12, "text": "Sky pops", "drawing": drawing}
    )
    assert res.status_code == 201, res.text
    note = res.json()
    assert (
        note["frame_in"] == 12 and note["timecode_in"] == "00:00:00:12" and note["drawing"]["shapes"][0]["width"] == 4
    )
    res = client.post(f"/api/takes/{seeded.a}/notes", json={"start": "00:00:00:02", "end": 5, "text": "Soft focus"})
    assert res.status_code == 201
    listed = client.get(f"/api/takes/{seeded.a}/notes").json()
    assert [n["text"] for n in listed] == ["Soft focus", "Sky pops"]
    res = client.post(f"/api/notes/{note['id']}/replies", json={"text": "Agreed"})
    assert res.status_code == 201 and [r["text"] for r in res.json()["replies"]] == ["Agreed"]
    res = client.post(f"/api/notes/{note['id']}/resolve", json={})
    assert res.json()["status"] == "resolved"
    assert [n["text"] for n in client.get(f"/api/takes/{seeded.a}/notes", params={"status": "open"}).json()] == [
        "Soft focus"
    ]
    assert client.get(f"/api/notes/{note['id']}").json()["replies"][0]["text"] == "Agreed"


def test_bad_notes(client: TestClient, seeded: Seeded):
    url = f"/api/takes/{seeded.a}/notes"
    huge = {"shapes": [{"kind": "stroke", "points": [[0.5, 0.5]] * 100_000}]}
    cases = [
        ({"at": 500, "text": "late"}, 400, "is outside"),
        ({"start": 9, "end": 3, "text": "backwards"}, 400, "before it starts"),
        ({"at": 1, "text": "x", "drawing": huge}, 400, "more than 10000 points"),
        ({"at": 1, "text": "x", "drawing": {"shapes": [{"kind": "box", "points": "no"}]}}, 400, "no list of points"),
        ({"at": 1, "text": ""}, 400, "The note is empty"),
        ({"at": 1, "text": "x", "version": 7}, 404, "has no version v7"),
    ]
    for body, status, message in cases:
        res = client.post(url, json=body)
        assert res.status_code == status, (body, res.text)
        assert message in res.json()["error"]
    assert client.delete(f"/api/takes/{seeded.b}").status_code == 200
    res = client.post(f"/api/takes/{seeded.b}/notes", json={"at": 1, "text": "on a deleted take"})
    assert res.status_code == 409 and "is deleted" in res.json()["error"]
    assert client.get(url).json() == []
    assert client.post("/api/notes/nope/resolve", json={}).status_code == 404


def test_a_reviewer_notes_a_viewer_cannot_and_the_note_names_its_author(seeded: Seeded):
    from takevault.web import create_app

    with Vault.open(seeded.root) as vault:
        vault.people.add("rita", role="reviewer", password=PASSWORD)
        vault.people.add("vic", role="viewer", password=PASSWORD)
        rita, vic = vault.people.new_token("rita"), vault.people.new_token("vic")
    with TestClient(create_app(seeded.root)) as client:
        url = f"/api/takes/{seeded.a}/notes"
        res = client.post(url, json={"at": 3, "text": "Nope"}, headers=bearer(vic))
        assert res.status_code == 403 and "needs the reviewer role" in res.json()["error"]
        res = client.post(url, json={"at": 3, "text": "Warmer"}, headers=bearer(rita))
        assert res.status_code == 201 and res.json()["author"] == "rita"
        assert [n["author"] for n in client.get(url, headers=bearer(vic)).json()] == ["rita"]
    with Vault.open(seeded.root) as vault:
        assert [e.user for e in vault.events(take=seeded.a) if e.action == "note"] == ["rita"]
