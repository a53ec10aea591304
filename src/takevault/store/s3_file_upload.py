"""Upload of a regular file to S3 with its sha256, at the speed of a plain path upload.

Why not s3transfer here: given a stream it reads parts one after another in one thread,
copying each into a fresh buffer, and given a path it would read the file a second time
for the hash, with nothing tying the hashed bytes to the sent ones. Here the file is read
once into a few reused part buffers (positional reads, the caller's stream position is
left alone), each slice hashed as soon as it lands while it is still in the CPU cache,
and each full buffer sent as one UploadPart by a pool of upload threads (hashlib, file
reads and socket sends release the GIL, so they overlap). A buffer is refilled only once
its part is sent. On a machine whose cores the server shares, CPU time is the limit, so
hashing from the cache instead of re-reading 8 MiB from memory matters.

Why the recorded sha256 is that of the stored bytes: the digest is fed the very buffers
that go out as the parts, in part order, and the server assembles the object from those
parts in that order; no byte is read from the file twice. A file that changes meanwhile
cannot make the digest disagree with the object, and it is refused besides: the file's
identity (device, inode, size, mtime, ctime) is taken before the first read and again
after the last, and any difference, or a read that ends early, aborts the multipart
upload before it is completed, so no version appears. (A write landing within the same
filesystem timestamp tick as the first look is invisible to that check; the object and
its sha256 still agree then, they are simply of the bytes read.)
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO

from takevault.errors import InvalidInputError
from takevault.store.base import ProgressCallback

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

PART_BUFFER_BUDGET = 96 * 1024 * 1024
"""Bytes of part buffers one upload may hold; bounds memory whatever the part size."""


@dataclass(frozen=True)
class FileIdentity:
    """What changes when a file is written to, truncated or replaced in place."""

    device: int
    inode: int
    size: int
    mtime_ns: int
    ctime_ns: int

    @classmethod
    def of(cls, fd: int) -> FileIdentity:
        st = os.fstat(fd)
        return cls(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


@dataclass(frozen=True)
class FileSource:
    """A regular file behind the caller's stream, from the stream's position to its end."""

    fd: int
    start: int
    identity: FileIdentity
    what: str

    @property
    def size(self) -> int:
        return max(0, self.identity.size - self.start)


def regular_file(stream: BinaryIO, what: str) -> FileSource | None:
    """The regular file behind `stream`, or None for anything else (a pipe, a socket, bytes in memory)."""
    try:
        fd = stream.fileno()
        start = stream.tell()
        st = os.fstat(fd)
    except (AttributeError, OSError, ValueError):
        return None
    if not stat.S_ISREG(st.st_mode) or st.st_size == 0:
        # An empty file goes the stream's way too: so do /proc and /sys files, which say they are
        # empty and read differently (or fail), and the stream path reads them to their real end.
        return None
    identity = FileIdentity(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    return FileSource(fd=fd, start=start, identity=identity, what=what)


def _changed(source: FileSource) -> InvalidInputError:
    return InvalidInputError(
        f"{source.what} changed while it was uploaded, so nothing was stored; upload it again once it is "
        "finished being written."
    )


READ_SLICE = 1024 * 1024
"""Bytes read and hashed at a time: small enough to be hashed from the CPU cache."""


def _read_part(source: FileSource, buffer: bytearray, offset: int, count: int, digest: Any) -> memoryview:
    """Exactly `count` bytes at `offset` into `buffer`, each slice fed to `digest` as it lands; fewer bytes
    means the file shrank under us."""
    view = memoryview(buffer)[:count]
    got = 0
    while got < count:
        try:
            n = os.preadv(source.fd, [view[got : got + READ_SLICE]], source.start + offset + got)
        except OSError as exc:
            raise InvalidInputError(
                f"Could not read {source.what} ({exc.strerror or exc}); check the file and try again."
            ) from exc
        if n == 0:
            raise _changed(source)
        digest.update(view[got : got + n])
        got += n
    return view


@dataclass
class UploadedFile:
    """The answer that created the version, and what was sent."""

    response: dict[str, Any]
    sha256: str
    size: int


class FileUploader:
    """Sends one regular file as a single PutObject or a multipart upload, hashing the sent buffers."""

    def __init__(
        self,
        client: S3Client,
        *,
        multipart_threshold: int,
        part_size: int,
        concurrency: int,
        checksum_algorithm: str | None,
    ) -> None:
        # Any: arguments built as dicts (extra arguments, the optional checksum) do not fit the stubs' literals.
        self._client: Any = client
        self._threshold = multipart_threshold
        self._part_size = part_size
        self._concurrency = max(1, concurrency)
        self._checksum = checksum_algorithm

    def upload(
        self,
        source: FileSource,
        bucket: str,
        key: str,
        extra: dict[str, Any],
        *,
        accept: Callable[[str], None] | None = None,
        progress: ProgressCallback | None = None,
    ) -> UploadedFile:
        """Upload `source`; `accept(sha256)` runs once every byte is sent and hashed and before the version
        is created, so raising there (a sha256 other than the one promised) leaves nothing stored."""
        checksum = {"ChecksumAlgorithm": self._checksum} if self._checksum else {}
        # Above the buffer budget a file goes in parts whatever the threshold: one body of its size would not fit.
        if source.size < self._threshold and source.size <= PART_BUFFER_BUDGET:
            return self._single(source, bucket, key, {**extra, **checksum}, accept, progress)
        return self._multipart(source, bucket, key, extra, checksum, accept, progress)

    def _single(
        self,
        source: FileSource,
        bucket: str,
        key: str,
        extra: dict[str, Any],
        accept: Callable[[str], None] | None,
        progress: ProgressCallback | None,
    ) -> UploadedFile:
        size = source.size
        body = bytearray(size)
        digest = hashlib.sha256()
        _read_part(source, body, 0, size, digest)
        self._check_unchanged(source)
        sha = digest.hexdigest()
        if accept is not None:
            accept(sha)
        response: dict[str, Any] = dict(self._client.put_object(Bucket=bucket, Key=key, Body=body, **extra))
        if progress and size:
            progress(size)
        return UploadedFile(response, sha, size)

    def _multipart(
        self,
        source: FileSource,
        bucket: str,
        key: str,
        extra: dict[str, Any],
        checksum: dict[str, str],
        accept: Callable[[str], None] | None,
        progress: ProgressCallback | None,
    ) -> UploadedFile:
        size = source.size
        part = self._part_size
        # Bigger parts (a file above parts x 10,000) mean fewer of them in memory, never more memory.
        slots = max(2, min(self._concurrency + 2, PART_BUFFER_BUDGET // part))
        workers = min(self._concurrency, slots - 1)
        created = self._client.create_multipart_upload(Bucket=bucket, Key=key, **extra, **checksum)
        upload_id = created["UploadId"]
        completed = False
        digest = hashlib.sha256()
        parts: dict[int, dict[str, Any]] = {}
        free: deque[bytearray] = deque()
        allocated = 0
        # (buffer, bytes, upload future), oldest part first.
        inflight: deque[tuple[bytearray, int, Future[dict[str, Any]]]] = deque()

        def send(number: int, body: bytearray | bytes) -> dict[str, Any]:
            answer = self._client.upload_part(
                Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=body, **checksum
            )
            entry: dict[str, Any] = {"ETag": answer["ETag"], "PartNumber": number}
            member = f"Checksum{self._checksum.upper()}" if self._checksum else ""
            if member and member in answer:
                entry[member] = answer[member]
            return entry

        def settle(block: bool) -> None:
            """Hand back the buffers of parts sent; report their bytes; raise a failed part."""
            if block and inflight:
                wait([sent for _, _, sent in inflight], return_when=FIRST_COMPLETED)
            for item in list(inflight):
                buffer, count, sent = item
                if sent.done():
                    entry = sent.result()
                    parts[entry["PartNumber"]] = entry
                    inflight.remove(item)
                    free.append(buffer)
                    if progress:
                        progress(count)

        try:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="takevault-s3-part") as uploader:
                try:
                    for number, offset in enumerate(range(0, size, part), start=1):
                        count = min(part, size - offset)
                        if not free and allocated < slots:
                            free.append(bytearray(part))
                            allocated += 1
                        while not free:
                            settle(block=True)
                        buffer = free.popleft()
                        view = _read_part(source, buffer, offset, count, digest)
                        # A short last part goes out as its own bytes: botocore takes a bytearray or bytes
                        # whole, never a slice of one.
                        body: bytearray | bytes = buffer if count == part else bytes(view)
                        inflight.append((buffer, count, uploader.submit(send, number, body)))
                        settle(block=False)
                    while inflight:
                        settle(block=True)
                finally:
                    for _, _, sent in inflight:
                        sent.cancel()
            self._check_unchanged(source)
            sha = digest.hexdigest()
            if accept is not None:
                accept(sha)
            response: dict[str, Any] = dict(
                self._client.complete_multipart_upload(
                    Bucket=bucket,
                    Key=key,
                    UploadId=upload_id,
                    MultipartUpload={"Parts": [parts[n] for n in sorted(parts)]},
                )
            )
            completed = True
        finally:
            if not completed:
                # Best effort: fsck lists and removes an upload this could not abort.
                with contextlib.suppress(Exception):
                    self._client.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
        return UploadedFile(response, sha, size)

    def _check_unchanged(self, source: FileSource) -> None:
        try:
            # A byte past the size taken at the start: the file grew, or never told its size.
            beyond = os.pread(source.fd, 1, source.start + source.size)
            now = FileIdentity.of(source.fd)
        except OSError as exc:
            raise InvalidInputError(
                f"Could not read {source.what} ({exc.strerror or exc}); check the file and try again."
            ) from exc
        if beyond or now != source.identity:
            raise _changed(source)
