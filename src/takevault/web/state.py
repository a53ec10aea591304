"""What the app holds between requests: the vault path, its settings, and a bounded pool of open `Vault`s."""

from __future__ import annotations

import contextlib
import shutil
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import Query, Request

from takevault.config import find_vault_root, load_config
from takevault.errors import ConfigError, NotFoundError
from takevault.vault.core import DEFAULT_PROJECT
from takevault.vault.refs import check_code
from takevault.web.guard import parse_hosts
from takevault.web.uploads import UploadBudget

if TYPE_CHECKING:
    from takevault.vault import Vault

MAX_IDLE_VAULTS = 8
"""Open but unused `Vault`s kept for reuse (each holds a database engine and a store client)."""
STALE_UPLOAD_SECONDS = 24 * 3600
"""An upload folder this old belongs to no live request (a body goes silent after 30 s): a killed server's."""
"""Seconds a read of the project list is trusted before a request for an unlisted project reads it again."""


def checked_token(token: str | None) -> str | None:
    """The access token, or None for no token; a blank one would start a server nobody can log into."""
    if token is None or token == "":
        return None
    if not token.strip():
        raise ConfigError(
            "The access token is blank; set web.token (or TAKEVAULT_TOKEN) to a real secret, or leave it unset."
        )
    return token


@dataclass
class WebState:
    """Settings of one running app and a pool of open `Vault`s, one per request in flight.

    A request checks a `Vault` out for its whole duration, so no two threads ever
    use the same database session or store client at once. Only projects that
    exist get a `Vault` (a made-up `?project=` is refused before anything opens), and
    at most `MAX_IDLE_VAULTS` idle ones stay open: the oldest idle one is closed.
    """

    root: Path
    project: str
    token: str | None
    max_upload_bytes: int
    allowed_hosts: tuple[str, ...] = ()
    uploads: UploadBudget = field(default_factory=UploadBudget)
    max_idle: int = MAX_IDLE_VAULTS
    _idle: OrderedDict[int, Vault] = field(default_factory=OrderedDict, repr=False)
    _busy: set[int] = field(default_factory=set, repr=False)
    _known: frozenset[str] = field(default_factory=frozenset, repr=False)
    _closed: bool = field(default=False, repr=False)
    _guard: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _parts: tuple[Any, Any] | None = field(default=None, repr=False)

    @classmethod
    def load(
        cls,
        vault_path: Path | str | None,
        *,
        token: str | None = None,
        max_upload_mb: int | None = None,
        project: str = DEFAULT_PROJECT,
    ) -> WebState:
        root = find_vault_root(vault_path)
        config = load_config(root)
        token = checked_token(token if token is not None else config.get("web.token"))
        mb = max_upload_mb if max_upload_mb is not None else int(config.get("web.max_upload_mb"))
        check_code(project, "project")
        remove_stale_uploads(root / "cache" / "uploads")
        return cls(
            root=root,
            project=project,
            token=token,
            max_upload_bytes=mb * 1024 * 1024,
            allowed_hosts=parse_hosts(config.get("web.allowed_hosts")),
        )

    # -- projects -------------------------------------------------------------
    def _check_project(self, project: str) -> None:
        check_code(project, "project")
        if project == self.project or project in self._known:
            return
        # A name not seen yet is looked up on its own: a project made a moment ago (from the CLI or
        # another server) is served at once, and an unknown name costs one indexed lookup, opening nothing.
        with self._checkout(self.project) as vault:
            found = vault.catalog.find_project(project) is not None
        if found:
            self._known = self._known | {project}
        else:
            raise NotFoundError(f"This vault has no project {project!r}; pick one from the project list.")

    # -- the pool -------------------------------------------------------------
    def acquire(self, project: str | None = None) -> Vault:
        project = project or self.project
        self._check_project(project)
        return self._take(project)

    def _take(self, project: str) -> Vault:
        from takevault.vault import Vault

        with self._guard:
            for key, vault in reversed(self._idle.items()):
                if vault.project == project:
                    del self._idle[key]
                    self._busy.add(key)
                    return vault
        vault = Vault.open(self.root, project=project)
        with self._guard:
            self._share_parts(vault)
            self._busy.add(id(vault))
        return vault

    def _share_parts(self, vault: Vault) -> None:
        """Every pooled `Vault` uses the first one's catalog and store: one engine (with its connection
        pool) and one store client per process, however many requests run at once. Both are safe to
        share across threads; only the small per-request state stays per `Vault`."""
        if self._parts is None:
            self._parts = (vault.catalog, vault.store)
        else:
            vault.__dict__["catalog"], vault.__dict__["store"] = self._parts

    def release(self, vault: Vault) -> None:
        with self._guard:
            if id(vault) not in self._busy:
                return
            self._busy.discard(id(vault))
            if not self._closed:
                self._idle[id(vault)] = vault
            while len(self._idle) > self.max_idle:
                # A pooled vault owns nothing to close: its catalog and store are the shared parts.
                self._idle.popitem(last=False)

    @contextlib.contextmanager
    def _checkout(self, project: str) -> Iterator[Vault]:
        vault = self._take(project)
        try:
            yield vault
        finally:
            self.release(vault)

    @contextlib.contextmanager
    def vault(self, project: str | None = None) -> Iterator[Vault]:
        vault = self.acquire(project)
        try:
            yield vault
        finally:
            self.release(vault)

    def open_count(self) -> int:
        """Vaults open right now (idle plus checked out): bounded by `max_idle` plus requests in flight."""
        with self._guard:
            return len(self._idle) + len(self._busy)

    def close(self) -> None:
        with self._guard:
            idle, self._idle = list(self._idle.values()), OrderedDict()
            self._closed = True  # vaults still checked out are dropped when they come back
            parts, self._parts = self._parts, None
        del idle  # pooled vaults own nothing but the shared parts, closed once here
        if parts is not None:
            for part in parts:
                part.close()


def remove_stale_uploads(folder: Path, older_than: float = STALE_UPLOAD_SECONDS) -> int:
    """Remove upload folders a killed server left behind (a finished request always removes its own)."""
    removed = 0
    if not folder.is_dir():
        return 0
    cutoff = time.time() - older_than
    for entry in folder.glob("upload-*"):
        with contextlib.suppress(OSError):
            if entry.is_dir() and not entry.is_symlink() and entry.stat().st_mtime < cutoff:
                shutil.rmtree(entry)
                removed += 1
    return removed


def web_state(request: Request) -> WebState:
    return request.app.state.web


def get_vault(
    request: Request,
    project: str | None = Query(None, description="Project inside the vault; the server's default when omitted."),
) -> Iterator[Vault]:
    """The `Vault` for this request (FastAPI dependency), returned to the pool when the request ends.

    Acting for the signed-in person, if any, so that every event records them."""
    identity = getattr(request.state, "identity", None)
    with web_state(request).vault(project) as vault, vault.acting_as(identity.name if identity else None):
        yield vault
