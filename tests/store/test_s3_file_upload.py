"""A regular file's S3 upload on the real servers: sent in parts from reused buffers that are also what the
sha256 is computed from, refused with nothing stored when the file changes meanwhile, memory bounded; and
a pipe, which has no file behind it, still goes through the in-order hashing reader."""

from __future__ import annotations

import hashlib
import os
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from takevault.errors import ChecksumMismatchError, InvalidInputError
from takevault.store import download_to_path, s3_file_upload
from takevault.store.base import SHA256_META
from takevault.store.s3 import S3Store
from tests.s3_servers import S3Target

MiB = 1024 * 1024
KEY = "proj/SH010/video_01.mov"


@pytest.fixture
def bucket(s3_target: S3Target) -> Iterator[S3Target]:
    s3_target.create_bucket()
    yield s3_target


def open_store(target: S3Target, **options: Any) -> S3Store:
    """Parts of 5 MiB (S3's smallest) from 5 MiB up, so a few MiB make a multipart upload."""
    settings: dict[str, Any] = {"multipart_threshold": 5 * MiB, "multipart_chunksize": 5 * MiB, **options}
    return S3Store(target.bucket, "vault", target.endpoint_url, "us-east-1", **settings)


def write_file(path: Path, size: int, seed: bytes = b"take") -> bytes:
    block = hashlib.sha256(seed).digest() * (MiB // 32)
    data = (block * (size // len(block) + 1))[:size]
    path.write_bytes(data)
    return data


class PartCounter:
    """Counts UploadPart and whole-object PUT requests as they go over HTTP."""

    def __init__(self) -> None:
        self.parts = 0
        self.puts = 0

    def __call__(self, request: Any, **_: Any) -> None:
        if request.method != "PUT" or "tagging" in request.url:
            return
        if "partNumber=" in request.url:
            self.parts += 1
        else:
            self.puts += 1


def stored_bytes(target: S3Target, version_id: str) -> bytes:
    """The object as the server holds it, read with a plain client, not through the store."""
    client = target.server.client()
    try:
        return client.get_object(Bucket=target.bucket, Key=f"vault/{KEY}", VersionId=version_id)["Body"].read()
    finally:
        client.close()


def unfinished_uploads(target: S3Target) -> list[dict]:
    client = target.server.client()
    try:
        return client.list_multipart_uploads(Bucket=target.bucket).get("Uploads", [])
    finally:
        client.close()


def upload_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("takevault-s3-part")]


@pytest.mark.parametrize("size", [3 * MiB, 23 * MiB + 5], ids=["single-put", "multipart"])
def test_the_recorded_sha256_is_that_of_the_bytes_the_server_holds(bucket: S3Target, tmp_path: Path, size: int) -> None:
    src = tmp_path / "take.mov"
    data = write_file(src, size)
    store = open_store(bucket)
    counter = PartCounter()
    store.observe_requests(counter)
    seen: list[int] = []
    try:
        with src.open("rb") as fh:
            version = store.put(KEY, fh, {"kind": "raw"}, progress=seen.append)
            assert fh.tell() == size  # left where reading it through would have
        held = stored_bytes(bucket, version.version_id)
        assert held == data
        assert version.sha256 == hashlib.sha256(held).hexdigest() == hashlib.sha256(data).hexdigest()
        assert version.size == size and sum(seen) == size
        # The sha256 the bucket itself records (the version's tag), read by a store that knows nothing yet.
        fresh = open_store(bucket)
        assert fresh.head(KEY, version.version_id).sha256 == version.sha256
        download_to_path(fresh, KEY, tmp_path / "back.mov", version.version_id)
        assert (tmp_path / "back.mov").read_bytes() == data
        fresh.close()
        if size > 5 * MiB:
            assert (counter.parts, counter.puts) == (5, 0)
        else:
            assert (counter.parts, counter.puts) == (0, 1)
    finally:
        store.close()
    assert unfinished_uploads(bucket) == []
    assert upload_threads() == []


def test_a_file_is_sent_from_the_stream_position_on(bucket: S3Target, tmp_path: Path) -> None:
    src = tmp_path / "take.mov"
    data = write_file(src, 12 * MiB)
    store = open_store(bucket)
    try:
        with src.open("rb") as fh:
            fh.read(1000)  # a caller that consumed a header first
            version = store.put(KEY, fh)
        assert stored_bytes(bucket, version.version_id) == data[1000:]
        assert version.sha256 == hashlib.sha256(data[1000:]).hexdigest() and version.size == len(data) - 1000
    finally:
        store.close()


def _change_after_first_part(src: Path, how: str) -> Callable[[int], None]:
    """A progress callback that changes the file once the first part is out and the rest is still to come."""
    done = [False]

    def change(_: int) -> None:
        if done[0]:
            return
        done[0] = True
        # A filesystem timestamp moves in ticks of a few milliseconds: let one pass since the first look.
        time.sleep(0.02)
        if how == "overwritten":  # same size, bytes already sent
            with src.open("r+b") as out:
                out.write(b"changed")
        elif how == "appended":
            with src.open("ab") as out:
                out.write(b"more")
        else:  # truncated: the next part cannot be read whole
            os.truncate(src, 7 * MiB)

    return change


@pytest.mark.parametrize("how", ["overwritten", "appended", "truncated"])
def test_a_file_that_changes_while_it_is_uploaded_is_refused_and_nothing_is_stored(
    bucket: S3Target, tmp_path: Path, how: str
) -> None:
    src = tmp_path / "take.mov"
    store = open_store(bucket, max_concurrency=1)
    try:
        write_file(tmp_path / "kept.mov", 10)
        with (tmp_path / "kept.mov").open("rb") as fh:
            kept = store.put(KEY, fh)
        write_file(src, 40 * MiB)
        with src.open("rb") as fh, pytest.raises(InvalidInputError, match="changed while it was uploaded"):
            store.put(KEY, fh, progress=_change_after_first_part(src, how))
        assert [v.version_id for v in store.list_versions(KEY)] == [kept.version_id]
        fresh = open_store(bucket)
        assert fresh.head(KEY).version_id == kept.version_id
        fresh.close()
    finally:
        store.close()
    assert unfinished_uploads(bucket) == []
    assert upload_threads() == []


def test_a_file_other_than_the_promised_sha256_is_refused_before_a_version_exists(
    bucket: S3Target, tmp_path: Path
) -> None:
    src = tmp_path / "take.mov"
    data = write_file(src, 12 * MiB)
    store = open_store(bucket)
    counter = PartCounter()
    store.observe_requests(counter)
    try:
        with src.open("rb") as fh, pytest.raises(ChecksumMismatchError, match="changed while it was read"):
            store.put(KEY, fh, {SHA256_META: "0" * 64})
        assert list(store.list_versions(KEY)) == []
        assert counter.parts == 3  # sent, then the upload was abandoned rather than completed
        with src.open("rb") as fh:
            good = store.put(KEY, fh, {SHA256_META: hashlib.sha256(data).hexdigest()})
        assert stored_bytes(bucket, good.version_id) == data
    finally:
        store.close()
    assert unfinished_uploads(bucket) == []


def test_a_pipe_still_uploads_through_the_hashing_reader(bucket: S3Target) -> None:
    data = os.urandom(13 * MiB + 7)
    read_end, write_end = os.pipe()

    def feed() -> None:
        with os.fdopen(write_end, "wb") as out:
            for start in range(0, len(data), 64 * 1024):
                out.write(data[start : start + 64 * 1024])

    feeder = threading.Thread(target=feed)
    feeder.start()
    store = open_store(bucket)
    counter = PartCounter()
    store.observe_requests(counter)
    try:
        with os.fdopen(read_end, "rb") as pipe:
            version = store.put(KEY, pipe)
        feeder.join()
        assert stored_bytes(bucket, version.version_id) == data
        assert version.sha256 == hashlib.sha256(data).hexdigest() and version.size == len(data)
        assert counter.parts == 3
    finally:
        store.close()


def test_memory_stays_bounded_by_the_part_buffers(bucket: S3Target, tmp_path: Path) -> None:
    """A 64 MiB file in 8 MiB parts on two threads holds four part buffers (and the short last part), never
    the file."""
    src = tmp_path / "take.mov"
    data = write_file(src, 64 * MiB + 123)
    store = open_store(bucket, multipart_threshold=16 * MiB, multipart_chunksize=8 * MiB, max_concurrency=2)
    tracemalloc.start()
    try:
        with src.open("rb") as fh:
            version = store.put(KEY, fh)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        store.close()
    assert version.sha256 == hashlib.sha256(data).hexdigest()
    assert peak < 40 * MiB, f"upload peaked at {peak / MiB:.1f} MiB"


def test_a_file_above_the_buffer_budget_goes_in_parts_whatever_the_threshold(
    bucket: S3Target, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(s3_file_upload, "PART_BUFFER_BUDGET", 12 * MiB)
    src = tmp_path / "take.mov"
    data = write_file(src, 21 * MiB)
    store = open_store(bucket, multipart_threshold=64 * MiB)
    counter = PartCounter()
    store.observe_requests(counter)
    tracemalloc.start()
    try:
        with src.open("rb") as fh:
            version = store.put(KEY, fh)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        store.close()
    assert stored_bytes(bucket, version.version_id) == data
    assert (counter.parts, counter.puts) == (5, 0)
    assert peak < 20 * MiB, f"upload peaked at {peak / MiB:.1f} MiB"


def test_over_plain_http_every_body_is_signed_and_no_second_checksum_is_computed(
    bucket: S3Target, tmp_path: Path
) -> None:
    """Over plain HTTP the signature carries each body's SHA-256 (the server checks the body against it),
    so the CRC32 sent beside it over HTTPS would check nothing more: it is not computed here."""
    assert bucket.endpoint_url.startswith("http://")
    store = open_store(bucket)
    seen: list[dict[str, str]] = []

    def part_or_put(request: Any, **_: Any) -> None:
        # The tag that records the sha256 afterwards is a small body S3 requires a checksum for.
        if request.method == "PUT" and "tagging" not in request.url:
            seen.append(dict(request.headers))

    store.observe_requests(part_or_put)
    data = write_file(tmp_path / "take.mov", 12 * MiB)
    with (tmp_path / "take.mov").open("rb") as stream:
        version = store.put(KEY, stream)
    assert version.sha256 == hashlib.sha256(data).hexdigest()
    bodies = [h for h in seen if int(h.get("Content-Length", 0)) > 0]
    assert len(bodies) == 3  # the parts of 5 MiB, 5 MiB and 2 MiB
    for headers in bodies:
        signed = headers["X-Amz-Content-SHA256"]
        assert signed not in ("UNSIGNED-PAYLOAD", "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
        assert not [name for name in headers if name.lower().startswith("x-amz-checksum")], headers
    https = S3Store(bucket.bucket, "vault", "https://s3.example.invalid", "us-east-1")
    assert https.checksum_algorithm == "CRC32" and store.checksum_algorithm is None
