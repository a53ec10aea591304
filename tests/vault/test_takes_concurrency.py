"""Concurrent processes: take numbers stay unique and consecutive, and a shot keeps exactly one star."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.vault import workers

pytestmark = pytest.mark.slow
PROCESSES = 4


def _race(vault, target: Callable[..., None], args_for: Callable[[int], tuple]) -> list[Any]:
    """Run `target` in PROCESSES forked processes that start their work at the same moment."""
    # Forked children must not inherit live database connections of the parent.
    vault.catalog.engine.dispose()
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(PROCESSES)
    results = ctx.Queue()
    procs = [ctx.Process(target=target, args=(*args_for(i), barrier, results)) for i in range(PROCESSES)]
    for proc in procs:
        proc.start()
    out = [results.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
    results.close()
    results.join_thread()
    errors = [r for r in out if isinstance(r, str)]
    assert not errors, errors
    return out


def test_four_processes_adding_to_one_shot_get_distinct_consecutive_numbers(vault, clips: dict[str, Path]) -> None:
    vault.add_shot("SH010")
    per_process = 3
    out = _race(vault, workers.add_takes, lambda i: (str(vault.root), "SH010", str(clips["a"]), per_process))
    numbers = [n for chunk in out for n in chunk]
    total = PROCESSES * per_process
    assert sorted(numbers) == list(range(1, total + 1))
    takes = vault.takes(shot="SH010")
    assert [t.number for t in takes] == list(range(1, total + 1))
    assert len({t.key for t in takes}) == total
    assert all(t.versions_count == 1 for t in takes)
    assert vault.fsck().ok


def test_concurrent_star_changes_leave_exactly_one_star(vault, clips: dict[str, Path]) -> None:
    vault.add_shot("SH010")
    refs = [vault.add(clips[name], shot="SH010").ref for name in ("a", "b", "c")]
    out = _race(vault, workers.star_takes, lambda i: (str(vault.root), refs[i % 3 :] + refs[: i % 3], 5))
    assert sum(out) == PROCESSES * 5
    starred = vault.takes(starred=True)
    assert len(starred) == 1
    star_events = [e for e in vault.events() if e.action == "star"]
    assert len(star_events) == PROCESSES * 5
    assert star_events[-1].details["take_id"] == starred[0].id == vault.shot("SH010").starred_take_id
