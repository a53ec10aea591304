"""The CLI's per-invocation state: which vault and project, opened on first use."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import typer

if TYPE_CHECKING:
    from takevault.cli.fast import FastListings
    from takevault.vault import Vault

T = TypeVar("T")
NO_FAST_PATH = "TAKEVAULT_NO_FAST_PATH"
"""Set (to anything) to send every listing through the vault, never the fast path (cli/fast.py)."""


@dataclass
class CliState:
    vault_path: Path | None = None
    project: str = "main"
    _vault: Vault | None = field(default=None, repr=False)
    _fast: FastListings | None = field(default=None, repr=False)

    def vault(self) -> Vault:
        if self._vault is None:
            from takevault.vault import Vault

            self._vault = Vault.open(self.vault_path, project=self.project, known_project=True)
        return self._vault

    def listing(self, read: Callable[[Any], T]) -> T:
        """`read(vault)` for a listing: on the fast path when it answers (see cli/fast.py), else on the vault.

        `read` gets either object; both answer `iter_listed_takes`, `take`, `history` and `iter_events` alike.
        The fast path checks everything that can fail before a whole listing's first row (and reads
        those rows) before `read` returns, so nothing is printed twice; whatever goes wrong by then
        (a row it cannot read included) is answered by the vault, with the vault's sentence. A
        listing's later rows stream, and an error among them is the catalog's own sentence."""
        if self._vault is None and not os.environ.get(NO_FAST_PATH):
            from takevault.cli.fast import FastListings, NotCovered

            try:
                if self._fast is None:
                    self._fast = FastListings.open(self.vault_path, self.project)
                return read(self._fast)
            except NotCovered:
                self._close_fast()
            except Exception:  # any doubt goes to the normal path, which says what is wrong
                self._close_fast()
                if os.environ.get("TAKEVAULT_DEBUG"):
                    raise
        return read(self.vault())

    def _close_fast(self) -> None:
        if self._fast is not None:
            self._fast.close()
            self._fast = None

    def close(self) -> None:
        self._close_fast()
        if self._vault is not None:
            self._vault.close()
            self._vault = None


def state(ctx: typer.Context) -> CliState:
    obj = ctx.find_root().obj
    if not isinstance(obj, CliState):
        obj = CliState()
        ctx.find_root().obj = obj
    return obj


def vault(ctx: typer.Context) -> Vault:
    """The vault this command works on (from --vault, TAKEVAULT_VAULT or the nearest takevault.toml)."""
    return state(ctx).vault()


def listing(ctx: typer.Context, read: Callable[[Any], T]) -> T:
    """What `read` gets from this command's vault, through the listings' fast path when it can answer."""
    return state(ctx).listing(read)
