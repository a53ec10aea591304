"""Concurrent processes: take and version numbers stay unique and consecutive, everything stamped with a
version number names the one the catalog recorded, and a shot keeps exactly one star."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.vault import workers

pytestmark = pytest.mark.slow
PROCESSES = 4


def _race(
    vault, target: Callable[..., None], args_for: Callable[[int], tuple], processes: int = PROCESSES
) -> list[Any]:
    """Run `target` in `processes` forked processes that start their work at the same moment."""
    # Forked children must not inherit live database connections of the parent.
    vault.catalog.engine.dispose()
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(processes)
    results = ctx.Queue()
    procs = [ctx.Process(target=target, args=(*args_for(i), barrier, results)) for i in range(processes)]
    for proc in procs:
        proc.start()
    out = [results.get(timeout=240) for _ in procs]
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
    # Starring the take that holds the star logs nothing, so the log is a chain of real moves.
    assert 1 <= len(star_events) <= PROCESSES * 5
    previous = None
    for event in star_events:
        assert event.details["previous"] == previous != event.details["take_id"]
        previous = event.details["take_id"]
    assert star_events[-1].details["take_id"] == starred[0].id == vault.shot("SH010").starred_take_id


WRITERS = 8


def _assert_true_history(vault, ref: str, expected_versions: int, tmp_path: Path) -> None:
    """Versions 1..n without gaps; each PNG's link chunk and each object's metadata name their own
    version and video; the store's latest objects are the catalog's current version; one log line each."""
    from takevault.media.workflow_png import inspect_png
    from takevault.store.base import download_to_path

    take = vault.take(ref)
    history = sorted(vault.history(ref), key=lambda v: v.number)
    assert [v.number for v in history] == list(range(1, expected_versions + 1))
    for version in history:
        assert version.png is not None and version.png.version_id, version.number
        dest = tmp_path / f"v{version.number}.png"
        download_to_path(vault.store, version.png.key, dest, version.png.version_id)
        link = inspect_png(dest).link
        assert (link["version"], link["video_sha256"]) == (version.number, version.sha256), version.number
        png_meta = vault.store.head(version.png.key, version.png.version_id).metadata
        assert png_meta["take-version"] == str(version.number)
        assert png_meta["video-sha256"] == version.sha256
        video_meta = vault.store.head(version.key, version.version_id).metadata
        if version.source == "upload":
            assert video_meta["take-version"] == str(version.number)
        else:  # a copy carries the metadata of the version it copies
            assert video_meta["take-version"] == str(version.source_version)
    current = history[-1]
    assert take.current.number == current.number
    assert vault.store.head(take.key).version_id == current.version_id
    assert vault.store.head(current.png.key).version_id == current.png.version_id
    logged = sorted(
        e.details["version"] for e in vault.events(take=ref) if e.action in ("add", "replace", "revert", "restore")
    )
    assert logged == list(range(1, expected_versions + 1))


def _outcomes(out: list[list[tuple[str, str]]]) -> list[tuple[str, str]]:
    return [pair for chunk in out for pair in chunk]


def test_eight_writers_on_one_take_leave_a_true_history(vault, clips: dict[str, Path], tmp_path: Path) -> None:
    from tests.media.workflows import comfy_png

    vault.add_shot("SH010")
    take = vault.add(clips["a"], shot="SH010")
    other = vault.add(clips["b"], shot="SH010")
    vault.replace(take.ref, clips["b"])  # v1 is no longer current, so every revert --to v1 is a real one
    pngs = [comfy_png(tmp_path / f"wf{i}.png", seed=i) for i in range(WRITERS)]
    files = [clips["a"], clips["b"], clips["c"]]

    def plan(i: int) -> tuple:
        steps = [
            ("replace", f"{take.ref} {files[i % 3]}"),
            ("attach", f"{take.ref} {pngs[i]}"),
            ("revert", f"{take.ref} v1"),
            ("star", take.ref if i % 2 else other.ref),
        ]
        return (str(vault.root), steps[i % 4 :] + steps[: i % 4])

    out = _race(vault, workers.write_one_take, plan, processes=WRITERS)
    outcomes = _outcomes(out)
    assert all(result == "ok" for _op, result in outcomes), outcomes
    made = sum(1 for op, _ in outcomes if op in ("replace", "revert"))
    _assert_true_history(vault, take.ref, 2 + made, tmp_path)
    assert len(vault.takes(starred=True)) == 1
    attach_events = [e for e in vault.events(take=take.ref) if e.action == "png" and e.details["op"] == "attach"]
    assert len(attach_events) == WRITERS
    # Older PNG versions replaced by an attach are history; only a problem of another kind is damage.
    damage = [p for p in vault.fsck().problems if not (p.kind == "unreferenced" and p.key.endswith(".png"))]
    assert not damage, damage


def test_eight_restores_of_one_deleted_take_make_one_version(vault, clips: dict[str, Path], tmp_path: Path) -> None:
    vault.add_shot("SH010")
    take = vault.add(clips["a"], shot="SH010")
    vault.replace(take.ref, clips["b"])
    vault.delete(take.ref)
    out = _race(vault, workers.write_one_take, lambda i: (str(vault.root), [("restore", take.ref)]), WRITERS)
    outcomes = _outcomes(out)
    assert sum(1 for _op, result in outcomes if result == "ok") == 1, outcomes
    refused = [result for _op, result in outcomes if result != "ok"]
    assert all(r.startswith("ConflictError") and "not deleted" in r for r in refused), refused
    assert not vault.take(take.ref).deleted
    _assert_true_history(vault, take.ref, 3, tmp_path)
    assert vault.fsck().ok


@pytest.mark.s3
def test_eight_replaces_on_s3_keep_the_latest_object_current(seaweedfs_target, clips, tmp_path: Path) -> None:
    from takevault.vault import Vault

    seaweedfs_target.create_bucket()
    store = f"s3://{seaweedfs_target.bucket}/race"
    with Vault.init(tmp_path / "v", store=store, endpoint_url=seaweedfs_target.endpoint_url) as vault:
        vault.add_shot("SH010")
        take = vault.add(clips["a"], shot="SH010")
        files = [clips["a"], clips["b"], clips["c"]]

        def plan(i: int) -> tuple:
            return (str(vault.root), [("replace", f"{take.ref} {files[i % 3]}")] * 2)

        outcomes = _outcomes(_race(vault, workers.write_one_take, plan, processes=WRITERS))
        assert all(result == "ok" for _op, result in outcomes), outcomes
        _assert_true_history(vault, take.ref, 1 + 2 * WRITERS, tmp_path)


def test_a_long_write_of_one_take_does_not_hold_up_other_writers_on_sqlite(local_vault, clips) -> None:
    import threading
    import time

    local_vault.add_shot("SH010")
    take = local_vault.add(clips["a"], shot="SH010")
    inside, release = threading.Event(), threading.Event()

    def long_replace() -> None:  # what a replace uploading a big file looks like to the catalog
        with local_vault.catalog.lock_take(take.id):
            inside.set()
            release.wait(30)

    holder = threading.Thread(target=long_replace)
    holder.start()
    try:
        assert inside.wait(10)
        started = time.monotonic()
        other = local_vault.add(clips["b"], shot="SH010")  # another take: the database is not locked
        local_vault.star(other.ref)
        assert time.monotonic() - started < 10
    finally:
        release.set()
        holder.join(30)
    assert [t.number for t in local_vault.takes()] == [1, 2]
