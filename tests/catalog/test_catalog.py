"""The catalog on its own: migrations on a fresh SQLite file and PostgreSQL, and what the database enforces."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from takevault.catalog import Catalog
from takevault.catalog.catalog import now
from takevault.catalog.schema import shots, takes
from takevault.errors import ConfigError, ConflictError


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def catalog(request: pytest.FixtureRequest, tmp_path: Path):
    url = request.getfixturevalue("pg_url") if request.param == "postgres" else f"sqlite:///{tmp_path / 'c.db'}"
    cat = Catalog(url)
    cat.migrate()
    yield cat
    cat.close()


def _take_row(shot_id: int, number: int, **extra: object) -> dict:
    return {
        "id": f"00000000-0000-0000-0000-{number:012d}",
        "shot_id": shot_id,
        "number": number,
        "name": f"video_{number:02d}",
        "key": f"main/_/SH010/video_{number:02d}.mp4",
        "kind": "raw",
        "tags": [],
        "created_at": now(),
        "created_by": "test",
        "deleted": False,
        **extra,
    }


def test_migrate_creates_every_table_and_is_idempotent(catalog: Catalog) -> None:
    assert catalog.schema_revision() == Catalog.head_revision()
    catalog.migrate()
    names = set(sa.inspect(catalog.engine).get_table_names())
    assert {"projects", "sections", "shots", "takes", "take_versions", "take_links", "events", "journal"} <= names
    assert "alembic_version" in names


def test_sqlite_runs_in_wal_with_foreign_keys(tmp_path: Path) -> None:
    cat = Catalog(f"sqlite:///{tmp_path / 'c.db'}")
    cat.migrate()
    with cat.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 10000
    cat.close()


def test_take_numbers_count_up_per_shot_and_survive_deletion(catalog: Catalog) -> None:
    project = catalog.ensure_project("main")
    assert catalog.ensure_project("main") == project
    a = catalog.add_shot(project, "SH010", section=None, name=None, order=None, description=None)
    b = catalog.add_shot(project, "SH020", section=None, name=None, order=None, description=None)
    assert [catalog.reserve_take_number(a.id) for _ in range(3)] == [1, 2, 3]
    assert catalog.reserve_take_number(b.id) == 1


def test_database_refuses_bad_ratings_and_duplicate_numbers(catalog: Catalog) -> None:
    project = catalog.ensure_project("main")
    shot = catalog.add_shot(project, "SH010", section=None, name=None, order=None, description=None)
    with catalog.engine.begin() as conn:
        conn.execute(sa.insert(takes).values(**_take_row(shot.id, 1)))
    with pytest.raises(sa.exc.IntegrityError), catalog.engine.begin() as conn:
        conn.execute(sa.insert(takes).values(**_take_row(shot.id, 2, rating=6)))
    with pytest.raises(sa.exc.IntegrityError), catalog.engine.begin() as conn:
        dup = _take_row(shot.id, 1)
        dup["id"] = "00000000-0000-0000-0000-00000000beef"
        conn.execute(sa.insert(takes).values(**dup))
    with pytest.raises(sa.exc.IntegrityError), catalog.engine.begin() as conn:
        # The star is a foreign key: it cannot point at a take that does not exist.
        conn.execute(sa.update(shots).where(shots.c.id == shot.id).values(starred_take_id="no-such-take"))


def test_shot_codes_unique_within_a_section_but_may_repeat_across(catalog: Catalog) -> None:
    project = catalog.ensure_project("main")
    catalog.add_section(project, "SEQ01", None, None)
    catalog.add_section(project, "SEQ02", None, None)
    catalog.add_shot(project, "SH010", section="SEQ01", name=None, order=None, description=None)
    catalog.add_shot(project, "SH010", section="SEQ02", name=None, order=None, description=None)
    with pytest.raises(ConflictError, match="already exists in section SEQ01"):
        catalog.add_shot(project, "SH010", section="SEQ01", name=None, order=None, description=None)
    assert [s.section for s in catalog.find_shots(project, "SH010")] == ["SEQ01", "SEQ02"]
    assert [s.order for s in catalog.list_sections(project)] == [10, 20]


def test_unsupported_or_malformed_urls_say_what_to_use() -> None:
    with pytest.raises(ConfigError, match="not supported"):
        Catalog("mysql://x/y")
    with pytest.raises(ConfigError, match="not an SQLAlchemy URL"):
        Catalog("not a url")
