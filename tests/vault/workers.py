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


def write_one_take(vault_path: str, plan: list[tuple[str, str]], barrier, results) -> None:
    """Run `plan` [(operation, argument)] against one take: replace FILE, revert vN, attach PNG, star REF.

    Puts the list of (operation, outcome) it saw; an outcome is "ok" or the error's class name,
    so the parent can tell refusals a race makes legitimate from failures."""
    from takevault.errors import TakevaultError
    from takevault.vault import Vault

    try:
        with Vault.open(vault_path) as vault:
            vault.list_shots()
            barrier.wait(timeout=60)
            seen = []
            for op, arg in plan:
                ref, _, value = arg.partition(" ")
                try:
                    if op == "replace":
                        vault.replace(ref, Path(value))
                    elif op == "revert":
                        vault.revert(ref, to_version=value)
                    elif op == "attach":
                        vault.pngs.attach(ref, Path(value))
                    elif op == "star":
                        vault.star(ref)
                    elif op == "restore":
                        vault.restore(ref)
                    seen.append((op, "ok"))
                except TakevaultError as exc:
                    seen.append((op, f"{type(exc).__name__}: {exc}"))
            results.put(seen)
    except Exception as exc:  # noqa: BLE001
        results.put(repr(exc))
