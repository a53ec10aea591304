"""Opening a vault's parts: its store and catalog, and the checks `Vault.init` makes before it keeps a new vault."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from takevault.errors import ConfigError, NotFoundError
from takevault.store import VersionedStore, open_store

if TYPE_CHECKING:
    from takevault.catalog import Catalog
    from takevault.vault import Vault

DEFAULT_PROJECT = "main"


def open_vault_store(vault: Vault) -> VersionedStore:
    return open_store(
        vault.config.store_url,
        endpoint_url=vault.config.endpoint_url,
        region=vault.config.region,
        base_dir=vault.root,
    )


def open_catalog(vault: Vault, *, check_schema: bool = True) -> Catalog:
    """The vault's catalog, writing every committed change to the store's journal too.

    `check_schema=False` is for init and `catalog upgrade`, which bring the schema to head themselves."""
    from takevault.catalog import Catalog
    from takevault.vault.journal import JournalWriter

    url = vault.config.catalog_url
    if check_schema:
        _refuse_missing_sqlite_file(url)
    catalog = Catalog(url)
    # Every committed catalog change is also written to the store, so the store alone can rebuild it.
    catalog.journal_sink = JournalWriter(vault.store)
    if check_schema:
        try:
            catalog.require_current_schema()
        except BaseException:
            catalog.close()
            raise
    return catalog


def refuse_catalog_without_its_store(vault: Vault) -> None:
    """Joining an existing (team) catalog is fine with its shared S3 store; with a brand-new local
    store every take in it would point at bytes this vault does not have."""
    if vault.catalog.schema_revision() is not None and vault.config.store_url.startswith("file:"):
        raise ConfigError(
            f"The catalog {vault.config.get('catalog')} already holds a takevault catalog, and a new local "
            "store cannot hold its takes; pass the --store its vault uses, or give a new database."
        )


def prepare_new_store(vault: Vault, *, enable_versioning: bool = False, create_bucket: bool = False) -> None:
    """A local store is made here; an S3 bucket must be versioned, and is made so only when asked."""
    if vault.config.store_url.startswith("file:"):
        vault.store.enable_versioning(create_bucket=True)
        return
    try:
        if enable_versioning or create_bucket:
            vault.store.enable_versioning(create_bucket=create_bucket)
        status = vault.store.versioning_status()
    except NotFoundError:
        raise NotFoundError(
            f"The bucket of {vault.config.store_url} does not exist; run 'takevault init' again with "
            "--create-bucket to create it with versioning on."
        ) from None
    if status != "Enabled":
        raise ConfigError(
            f"Versioning is {status.lower()} on {vault.config.store_url}, so uploads could overwrite history; "
            "run 'takevault init' again with --enable-versioning."
        )


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


def remove_new_entries(root: Path, existing: set[Path], created_root: bool) -> None:
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


__all__ = ["DEFAULT_PROJECT"]
