"""Lookups read by index, whatever the vault's size: SQLite's query plans for the lookups the CLI and the
web make never scan the takes or versions tables, and lookups answer from the index, not by loading rows."""

from __future__ import annotations

import pytest

from takevault.catalog.catalog import _SHOT_SELECT, _TAKE_ROWS
from takevault.catalog.schema import shots, takes
from takevault.models import ANY_TAKE, TakeFilter
from takevault.vault import Vault, lookup
from tests.catalog.scale_helpers import bulk_takes


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory):
    v = Vault.init(tmp_path_factory.mktemp("plans") / "vault")
    bulk_takes(v, shots=20, per_shot=25)
    v.star("SH0010/video_03")
    yield v
    v.close()


def plan(vault, query) -> str:
    sql = str(query.compile(vault.catalog.engine, compile_kwargs={"literal_binds": True}))
    with vault.catalog.engine.connect() as conn:
        return "\n".join(r[3] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))


def assert_no_scan(text: str) -> None:
    scans = [line for line in text.splitlines() if line.startswith("SCAN") and "take_search_fts" not in line]
    assert not scans, text


@pytest.mark.parametrize(
    "where",
    [
        {"take_ids": ["00000000-0000-0000-0000-000000000000"], "where": ANY_TAKE},
        {"shot_ids": [3], "number": 4, "where": ANY_TAKE},
        {"where": TakeFilter(starred=True)},
        {"where": TakeFilter(search="pass 7")},
        {"where": TakeFilter(deleted=True)},
    ],
    ids=["by-id", "by-shot-and-number", "starred", "search", "deleted"],
)
def test_selective_lookups_never_scan_takes(vault, where: dict) -> None:
    project = lookup.project_row(vault)
    kwargs = {k: v for k, v in where.items() if k != "where"}
    ids = vault.catalog._matching_ids(
        project, where["where"], kwargs.get("shot_ids"), kwargs.get("take_ids"), kwargs.get("number"), None
    )
    text = plan(vault, ids)
    assert_no_scan(text)
    if "shot_ids" not in kwargs and where["where"].deleted is not True:
        # Starts from the candidates by primary key, never from every take of every shot.
        assert text.splitlines()[0].startswith("SEARCH takes USING INDEX sqlite_autoindex_takes_1 (id=?)"), text


def test_reading_a_batch_of_takes_is_by_primary_key(vault) -> None:
    assert_no_scan(plan(vault, _TAKE_ROWS.where(takes.c.id.in_(["a", "b"]))))


def test_a_shot_by_code_and_its_take_count_use_indexes(vault) -> None:
    query = _SHOT_SELECT.where(shots.c.project_id == 1, shots.c.code == "SH0050")
    text = plan(vault, query)
    assert_no_scan(text)
    assert "ix_takes_shot_deleted" in text


def test_lookups_give_the_same_answers_as_a_full_listing(vault) -> None:
    everything = vault.takes(deleted=None)
    assert len(everything) == 500
    assert [t.ref for t in everything][:3] == [
        "SEQ01/SH0010/video_01",
        "SEQ01/SH0010/video_02",
        "SEQ01/SH0010/video_03",
    ]
    assert [t.ref for t in vault.takes(starred=True)] == ["SEQ01/SH0010/video_03"]
    by_ref = vault.take("SH0070/video_12")
    assert by_ref.id == vault.take(by_ref.id).id and by_ref.versions_count == 2 and by_ref.current.number == 2
    assert [t.ref for t in vault.takes(shot="SH0200")] == [f"SEQ01/SH0200/video_{n:02d}" for n in range(1, 26)]
