"""The part of `Vault` every use case stands on: settings, the store and the catalog, opened lazily."""

from __future__ import annotations

import shutil
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from takevault.config import (
    CONFIG_NAME,
    DEFAULT_CATALOG,
    DEFAULT_STORE,
    VaultConfig,
    find_vault_root,
    load_config,
    write_config,
)
from takevault.errors import ConfigError, NotFoundError, TakevaultError
from takevault.store import VersionedStore, check_store_url, open_store

if TYPE_CHECKING:
    from takevault.catalog import Catalog

DEFAULT_PROJECT = "main"


class VaultCore:
    """Holds one vault's configuration and opens its store and catalog on first use."""

    def __init__(self, config: VaultConfig, project: str = DEFAULT_PROJECT, *, known_project: bool = False) -> None:
        from takevault.vault.refs import check_code

        self.config = config
        self.root = config.root
        check_store_url(config.store_url)
        # A project name becomes the first part of every store key, so it follows the rules of codes.
        self.project = check_code(project, "project")
        self.known_project = known_project
        """True: reading a project nobody has written to is an error (a mistyped name), not an empty list."""

    # -- opening ------------------------------------------------------------
    @classmethod
    def open(
        cls, path: Path | str | None = None, *, project: str = DEFAULT_PROJECT, known_project: bool = False
    ) -> Any:
        """Open the vault at `path`, TAKEVAULT_VAULT, or the nearest takevault.toml upward.

        With `known_project`, reads of a project that does not exist yet raise NotFoundError
        (the CLI's `--project` typo); writes create it either way."""
        root = find_vault_root(path)
        return cls(load_config(root), project=project, known_project=known_project)

    @classmethod
    def init(
        cls,
        path: Path | str = ".",
        *,
        catalog: str | None = None,
        store: str | None = None,
        endpoint_url: str | None = None,
        region: str | None = None,
        project: str = DEFAULT_PROJECT,
        enable_versioning: bool = False,
        create_bucket: bool = False,
    ) -> Any:
        """Make a new vault in `path`: write takevault.toml, prepare the store, create the catalog.

        With no options: SQLite and a local store inside `path`. If any step fails,
        what this call created is removed again, so a failed init leaves nothing behind.
        """
        from takevault.vault.refs import check_code

        check_code(project, "project")
        root = Path(path).expanduser().resolve()
        if (root / CONFIG_NAME).exists():
            raise ConfigError(f"{root} is already a takevault vault; use it as it is, or pick another folder.")
        if root.exists() and not root.is_dir():
            raise ConfigError(f"{root} is a file, not a folder; pick a folder for the vault.")
        created_root = not root.exists()
        existing = set(root.iterdir()) if root.exists() else set()
        values = {
            "catalog": catalog or DEFAULT_CATALOG,
            "store": store or DEFAULT_STORE,
            "s3.endpoint_url": endpoint_url,
            "s3.region": region,
        }
        try:
            root.mkdir(parents=True, exist_ok=True)
            write_config(root, values)
            vault = cls(load_config(root), project=project)
            vault._migrating = True
            vault._prepare_new_store(enable_versioning=enable_versioning, create_bucket=create_bucket)
            vault._refuse_catalog_without_its_store()
            vault.catalog.migrate()
            vault.catalog.ensure_project(project)
            vault._migrating = False
        except BaseException:
            _remove_new_entries(root, existing, created_root)
            raise
        return vault

    def _refuse_catalog_without_its_store(self) -> None:
        """Joining an existing (team) catalog is fine with its shared S3 store; with a brand-new local
        store every take in it would point at bytes this vault does not have."""
        if self.catalog.schema_revision() is not None and self.config.store_url.startswith("file:"):
            raise ConfigError(
                f"The catalog {self.config.get('catalog')} already holds a takevault catalog, and a new local "
                "store cannot hold its takes; pass the --store its vault uses, or give a new database."
            )

    def _prepare_new_store(self, *, enable_versioning: bool = False, create_bucket: bool = False) -> None:
        """A local store is made here; an S3 bucket must be versioned, and is made so only when asked."""
        if self.config.store_url.startswith("file:"):
            self.store.enable_versioning(create_bucket=True)
            return
        try:
            if enable_versioning or create_bucket:
                self.store.enable_versioning(create_bucket=create_bucket)
            status = self.store.versioning_status()
        except NotFoundError:
            raise NotFoundError(
                f"The bucket of {self.config.store_url} does not exist; run 'takevault init' again with "
                "--create-bucket to create it with versioning on."
            ) from None
        if status != "Enabled":
            raise ConfigError(
                f"Versioning is {status.lower()} on {self.config.store_url}, so uploads could overwrite history; "
                "run 'takevault init' again with --enable-versioning."
            )

    # -- parts ------------------------------------------------------------
    @cached_property
    def store(self) -> VersionedStore:
        return open_store(
            self.config.store_url,
            endpoint_url=self.config.endpoint_url,
            region=self.config.region,
            base_dir=self.root,
        )

    @cached_property
    def catalog(self) -> Catalog:
        from takevault.catalog import Catalog
        from takevault.vault.journal import JournalWriter

        url = self.config.catalog_url
        if not self._migrating:
            _refuse_missing_sqlite_file(url)
        catalog = Catalog(url)
        # Every committed catalog change is also written to the store, so the store alone can rebuild it.
        catalog.journal_sink = JournalWriter(self.store)
        if not self._migrating:
            try:
                catalog.require_current_schema()
            except BaseException:
                catalog.close()
                raise
        return catalog

    _migrating = False
    """True while init or upgrade_catalog brings the schema to head, so the schema check waits."""

    def upgrade_catalog(self) -> tuple[str | None, str | None]:
        """Migrate the catalog to this takevault's schema; returns (revision before, revision after)."""
        self._migrating = True
        try:
            before = self.catalog.schema_revision()
            self.catalog.migrate()
            return before, self.catalog.schema_revision()
        finally:
            self._migrating = False

    @property
    def user(self) -> str:
        return self.config.user

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.close()
        if "catalog" in self.__dict__:
            self.catalog.close()

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _refuse_missing_sqlite_file(url: str) -> None:
    """Opening a missing SQLite file would create an empty one and then complain it has no tables."""
    if not url.startswith("sqlite:///"):
        return
    path = url[len("sqlite:///") :].split("?", 1)[0]
    if path and path != ":memory:" and not Path(path).exists():
        raise ConfigError(
            f"The catalog file {path} does not exist; if the vault lost its catalog, rebuild it from the store "
            "with 'takevault catalog rebuild', else check the catalog setting in takevault.toml."
        )


def _remove_new_entries(root: Path, existing: set[Path], created_root: bool) -> None:
    """Undo a failed init: delete only what it added."""
    if created_root:
        shutil.rmtree(root, ignore_errors=True)
        return
    try:
        for entry in root.iterdir():
            if entry not in existing:
                if entry.is_dir():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)
    except OSError:
        pass


__all__ = ["DEFAULT_PROJECT", "TakevaultError", "VaultCore"]
