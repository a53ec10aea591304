"""The CLI's per-invocation state: which vault and project, opened on first use."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from takevault.vault import Vault


@dataclass
class CliState:
    vault_path: Path | None = None
    project: str = "main"
    _vault: Vault | None = field(default=None, repr=False)

    def vault(self) -> Vault:
        if self._vault is None:
            from takevault.vault import Vault

            self._vault = Vault.open(self.vault_path, project=self.project, known_project=True)
        return self._vault

    def close(self) -> None:
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
