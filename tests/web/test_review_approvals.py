"""Approvals over HTTP: a reviewer decides, a viewer cannot, the cards' states and the version history."""

from __future__ import annotations

from takevault.vault import Vault
from tests.web.conftest import Seeded, TestClient
from tests.web.test_review_people import PASSWORD, bearer


def test_decide_and_read_back(seeded: Seeded):
    from takevault.web import create_app

    with Vault.open(seeded.root) as vault:
        vault.people.add("rita", role="reviewer", password=PASSWORD)
        vault.people.add("vic", role="viewer", password=PASSWORD)
        rita, vic = vault.people.new_token("rita"), vault.people.new_token("vic")
    with TestClient(create_app(seeded.root)) as client:
        url = f"/api/takes/{seeded.a}/approval"
        res = client.post(url, json={"state": "approved"}, headers=bearer(vic))
        assert res.status_code == 403 and "needs the reviewer role" in res.json()["error"]
        res = client.post(url, json={"state": "yes"}, headers=bearer(rita))
        assert res.status_code == 400 and "is not an approval state" in res.json()["error"]
        res = client.post(url, json={"version": 1, "state": "approved", "comment": "ok"}, headers=bearer(rita))
        assert res.status_code == 200 and res.json()["by"] == "rita" and res.json()["state"] == "approved"
        states = {a["take_id"]: a["state"] for a in client.get("/api/approvals", headers=bearer(vic)).json()}
        assert states == {seeded.a: "approved", seeded.b: "pending", seeded.c: "pending"}
        only = client.get("/api/approvals", params={"state": "approved"}, headers=bearer(vic)).json()
        assert [a["take_id"] for a in only] == [seeded.a]
        history = client.get(f"/api/takes/{seeded.a}/approvals", headers=bearer(vic)).json()
        assert [(h["version"], h["state"]) for h in history] == [(1, "approved")]
        assert client.post(url, json={"version": 4, "state": "approved"}, headers=bearer(rita)).status_code == 404
