"""Settings: read from takevault.toml, overridden by TAKEVAULT_* variables, refused when wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from takevault.config import (
    CONFIG_NAME,
    SETTINGS,
    find_vault_root,
    load_config,
    resolve_catalog_url,
    write_config,
)
from takevault.errors import ConfigError


def test_every_setting_has_help_and_env() -> None:
    for setting in SETTINGS:
        assert setting.help.endswith("."), setting.name
        assert setting.env.startswith("TAKEVAULT_"), setting.name


def test_round_trip_and_env_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_config(tmp_path, {"catalog": "sqlite:///c.db", "store": "s3://b/p", "s3.endpoint_url": "http://x:1"})
    config = load_config(tmp_path)
    assert config.catalog_url == f"sqlite:///{tmp_path / 'c.db'}"
    assert config.store_url == "s3://b/p"
    assert config.endpoint_url == "http://x:1"
    monkeypatch.setenv("TAKEVAULT_STORE", "file:///elsewhere")
    monkeypatch.setenv("TAKEVAULT_ENDPOINT_URL", "http://y:2")
    config = load_config(tmp_path)
    assert config.store_url == "file:///elsewhere"
    assert config.endpoint_url == "http://y:2"


def test_unknown_setting_is_named(tmp_path: Path) -> None:
    (tmp_path / CONFIG_NAME).write_text('catalogue = "sqlite:///x"\n')
    with pytest.raises(ConfigError, match=r"unknown setting.*catalogue"):
        load_config(tmp_path)


def test_broken_toml_is_one_sentence(tmp_path: Path) -> None:
    (tmp_path / CONFIG_NAME).write_text("catalog = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(tmp_path)


def test_wrong_type_is_refused(tmp_path: Path) -> None:
    (tmp_path / CONFIG_NAME).write_text('[web]\nmax_upload_mb = "lots"\n')
    with pytest.raises(ConfigError, match="not a valid int"):
        load_config(tmp_path)


def test_vault_found_upward_by_env_and_explicit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TAKEVAULT_VAULT", raising=False)
    write_config(tmp_path, {})
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_vault_root(start=deep) == tmp_path.resolve()
    assert find_vault_root(tmp_path) == tmp_path.resolve()
    monkeypatch.setenv("TAKEVAULT_VAULT", str(tmp_path))
    assert find_vault_root(start=Path("/")) == tmp_path.resolve()


def test_no_vault_says_how_to_make_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TAKEVAULT_VAULT", raising=False)
    with pytest.raises(ConfigError, match="takevault init"):
        find_vault_root(start=tmp_path)
    with pytest.raises(ConfigError, match="not a takevault vault"):
        find_vault_root(tmp_path)


def test_relative_sqlite_is_relative_to_the_vault(tmp_path: Path) -> None:
    assert resolve_catalog_url("sqlite:///x.db", tmp_path) == f"sqlite:///{tmp_path.resolve() / 'x.db'}"
    assert resolve_catalog_url("sqlite:////abs/x.db", tmp_path) == "sqlite:////abs/x.db"
    assert resolve_catalog_url("postgresql+psycopg://u@h/db", tmp_path) == "postgresql+psycopg://u@h/db"


def test_readme_documents_every_setting() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"`{setting.name}`" in readme and f"`{setting.env}`" in readme, setting.name
        assert setting.help in readme, f"README's help for {setting.name} differs from config.SETTINGS"
