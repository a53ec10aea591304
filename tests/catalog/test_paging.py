"""`Catalog.take_id_page`: pages of a take list read without listing every id, giving what slicing the
whole ordered list gives, for every filter, and when the take a page ended with changed or left."""

from __future__ import annotations

from pathlib import Path

import pytest

from takevault.models import ANY_TAKE, TakeFilter
from takevault.vault import lookup
from takevault.vault.lookup import project_row
from tests.catalog.scale_helpers import bulk_takes
from tests.vault.takes_helpers import CATALOGS, make_vault


@pytest.fixture(params=CATALOGS)
def vault(request: pytest.FixtureRequest, tmp_path: Path):
    with make_vault(request, tmp_path / "vault", request.param) as v:
        bulk_takes(v, shots=6, per_shot=7)
        v.add_section("SEQ00", order=1)  # sorts before SEQ01: its shot comes first in edit order
        v.add_shot("SH0005", section="SEQ00")
        v.star("SH0010/video_03")
        v.star("SH0040/video_07")
        v.set("SH0020/video_02", note="glacier pass")
        v.set("SH0050/video_05", note="glacier dusk")
        yield v


def walk(vault, where: TakeFilter, limit: int) -> tuple[list[str], list[int]]:
    """Every page in turn: the ids seen and the totals each page reported."""
    seen: list[str] = []
    totals: list[int] = []
    after = None
    while True:
        page = vault.catalog.take_id_page(project_row(vault), where, None, after=after, offset=len(seen), limit=limit)
        assert page.start == len(seen)
        totals.append(page.total)
        seen += page.ids
        if not page.ids or page.start + len(page.ids) >= page.total:
            return seen, totals
        after = page.ids[-1]


FILTERS = {
    "live": TakeFilter(),
    "all": TakeFilter(deleted=None),
    "starred": TakeFilter(starred=True),
    "search": TakeFilter(search="glacier"),
    "section-kind": TakeFilter(section="SEQ01", min_rating=None, kind="raw"),
}


def test_pages_in_turn_give_the_whole_ordered_list(vault) -> None:
    # Every filter and page size on one vault: the vault is the costly part, the walks are not.
    for name, where in FILTERS.items():
        everything = vault.catalog.ordered_take_ids(project_row(vault), where)
        assert everything == [t.id for t in vault.catalog.query_takes(project_row(vault), where)], name
        for limit in (1, 5, 100):
            seen, totals = walk(vault, where, limit)
            assert seen == everything, f"{name}, {limit} a page"
            assert set(totals) == {len(everything)}, f"{name}, {limit} a page"


def test_a_page_after_a_take_that_left_the_list_starts_right_after_its_place(vault) -> None:
    ids = vault.catalog.ordered_take_ids(project_row(vault), TakeFilter())
    first = vault.catalog.take_id_page(project_row(vault), TakeFilter(), None, after=None, offset=0, limit=10)
    assert first.ids == ids[:10] and first.total == 42
    last = vault.take(first.ids[-1])  # the page's last take leaves the live list (no bytes here: catalog only)
    vault.catalog.mark_deleted(last.id, vault.shot(last.shot).id, lookup.event(vault, "delete", last))
    second = vault.catalog.take_id_page(
        project_row(vault), TakeFilter(), None, after=first.ids[-1], offset=10, limit=10
    )
    assert second.ids == ids[10:20] and second.start == 9 and second.total == 41


def test_a_page_after_a_purged_take_starts_at_the_position_the_cursor_noted(vault) -> None:
    ids = vault.catalog.ordered_take_ids(project_row(vault), ANY_TAKE)
    gone = ids[4]
    vault.catalog.purge_take(gone, lookup.event(vault, "purge", vault.take(gone)))
    rest = vault.catalog.ordered_take_ids(project_row(vault), ANY_TAKE)
    page = vault.catalog.take_id_page(project_row(vault), ANY_TAKE, None, after=gone, offset=5, limit=3)
    assert page.ids == rest[5:8] and page.start == 5 and page.total == len(ids) - 1


def test_a_shot_filter_and_an_empty_list_page_cleanly(vault) -> None:
    shot = vault.shot("SH0030")
    page = vault.catalog.take_id_page(project_row(vault), TakeFilter(), [shot.id], after=None, offset=0, limit=4)
    assert [vault.take(i).ref for i in page.ids] == [f"SEQ01/SH0030/video_{n:02d}" for n in range(1, 5)]
    assert page.total == 7
    none = vault.catalog.take_id_page(
        project_row(vault), TakeFilter(search="nothinglikethis"), None, after=None, offset=0, limit=4
    )
    assert none == ([], 0, 0)
