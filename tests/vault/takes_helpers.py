"""Helpers for the take tests: vaults on SQLite or PostgreSQL, and a snapshot of catalog + store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from takevault.catalog.schema import metadata

CATALOGS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def make_vault(request: pytest.FixtureRequest, root: Path, kind: str, *, pg_fixture: str = "pg_url"):
    """A new vault on `kind`'s catalog; a module-scoped fixture passes pg_fixture="pg_module_url"."""
    from takevault.vault import Vault

    catalog = request.getfixturevalue(pg_fixture) if kind == "postgres" else None
    return Vault.init(root, catalog=catalog)


def snapshot(vault: Any) -> dict[str, Any]:
    """Every catalog row of every table and every store version: equal snapshots mean nothing changed."""
    rows: dict[str, Any] = {}
    with vault.catalog.engine.connect() as conn:
        for table in metadata.sorted_tables:
            result = conn.execute(sa.select(table)).mappings().all()
            rows[table.name] = sorted((sorted((k, repr(v)) for k, v in r.items()) for r in result), key=repr)
    store = sorted(
        (v.key, v.version_id, v.is_delete_marker, v.is_latest, v.sha256, v.size)
        for v in vault.store.list_versions("", prefix=True)
    )
    return {"catalog": rows, "store": store}


def make_take_clips(folder: Path) -> dict[str, Path]:
    """Three different tiny clips: a (24 frames), b (12 frames, 25 fps), c (NTSC 24000/1001 with audio)."""
    from fractions import Fraction

    from tests.clips import make_clip

    return {
        "a": make_clip(folder / "take_a.mp4"),
        "b": make_clip(folder / "take_b.mp4", frames=12, fps=Fraction(25), scenes=((0, 3),)),
        "c": make_clip(folder / "take_c.mov", frames=10, fps=Fraction(24000, 1001), audio=True, scenes=((0, 5),)),
    }
