"""A pooled PostgreSQL connection is pinged only after sitting idle: one the server dropped meanwhile
is replaced before use; one dropped during a burst of use fails one statement, then the pool is new."""

from __future__ import annotations

from pathlib import Path

import pytest

from takevault.catalog import engine as engine_module
from takevault.errors import CatalogError
from takevault.vault import Vault
from tests.catalog.scale_helpers import bulk_takes

pytestmark = pytest.mark.postgres


def drop_pooled_connections(vault: Vault, pg_url: str) -> int:
    """End, from another connection, the server side of every connection the vault's pool holds."""
    import psycopg

    pool = vault.catalog.engine.pool
    pids = []
    with vault.catalog.engine.connect() as conn:  # the pool is used one connection at a time here
        pids.append(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())
    assert pool.checkedin() == 1
    dsn = pg_url.split("?")[0].replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(dsn, autocommit=True) as killer:
        for pid in pids:
            killer.execute("SELECT pg_terminate_backend(%s)", (pid,))
    return len(pids)


@pytest.fixture
def vault(pg_url: str, tmp_path: Path):
    with Vault.init(tmp_path / "vault", catalog=pg_url) as v:
        bulk_takes(v, shots=1, per_shot=2)
        yield v


def test_a_connection_dropped_while_idle_is_replaced_before_use(vault, pg_url: str, monkeypatch) -> None:
    before = vault.take("SH0010/video_01")
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_S", 0.0)  # every return to the pool counts as idle
    assert drop_pooled_connections(vault, pg_url) == 1
    assert vault.take("SH0010/video_01") == before
    assert vault.take(before.id) == before


def test_a_connection_dropped_during_use_fails_once_then_the_pool_is_new(vault, pg_url: str, monkeypatch) -> None:
    before = vault.take("SH0010/video_01")
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_S", 3600.0)
    drop_pooled_connections(vault, pg_url)
    with pytest.raises(CatalogError, match="cannot be used"):
        vault.take("SH0010/video_01")
    assert vault.take("SH0010/video_01") == before
