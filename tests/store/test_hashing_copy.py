"""The hashing copies under the store: the kernel copy hashes what it wrote, the three-stage copy keeps
bytes in order, and a verified get through either still refuses damaged bytes."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest

from takevault.errors import ChecksumMismatchError
from takevault.store.base import download_to_path, pipelined_copy
from takevault.store.fsutil import kernel_copy
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
