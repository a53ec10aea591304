"""`Vault`: the one place where catalog, store and media meet.

CLI and web are thin adapters: every command and endpoint is one `Vault` call.

`Vault` is one plain class. It holds the parts a vault is made of (its settings,
folder, project and user, and, opened on first use, its catalog and store) and
nothing else. Every use case is a function in its own module (`add.py`,
`replace.py`, `star.py`, …) whose first parameter is the vault; the class body
binds them by assignment (`add = _add.add`), so `vault.add(...)` is the use case
and mypy sees its real signature. Helpers the use cases share (the project row,
the event row, take and shot lookup) are plain functions in `lookup.py`. Areas
with many verbs have a sub-facade: `vault.pngs` (workflow PNGs) and
`vault.people` (users, roles, tokens, sessions).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Self

from takevault.config import (
    CONFIG_NAME,
    DEFAULT_CATALOG,
    DEFAULT_STORE,
    VaultConfig,
    find_vault_root,
    load_config,
    write_config,
)
from takevault.errors import ConfigError
from takevault.store import VersionedStore, check_store_url
from takevault.vault import add as _add
from takevault.vault import approvals as _approvals
from takevault.vault import comparing as _comparing
from takevault.vault import core as _core
from takevault.vault import cutcheck as _cutcheck
from takevault.vault import delete as _delete
from takevault.vault import editorial as _editorial
from takevault.vault import fetch as _fetch
from takevault.vault import fsck as _fsck
from takevault.vault import importing as _importing
from takevault.vault import jobs as _jobs
from takevault.vault import links as _links
from takevault.vault import listing as _listing
from takevault.vault import metadata as _metadata
from takevault.vault import note_markers as _note_markers
from takevault.vault import notes as _notes
from takevault.vault import notes_follow as _notes_follow
from takevault.vault import playback as _playback
from takevault.vault import rebuild as _rebuild
from takevault.vault import replace as _replace
from takevault.vault import star as _star
from takevault.vault import store_ops as _store_ops
from takevault.vault import takes as _takes
from takevault.vault.core import DEFAULT_PROJECT
from takevault.vault.derived import DerivedFiles
from takevault.vault.people import People
from takevault.vault.pngs import Pngs
from takevault.vault.refs import check_code

if TYPE_CHECKING:
    from takevault.catalog import Catalog
    from takevault.jobs.table import JobTable
    from takevault.models import Project


class Vault:
    """A catalog plus a versioned store. Open one with `Vault.open()` or make one with `Vault.init()`."""

    def __init__(self, config: VaultConfig, project: str = DEFAULT_PROJECT, *, known_project: bool = False) -> None:
        self.config = config
        self.root = config.root
        check_store_url(config.store_url)
        # A project name becomes the first part of every store key, so it follows the rules of codes.
        self.project = check_code(project, "project")
        self.known_project = known_project
        """True: reading a project nobody has written to is an error (a mistyped name), not an empty list."""
        self.acting_user: str | None = None
        """The signed-in person a web request acts for; None means the configured user (CLI, single-user)."""
        self._project_row: Project | None = None
        """The project's catalog row once read or written (see `lookup.project_row`)."""

    # -- opening ------------------------------------------------------------
    @classmethod
    def open(
        cls, path: Path | str | None = None, *, project: str = DEFAULT_PROJECT, known_project: bool = False
    ) -> Self:
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
    ) -> Self:
        """Make a new vault in `path`: write takevault.toml, prepare the store, create the catalog.

        With no options: SQLite and a local store inside `path`. If any step fails,
        what this call created is removed again, so a failed init leaves nothing behind.
        """
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
            _core.prepare_new_store(vault, enable_versioning=enable_versioning, create_bucket=create_bucket)
            # The schema is brought to head here, so the catalog opens without the schema check.
            vault.__dict__["catalog"] = _core.open_catalog(vault, check_schema=False)
            _core.refuse_catalog_without_its_store(vault)
            vault.catalog.migrate()
            vault.catalog.ensure_project(project)
        except BaseException:
            _core.remove_new_entries(root, existing, created_root)
            raise
        return vault

    def upgrade_catalog(self) -> tuple[str | None, str | None]:
        """Migrate the catalog to this takevault's schema; returns (revision before, revision after)."""
        if "catalog" not in self.__dict__:
            self.__dict__["catalog"] = _core.open_catalog(self, check_schema=False)
        before = self.catalog.schema_revision()
        self.catalog.migrate()
        return before, self.catalog.schema_revision()

    # -- parts ------------------------------------------------------------
    @cached_property
    def store(self) -> VersionedStore:
        return _core.open_vault_store(self)

    @cached_property
    def catalog(self) -> Catalog:
        return _core.open_catalog(self)

    @property
    def user(self) -> str:
        """Who events are recorded under: the signed-in person, else the configured user."""
        return self.acting_user or self.config.user

    @contextlib.contextmanager
    def acting_as(self, name: str | None) -> Iterator[None]:
        """Record every event inside the block under `name` (a signed-in person)."""
        before, self.acting_user = self.acting_user, name
        try:
            yield
        finally:
            self.acting_user = before

    @property
    def pngs(self) -> Pngs:
        """The workflow PNGs: `vault.pngs.attach(ref, path)`, `.validate()`, `.show(ref)` …"""
        return Pngs(self)

    @property
    def people(self) -> People:
        """Users, roles, API tokens and sessions: `vault.people.add(name, role=...)` …"""
        return People(self)

    @property
    def cache_dir(self) -> Path:
        """This machine's read-through cache of derived files (see `playback.py`)."""
        return _playback.cache_dir(self)

    @property
    def derived(self) -> DerivedFiles:
        return _playback.derived(self)

    @property
    def job_table(self) -> JobTable:
        return _jobs.job_table(self)

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.close()
        if "catalog" in self.__dict__:
            self.catalog.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- use cases, one module each ---------------------------------------------
    # takes
    add_section = _takes.add_section
    list_sections = _takes.list_sections
    add_shot = _takes.add_shot
    list_shots = _takes.list_shots
    shot = _takes.shot
    take = _takes.take
    resolve_version = _takes.resolve_version
    takes = _takes.takes
    iter_takes = _takes.iter_takes
    iter_listed_takes = _takes.iter_listed_takes
    history = _takes.history
    events = _takes.events
    iter_events = _takes.iter_events
    # add
    add = _add.add
    # replace
    replace = _replace.replace
    revert = _replace.revert
    # delete
    delete = _delete.delete
    restore = _delete.restore
    purge = _delete.purge
    # star
    star = _star.star
    unstar = _star.unstar
    # metadata
    set = _metadata.set_values
    link = _metadata.link
    # fetch
    get = _fetch.get
    verified_local = _fetch.verified_local
    open_version = _fetch.open_version
    # importing
    import_paths = _importing.import_paths
    # fsck
    fsck = _fsck.fsck
    # rebuild
    rebuild_catalog = _rebuild.rebuild_catalog
    # store_ops
    store_enable_versioning = _store_ops.store_enable_versioning
    store_status = _store_ops.store_status
    store_upload = _store_ops.store_upload
    store_versions = _store_ops.store_versions
    store_get = _store_ops.store_get
    # listing
    takes_page = _listing.takes_page
    # comparing
    compare = _comparing.compare
    # editorial
    export_folder = _editorial.export_folder
    export_timeline = _editorial.export_timeline
    watch = _editorial.watch
    import_aimms = _editorial.import_aimms
    export_aimms = _editorial.export_aimms
    # cutcheck
    cut_check = _cutcheck.cut_check
    cut_watch = _cutcheck.cut_watch
    cut_checks = _cutcheck.cut_checks
    latest_cut_checks = _cutcheck.latest_cut_checks
    cut_check_record = _cutcheck.cut_check_record
    # note_markers
    export_note_markers = _note_markers.export_note_markers
    # playback
    list_projects = _playback.list_projects
    media_file = _playback.media_file
    playback = _playback.playback
    playable_file = _playback.playable_file
    ensure_proxy = _playback.ensure_proxy
    still = _playback.still
    workflow_png_file = _playback.workflow_png_file
    cached_compare = _playback.cached_compare
    compare_pictures = _playback.compare_pictures
    review_compare = _playback.review_compare
    # jobs
    submit_job = _jobs.submit_job
    job = _jobs.job
    list_jobs = _jobs.list_jobs
    cancel_job = _jobs.cancel_job
    run_job = _jobs.run_job
    compare_or_job = _jobs.compare_or_job
    proxy_job = _jobs.proxy_job
    # notes
    add_note = _notes.add_note
    reply_note = _notes.reply_note
    resolve_note = _notes.resolve_note
    note = _notes.note
    notes = _notes.notes
    note_markers = _notes.note_markers
    # notes_follow
    follow_notes = _notes_follow.follow_notes
    after_replace = _notes_follow.after_replace
    queue_notes_follow = _notes_follow.queue_notes_follow
    # approvals
    set_approval = _approvals.set_approval
    approval = _approvals.approval
    approvals = _approvals.approvals
    current_approvals = _approvals.current_approvals
    takes_by_approval = _approvals.takes_by_approval
    # links
    create_link = _links.create_link
    links = _links.links
    revoke_link = _links.revoke_link
    open_link = _links.open_link
    link_info = _links.link_info
    identify_guest = _links.identify_guest
    add_guest_note = _links.add_guest_note


__all__ = ["DEFAULT_PROJECT", "Vault"]
