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
@pytest.mark.timeout(600)
def test_kills_on_seaweedfs_lose_nothing(tmp_path: Path, seaweedfs_target) -> None:
    # The short run kills the commands that write video and PNG versions; the slow run kills all.
    bench = _seaweedfs(tmp_path, seaweedfs_target, seed=2)
    _assert_safe(bench.run(1, ("add", "replace", "restore", "png attach")))


@pytest.mark.slow
@pytest.mark.timeout(3600)
def test_many_kills_on_the_local_store_lose_nothing(tmp_path: Path) -> None:
    bench = _local(tmp_path, seed=3)
    totals = bench.run(6)
    _assert_safe(totals)


@pytest.mark.slow
@pytest.mark.s3
@pytest.mark.timeout(3600)
def test_many_kills_on_seaweedfs_lose_nothing(tmp_path: Path, seaweedfs_target) -> None:
    bench = _seaweedfs(tmp_path, seaweedfs_target, seed=4)
    _assert_safe(bench.run(4))


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 4 MB tmpfs mounted for this test (needs root and a kernel that lets us mount)."""
    import os
    import subprocess

    if os.geteuid() != 0:
        pytest.skip("a full disk needs a small filesystem, and mounting one needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({done.stderr.strip()})")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_is_one_sentence_and_leaves_the_vault_as_it_was(small_disk: Path, tmp_path: Path, capsys) -> None:
    import os

    from takevault.cli.app import main
    from takevault.errors import StorageFullError
    from tests.clips import make_clip
    from tests.vault.trust_helpers import listings, make_cli, ok

    vault_dir = small_disk / "vault"
    assert main(["init", str(vault_dir)]) == 0
    run = make_cli(vault_dir, capsys)
    ok(run, "shot", "add", "SH010")
    ok(run, "add", str(make_clip(tmp_path / "small.mp4", frames=4)), "--shot", "SH010")
    big = make_clip(tmp_path / "big.mp4", width=640, height=360, frames=48, scenes=((0, 5),))
    before = listings(run)
    filler = small_disk / "filler"
    free = os.statvfs(small_disk)
    room = free.f_bavail * free.f_frsize
    filler.write_bytes(b"\0" * max(0, room - big.stat().st_size // 2))
    assert big.stat().st_size > os.statvfs(small_disk).f_bavail * free.f_frsize
    code, _, err = run("add", str(big), "--shot", "SH010")
    assert code == StorageFullError.exit_code, err
    assert err.count("\n") == 1 and "Traceback" not in err and "space" in err.lower()
    filler.unlink()
    assert listings(run) == before
    # Nothing is left to clean but what the journal could not write while the disk was full.
    code, out, err = run("fsck", "--repair")
    assert code == 0, out + err
    ok(run, "add", str(big), "--shot", "SH010")
    assert run("fsck")[0] == 0
