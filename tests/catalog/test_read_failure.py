"""A driver error met by the fast path's readers is told in the catalog's own sentence (`Catalog._translate`)."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest
import sqlalchemy as sa

from takevault.catalog.catalog import Catalog
from takevault.catalog.read_failure import failure
from takevault.errors import TakevaultError

URLS = [
    "sqlite:////var/tmp/vault/catalog.db",
    "postgresql+psycopg://postgres:secret@127.0.0.1:5432/test?options=-csearch_path%3Dbench",
    "postgresql://ana@db.example:6543/takes",
]
ERRORS = [
    sqlite3.OperationalError("disk I/O error"),
    sqlite3.DatabaseError("database disk image is malformed"),
    sqlite3.IntegrityError("UNIQUE constraint failed: takes.id"),
    sqlite3.Error(""),
    psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly\n\tThis probably..."),
    psycopg.errors.QueryCanceled("canceling statement due to statement timeout"),
    psycopg.errors.UndefinedTable('relation "takes" does not exist\nLINE 1: SELECT ...'),
    psycopg.errors.DataCorrupted("invalid page in block 7 of relation base/16384/16390."),
]


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("error", ERRORS, ids=lambda e: f"{type(e).__name__}:{str(e)[:20]}")
def test_the_fast_readers_sentence_is_the_catalogs(url: str, error: Exception) -> None:
    driver = sqlite3 if isinstance(error, sqlite3.Error) else psycopg
    catalog = Catalog(url)  # never connects: only its words are asked for
    try:
        with pytest.raises(TakevaultError) as normal, catalog._translate():
            raise sa.exc.DBAPIError.instance("SELECT 1", {}, error, driver.Error, dialect=catalog.engine.dialect)
    finally:
        catalog.close()
    fast = failure(error, url)
    assert (type(fast), fast.message) == (type(normal.value), normal.value.message)
    assert "secret" not in fast.message and len(fast.message.splitlines()) == 1
