"""The versioned-store contract (S3 versioning semantics) and helpers both backends share."""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Protocol, TypeGuard, runtime_checkable

from takevault.errors import ChecksumMismatchError, InvalidInputError, InvalidKeyError
from takevault.models import ObjectVersion

CHUNK_SIZE = 8 * 1024 * 1024
"""Bytes read or written at a time; memory use is bounded by a few of these."""

ProgressCallback = Callable[[int], None]
"""Called with the number of bytes just transferred (not the running total)."""

SHA256_META = "sha256"
"""Object metadata key that carries a version's sha256 (lower-case hex)."""

VERSIONING_ENABLED = "Enabled"
VERSIONING_SUSPENDED = "Suspended"
VERSIONING_DISABLED = "Disabled"


def validate_key(key: str) -> str:
    """Return `key` if it is a safe relative object key, else raise InvalidKeyError.

    Keys become paths in the local store and URLs on S3, so the same rule holds
    for both: non-empty, relative, no `.`/`..` segments, no backslashes or NUL.
    """
    if not isinstance(key, str) or not key.strip():
        raise InvalidKeyError("The object key is empty; give a path such as 'project/SH010/video_01.mp4'.")
    if "\x00" in key or "\\" in key:
        raise InvalidKeyError(f"The object key {key!r} contains a NUL or backslash; use '/' to separate parts.")
    if key.startswith("/") or (len(key) > 1 and key[1] == ":"):
        raise InvalidKeyError(f"The object key {key!r} is absolute; give a relative key without a leading '/'.")
    parts = key.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise InvalidKeyError(
            f"The object key {key!r} has an empty, '.' or '..' part; give a plain relative key such as 'a/b/c.mp4'."
        )
    if len(key.encode("utf-8")) > 1024:
        raise InvalidKeyError("The object key is longer than 1024 bytes; choose a shorter key.")
    return unicodedata.normalize("NFC", key)


_META_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
MAX_METADATA_BYTES = 2048
"""S3 caps user metadata at 2 KiB; both backends hold the same limit so they behave alike."""


MAX_PRESIGN_SECONDS = 7 * 24 * 3600
"""S3 signatures (SigV4) are valid for at most seven days."""


def validate_expires(expires: int) -> int:
    """Return `expires` as whole seconds if a presigned URL can last that long, else raise InvalidInputError."""
    if isinstance(expires, bool) or not isinstance(expires, int | float) or not 1 <= expires <= MAX_PRESIGN_SECONDS:
        raise InvalidInputError(
            f"A link cannot stay valid for {expires!r} seconds; give a number of seconds from 1 to "
            f"{MAX_PRESIGN_SECONDS} (seven days)."
        )
    return int(expires)


def validate_metadata(metadata: Mapping[str, str] | None) -> dict[str, str]:
    """Return metadata both backends can carry unchanged, else raise InvalidInputError.

    Names are lower-case ASCII tokens (S3 lower-cases header names, so mixed case
    would not round-trip); values are any text (the S3 backend encodes non-ASCII).
    """
    clean: dict[str, str] = {}
    total = 0
    for name, value in (metadata or {}).items():
        if not isinstance(name, str) or not _META_NAME.match(name):
            raise InvalidInputError(
                f"The metadata name {name!r} is not allowed; use lower-case letters, digits, '-', '_' or '.'."
            )
        text = str(value)
        if "\x00" in text or "\n" in text or "\r" in text:
            raise InvalidInputError(f"The metadata value of {name!r} contains a line break or NUL; remove it.")
        clean[name] = text
        total += len(name.encode()) + len(text.encode())
    if total > MAX_METADATA_BYTES:
        raise InvalidInputError(
            f"The object metadata takes {total} bytes, more than the {MAX_METADATA_BYTES} S3 allows; shorten it."
        )
    return clean


class ByteSource(Protocol):
    """What a HashingReader needs of the stream it wraps: `read`, and `close` when it is closed."""

    def read(self, size: int = -1, /) -> bytes: ...

    def close(self) -> None: ...


def _is_file(raw: BinaryIO | ByteSource) -> TypeGuard[BinaryIO]:
    """Only a stream with a descriptor can be copied by the kernel; kernel_copy checks the rest."""
    return hasattr(raw, "fileno")


class HashingReader:
    """Wraps a binary stream, hashing every byte that passes through `read`.

    Used on upload (the sha256 is known after the one read boto3 or the local
    store makes) and on download (a full read is checked against the expected
    digest, raising ChecksumMismatchError at EOF).
    """

    def __init__(
        self,
        raw: BinaryIO | ByteSource,
        expected_sha256: str | None = None,
        progress: ProgressCallback | None = None,
        what: str = "the object",
    ) -> None:
        self._raw = raw
        self._hash = hashlib.sha256()
        self._expected = expected_sha256
        self._progress = progress
        self._what = what
        self.bytes_read = 0
        self._checked = False

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size if size is not None and size >= 0 else CHUNK_SIZE * 4)
        if data:
            self._hash.update(data)
            self.bytes_read += len(data)
            if self._progress:
                self._progress(len(data))
        elif size != 0:
            self._verify()
        return data

    def readinto(self, buffer: bytearray | memoryview) -> int:
        """Fill `buffer` from the stream (fewer bytes only at the end), hashing them; 0 at EOF."""
        view = memoryview(buffer).cast("B")
        raw_readinto = getattr(self._raw, "readinto", None)
        if raw_readinto is not None:
            count = raw_readinto(view) or 0
        else:
            data = self._raw.read(len(view))
            count = len(data)
            view[:count] = data
        if count:
            self._hash.update(view[:count])
            self.bytes_read += count
            if self._progress:
                self._progress(count)
        elif len(view):
            self._verify()
        return count

    def readable(self) -> bool:
        return True

    def copy_to(self, out: BinaryIO, *, progress: ProgressCallback | None = None) -> int:
        """Write the whole stream to `out` and check it: from a local file by the kernel's copy
        (reflinks where the filesystem has them) hashing the written bytes as they land, else
        reading, hashing and writing in overlapping threads; the disk write starts as the bytes
        land. Raises ChecksumMismatchError at the end when the bytes differ from the expected sha256."""
        from takevault.store.fsutil import kernel_copy, writing_back

        def hash_chunk(view: memoryview) -> None:
            self._hash.update(view)
            self.bytes_read += len(view)
            if progress:
                progress(len(view))
            if self._progress:
                self._progress(len(view))

        total = kernel_copy(self._raw, out, on_chunk=hash_chunk) if _is_file(self._raw) else None
        if total is None:
            total = pipelined_copy(self._raw_readinto, writing_back(out), on_chunk=hash_chunk)
        self._verify()
        return total

    def _raw_readinto(self, view: memoryview) -> int:
        raw_readinto = getattr(self._raw, "readinto", None)
        if raw_readinto is not None:
            return raw_readinto(view) or 0
        data = self._raw.read(len(view))
        view[: len(data)] = data
        return len(data)

    def _verify(self) -> None:
        if self._checked or self._expected is None:
            return
        self._checked = True
        actual = self._hash.hexdigest()
        if actual != self._expected:
            raise ChecksumMismatchError(
                f"{self._what} read back with sha256 {actual[:12]}… instead of {self._expected[:12]}…; "
                "the stored bytes are damaged, fetch another version or run 'takevault fsck'."
            )

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> HashingReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SourceStream:
    """The caller's stream on upload: a failing read is the source's fault, not the store's.

    It becomes one InvalidInputError sentence, and, because it is not an OSError,
    no backend mistakes it for a disk or network failure of its own.
    """

    def __init__(self, raw: BinaryIO, what: str = "the source file") -> None:
        self._raw = raw
        self._what = what

    def read(self, size: int = -1) -> bytes:
        """Up to `size` bytes, fewer only at the end of the stream.

        Pipes and sockets return short reads; s3transfer takes a short read for the
        end of the file, which would store a silently truncated version. So fill.
        """
        if size is None or size < 0:
            size = CHUNK_SIZE
        first = self._read_once(size)
        if len(first) >= size or not first:
            return first
        parts = [first]
        got = len(first)
        while got < size:
            more = self._read_once(size - got)
            if not more:
                break
            parts.append(more)
            got += len(more)
        return b"".join(parts)

    def readinto(self, buffer: bytearray | memoryview) -> int:
        """Fill `buffer` completely unless the stream ends first; returns the byte count (0 at EOF)."""
        view = memoryview(buffer).cast("B")
        raw_readinto = getattr(self._raw, "readinto", None)
        got = 0
        while got < len(view):
            try:
                if raw_readinto is not None:
                    count = raw_readinto(view[got:])
                else:
                    data = self._read_once(len(view) - got)
                    count = len(data)
                    view[got : got + count] = data
            except OSError as exc:
                raise InvalidInputError(
                    f"Could not read {self._what} ({exc.strerror or exc}); check the file and try again."
                ) from exc
            except TypeError:
                raise InvalidInputError(f"{self._what} is not a binary stream; open the file in binary mode.") from None
            if count is None:  # a non-blocking stream with nothing ready yet
                continue
            if not count:
                break
            got += count
        return got

    def _read_once(self, size: int) -> bytes:
        try:
            data = self._raw.read(size)
        except OSError as exc:
            raise InvalidInputError(
                f"Could not read {self._what} ({exc.strerror or exc}); check the file and try again."
            ) from exc
        if data is None:  # a non-blocking stream with nothing ready yet
            return self._read_once(size)
        if not isinstance(data, bytes | bytearray | memoryview):
            raise InvalidInputError(f"{self._what} is not a binary stream; open the file in binary mode.")
        return data if isinstance(data, bytes) else bytes(data)

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        """The caller opened the stream and closes it; closing this wrapper leaves it open."""


@runtime_checkable
class VersionedStore(Protocol):
    """Bytes and versions, nothing about shots. S3 versioning semantics.

    Version ids are opaque strings; `"null"` is a real one on S3.
    """

    url: str

    def put(
        self,
        key: str,
        stream: BinaryIO,
        metadata: Mapping[str, str] | None = None,
        *,
        size: int | None = None,
        progress: ProgressCallback | None = None,
    ) -> ObjectVersion:
        """Store a new version of `key` from `stream`, read once in chunks; sha256 computed on the way."""
        ...

    def get(self, key: str, version_id: str | None = None) -> HashingReader:
        """A stream of one version (latest when None); a full read checks its sha256."""
        ...

    def head(self, key: str, version_id: str | None = None) -> ObjectVersion:
        """Describe one version (latest when None) without reading its bytes."""
        ...

    def list_versions(self, key_or_prefix: str, *, prefix: bool = False) -> Iterator[ObjectVersion]:
        """Versions and delete markers of a key (or every key under a prefix), newest first per key."""
        ...

    def delete(self, key: str) -> ObjectVersion:
        """Add a delete marker; older versions stay fetchable by id."""
        ...

    def delete_version(self, key: str, version_id: str) -> None:
        """Remove one version (or marker) for good."""
        ...

    def restore(self, key: str, version_id: str) -> ObjectVersion:
        """Copy an old version to a new latest version; history only grows."""
        ...

    def blob_path(self, key: str, version_id: str | None = None) -> Path | None:
        """The file on this machine that holds one version's bytes (latest when None), for readers
        that need a real path (PyAV); read it, never write to it. None when the bytes do not sit on
        this machine (S3): fetch them with `download_to_path` instead. None says nothing about
        whether the version exists; a local store raises as `head` does."""
        ...

    def presigned_url(self, key: str, version_id: str | None = None, expires: int = 3600) -> str | None:
        """A URL anyone holding it can GET one version (latest when None) from, for `expires` seconds
        (1 s to 7 days). None when the store has no such URLs (a local folder): hand over the bytes
        instead. Signing makes no request, so an existing version is not checked."""
        ...

    def versioning_status(self) -> str:
        """ "Enabled", "Suspended" or "Disabled" (never enabled)."""
        ...

    def enable_versioning(self, *, create_bucket: bool = False) -> None: ...

    def suspend_versioning(self) -> None: ...

    def close(self) -> None: ...


def download_to_path(
    store: VersionedStore,
    key: str,
    dest: Path,
    version_id: str | None = None,
    progress: ProgressCallback | None = None,
) -> ObjectVersion:
    """Stream one version into `dest`, verified, written to a temp file then renamed.

    A failed or mismatched download leaves `dest` untouched.
    """
    from takevault.store.fsutil import atomic_write

    info = store.head(key, version_id)
    reader = store.get(key, info.version_id)
    with reader, atomic_write(Path(dest)) as out:
        reader.copy_to(out, progress=progress)
    return info


COPY_SLICE = 1024 * 1024
"""Bytes per step of `pipelined_copy`: small enough to stay in the CPU cache between read, hash and write."""


def pipelined_copy(
    readinto: Callable[[memoryview], int],
    write: Callable[[memoryview], object],
    *,
    on_chunk: Callable[[memoryview], None] | None = None,
    slice_size: int = COPY_SLICE,
    slots: int = 3,
) -> int:
    """Copy a stream through `slots` reused buffers in three overlapping stages: this thread
    reads, a hashing thread runs `on_chunk` (hashlib releases the GIL) and a writing thread
    writes, each on a different buffer, in order.

    Reusing the buffers avoids allocating (and page-faulting) a fresh chunk per step,
    which costs more than the copy itself at these speeds. Memory: `slots` slices.
    Returns the number of bytes copied.
    """
    from concurrent.futures import Future, ThreadPoolExecutor

    buffers = [bytearray(slice_size) for _ in range(slots)]
    pending: list[list[Future[object]]] = [[] for _ in range(slots)]
    total = 0
    with (
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="takevault-writer") as writer,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="takevault-hasher") as hasher,
    ):
        try:
            index = 0
            while True:
                for future in pending[index]:
                    future.result()  # this buffer's previous hash and write are done: reuse it
                pending[index] = []
                count = readinto(memoryview(buffers[index]))
                if not count:
                    break
                view = memoryview(buffers[index])[:count]
                if on_chunk is not None:
                    pending[index].append(hasher.submit(on_chunk, view))
                pending[index].append(writer.submit(write, view))
                total += count
                index = (index + 1) % slots
            for futures in pending:
                for future in futures:
                    future.result()
        finally:
            for futures in pending:
                for future in futures:
                    future.cancel()
    return total


def file_size(stream: BinaryIO) -> int | None:
    """Size of a seekable file stream from its current position, else None."""
    try:
        fileno = stream.fileno()
    except (AttributeError, OSError, ValueError):
        return None
    try:
        st = os.fstat(fileno)
        return st.st_size - stream.tell()
    except OSError:
        return None


# -- crash leftovers (fsck) ------------------------------------------------------
@dataclass(frozen=True)
class StagedUpload:
    """Bytes an upload staged and never finished: a local temp file or an unfinished S3 multipart upload.

    They are no version of anything (a version appears only when its upload completes), so
    discarding them never loses history.
    """

    what: str
    """"staged file" or "multipart upload"."""
    ident: str
    """The temp file's path inside the store, or the multipart upload id."""
    key: str | None
    size: int | None
    started: datetime | None


@runtime_checkable
class StagedCleanup(Protocol):
    """What fsck needs from a store to find and discard unfinished uploads."""

    def staged_uploads(self) -> list[StagedUpload]:
        """Every unfinished upload the store holds."""
        ...

    def discard_staged(self, staged: list[StagedUpload], idle_seconds: float = 60.0) -> list[StagedUpload]:
        """Remove those of these unfinished uploads that are not in flight; returns the removed ones.

        A store that can tell by a lock ignores `idle_seconds`; S3 counts an upload that sent nothing
        for that long as abandoned.
        """
        ...
