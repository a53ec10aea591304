"""SIGKILL at random moments of add, replace, import, revert, restore, png attach, star and export:
no committed version is lost, no row points at nothing, fsck finds every leftover and
`fsck --repair` fixes it, and the next command succeeds. Then a full disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.vault.crash_harness import CrashBench, Totals


def _assert_safe(totals: Totals) -> None:
    assert totals.killed >= totals.runs // 2, "most kills must land while the command runs"
    assert totals.versions_lost == 0
    assert totals.rows_pointing_at_nothing == 0
    assert totals.failures_after == []


def _local(tmp_path: Path, seed: int) -> CrashBench:
    return CrashBench(tmp_path, seed=seed)


def _seaweedfs(tmp_path: Path, target, seed: int) -> CrashBench:
    target.create_bucket()
    init = {"store": f"s3://{target.bucket}/vault", "endpoint_url": target.endpoint_url}
    return CrashBench(tmp_path, init=init, seed=seed)


def test_kills_on_the_local_store_lose_nothing(tmp_path: Path) -> None:
    bench = _local(tmp_path, seed=1)
    _assert_safe(bench.run(1))


@pytest.mark.s3
def test_kills_on_seaweedfs_lose_nothing(tmp_path: Path, seaweedfs_target) -> None:
    bench = _seaweedfs(tmp_path, seaweedfs_target, seed=2)
    _assert_safe(bench.run(1))


@pytest.mark.slow
def test_many_kills_on_the_local_store_lose_nothing(tmp_path: Path) -> None:
    bench = _local(tmp_path, seed=3)
    totals = bench.run(6)
    _assert_safe(totals)


@pytest.mark.slow
@pytest.mark.s3
def test_many_kills_on_seaweedfs_lose_nothing(tmp_path: Path, seaweedfs_target) -> None:
    bench = _seaweedfs(tmp_path, seaweedfs_target, seed=4)
    _assert_safe(bench.run(4))
