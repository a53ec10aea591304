"""The PostgreSQL server on 127.0.0.1:5432 that this machine kind starts.

`pg_url` gives each test a fresh, empty schema in database `test` (user
`postgres`, trust auth) and drops it afterwards; the URL sets `search_path`, so
every connection the test makes (other processes too) lands in that schema.
With CI=true a missing server fails the test; elsewhere the test is skipped
and says why. TAKEVAULT_TEST_PG overrides the server URL.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

import pytest

PG_URL = os.environ.get("TAKEVAULT_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _libpq_dsn(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _server_problem() -> str | None:
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install 'takevault[postgres]')"
    try:
        with psycopg.connect(_libpq_dsn(PG_URL), connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure means: no usable server
        return f"no PostgreSQL at {PG_URL} ({type(exc).__name__}: {str(exc).strip().splitlines()[0]})"
    return None


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The server's base URL, or skip (fail under CI=true) when it is not there."""
    problem = _server_problem()
    if problem:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL is required in CI: {problem}")
        pytest.skip(problem)
    return PG_URL


@contextlib.contextmanager
def fresh_schema(server: str) -> Iterator[str]:
    """A URL whose connections all use a new schema, dropped on the way out."""
    import psycopg

    schema = f"tv_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(_libpq_dsn(server), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in server else "?"
    try:
        yield f"{server}{sep}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(_libpq_dsn(server), autocommit=True) as conn:
            # A connection the test forgot to close must not hang the suite: give up after a while.
            conn.execute("SET lock_timeout = '20s'")
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """An SQLAlchemy URL whose connections all use a fresh schema, dropped after the test."""
    with fresh_schema(pg_server) as url:
        yield url


@pytest.fixture(scope="module")
def pg_module_url(pg_server: str) -> Iterator[str]:
    """One fresh schema for a whole test module: for tests that only read what a fixture wrote."""
    with fresh_schema(pg_server) as url:
        yield url
