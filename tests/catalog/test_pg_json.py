"""PostgreSQL's JSON columns read through catalog/pg_json.py give what `json.loads` gives, and what was written."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

pytest.importorskip("psycopg")

from takevault.catalog import pg_json
from takevault.catalog.engine import create_catalog_engine

SAMPLES = [
    "[]",
    "{}",
    "null",
    "true",
    "7",
    '"x"',
    '["hero", "wip"]',
    '{"container": "mp4", "fps": "24000/1001", "audio": [{"codec": "aac", "channels": 2}], "duration": 5.005}',
    ' {"spaced": [1, 2]} ',
    '{"nested": {"deep": [[], {}, null]}, "unicode": "caf\\u00e9 \u65e5\u672c"}',
    "  []",
    "[] ",
    "1e400",
    "-0.0",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_loads_decodes_as_json_loads_does(text: str) -> None:
    for data in (text.encode(), memoryview(text.encode())):
        assert pg_json.loads(data) == json.loads(text)
        assert type(pg_json.loads(data)) is type(json.loads(text))


def test_empty_values_are_fresh_objects() -> None:
    first, second = pg_json.loads(b"[]"), pg_json.loads(b"[]")
    first.append(1)
    assert second == [] and pg_json.loads(b"{}") is not pg_json.loads(b"{}")


@pytest.mark.parametrize("text", ["", "[1,", "{'a': 1}", "[] []", "nul"])
def test_bad_json_fails_as_json_loads_does(text: str) -> None:
    with pytest.raises(json.JSONDecodeError) as ours:
        pg_json.loads(text.encode())
    with pytest.raises(json.JSONDecodeError) as theirs:
        json.loads(text)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.postgres
def test_catalog_engine_reads_json_and_jsonb_columns_through_it(pg_url: str) -> None:
    engine = create_catalog_engine(pg_url)
    values = [[], {}, None, ["hero"], {"a": [1, {"b": None}], "é": "日本"}]
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE j (id serial PRIMARY KEY, a json, b jsonb)")
            table = sa.table("j", sa.column("id"), sa.column("a", sa.JSON), sa.column("b", sa.JSON))
            conn.execute(sa.insert(table), [{"a": v, "b": v} for v in values])
            conn.exec_driver_sql("""INSERT INTO j (a, b) VALUES ('  {"kept": "as written"}  ', 'null')""")
            rows = conn.exec_driver_sql("SELECT a, b, a IS NULL FROM j ORDER BY id").all()
            loader = conn.connection.dbapi_connection.adapters.get_loader(114, 0)  # json, text format
        assert loader is pg_json.JsonTextLoader
        # A JSON null written through SQLAlchemy is SQL NULL (None either way); the rest round-trips.
        assert [r[0] for r in rows[:-1]] == values and [r[1] for r in rows[:-1]] == values
        assert rows[-1][0] == {"kept": "as written"} and rows[-1][1] is None
    finally:
        engine.dispose()
