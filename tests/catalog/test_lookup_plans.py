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


# -- PostgreSQL ---------------------------------------------------------------------------
# On a few hundred takes PostgreSQL rightly prefers sequential scans, so these plans are read with
# them priced out: what is left is the path the query's shape allows at any size. A shape that hides
# the project filter from the planner (SQLite's `+ 0`) plans a walk through every take of every shot.


@pytest.fixture(scope="module")
def pg_vault(pg_server: str, tmp_path_factory: pytest.TempPathFactory):
    import uuid

    import psycopg

    schema = f"tv_plans_{uuid.uuid4().hex[:12]}"
    dsn = pg_server.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    v = Vault.init(
        tmp_path_factory.mktemp("pg_plans") / "vault", catalog=f"{pg_server}?options=-csearch_path%3D{schema}"
    )
    rows = bulk_takes(v, shots=20, per_shot=25)
    v.star("SH0010/video_03")
    yield v, rows
    v.close()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def pg_plan(vault, query) -> str:
    sql = str(query.compile(vault.catalog.engine, compile_kwargs={"literal_binds": True}))
    with vault.catalog.engine.connect() as conn, conn.begin():
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        return "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + sql))


@pytest.mark.postgres
def test_postgres_search_reads_the_text_index_once(pg_vault) -> None:
    vault, _rows = pg_vault
    query = vault.catalog._matching_ids(lookup.project_row(vault), TakeFilter(search="pass 7"), None, None, None, None)
    text = pg_plan(vault, query)
    assert "Bitmap Index Scan on ix_take_search_document" in text, text
    # Not every take of the project tested against the index one by one (the plan `+ 0` gave).
    assert "take_search_pkey" not in text and "Recheck Cond: (shot_id = shots.id)" not in text, text
    assert [t.note for t in vault.takes(search="pass 77")] == ["pass 77"]


@pytest.mark.postgres
def test_postgres_lookup_by_id_reads_the_takes_by_key(pg_vault) -> None:
    from takevault.catalog.catalog import _TAKES_BY_ID_PG

    vault, rows = pg_vault
    wanted = [rows[3].id, rows[270].id]
    text = pg_plan(vault, _TAKES_BY_ID_PG.params(project_id=lookup.project_row(vault).id, ids=wanted))
    assert "pk_takes" in text, text
    assert "Recheck Cond: (shot_id = shots.id)" not in text, text
    assert {t.id for t in vault.catalog.query_takes(lookup.project_row(vault), ANY_TAKE, take_ids=wanted)} == set(
        wanted
    )


@pytest.mark.postgres
def test_postgres_a_page_reads_one_shots_takes_by_the_shot_number_index(pg_vault) -> None:
    from takevault.catalog.catalog import _TAKE_IDS_BY_NUMBER

    vault, _rows = pg_vault
    query = vault.catalog._matching_ids(
        lookup.project_row(vault), TakeFilter(), None, None, None, None, base=_TAKE_IDS_BY_NUMBER
    )
    text = pg_plan(vault, query.where(takes.c.shot_id.in_([3])))
    assert "takes" in text and ("ix_takes_shot_deleted" in text or "uq_takes_shot_number" in text), text
    assert "Sort Key: (COALESCE" not in text, text  # nothing sorts on the section and shot codes
    page = vault.catalog.take_id_page(lookup.project_row(vault), TakeFilter(), None, after=None, offset=0, limit=30)
    assert page.total == 500 and len(page.ids) == 30
    assert [vault.take(i).ref for i in page.ids[24:26]] == ["SEQ01/SH0010/video_25", "SEQ01/SH0020/video_01"]


@pytest.mark.postgres
def test_postgres_bulk_documents_equal_the_ones_the_triggers_write(pg_vault) -> None:
    import sqlalchemy as sa

    vault, rows = pg_vault
    with vault.catalog.engine.connect() as conn:
        bulk = dict(conn.execute(sa.text("SELECT take_id, document::text FROM take_search")).all())
        conn.execute(sa.text("SELECT take_search_refresh(id) FROM takes"))
        rewritten = dict(conn.execute(sa.text("SELECT take_id, document::text FROM take_search")).all())
        conn.rollback()
    assert len(bulk) == len(rows)
    assert rewritten == bulk
    # Outside a bulk insert the triggers work as before.
    vault.set("SH0020/video_04", note="kestrel at dusk")
    assert [t.ref for t in vault.takes(search="kestrel")] == ["SEQ01/SH0020/video_04"]


@pytest.mark.parametrize("section", ["SEQ01", None], ids=["with-section", "bare-code"])
def test_a_reference_reads_its_shot_and_take_by_index(vault, section: str | None) -> None:
    from takevault.catalog.catalog import _TAKES_BY_CODE_NUMBER, _TAKES_BY_SECTION_CODE_NUMBER

    params = {"project_id": lookup.project_row(vault).id, "code": "SH0010", "number": 3}
    statement = _TAKES_BY_CODE_NUMBER if section is None else _TAKES_BY_SECTION_CODE_NUMBER
    text = plan(vault, statement.params(**params, **({"section": section} if section else {})))
    assert_no_scan(text)
    assert "SEARCH shots USING INDEX ix_shots_project_code (project_id=? AND code=?)" in text, text
