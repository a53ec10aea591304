"""The store contract: one suite, run on the local folder and over HTTP on real S3 servers.

Every test takes `backend` (local, seaweedfs, ministack) from `tests/store/conftest.py`.
"""

from __future__ import annotations

import hashlib
import io
import os
import threading
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from takevault.errors import (
    ChecksumMismatchError,
    DeleteMarkerError,
    InvalidInputError,
    InvalidKeyError,
    NotFoundError,
    VersioningError,
)
from takevault.store import VersionedStore, download_to_path
from takevault.store.base import SHA256_META
from tests.store.conftest import Backend

MiB = 1024 * 1024


def read_all(store: VersionedStore, key: str, version_id: str | None = None) -> bytes:
    with store.get(key, version_id) as reader:
        chunks = []
        while chunk := reader.read(256 * 1024):
            chunks.append(chunk)
    return b"".join(chunks)


class FailingReader:
    """A stream that breaks after `limit` bytes, like a file on a disk that fails mid-read."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.sent = 0

    def read(self, size: int = -1) -> bytes:
        if self.sent >= self.limit:
            raise OSError("simulated read failure")
        n = min(size if size > 0 else MiB, self.limit - self.sent, MiB)
        self.sent += n
        return b"\xab" * n


def multipart_store(backend: Backend) -> VersionedStore:
    """S3's smallest multipart threshold and part size (5 MiB), so a 12 MiB file goes out in parts."""
    if backend.is_s3:
        return backend.store(multipart_threshold=5 * MiB, multipart_chunksize=5 * MiB)
    return backend.store()


def test_protocol_is_implemented(store: VersionedStore) -> None:
    assert isinstance(store, VersionedStore)
    assert store.versioning_status() == "Enabled"


def test_many_versions_each_fetched_byte_exact(store: VersionedStore) -> None:
    payloads = [b"", b"x", *(os.urandom(1000 + i * 37) for i in range(10))]
    versions = [store.put("proj/SH010/video_01.mp4", io.BytesIO(p)) for p in payloads]
    assert len({v.version_id for v in versions}) == len(payloads)
    for version, payload in zip(versions, payloads, strict=True):
        assert version.size == len(payload)
        assert version.sha256 == hashlib.sha256(payload).hexdigest()
        assert read_all(store, "proj/SH010/video_01.mp4", version.version_id) == payload
    assert read_all(store, "proj/SH010/video_01.mp4") == payloads[-1]
    listed = list(store.list_versions("proj/SH010/video_01.mp4"))
    assert [v.version_id for v in listed] == [v.version_id for v in reversed(versions)]
    assert [v.is_latest for v in listed] == [True] + [False] * (len(payloads) - 1)
    assert [v.sha256 for v in listed] == [v.sha256 for v in reversed(versions)]
    assert [v.size for v in listed] == [len(p) for p in reversed(payloads)]


def test_head_describes_a_version_without_reading_it(store: VersionedStore) -> None:
    first = store.put("a/b.mov", io.BytesIO(b"one"))
    second = store.put("a/b.mov", io.BytesIO(b"two!"))
    latest = store.head("a/b.mov")
    assert (latest.version_id, latest.size, latest.is_latest) == (second.version_id, 4, True)
    old = store.head("a/b.mov", first.version_id)
    assert (old.version_id, old.size, old.sha256, old.is_latest) == (
        first.version_id,
        3,
        hashlib.sha256(b"one").hexdigest(),
        False,
    )


def test_delete_marker_hides_latest_but_old_versions_come_back(store: VersionedStore) -> None:
    v1 = store.put("k/take.mp4", io.BytesIO(b"first"))
    v2 = store.put("k/take.mp4", io.BytesIO(b"second"))
    marker = store.delete("k/take.mp4")
    assert marker.is_delete_marker and marker.version_id not in (v1.version_id, v2.version_id)
    with pytest.raises(DeleteMarkerError, match="delete marker"):
        store.get("k/take.mp4")
    with pytest.raises(DeleteMarkerError, match="delete marker"):
        store.head("k/take.mp4")
    with pytest.raises(DeleteMarkerError, match="delete marker"):
        store.get("k/take.mp4", marker.version_id)
    assert store.head("k/take.mp4", marker.version_id).is_delete_marker
    assert read_all(store, "k/take.mp4", v1.version_id) == b"first"
    assert read_all(store, "k/take.mp4", v2.version_id) == b"second"
    listed = list(store.list_versions("k/take.mp4"))
    assert [(v.version_id, v.is_latest, v.is_delete_marker) for v in listed] == [
        (marker.version_id, True, True),
        (v2.version_id, False, False),
        (v1.version_id, False, False),
    ]


def test_delete_marker_error_is_a_not_found_error(store: VersionedStore) -> None:
    store.put("gone.mp4", io.BytesIO(b"x"))
    store.delete("gone.mp4")
    with pytest.raises(NotFoundError):
        store.get("gone.mp4")


def test_restore_copies_an_old_version_to_a_new_latest(store: VersionedStore) -> None:
    meta = {"take-id": "0b1c", "original-name": "shot%20one.mp4"}
    v1 = store.put("r/video_01.mp4", io.BytesIO(b"the good take"), meta)
    store.put("r/video_01.mp4", io.BytesIO(b"the bad take"), {"take-id": "0b1c"})
    store.delete("r/video_01.mp4")
    restored = store.restore("r/video_01.mp4", v1.version_id)
    assert restored.version_id != v1.version_id
    assert restored.is_latest and restored.sha256 == v1.sha256 and restored.size == v1.size
    assert read_all(store, "r/video_01.mp4") == b"the good take"
    head = store.head("r/video_01.mp4")
    assert head.version_id == restored.version_id
    assert head.sha256 == v1.sha256
    assert {k: head.metadata[k] for k in meta} == meta
    history = list(store.list_versions("r/video_01.mp4"))
    assert len(history) == 4 and history[0].version_id == restored.version_id
    assert read_all(store, "r/video_01.mp4", v1.version_id) == b"the good take"


def test_restore_of_a_delete_marker_is_refused(store: VersionedStore) -> None:
    store.put("m.mp4", io.BytesIO(b"x"))
    marker = store.delete("m.mp4")
    with pytest.raises(DeleteMarkerError):
        store.restore("m.mp4", marker.version_id)


def test_listing_pages_past_the_page_limit(backend: Backend) -> None:
    """Local writes 1,001 versions (8 writers at once); S3 sets a small page size to cross many pages quickly."""
    if backend.is_s3:
        store = backend.store(page_size=4)
        ids = [store.put("many/v.bin", io.BytesIO(b"%d" % i)).version_id for i in range(27)]
    else:
        store = backend.store()
        with ThreadPoolExecutor(8) as pool:
            made = list(pool.map(lambda i: store.put("many/v.bin", io.BytesIO(b"%d" % i)), range(1001)))
        ids = [v.version_id for v in sorted(made, key=lambda v: v.last_modified)]
    store.put("many/v.bin.other", io.BytesIO(b"neighbour"))
    fresh = backend.store(page_size=4) if backend.is_s3 else backend.store()
    listed = list(fresh.list_versions("many/v.bin"))
    assert [v.version_id for v in listed] == ids[::-1]
    assert sum(v.is_latest for v in listed) == 1 and listed[0].is_latest
    assert {v.sha256 for v in listed} == {hashlib.sha256(b"%d" % i).hexdigest() for i in range(len(ids))}
    under = list(fresh.list_versions("many/", prefix=True))
    assert len(under) == len(ids) + 1
    assert {v.key for v in under} == {"many/v.bin", "many/v.bin.other"}


@pytest.mark.slow
def test_listing_past_1000_versions_with_the_servers_own_paging(backend: Backend) -> None:
    """1,001 real versions at S3's own page size of 1,000 (written in parallel to keep it quick)."""
    if backend.name != "seaweedfs":
        pytest.skip(
            "run on SeaweedFS only to keep the suite fast; the local store lists 1,001 in "
            "test_listing_pages_past_the_page_limit and ministack pages the same way at page size 4"
        )
    payloads = [b"%d" % i for i in range(1001)]
    if backend.is_s3:
        client = backend.target.server.client()
        full = "vault/one/k/many.bin"

        def write(data: bytes) -> None:
            client.put_object(
                Bucket=backend.target.bucket,
                Key=full,
                Body=data,
                Metadata={SHA256_META: hashlib.sha256(data).hexdigest()},
            )

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(write, payloads))
        client.close()
    listed = list(backend.store().list_versions("k/many.bin"))
    assert len(listed) == 1001
    assert len({v.version_id for v in listed}) == 1001
    assert sum(v.is_latest for v in listed) == 1
    assert {v.sha256 for v in listed} == {hashlib.sha256(p).hexdigest() for p in payloads}


def test_file_above_the_multipart_threshold(backend: Backend, tmp_path: Path) -> None:
    store = multipart_store(backend)
    source = tmp_path / "big.bin"
    block = os.urandom(MiB)
    with source.open("wb") as out:
        for i in range(12):
            out.write(block[i:] + block[:i])
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    seen: list[int] = []
    with source.open("rb") as fh:
        version = store.put("big/take.mov", fh, {"kind": "raw"}, size=source.stat().st_size, progress=seen.append)
    assert version.size == 12 * MiB and version.sha256 == digest and sum(seen) == 12 * MiB
    dest = tmp_path / "back.bin"
    info = download_to_path(store, "big/take.mov", dest)
    assert info.version_id == version.version_id
    assert hashlib.sha256(dest.read_bytes()).hexdigest() == digest
    assert backend.store().head("big/take.mov").sha256 == digest
    restored = store.restore("big/take.mov", version.version_id)
    assert read_all(store, "big/take.mov", restored.version_id) == source.read_bytes()
    if backend.is_s3:
        client = backend.target.server.client()
        assert client.list_multipart_uploads(Bucket=backend.target.bucket).get("Uploads", []) == []
        client.close()


def test_a_stream_that_fails_midway_leaves_no_version(backend: Backend) -> None:
    store = multipart_store(backend)
    store.put("crash/take.mp4", io.BytesIO(b"kept"))
    with pytest.raises(InvalidInputError, match=r"Could not read the data for 'crash/take\.mp4'.*simulated"):
        store.put("crash/take.mp4", FailingReader(12 * MiB))
    with pytest.raises(InvalidInputError, match="simulated"):
        store.put("crash/new.mp4", FailingReader(MiB))
    assert [read_all(store, v.key, v.version_id) for v in store.list_versions("crash/", prefix=True)] == [b"kept"]
    if backend.is_s3:
        client = backend.target.server.client()
        assert client.list_multipart_uploads(Bucket=backend.target.bucket).get("Uploads", []) == []
        client.close()
    else:
        assert list((backend.root / "tmp").iterdir()) == []


def test_metadata_round_trip(backend: Backend) -> None:
    store = backend.store()
    meta = {
        "take-id": "7d0c2a44-52f1-4c42-9f0e-0a3c1f7e9b10",
        "shot": "SH010",
        "take-number": "3",
        "original-name": "Sc%C3%A8ne%201.mp4",
        "uploader": "Zoë Ångström",
        "note": "=?UTF-8?B?looks-encoded?=",
        "empty": "",
    }
    version = store.put("meta/video_03.mp4", io.BytesIO(b"bytes"), meta)
    expected = {**meta, SHA256_META: hashlib.sha256(b"bytes").hexdigest()}
    assert version.metadata == expected
    fresh = backend.store()  # nothing cached: the server must hand it all back
    assert fresh.head("meta/video_03.mp4").metadata == expected
    assert fresh.head("meta/video_03.mp4", version.version_id).metadata == expected
    assert next(iter(fresh.list_versions("meta/video_03.mp4"))).metadata == expected


@pytest.mark.parametrize(
    "meta",
    [{"Take-ID": "x"}, {"bad name": "x"}, {"ok": "line\nbreak"}, {"big": "x" * 3000}],
    ids=["upper-case", "space", "newline", "too-big"],
)
def test_metadata_that_cannot_round_trip_is_refused(store: VersionedStore, meta: dict[str, str]) -> None:
    with pytest.raises(InvalidInputError):
        store.put("meta/bad.mp4", io.BytesIO(b"x"), meta)
    with pytest.raises(NotFoundError):
        store.head("meta/bad.mp4")


def test_a_wrong_claimed_sha256_is_refused_and_leaves_no_version(store: VersionedStore) -> None:
    with pytest.raises(ChecksumMismatchError, match="changed while it was read"):
        store.put("claim.mp4", io.BytesIO(b"actual"), {SHA256_META: "0" * 64})
    assert list(store.list_versions("claim.mp4")) == []
    good = store.put("claim.mp4", io.BytesIO(b"actual"), {SHA256_META: hashlib.sha256(b"actual").hexdigest()})
    assert read_all(store, "claim.mp4", good.version_id) == b"actual"


def test_concurrent_writers_each_get_their_own_version(backend: Backend) -> None:
    store = backend.store()
    start = threading.Barrier(6)

    def writer(n: int) -> list[tuple[str, bytes]]:
        start.wait()
        made = []
        for i in range(4):
            data = f"writer {n} take {i}".encode()
            made.append((store.put("race/video.mp4", io.BytesIO(data)).version_id, data))
        return made

    with ThreadPoolExecutor(6) as pool:
        results = [pair for batch in pool.map(writer, range(6)) for pair in batch]
    assert len({vid for vid, _ in results}) == 24
    listed = list(backend.store().list_versions("race/video.mp4"))
    assert {v.version_id for v in listed} == {vid for vid, _ in results}
    assert sum(v.is_latest for v in listed) == 1
    for vid, data in results:
        assert read_all(store, "race/video.mp4", vid) == data


@pytest.mark.parametrize(
    "key",
    [
        "プロジェクト/ショット010/テイク_01.mp4",
        "café/Scène 1/vidéo (final).mov",
        "emoji/🎬 take.mp4",
        "a+b=c&d?e#f%20g.mp4",
    ],
)
def test_unicode_and_odd_keys(store: VersionedStore, key: str) -> None:
    version = store.put(key, io.BytesIO(key.encode()))
    assert version.key == key
    assert read_all(store, key) == key.encode()
    prefix = key.rsplit("/", 1)[0] + "/" if "/" in key else key
    assert [v.key for v in store.list_versions(prefix, prefix=True)] == [key]


def test_keys_are_normalised_to_nfc(store: VersionedStore) -> None:
    nfd = unicodedata.normalize("NFD", "café/é.mp4")
    store.put(nfd, io.BytesIO(b"same"))
    assert read_all(store, unicodedata.normalize("NFC", nfd)) == b"same"


@pytest.mark.parametrize(
    "key",
    [
        "",
        "   ",
        "..",
        "../escape.mp4",
        "a/../../b.mp4",
        "a/./b",
        "/etc/passwd",
        "a//b",
        "a/",
        "C:/x",
        "a\\b",
        "nul\x00",
    ],
)
def test_bad_keys_are_refused(store: VersionedStore, key: str) -> None:
    with pytest.raises(InvalidKeyError):
        store.put(key, io.BytesIO(b"x"))
    for call in (
        lambda: store.get(key),
        lambda: store.head(key),
        lambda: list(store.list_versions(key)),
        lambda: store.delete(key),
    ):
        with pytest.raises(InvalidKeyError):
            call()


def test_suspended_versioning_refuses_writes(backend: Backend) -> None:
    store = backend.store()
    kept = store.put("v/take.mp4", io.BytesIO(b"kept"))
    store.suspend_versioning()
    assert store.versioning_status() == "Suspended"
    for call in (
        lambda: store.put("v/take.mp4", io.BytesIO(b"overwrite")),
        lambda: store.delete("v/take.mp4"),
        lambda: store.restore("v/take.mp4", kept.version_id),
    ):
        with pytest.raises(VersioningError, match="takevault store enable-versioning"):
            call()
    other = backend.store()  # a second client sees the same status
    with pytest.raises(VersioningError):
        other.put("v/take.mp4", io.BytesIO(b"overwrite"))
    assert read_all(store, "v/take.mp4") == b"kept"
    store.enable_versioning()
    assert store.put("v/take.mp4", io.BytesIO(b"new")).version_id != kept.version_id


def test_unknown_version_ids_and_keys_are_not_found(store: VersionedStore) -> None:
    real = store.put("u/take.mp4", io.BytesIO(b"x"))
    bogus = ["00000000000000000001deadbeef0000", "nope", "null", real.version_id[::-1]]
    for vid in bogus:
        if vid == real.version_id:
            continue
        for call in (
            lambda v=vid: store.get("u/take.mp4", v),
            lambda v=vid: store.head("u/take.mp4", v),
            lambda v=vid: store.restore("u/take.mp4", v),
            lambda v=vid: store.delete_version("u/take.mp4", v),
        ):
            with pytest.raises(NotFoundError, match="does not exist"):
                call()
    for call in (
        lambda: store.get("u/missing.mp4"),
        lambda: store.head("u/missing.mp4"),
        lambda: store.delete("u/missing.mp4"),
    ):
        with pytest.raises(NotFoundError):
            call()
    assert list(store.list_versions("u/missing.mp4")) == []


def test_delete_version_removes_one_version_for_good(store: VersionedStore) -> None:
    v1 = store.put("d/take.mp4", io.BytesIO(b"one"))
    v2 = store.put("d/take.mp4", io.BytesIO(b"two"))
    store.delete_version("d/take.mp4", v2.version_id)
    assert [v.version_id for v in store.list_versions("d/take.mp4")] == [v1.version_id]
    assert read_all(store, "d/take.mp4") == b"one"
    with pytest.raises(NotFoundError):
        store.get("d/take.mp4", v2.version_id)


def test_identical_bytes_under_two_keys_are_both_kept(store: VersionedStore) -> None:
    a = store.put("same/a.mp4", io.BytesIO(b"identical"))
    b = store.put("same/b.mp4", io.BytesIO(b"identical"))
    store.delete_version("same/a.mp4", a.version_id)
    assert read_all(store, "same/b.mp4", b.version_id) == b"identical"


def test_damaged_bytes_fail_the_full_read(backend: Backend) -> None:
    store = backend.store()
    version = store.put("dmg/take.mp4", io.BytesIO(b"original bytes"))
    if backend.is_s3:
        # Claim a different sha256 for that exact version, as a damaged object would read back.
        client = backend.target.server.client()
        client.put_object_tagging(
            Bucket=backend.target.bucket,
            Key="vault/one/dmg/take.mp4",
            VersionId=version.version_id,
            Tagging={"TagSet": [{"Key": "sha256", "Value": "f" * 64}]},
        )
        client.close()
    else:
        blob = backend.root / "blobs" / version.sha256[:2] / version.sha256
        blob.chmod(0o644)
        blob.write_bytes(b"damaged bytes!")
    with pytest.raises(ChecksumMismatchError, match="damaged"):
        read_all(backend.store(), "dmg/take.mp4")


def test_missing_store_location_is_not_found(backend: Backend) -> None:
    if backend.is_s3:
        from takevault.store.s3 import S3Store

        store = S3Store("no-such-bucket-here", "", backend.target.endpoint_url, backend.target.server.region)
        hint = "--create-bucket"
    else:
        from takevault.store.local import LocalStore

        store = LocalStore(backend.root.parent / "nowhere")
        hint = "--create-bucket"
    try:
        with pytest.raises(NotFoundError, match=hint):
            store.put("x.mp4", io.BytesIO(b"x"))
        with pytest.raises(NotFoundError):
            list(store.list_versions("x.mp4"))
        with pytest.raises(NotFoundError, match=hint):
            store.enable_versioning()
    finally:
        store.close()


class ShortReader:
    """A pipe-like stream: each read returns at most 64 KiB, whatever was asked for."""

    def __init__(self, data: bytes) -> None:
        self._buf = io.BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        return self._buf.read(min(size if size >= 0 else 65536, 65536))


def test_short_reads_store_the_whole_stream(backend: Backend) -> None:
    """s3transfer reads a short read as end-of-file; the store must fill its reads so nothing is cut off."""
    store = multipart_store(backend)
    data = os.urandom(11 * MiB + 123)
    version = store.put("pipe/take.mp4", ShortReader(data))
    assert version.size == len(data)
    assert version.sha256 == hashlib.sha256(data).hexdigest()
    assert read_all(backend.store(), "pipe/take.mp4") == data


class _GeneratedStream:
    """`size` deterministic bytes produced on demand, so the test itself never holds the whole file."""

    def __init__(self, size: int) -> None:
        self.remaining = size
        self.block = hashlib.sha256(b"seed").digest() * (1 << 15)  # 1 MiB
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        n = min(self.remaining, len(self.block) if size is None or size < 0 else min(size, len(self.block)))
        self.remaining -= n
        data = self.block[:n]
        self.digest.update(data)
        return data


def test_memory_stays_bounded_by_the_chunk_size(backend: Backend, tmp_path: Path) -> None:
    """Invariant 4: a 96 MiB upload and download allocate a few chunks, never the file."""
    import tracemalloc

    size = 96 * 1024 * 1024
    store = backend.store(multipart_threshold=16 * 1024 * 1024, max_concurrency=2) if backend.is_s3 else backend.store()
    source = _GeneratedStream(size)
    tracemalloc.start()
    try:
        version = store.put("big/take.bin", source)
        _, upload_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        download_to_path(store, "big/take.bin", tmp_path / "back.bin")
        _, download_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert version.size == size and version.sha256 == source.digest.hexdigest()
    assert (tmp_path / "back.bin").stat().st_size == size
    # Parts in flight on S3 (concurrency + 2 parts of 8 MiB), two 1 MiB buffers locally.
    limit = 48 * 1024 * 1024 if backend.is_s3 else 8 * 1024 * 1024
    assert upload_peak < limit, f"upload peaked at {upload_peak / 2**20:.1f} MiB"
    assert download_peak < limit, f"download peaked at {download_peak / 2**20:.1f} MiB"
