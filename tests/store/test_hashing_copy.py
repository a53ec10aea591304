"""The hashing copies under the store: the kernel copy hashes what it wrote, the three-stage copy keeps
bytes in order, both agree at every buffer edge, a source that changes while read is stored with the
hash of what was stored, a failing destination leaves no thread behind, and a verified get through
either path still refuses damaged bytes."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from takevault.errors import ChecksumMismatchError
from takevault.store.base import COPY_SLICE, HashingReader, download_to_path, pipelined_copy
from takevault.store.fsutil import KERNEL_COPY_SLICE, kernel_copy, reflink, sha256_file, start_writeback
from takevault.store.local import LocalStore


def _data(size: int) -> bytes:
    return os.urandom(size)


def test_kernel_copy_hashes_the_bytes_it_wrote(tmp_path: Path) -> None:
    data = _data(3 * 1024 * 1024 + 17)
    (tmp_path / "src").write_bytes(b"skipped" + data)
    digest = hashlib.sha256()
    with (tmp_path / "src").open("rb") as src, (tmp_path / "dst").open("wb") as out:
        src.read(7)  # start where the caller's stream is, not at 0
        total = kernel_copy(src, out, on_chunk=digest.update, slice_size=1024 * 1024)
    assert total == len(data)
    assert (tmp_path / "dst").read_bytes() == data
    assert digest.hexdigest() == hashlib.sha256(data).hexdigest()


def test_kernel_copy_declines_what_is_not_a_file(tmp_path: Path) -> None:
    with (tmp_path / "dst").open("wb") as out:
        assert kernel_copy(io.BytesIO(b"abc"), out, on_chunk=lambda v: None) is None
        read_fd, write_fd = os.pipe()
        with os.fdopen(read_fd, "rb") as pipe, os.fdopen(write_fd, "wb") as feed:
            feed.write(b"abc")
            feed.flush()
            assert kernel_copy(pipe, out, on_chunk=lambda v: None) is None
    assert (tmp_path / "dst").read_bytes() == b""


def test_an_empty_file_copies_to_an_empty_file(tmp_path: Path) -> None:
    (tmp_path / "src").write_bytes(b"")
    digest = hashlib.sha256()
    with (tmp_path / "src").open("rb") as src, (tmp_path / "dst").open("wb") as out:
        assert kernel_copy(src, out, on_chunk=digest.update) == 0
    assert digest.hexdigest() == hashlib.sha256(b"").hexdigest()


@pytest.mark.parametrize("slots", [2, 3, 5])
def test_the_three_stage_copy_keeps_order_and_hashes_every_byte(slots: int) -> None:
    data = _data(777_777)
    out = io.BytesIO()
    digest = hashlib.sha256()
    src = io.BytesIO(data)
    total = pipelined_copy(src.readinto, out.write, on_chunk=digest.update, slice_size=4096, slots=slots)
    assert total == len(data) and out.getvalue() == data
    assert digest.hexdigest() == hashlib.sha256(data).hexdigest()


def test_a_failing_write_stops_the_copy_with_its_error() -> None:
    def write(view: memoryview) -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        pipelined_copy(io.BytesIO(_data(100_000)).readinto, write, slice_size=4096)


@pytest.mark.parametrize("from_file", [True, False], ids=["file", "stream"])
def test_local_put_and_verified_get_through_both_paths(tmp_path: Path, from_file: bool) -> None:
    store = LocalStore(tmp_path / "store")
    store.enable_versioning(create_bucket=True)
    data = _data(2 * 1024 * 1024 + 5)
    (tmp_path / "take.mp4").write_bytes(data)
    seen: list[int] = []
    with (tmp_path / "take.mp4").open("rb") as fh:
        stream = fh if from_file else io.BufferedReader(io.BytesIO(data))
        version = store.put("p/SH010/video_01.mp4", stream, progress=seen.append)
    assert version.sha256 == hashlib.sha256(data).hexdigest() and sum(seen) == len(data)
    got: list[int] = []
    download_to_path(store, "p/SH010/video_01.mp4", tmp_path / "back.mp4", progress=got.append)
    assert (tmp_path / "back.mp4").read_bytes() == data and sum(got) == len(data)


def test_a_damaged_blob_is_refused_and_the_destination_left_alone(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    store.enable_versioning(create_bucket=True)
    data = _data(1024 * 1024)
    version = store.put("p/SH010/video_01.mp4", io.BytesIO(data))
    blob = store.blob_path("p/SH010/video_01.mp4")
    damaged = bytearray(blob.read_bytes())
    damaged[1000] ^= 0xFF
    blob.chmod(0o644)
    blob.write_bytes(bytes(damaged))
    (tmp_path / "back.mp4").write_bytes(b"previous")
    with pytest.raises(ChecksumMismatchError):
        download_to_path(store, "p/SH010/video_01.mp4", tmp_path / "back.mp4", version.version_id)
    assert (tmp_path / "back.mp4").read_bytes() == b"previous"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".back.mp4")]


# -- every size around the buffer edges, through both copy paths ---------------------------------


class NoDescriptor:
    """A readable stream the kernel cannot copy from (like a pipe or an HTTP body): no fileno."""

    def __init__(self, raw: io.BufferedIOBase) -> None:
        self._raw = raw

    def readinto(self, view: memoryview) -> int:
        return self._raw.readinto(view)

    def read(self, size: int = -1) -> bytes:
        return self._raw.read(size)

    def close(self) -> None:
        self._raw.close()


EDGE_SIZES = {
    "empty": 0,
    "one-byte": 1,
    "one-buffer": COPY_SLICE,
    "buffer+1": COPY_SLICE + 1,
    "one-kernel-slice": KERNEL_COPY_SLICE,
    "kernel-slice+1": KERNEL_COPY_SLICE + 1,
    "multi-buffer": 2 * KERNEL_COPY_SLICE + 3 * COPY_SLICE + 7,
}


def _hashing_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("takevault-") and t.is_alive()]


@pytest.fixture
def local(tmp_path: Path) -> LocalStore:
    store = LocalStore(tmp_path / "store")
    store.enable_versioning(create_bucket=True)
    return store


@pytest.mark.parametrize("from_file", [True, False], ids=["kernel", "three-stage"])
@pytest.mark.parametrize("size", list(EDGE_SIZES.values()), ids=list(EDGE_SIZES))
def test_put_and_get_digests_at_every_buffer_edge(
    local: LocalStore, tmp_path: Path, size: int, from_file: bool
) -> None:
    data = _data(size)
    src = tmp_path / "take.mp4"
    src.write_bytes(data)
    expected = hashlib.sha256(data).hexdigest()
    with src.open("rb") as fh:
        version = local.put("p/SH010/video_01.mp4", fh if from_file else NoDescriptor(fh))  # type: ignore[arg-type]
    assert (version.sha256, version.size) == (expected, size)
    assert local.blob_path("p/SH010/video_01.mp4").read_bytes() == data
    back = tmp_path / "back.mp4"
    if from_file:
        reader = local.get("p/SH010/video_01.mp4")
    else:
        blob = local.blob_path("p/SH010/video_01.mp4").open("rb")
        reader = HashingReader(NoDescriptor(blob), expected_sha256=expected)  # type: ignore[arg-type]
    with reader, back.open("wb") as out:
        assert reader.copy_to(out) == size
    assert back.read_bytes() == data and reader.sha256 == expected
    assert _hashing_threads() == []


@pytest.mark.parametrize("size", list(EDGE_SIZES.values()), ids=list(EDGE_SIZES))
def test_kernel_copy_and_three_stage_copy_agree_at_every_edge(tmp_path: Path, size: int) -> None:
    data = _data(size)
    (tmp_path / "src").write_bytes(data)
    kernel, staged = hashlib.sha256(), hashlib.sha256()
    with (tmp_path / "src").open("rb") as src, (tmp_path / "k").open("wb") as out:
        assert kernel_copy(src, out, on_chunk=kernel.update) == size
    with (tmp_path / "src").open("rb") as src, (tmp_path / "s").open("wb") as out:
        assert pipelined_copy(src.readinto, out.write, on_chunk=staged.update) == size
    assert kernel.hexdigest() == staged.hexdigest() == sha256_file(tmp_path / "src") == hashlib.sha256(data).hexdigest()
    assert (tmp_path / "k").read_bytes() == (tmp_path / "s").read_bytes() == data


# -- a source that changes while it is read ---------------------------------------------------------


def _changing_source(path: Path, grow: bool) -> Callable[[int], None]:
    """A progress callback that, on the first bytes hashed, appends to or cuts the source file."""
    done = [False]

    def progress(_count: int) -> None:
        if done[0]:
            return
        done[0] = True
        if grow:
            with path.open("ab") as more:
                more.write(_data(KERNEL_COPY_SLICE + 3))
        else:
            os.truncate(path, KERNEL_COPY_SLICE + 5)

    return progress


@pytest.mark.parametrize("from_file", [True, False], ids=["kernel", "three-stage"])
@pytest.mark.parametrize("grow", [True, False], ids=["grows", "shrinks"])
def test_a_source_that_changes_size_is_stored_with_the_hash_of_the_stored_bytes(
    local: LocalStore, tmp_path: Path, grow: bool, from_file: bool
) -> None:
    src = tmp_path / "take.mp4"
    original = _data(2 * KERNEL_COPY_SLICE + 11)
    src.write_bytes(original)
    with src.open("rb") as fh:
        stream = fh if from_file else NoDescriptor(fh)
        version = local.put("p/SH010/video_01.mp4", stream, progress=_changing_source(src, grow))  # type: ignore[arg-type]
    stored = local.blob_path("p/SH010/video_01.mp4").read_bytes()
    assert version.size == len(stored) and version.sha256 == hashlib.sha256(stored).hexdigest()
    assert local.blob_path("p/SH010/video_01.mp4").name == version.sha256
    # The part read before the change is the original's, whichever way the file changed.
    assert stored[: KERNEL_COPY_SLICE + 5] == original[: KERNEL_COPY_SLICE + 5]
    download_to_path(local, "p/SH010/video_01.mp4", tmp_path / "back.mp4")
    assert (tmp_path / "back.mp4").read_bytes() == stored


@pytest.mark.parametrize("from_file", [True, False], ids=["kernel", "three-stage"])
def test_a_source_that_changes_against_its_claimed_sha256_is_refused(
    local: LocalStore, tmp_path: Path, from_file: bool
) -> None:
    src = tmp_path / "take.mp4"
    original = _data(2 * KERNEL_COPY_SLICE)
    src.write_bytes(original)
    claimed = {"sha256": hashlib.sha256(original).hexdigest()}
    with src.open("rb") as fh, pytest.raises(ChecksumMismatchError, match="changed while it was read"):
        stream = fh if from_file else NoDescriptor(fh)
        local.put("p/SH010/video_01.mp4", stream, claimed, progress=_changing_source(src, grow=False))  # type: ignore[arg-type]
    assert list(local.list_versions("p/SH010/video_01.mp4")) == []
    assert [p for p in local.root.rglob("*") if p.is_file() and p.name not in (".lock", "versioning")] == []
    assert _hashing_threads() == []


# -- a destination that fails ---------------------------------------------------------------------


def test_a_destination_closed_midway_stops_the_copy_and_leaves_no_thread(tmp_path: Path) -> None:
    out = (tmp_path / "dst").open("wb")
    writes = [0]

    def write(view: memoryview) -> int:
        writes[0] += 1
        if writes[0] == 3:
            out.close()
        return out.write(view)

    with pytest.raises(ValueError, match="closed file"):
        pipelined_copy(io.BytesIO(_data(5 * COPY_SLICE)).readinto, write, on_chunk=hashlib.sha256().update)
    assert _hashing_threads() == []


def test_a_verified_get_into_a_closed_file_fails_and_leaves_no_thread(local: LocalStore, tmp_path: Path) -> None:
    local.put("p/SH010/video_01.mp4", io.BytesIO(_data(COPY_SLICE + 1)))
    out = (tmp_path / "dst").open("wb")
    out.close()
    with local.get("p/SH010/video_01.mp4") as reader, pytest.raises(ValueError, match="closed file"):
        reader.copy_to(out)
    assert _hashing_threads() == []


# -- damaged bytes in the store ---------------------------------------------------------------------


def _damage(blob: Path, how: str) -> None:
    data = bytearray(blob.read_bytes())
    blob.chmod(0o644)
    if how == "flipped":
        data[len(data) // 2] ^= 0x01
    elif how == "truncated":
        del data[-1:]
    else:
        data += b"\x00"
    blob.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["flipped", "truncated", "extended"])
@pytest.mark.parametrize("from_file", [True, False], ids=["kernel", "three-stage"])
def test_a_corrupted_blob_is_caught_by_a_verified_get(
    local: LocalStore, tmp_path: Path, how: str, from_file: bool
) -> None:
    version = local.put("p/SH010/video_01.mp4", io.BytesIO(_data(KERNEL_COPY_SLICE + COPY_SLICE + 3)))
    _damage(local.blob_path("p/SH010/video_01.mp4"), how)
    if from_file:
        with pytest.raises(ChecksumMismatchError, match="damaged"):
            download_to_path(local, "p/SH010/video_01.mp4", tmp_path / "back.mp4")
        assert list(tmp_path.glob("*back.mp4*")) == []
    else:
        blob = local.blob_path("p/SH010/video_01.mp4").open("rb")
        reader = HashingReader(NoDescriptor(blob), expected_sha256=version.sha256)  # type: ignore[arg-type]
        with reader, (tmp_path / "out").open("wb") as out, pytest.raises(ChecksumMismatchError, match="damaged"):
            reader.copy_to(out)
    assert _hashing_threads() == []


# -- reflinks and early writeback are optional speed-ups --------------------------------------------


def test_a_reflink_is_declined_silently_where_the_filesystem_has_none(tmp_path: Path) -> None:
    data = _data(COPY_SLICE + 9)
    (tmp_path / "src").write_bytes(data)
    with (tmp_path / "src").open("rb") as src, (tmp_path / "dst").open("wb") as out:
        cloned = reflink(src, out)
        if cloned is None:  # ext4, tmpfs: nothing written, the caller copies
            assert (tmp_path / "dst").stat().st_size == 0
        else:  # XFS, Btrfs: the whole file is shared
            assert cloned == len(data)
    if cloned is not None:
        assert (tmp_path / "dst").read_bytes() == data


def test_early_writeback_ignores_what_cannot_be_written_back(tmp_path: Path) -> None:
    read_fd, write_fd = os.pipe()
    try:
        start_writeback(write_fd, 0, 4096)  # a pipe: nothing to write back, no error
    finally:
        os.close(read_fd)
        os.close(write_fd)
    with (tmp_path / "f").open("wb") as out:
        out.write(b"x" * 4096)
        out.flush()
        start_writeback(out.fileno(), 0, 4096)
        start_writeback(out.fileno(), 0, 0)
    assert (tmp_path / "f").read_bytes() == b"x" * 4096


@pytest.mark.parametrize("from_file", [True, False], ids=["kernel", "three-stage"])
def test_memory_stays_at_a_few_buffers_whatever_the_size(local: LocalStore, tmp_path: Path, from_file: bool) -> None:
    import tracemalloc

    src = tmp_path / "take.mp4"
    size = 3 * KERNEL_COPY_SLICE + 1
    src.write_bytes(_data(size))
    tracemalloc.start()
    try:
        with src.open("rb") as fh:
            local.put("p/SH010/video_01.mp4", fh if from_file else NoDescriptor(fh))  # type: ignore[arg-type]
        download_to_path(local, "p/SH010/video_01.mp4", tmp_path / "back.mp4")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * COPY_SLICE + 1024 * 1024, f"peak {peak} bytes for a {size}-byte file"
    assert (tmp_path / "back.mp4").stat().st_size == size


@pytest.fixture
def reflink_disk(tmp_path: Path) -> Iterator[Path]:
    """A small XFS with reflinks on a loop device: a real filesystem where files can share blocks."""
    if shutil.which("mkfs.xfs") is None:
        pytest.skip("mkfs.xfs is not installed (package xfsprogs), so no reflink filesystem can be made")
    image, mount_point = tmp_path / "xfs.img", tmp_path / "xfs"
    mount_point.mkdir()
    with image.open("wb") as fh:
        fh.truncate(320 * 1024 * 1024)  # sparse; XFS needs 300 MB at least
    made = subprocess.run(["mkfs.xfs", "-q", "-m", "reflink=1", str(image)], capture_output=True, text=True)
    mounted = made.returncode == 0 and (
        subprocess.run(["mount", "-o", "loop", str(image), str(mount_point)], capture_output=True).returncode == 0
    )
    if not mounted:
        pytest.skip(f"cannot make and mount an XFS image here (needs root and loop devices): {made.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=False)


def _used_bytes(path: Path) -> int:
    st = os.statvfs(path)
    return (st.f_blocks - st.f_bfree) * st.f_frsize


def test_on_a_reflink_filesystem_put_and_get_share_blocks_and_still_hash_them(reflink_disk: Path) -> None:
    data = _data(4 * KERNEL_COPY_SLICE + 7)
    src = reflink_disk / "take.mp4"
    src.write_bytes(data)
    os.sync()
    store = LocalStore(reflink_disk / "store")
    store.enable_versioning(create_bucket=True)
    used = _used_bytes(reflink_disk)
    with src.open("rb") as fh:
        version = store.put("p/SH010/video_01.mp4", fh)
    download_to_path(store, "p/SH010/video_01.mp4", reflink_disk / "back.mp4")
    os.sync()
    # Two more copies of 32 MiB took (almost) no space: their blocks are the source's.
    assert _used_bytes(reflink_disk) - used < len(data) // 4
    assert version.sha256 == hashlib.sha256(data).hexdigest()
    assert (reflink_disk / "back.mp4").read_bytes() == data
    # Shared blocks are copied on write: changing the source leaves the stored bytes as they were.
    with src.open("r+b") as fh:
        fh.write(b"changed")
    assert hashlib.sha256(store.blob_path("p/SH010/video_01.mp4").read_bytes()).hexdigest() == version.sha256


def test_on_a_reflink_filesystem_a_damaged_blob_is_still_refused(reflink_disk: Path) -> None:
    store = LocalStore(reflink_disk / "store")
    store.enable_versioning(create_bucket=True)
    store.put("p/SH010/video_01.mp4", io.BytesIO(_data(KERNEL_COPY_SLICE + 3)))
    _damage(store.blob_path("p/SH010/video_01.mp4"), "flipped")
    with pytest.raises(ChecksumMismatchError, match="damaged"):
        download_to_path(store, "p/SH010/video_01.mp4", reflink_disk / "back.mp4")
    assert list(reflink_disk.glob("*back.mp4*")) == []
    assert _hashing_threads() == []


@pytest.mark.parametrize("from_file", [True, False], ids=["kernel", "three-stage"])
@pytest.mark.parametrize("error", [KeyboardInterrupt, RuntimeError], ids=["ctrl-c", "callback-bug"])
def test_an_error_in_the_hashing_thread_stops_the_put_and_leaves_nothing(
    local: LocalStore, tmp_path: Path, from_file: bool, error: type[BaseException]
) -> None:
    src = tmp_path / "take.mp4"
    src.write_bytes(_data(3 * KERNEL_COPY_SLICE))
    calls = [0]

    def progress(_count: int) -> None:
        calls[0] += 1
        if calls[0] == 2:
            raise error("stop here")

    with src.open("rb") as fh, pytest.raises(error, match="stop here"):
        local.put("p/SH010/video_01.mp4", fh if from_file else NoDescriptor(fh), progress=progress)  # type: ignore[arg-type]
    assert list(local.list_versions("p/SH010/video_01.mp4")) == []
    assert [p for p in local.root.rglob("*") if p.is_file() and p.name not in (".lock", "versioning")] == []
    assert _hashing_threads() == []
