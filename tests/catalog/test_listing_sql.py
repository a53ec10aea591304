"""The fast path's SQL (catalog/listing_sql.py) is the catalog's own statements compiled; it must not drift."""

from __future__ import annotations

from takevault.catalog import compile_listings, listing_sql


def test_the_committed_listing_sql_is_what_the_catalogs_statements_compile_to() -> None:
    assert compile_listings.TARGET.read_text(encoding="utf-8") == compile_listings.render(), (
        "catalog/listing_sql.py is out of date with the catalog's statements; "
        "regenerate it with 'python -m takevault.catalog.compile_listings' and commit it"
    )


def test_every_statement_the_fast_path_names_is_compiled() -> None:
    assert set(listing_sql.STATEMENTS) == set(compile_listings.statements())
    for name, (sql, _columns, _own) in listing_sql.STATEMENTS.items():
        assert sql.lstrip().upper().startswith("SELECT"), f"{name} is not a read"
