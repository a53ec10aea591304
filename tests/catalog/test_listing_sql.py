"""The fast path's SQL (catalog/listing_sql.py) is the catalog's own statements compiled for SQLite and
for PostgreSQL; it must not drift."""

from __future__ import annotations

import pytest

from takevault.catalog import compile_listings, listing_sql


def test_the_committed_listing_sql_is_what_the_catalogs_statements_compile_to() -> None:
    assert compile_listings.TARGET.read_text(encoding="utf-8") == compile_listings.render(), (
        "catalog/listing_sql.py is out of date with the catalog's statements; "
        "regenerate it with 'python -m takevault.catalog.compile_listings' and commit it"
    )


@pytest.mark.parametrize("dialect", compile_listings.DIALECTS)
def test_every_statement_the_fast_path_names_is_compiled_for_each_database(dialect: str) -> None:
    assert set(listing_sql.STATEMENTS) == set(compile_listings.DIALECTS)
    assert set(listing_sql.STATEMENTS[dialect]) == set(compile_listings.statements(dialect))
    marker = ":" if dialect == "sqlite" else "%("
    for name, (sql, _columns, _own, expanding) in listing_sql.STATEMENTS[dialect].items():
        assert sql.lstrip().upper().startswith("SELECT"), f"{name} is not a read"
        for parameter, one in expanding.items():
            assert f"__[POSTCOMPILE_{parameter}]" in sql and one.startswith(marker) and one.count("{}") == 1
