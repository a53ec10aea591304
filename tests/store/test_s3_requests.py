"""What an S3 store sends over HTTP to the real SeaweedFS server: no needless HEADs on get, head
and put, counted by a botocore `before-send` observer; and the parallel ranged download of a
large version stays byte-exact, checked, and leaves nothing behind when it fails."""

from __future__ import annotations

import hashlib
import io
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from takevault.errors import ChecksumMismatchError, NotFoundError
from takevault.store import download_to_path
from takevault.store.s3 import S3Store
from tests.s3_servers import S3Target

MiB = 1024 * 1024
KEY = "proj/SH010/video_01.mp4"


class Requests:
    """Counts the HTTP methods a store sends, and the ranged GETs among them."""

    def __init__(self) -> None:
        self.methods: Counter[str] = Counter()
        self.ranged = 0

    def __call__(self, request: Any, **_: Any) -> None:
        self.methods[request.method] += 1
        if request.method == "GET" and "Range" in request.headers:
            self.ranged += 1

    @property
    def total(self) -> int:
        return sum(self.methods.values())

    def reset(self) -> None:
        self.methods.clear()
        self.ranged = 0


@pytest.fixture
def bucket(seaweedfs_target: S3Target) -> Iterator[S3Target]:
    seaweedfs_target.create_bucket()
    yield seaweedfs_target


def open_store(target: S3Target, **options: Any) -> tuple[S3Store, Requests]:
    """A new store object (as a new process would have: nothing described yet) and its request counter."""
    store = S3Store(target.bucket, "vault", target.endpoint_url, "us-east-1", **options)
    seen = Requests()
    store.observe_requests(seen)
    return store, seen


def test_download_of_the_latest_and_of_a_given_version_makes_at_most_two_heads(
    bucket: S3Target, tmp_path: Path
) -> None:
    writer, _ = open_store(bucket)
    first = writer.put(KEY, io.BytesIO(b"first"))
    writer.put(KEY, io.BytesIO(b"second"))
    writer.close()
    for version_id, expected in ((None, b"second"), (first.version_id, b"first")):
        store, seen = open_store(bucket)
        try:
            dest = tmp_path / f"{version_id}.mp4"
            download_to_path(store, KEY, dest, version_id)
            assert dest.read_bytes() == expected
            assert seen.methods["HEAD"] <= 2, seen.methods
            # HEAD(s), the sha256 tag, the bytes.
            assert seen.total <= 4, seen.methods
        finally:
            store.close()


def test_get_makes_one_head_or_none_for_a_version_it_already_described(bucket: S3Target) -> None:
    store, seen = open_store(bucket)
    try:
        made = store.put(KEY, io.BytesIO(b"bytes"))
        store.head(KEY)  # the store now knows its versioning state and the version
        seen.reset()
        with store.get(KEY, made.version_id) as reader:
            assert reader.read() == b"bytes"
        assert seen.methods == Counter({"GET": 1})
        seen.reset()
        with store.get(KEY) as reader:  # the latest must be asked for: it may have changed
            assert reader.read() == b"bytes"
        assert seen.methods == Counter({"HEAD": 1, "GET": 1})
    finally:
        store.close()


def test_head_asks_for_the_latest_only_when_given_a_version(bucket: S3Target) -> None:
    store, seen = open_store(bucket)
    try:
        made = store.put(KEY, io.BytesIO(b"bytes"))
        seen.reset()
        assert store.head(KEY).version_id == made.version_id
        assert seen.methods == Counter({"HEAD": 1})
        seen.reset()
        assert store.head(KEY, made.version_id).is_latest
        assert seen.methods == Counter({"HEAD": 2})
    finally:
        store.close()


def test_put_sends_the_bytes_and_the_checksum_tag_and_nothing_else(bucket: S3Target) -> None:
    store, seen = open_store(bucket)
    try:
        store.put(KEY, io.BytesIO(b"one"))  # the first write also reads the versioning state, once
        assert seen.methods == Counter({"GET": 1, "PUT": 2})
        seen.reset()
        store.put(KEY, io.BytesIO(b"two"))
        assert seen.methods == Counter({"PUT": 2})  # the object, then its sha256 tag
        seen.reset()
        data = b"three"
        store.put(KEY, io.BytesIO(data), {"sha256": hashlib.sha256(data).hexdigest()})
        assert seen.methods == Counter({"PUT": 1})  # a known sha256 travels as metadata: no tag
    finally:
        store.close()


def test_large_version_comes_in_parallel_ranged_parts_byte_exact(bucket: S3Target, tmp_path: Path) -> None:
    payload = os.urandom(12 * MiB + 123)
    small_parts = {"multipart_threshold": 5 * MiB, "multipart_chunksize": 5 * MiB}
    writer, _ = open_store(bucket, **small_parts)
    made = writer.put(KEY, io.BytesIO(payload))
    writer.close()
    store, seen = open_store(bucket, **small_parts)
    try:
        dest = tmp_path / "big.mp4"
        download_to_path(store, KEY, dest, made.version_id)
        assert dest.read_bytes() == payload
        assert seen.methods["HEAD"] <= 2, seen.methods
        assert seen.ranged == 3  # 5 + 5 + 2 MiB
        assert seen.total <= 2 + 1 + 3, seen.methods
        with store.get(KEY) as reader:  # plain reads see the same bytes, in order
            chunks = []
            while chunk := reader.read(700_000):
                chunks.append(chunk)
        assert b"".join(chunks) == payload
    finally:
        store.close()


def test_large_version_with_a_wrong_checksum_is_refused_and_leaves_nothing(bucket: S3Target, tmp_path: Path) -> None:
    client = bucket.server.client()
    client.put_object(
        Bucket=bucket.bucket, Key=f"vault/{KEY}", Body=os.urandom(11 * MiB), Metadata={"sha256": "0" * 64}
    )
    client.close()
    store, _ = open_store(bucket, multipart_chunksize=5 * MiB)
    try:
        dest = tmp_path / "big.mp4"
        with pytest.raises(ChecksumMismatchError, match="damaged"):
            download_to_path(store, KEY, dest)
        assert list(tmp_path.iterdir()) == []
    finally:
        store.close()


def test_version_removed_during_a_ranged_download_fails_cleanly(bucket: S3Target, tmp_path: Path) -> None:
    """One part at a time, so the parts after the first are asked for after the version is gone."""
    store, _ = open_store(bucket, multipart_threshold=5 * MiB, multipart_chunksize=5 * MiB, max_concurrency=1)
    try:
        made = store.put(KEY, io.BytesIO(os.urandom(16 * MiB)))
        reader = store.get(KEY, made.version_id)
        client = bucket.server.client()
        client.delete_object(Bucket=bucket.bucket, Key=f"vault/{KEY}", VersionId=made.version_id)
        client.close()
        dest = tmp_path / "big.mp4"
        with pytest.raises(NotFoundError), reader, dest.open("wb") as out:
            reader.copy_to(out)
    finally:
        store.close()
