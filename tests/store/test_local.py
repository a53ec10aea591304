"""Crash safety of the local store: failed reads, a full disk, several processes at once."""

from __future__ import annotations

import io
import multiprocessing
import os
import subprocess
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from takevault.errors import InvalidInputError, NotFoundError, StorageFullError
from takevault.store import download_to_path
from takevault.store.local import LocalStore

MiB = 1024 * 1024


def leftovers(root: Path) -> list[Path]:
    """Files that are neither a finished blob nor a version record: partial writes would show here."""
    found = []
    for path in root.rglob("*"):
        if path.is_file() and (path.name.endswith(".part") or path.parent.name == "tmp"):
            found.append(path)
    return found


class Exploding:
    def __init__(self, after: int) -> None:
        self.after = after
        self.sent = 0

    def read(self, size: int = -1) -> bytes:
        if self.sent >= self.after:
            raise OSError(5, "Input/output error")
        n = min(size if size > 0 else MiB, self.after - self.sent)
        self.sent += n
        return b"z" * n


class Interrupted(Exploding):
    def read(self, size: int = -1) -> bytes:
        if self.sent >= self.after:
            raise KeyboardInterrupt
        return super().read(size)


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    made = LocalStore(tmp_path / "store")
    made.enable_versioning(create_bucket=True)
    return made


@pytest.mark.parametrize("reader", [Exploding, Interrupted], ids=["io-error", "ctrl-c"])
def test_a_reader_that_fails_midway_leaves_no_version_and_no_partial_blob(store: LocalStore, reader: type) -> None:
    store.put("a/take.mp4", io.BytesIO(b"old"))
    blobs_before = sorted(store.root.joinpath("blobs").rglob("*"))
    expected = InvalidInputError if reader is Exploding else KeyboardInterrupt
    with pytest.raises(expected):
        store.put("a/take.mp4", reader(3 * MiB))
    assert [v.size for v in store.list_versions("a/take.mp4")] == [3]
    assert sorted(store.root.joinpath("blobs").rglob("*")) == blobs_before
    assert leftovers(store.root) == []


@pytest.mark.parametrize("announced", [0, 5, 11, 12, 40], ids=["none", "fewer", "one-less", "exact", "more"])
def test_a_small_object_is_stored_whole_whatever_size_was_announced(store: LocalStore, announced: int) -> None:
    # Small announced sizes take a one-read path: a stream that holds more (or fewer) bytes must still be
    # stored exactly as it is, with its own size and checksum.
    data = b"journal-ent"
    with store.get(store.put("j/entry.json", io.BytesIO(data), size=announced).key) as reader:
        assert reader.read() == data
    assert store.head("j/entry.json").size == len(data)
    assert leftovers(store.root) == []


def test_a_small_object_from_a_failing_reader_leaves_no_version(store: LocalStore) -> None:
    with pytest.raises(InvalidInputError):
        store.put("j/entry.json", Exploding(10), size=100)
    assert list(store.list_versions("j/entry.json")) == []
    assert leftovers(store.root) == []


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs: a real filesystem that really fills up."""
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount_point)], capture_output=True, text=True
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {result.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_full_disk_is_a_clear_error_and_leaves_no_version(tiny_disk: Path) -> None:
    store = LocalStore(tiny_disk / "store")
    store.enable_versioning(create_bucket=True)
    small = store.put("k/take.mp4", io.BytesIO(b"fits"))
    with pytest.raises(StorageFullError, match="disk is full"):
        store.put("k/take.mp4", io.BytesIO(os.urandom(6 * MiB)))
    assert [v.version_id for v in store.list_versions("k/take.mp4")] == [small.version_id]
    assert leftovers(store.root) == []
    assert copy_threads() == []
    # The space came back, so the next write works.
    assert store.put("k/take.mp4", io.BytesIO(b"next")).size == 4


def test_full_disk_on_download_leaves_no_partial_file(store: LocalStore, tiny_disk: Path) -> None:
    store.put("k/big.mp4", io.BytesIO(os.urandom(6 * MiB)))
    dest = tiny_disk / "out.mp4"
    with pytest.raises(StorageFullError):
        download_to_path(store, "k/big.mp4", dest)
    assert list(tiny_disk.iterdir()) == []
    assert copy_threads() == []


def copy_threads() -> list[threading.Thread]:
    """Reader, hasher and writer threads of a copy still running: none may outlive a failed copy."""
    return [t for t in threading.enumerate() if t.name.startswith("takevault-") and t.is_alive()]


def test_full_disk_during_a_kernel_copy_leaves_no_partial_blob_and_no_thread(tiny_disk: Path) -> None:
    # Source and store on one filesystem, so the kernel copies (the copy from another disk falls
    # back to the three-stage copy, which the test above covers).
    source = tiny_disk / "take.mp4"
    source.write_bytes(os.urandom(5 * MiB // 2))
    store = LocalStore(tiny_disk / "store")
    store.enable_versioning(create_bucket=True)
    with source.open("rb") as fh, pytest.raises(StorageFullError, match="disk is full"):
        store.put("k/take.mp4", fh)
    assert list(store.list_versions("k/take.mp4")) == []
    assert leftovers(store.root) == []
    assert copy_threads() == []


def _write_versions(root: str, writer: int) -> list[tuple[str, bytes]]:
    store = LocalStore(root)
    made = []
    for i in range(5):
        data = f"process {writer} version {i}".encode()
        made.append((store.put("race/take.mp4", io.BytesIO(data)).version_id, data))
    return made


def test_processes_writing_one_key_each_get_their_own_version(store: LocalStore) -> None:
    with ProcessPoolExecutor(4, mp_context=multiprocessing.get_context("fork")) as pool:
        results = [pair for batch in pool.map(_write_versions, [str(store.root)] * 4, range(4)) for pair in batch]
    assert len({vid for vid, _ in results}) == 20
    listed = list(store.list_versions("race/take.mp4"))
    assert {v.version_id for v in listed} == {vid for vid, _ in results}
    for vid, data in results:
        with store.get("race/take.mp4", vid) as reader:
            assert reader.read() + reader.read() == data


def test_version_ids_are_time_ordered_and_unique(store: LocalStore) -> None:
    ids = [store.put("t/take.mp4", io.BytesIO(b"%d" % i)).version_id for i in range(50)]
    assert ids == sorted(ids) and len(set(ids)) == 50


def test_identical_bytes_are_stored_once(store: LocalStore) -> None:
    store.put("a.mp4", io.BytesIO(b"same bytes"))
    store.put("b.mp4", io.BytesIO(b"same bytes"))
    assert len([p for p in store.root.joinpath("blobs").rglob("*") if p.is_file()]) == 1


def test_a_folder_that_is_not_a_store_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="enable-versioning --create-bucket"):
        LocalStore(tmp_path).put("a.mp4", io.BytesIO(b"x"))
    with pytest.raises(NotFoundError, match="--create-bucket"):
        LocalStore(tmp_path / "missing").enable_versioning()
