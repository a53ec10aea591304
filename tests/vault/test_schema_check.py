"""A catalog of another schema revision is refused with the command that fixes it."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from takevault.errors import ConfigError, NotFoundError
from takevault.vault import Vault
from tests.clips import make_clip


def _set_revision(vault_root: Path, revision: str) -> None:
    engine = sa.create_engine(f"sqlite:///{vault_root / 'catalog.db'}")
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    engine.dispose()


def test_catalog_written_by_a_newer_takevault_is_refused(tmp_path: Path) -> None:
    Vault.init(tmp_path / "v").close()
    _set_revision(tmp_path / "v", "ffffffffffff")
    with Vault.open(tmp_path / "v") as vault, pytest.raises(ConfigError, match="newer takevault"):
        vault.takes()


def test_empty_catalog_says_how_to_make_a_vault(tmp_path: Path) -> None:
    Vault.init(tmp_path / "v").close()
    (tmp_path / "v" / "catalog.db").write_bytes(b"")
    with Vault.open(tmp_path / "v") as vault, pytest.raises(ConfigError, match="no takevault tables"):
        vault.takes()


def test_missing_catalog_file_is_not_created_and_says_rebuild(tmp_path: Path) -> None:
    Vault.init(tmp_path / "v").close()
    (tmp_path / "v" / "catalog.db").unlink()
    with Vault.open(tmp_path / "v") as vault, pytest.raises(ConfigError, match=r"does not exist.*catalog rebuild"):
        vault.takes()
    assert not (tmp_path / "v" / "catalog.db").exists()


def test_lost_catalog_is_rebuilt_from_the_store(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "a.mp4")
    with Vault.init(tmp_path / "v") as vault:
        vault.add_shot("SH010")
        take = vault.add(clip, shot="SH010")
    for leftover in (tmp_path / "v").glob("catalog.db*"):
        leftover.unlink()
    with Vault.open(tmp_path / "v") as vault:
        report = vault.rebuild_catalog()
        assert report.takes_added == 1
        assert vault.take(take.id).current.sha256 == take.current.sha256


def test_version_in_a_take_reference_must_exist(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "a.mp4")
    with Vault.init(tmp_path / "v") as vault:
        vault.add_shot("SH010")
        take = vault.add(clip, shot="SH010")
        assert vault.take(f"{take.id}@v1").id == take.id
        with pytest.raises(NotFoundError, match="no version v9"):
            vault.take(f"{take.id}@v9")


def test_reading_an_unknown_project_does_not_create_it(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "a.mp4")
    Vault.init(tmp_path / "v").close()
    with Vault.open(tmp_path / "v", project="trialer") as typo:
        assert typo.takes() == [] and typo.list_shots() == [] and typo.list_sections() == []
        assert [p.name for p in typo.list_projects()] == ["main"]
        typo.add_shot("SH010")
        take = typo.add(clip, shot="SH010")
        assert [t.id for t in typo.takes()] == [take.id]
        assert [p.name for p in typo.list_projects()] == ["main", "trialer"]
    with Vault.open(tmp_path / "v") as main:
        assert main.takes() == []


def test_the_quick_schema_check_agrees_with_alembic(tmp_path: Path) -> None:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from takevault.catalog.catalog import MIGRATIONS, Catalog, _head_from_files

    expected = ScriptDirectory.from_config(Catalog._alembic_config()).get_current_head()
    assert _head_from_files(MIGRATIONS / "versions") == expected == Catalog.head_revision()
    with Vault.init(tmp_path / "v") as vault, vault.catalog.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == vault.catalog.schema_revision()
    # Two heads (an unmerged branch) are not clear-cut: Alembic decides then.
    folder = tmp_path / "versions"
    folder.mkdir()
    (folder / "a.py").write_text('revision = "a"\ndown_revision = None\n')
    (folder / "b.py").write_text('revision = "b"\ndown_revision = "a"\n')
    (folder / "c.py").write_text("revision = 'c'\ndown_revision = ('a',)\n")
    assert _head_from_files(folder) is None
    (folder / "c.py").write_text("revision = 'c'\ndown_revision = ('b',)\n")
    assert _head_from_files(folder) == "c"
