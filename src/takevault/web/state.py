"""What the app holds between requests: the vault path, its settings, and one `Vault` per worker thread."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import Query, Request

from takevault.config import find_vault_root, load_config
from takevault.vault.core import DEFAULT_PROJECT

if TYPE_CHECKING:
    from takevault.vault import Vault


@dataclass
class WebState:
    """Settings of one running app and a pool of open `Vault`s, one per request in flight.

    A request checks a `Vault` out for its whole duration, so no two threads ever
    use the same database session or store client at once.
    """

    root: Path
    project: str
    token: str | None
    max_upload_bytes: int
    _free: dict[str, list[Vault]] = field(default_factory=dict, repr=False)
    _opened: list[Vault] = field(default_factory=list, repr=False)
    _guard: threading.Lock = field(default_factory=threading.Lock, repr=False)

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
        token = token or config.get("web.token") or None
        mb = max_upload_mb if max_upload_mb is not None else int(config.get("web.max_upload_mb"))
        return cls(root=root, project=project, token=token, max_upload_bytes=mb * 1024 * 1024)

    def acquire(self, project: str | None = None) -> Vault:
        from takevault.vault import Vault

        project = project or self.project
        with self._guard:
            free = self._free.setdefault(project, [])
            if free:
                return free.pop()
        vault = Vault.open(self.root, project=project)
        with self._guard:
            self._opened.append(vault)
        return vault

    def release(self, vault: Vault) -> None:
        with self._guard:
            if vault in self._opened:
                self._free.setdefault(vault.project, []).append(vault)

    @contextlib.contextmanager
    def vault(self, project: str | None = None) -> Iterator[Vault]:
        vault = self.acquire(project)
        try:
            yield vault
        finally:
            self.release(vault)

    def close(self) -> None:
        with self._guard:
            opened, self._opened, self._free = self._opened, [], {}
        for vault in opened:
            vault.close()


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
