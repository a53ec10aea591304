"""The take list at production scale: pages with a cursor and a total, gzip, ETags, prompt search."""

from __future__ import annotations

from pathlib import Path

import pytest

from takevault.vault import Vault
from takevault.web import create_app
from tests.clips import make_clip
from tests.web.conftest import Seeded, TestClient


@pytest.fixture(scope="module")
def small_clips(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    d = tmp_path_factory.mktemp("paging")
    return [make_clip(d / f"p{i}.mp4", width=64, height=48, frames=4, scenes=((0, i + 6),)) for i in range(7)]


@pytest.fixture
def many(seeded: Seeded, small_clips: list[Path]) -> Seeded:
    """The seeded vault plus enough takes to need several pages."""
    with Vault.open(seeded.root) as vault:
        vault.add_shot("SH030", section="SEQ01")
        for i, clip in enumerate(small_clips):
            vault.add(clip, shot="SH030", note=f"pass {i}")
    return seeded


def _all_pages(client: TestClient, limit: int, **params) -> tuple[list[dict], list[int]]:
    items, totals, cursor = [], [], None
    while True:
        query = {**params, "limit": limit, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/takes", params=query)
        assert page.status_code == 200, page.text
        data = page.json()
        assert len(data["items"]) <= limit and data["limit"] == limit
        items += data["items"]
        totals.append(data["total"])
        cursor = data["next_cursor"]
        if cursor is None:
            return items, totals


def test_pages_walk_the_whole_list_once_in_order(many: Seeded):
    with TestClient(create_app(many.root, job_workers=0)) as client:
        everything = client.get("/api/takes").json()
        assert isinstance(everything, list) and len(everything) == 10
        items, totals = _all_pages(client, 3)
        assert [t["id"] for t in items] == [t["id"] for t in everything]
        assert set(totals) == {10} and len(totals) == 4
        starred_none, _ = _all_pages(client, 3, shot="SH030")
        assert [t["shot"] for t in starred_none] == ["SH030"] * 7


def test_a_take_deleted_between_pages_does_not_shift_the_next_page(many: Seeded):
    with TestClient(create_app(many.root, job_workers=0)) as client:
        first = client.get("/api/takes", params={"limit": 4}).json()
        everything = client.get("/api/takes").json()
        assert client.delete(f"/api/takes/{first['items'][-1]['id']}").status_code == 200
        second = client.get("/api/takes", params={"limit": 4, "cursor": first["next_cursor"]}).json()
        assert [t["id"] for t in second["items"]] == [t["id"] for t in everything[4:8]]
        assert second["total"] == 9


def test_bad_cursors_are_one_sentence_400(many: Seeded):
    with TestClient(create_app(many.root, job_workers=0)) as client:
        page = client.get("/api/takes", params={"limit": 2}).json()
        for junk in ("not-a-cursor", "eyJ4IjoxfQ", "%%%"):
            r = client.get("/api/takes", params={"limit": 2, "cursor": junk})
            assert r.status_code == 400 and r.json() == {
                "error": "The page cursor is not one this server gave out; start again from the first page (no cursor)."
            }
        foreign = client.get("/api/takes", params={"limit": 2, "shot": "SH030", "cursor": page["next_cursor"]})
        assert foreign.status_code == 400
        assert foreign.json()["error"].startswith("The page cursor belongs to a different filter")
        assert client.get("/api/takes", params={"limit": 0}).status_code == 422
        assert client.get("/api/takes", params={"limit": 5000}).status_code == 422


def test_gzip_and_etag(many: Seeded):
    with TestClient(create_app(many.root, job_workers=0)) as client:
        r = client.get("/api/takes", params={"limit": 50}, headers={"Accept-Encoding": "gzip"})
        assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
        raw = r.headers.get("content-length")
        assert raw is None or int(raw) < len(r.content)  # httpx decoded it; the wire form was smaller
        etag = r.headers["etag"]
        same = client.get("/api/takes", params={"limit": 50}, headers={"If-None-Match": etag})
        assert same.status_code == 304 and same.content == b""
        take = r.json()["items"][0]
        assert client.post(f"/api/takes/{take['id']}/star").status_code == 200
        changed = client.get("/api/takes", params={"limit": 50}, headers={"If-None-Match": etag})
        assert changed.status_code == 200 and changed.headers["etag"] != etag
        # Video bytes are never gzipped (ranges must stay byte-exact).
        ranged = {"Accept-Encoding": "gzip", "Range": "bytes=0-99"}
        video = client.get(f"/api/media/{take['id']}/1/file", headers=ranged)
        assert "content-encoding" not in video.headers


def test_search_finds_prompts_too(many: Seeded):
    with TestClient(create_app(many.root, job_workers=0)) as client:
        dusk = client.get("/api/takes", params={"limit": 10, "search": "DUSK"}).json()
        assert [t["id"] for t in dusk["items"]] == [many.b] and dusk["total"] == 1
        notes = client.get("/api/takes", params={"limit": 10, "search": "pass 3"}).json()
        assert notes["total"] == 1 and notes["items"][0]["note"] == "pass 3"


def test_openapi_documents_the_page_and_its_errors(many: Seeded):
    with TestClient(create_app(many.root, job_workers=0)) as client:
        spec = client.get("/openapi.json").json()
        responses = spec["paths"]["/api/takes"]["get"]["responses"]
        assert responses["400"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
        assert "TakePageOut" in spec["components"]["schemas"]
        params = {p["name"] for p in spec["paths"]["/api/takes"]["get"]["parameters"]}
        assert {"limit", "cursor", "search", "shot"} <= params
