"""Functions run in other processes by the concurrency tests; each opens the vault itself."""

from __future__ import annotations

from pathlib import Path


def add_takes(vault_path: str, shot: str, clip: str, count: int, barrier, results) -> None:
    from takevault.vault import Vault

    try:
        with Vault.open(vault_path) as vault:
            vault.list_shots()  # connect before the race starts
            barrier.wait(timeout=60)
            results.put([vault.add(Path(clip), shot=shot).number for _ in range(count)])
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which fails the test
        results.put(repr(exc))


def star_takes(vault_path: str, refs: list[str], rounds: int, barrier, results) -> None:
    from takevault.vault import Vault

    try:
        with Vault.open(vault_path) as vault:
            vault.list_shots()
            barrier.wait(timeout=60)
            for i in range(rounds):
                vault.star(refs[i % len(refs)])
            results.put(rounds)
    except Exception as exc:  # noqa: BLE001
        results.put(repr(exc))
