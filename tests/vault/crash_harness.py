"""Kill takevault commands with SIGKILL at random moments and check what the vault says afterwards.

Used by `tests/vault/test_crash_injection.py` (a short run in the suite, a long one marked slow)
and by `bench/crash_injection.py` (prints the figures). Each run:

1. notes every committed version (take id, number, store version id, sha256) and their bytes;
2. starts one command as its own process (`python -m takevault ...`) and SIGKILLs it after a
   random delay within the time that command takes when left alone;
3. checks that no committed version was lost and no catalog row points at nothing;
4. runs `fsck` (every leftover must be one of the leftover kinds it names), then
   `fsck --repair --idle-for 0`, which must leave the vault clean;
5. the next command, left alone, must succeed (each command is run once left alone, which
   also times it, then once killed at a random moment within that time).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from takevault.vault import lookup
from tests.clips import make_clip
from tests.media.workflows import comfy_png

COMMANDS = ("add", "replace", "import", "revert", "restore", "png attach", "star", "export")
LEFTOVER_KINDS = {
    "interrupted_upload",
    "staged_upload",
    "journal_gap",
    "deleted_mismatch",
    "png_link",
    "purge_leftover",
}
"""What an interrupted command may leave: each is a leftover fsck names and --repair fixes.
Anything else after a kill (missing_version, damaged_bytes, …) is a row pointing at nothing."""


@dataclass
class Outcome:
    command: str
    delay: float
    killed: bool
    versions_lost: int = 0
    rows_pointing_at_nothing: int = 0
    leftovers: Counter = field(default_factory=Counter)
    failures_after: list[str] = field(default_factory=list)


@dataclass
class Totals:
    runs: int = 0
    killed: int = 0
    versions_lost: int = 0
    rows_pointing_at_nothing: int = 0
    leftovers: Counter = field(default_factory=Counter)
    failures_after: list[str] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        self.runs += 1
        self.killed += int(outcome.killed)
        self.versions_lost += outcome.versions_lost
        self.rows_pointing_at_nothing += outcome.rows_pointing_at_nothing
        self.leftovers.update(outcome.leftovers)
        self.failures_after.extend(
            f"{outcome.command} (killed at {outcome.delay:.2f}s): {f}" for f in outcome.failures_after
        )


class CrashBench:
    """One vault, many killed commands."""

    def __init__(self, root: Path, *, init: dict[str, Any] | None = None, seed: int = 0):
        from takevault.vault import Vault

        self.root = root
        self.vault = root / "vault"
        self.work = root / "work"
        self.work.mkdir(parents=True, exist_ok=True)
        self.env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        self.random = random.Random(seed)
        self.durations: dict[str, float] = {}
        self.counter = 0
        # Set-up and checks run in this process: on a loaded machine every CLI process costs seconds.
        with Vault.init(self.vault, **(init or {})) as vault:
            vault.add_shot("SH010")
            vault.add_shot("SH020")
            first = vault.add(self._clip(), shot="SH010")
            vault.add(self._clip(), shot="SH010")
            vault.replace(first.ref, self._clip())
            vault.add(self._clip(), shot="SH020")
            vault.star(first.ref)

    # -- running ----------------------------------------------------------
    def _argv(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "takevault", "--vault", str(self.vault), *args]

    def _cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run(self._argv(*args), env=self.env, capture_output=True, text=True, timeout=300)
        if check and done.returncode != 0:
            raise AssertionError(f"takevault {' '.join(args)} exited {done.returncode}: {done.stderr.strip()}")
        return done

    def _clip(self) -> Path:
        """A clip whose bytes no other run used (adds of known bytes may be refused as duplicates)."""
        self.counter += 1
        return make_clip(
            self.work / f"clip_{self.counter}.mp4", width=320, height=180, frames=24, scenes=((0, self.counter),)
        )

    def _prepare(self, command: str) -> list[str]:
        """The arguments of one `command`, after any set-up it needs (left alone, not killed)."""
        if command == "add":
            return ["add", str(self._clip()), "--shot", "SH010"]
        if command == "replace":
            return ["replace", "SH010/video_01", str(self._clip())]
        if command == "import":
            folder = self.work / f"delivery_{self.counter}" / "SH020"
            make_clip(folder / "gen.mp4", width=320, height=180, frames=24, scenes=((0, 1000 + self.counter),))
            self.counter += 1
            return ["import", str(folder.parent)]
        if command == "revert":
            return ["revert", "SH010/video_01", "--to", "v1"]
        if command == "restore":
            if not self._take("SH020/video_01")["deleted"]:
                from takevault.vault import Vault

                with Vault.open(self.vault) as vault:
                    vault.delete("SH020/video_01")
            return ["restore", "SH020/video_01"]
        if command == "png attach":
            self.counter += 1
            return [
                "png",
                "attach",
                "SH010/video_01",
                str(comfy_png(self.work / f"w_{self.counter}.png", seed=self.counter)),
            ]
        if command == "star":
            current = next((t for t in self._takes() if t["shot"] == "SH010" and t["starred"]), None)
            target = "SH010/video_02" if current and current["name"] == "video_01" else "SH010/video_01"
            return ["star", target]
        if command == "export":
            self.counter += 1
            return ["export", "--to", str(self.work / f"export_{self.counter}"), "--starred"]
        raise ValueError(command)

    # Reads go through the API in this process: a CLI process per listing would dominate the run time.
    def _takes(self) -> list[dict[str, Any]]:
        from takevault.vault import Vault

        with Vault.open(self.vault) as vault:
            return [t.to_json() for t in vault.takes(deleted=None)]

    def _take(self, ref: str) -> dict[str, Any]:
        from takevault.vault import Vault

        with Vault.open(self.vault) as vault:
            return vault.take(ref).to_json()

    def committed(self) -> set[tuple[str, int, str, str]]:
        """Every committed version: (take id, number, store version id, sha256)."""
        from takevault.vault import Vault

        with Vault.open(self.vault) as vault:
            return {
                (v.take_id, v.number, v.version_id, v.sha256)
                for _, v in vault.catalog.all_versions(lookup.project_row(vault))
            }

    def _fsck(self, repair: bool = False) -> list[tuple[str, str]]:
        from takevault.vault import Vault

        with Vault.open(self.vault) as vault:
            report = vault.fsck(repair=repair, idle_seconds=0)
        return [(p.kind, p.message) for p in report.problems]

    # -- one command ----------------------------------------------------------
    def run_command(self, command: str, totals: Totals) -> None:
        """Run `command` left alone (it must succeed: it is also the command after the last kill,
        and its time bounds the kill), then once more, killed at a random moment of that time."""
        args = self._prepare(command)
        start = time.monotonic()
        done = self._cli(*args, check=False)
        elapsed = time.monotonic() - start
        if done.returncode != 0:
            totals.failures_after.append(f"the next command, {command}, failed: {done.stderr.strip()}")
        totals.add(self._killed(command, elapsed))

    def _killed(self, command: str, elapsed: float) -> Outcome:
        args = self._prepare(command)
        before = self.committed()
        delay = self.random.uniform(0.3 * elapsed, 1.05 * elapsed)
        proc = subprocess.Popen(self._argv(*args), env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            proc.wait(timeout=delay)
            killed = False
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            killed = True
        outcome = Outcome(command, delay, killed)
        after = self.committed()
        outcome.versions_lost = len(before - after)
        for kind, message in self._fsck():
            if kind in LEFTOVER_KINDS:
                outcome.leftovers[kind] += 1
            else:
                outcome.rows_pointing_at_nothing += 1
                outcome.failures_after.append(f"fsck: {kind}: {message}")
        left = self._fsck(repair=True)
        outcome.failures_after.extend(f"after fsck --repair: {kind}: {message}" for kind, message in left)
        if self.committed() != after:
            outcome.failures_after.append("fsck --repair changed the committed versions")
        return outcome

    def run(self, rounds: int, commands: tuple[str, ...] = COMMANDS) -> Totals:
        totals = Totals()
        for _ in range(rounds):
            for command in commands:
                self.run_command(command, totals)
        # The command after the last kill.
        done = self._cli(*self._prepare("add"), check=False)
        if done.returncode != 0:
            totals.failures_after.append(f"the add after the last kill failed: {done.stderr.strip()}")
        return totals
