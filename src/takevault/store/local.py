"""A folder that behaves like an S3 bucket with versioning enabled.

Layout under the root folder:

    blobs/ab/abcdef…        content-addressed bytes (identical bytes stored once)
    keys/<key>.versions/    one JSON record per version or delete marker,
                            named by its version id (time-ordered, unique)
    tmp/                    uploads in flight; renamed into blobs/ when complete
    versioning              "Enabled" or "Suspended"
    .lock                   flock: shared for writers, exclusive for blob removal

Every file appears by atomic rename after fsync, so a crash or a full disk
leaves at worst an orphan temp file, never a partial version.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from takevault.errors import (
    ChecksumMismatchError,
    DeleteMarkerError,
    NotFoundError,
    StoreAccessError,
    VersioningError,
)
from takevault.models import ObjectVersion
from takevault.store.base import (
    SHA256_META,
    VERSIONING_DISABLED,
    VERSIONING_ENABLED,
    VERSIONING_SUSPENDED,
    HashingReader,
    ProgressCallback,
    SourceStream,
    StagedUpload,
    pipelined_copy,
    validate_expires,
    validate_key,
    validate_metadata,
)
from takevault.store.fsutil import atomic_write, fsync_dir, kernel_copy, os_error_to_takevault, writing_back

_VERSIONS_SUFFIX = ".versions"
_id_lock = threading.Lock()
_last_ns = 0


SMALL_OBJECT = 256 * 1024
"""Objects up to this size (announced by the caller) are copied in one read and one write."""


def _small_copy(source: SourceStream, out: BinaryIO, size: int, on_chunk: Callable[[memoryview], None]) -> int | None:
    """Copy a small object of announced `size` in one step; None (nothing read) for a large one."""
    if size > SMALL_OBJECT:
        return None
    data = source.read(size + 1)  # one byte past: a stream longer than announced is still stored whole
    view = memoryview(data)
    out.write(view)
    on_chunk(view)
    total = len(data)
    if total > size:
        total += pipelined_copy(source.readinto, writing_back(out), on_chunk=on_chunk)
    return total


def _new_version_id() -> str:
    """Time-ordered and unique across threads and processes: nanoseconds + random."""
    global _last_ns
    with _id_lock:
        now = max(time.time_ns(), _last_ns + 1)
        _last_ns = now
    return f"{now:020d}{secrets.token_hex(6)}"


def _version_time(version_id: str) -> datetime:
    return datetime.fromtimestamp(int(version_id[:20]) / 1e9, tz=UTC)


class LocalStore:
    """`VersionedStore` on a local folder."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).expanduser().resolve()
        self.url = self.root.as_uri()

    # -- layout -----------------------------------------------------------
    def _key_dir(self, key: str) -> Path:
        return self.root / "keys" / (key + _VERSIONS_SUFFIX)

    def _blob_path(self, sha256: str) -> Path:
        return self.root / "blobs" / sha256[:2] / sha256

    @contextlib.contextmanager
    def _lock(self, exclusive: bool) -> Iterator[None]:
        lock_path = self.root / ".lock"
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def _require_store(self) -> None:
        if not (self.root / "keys").is_dir():
            raise NotFoundError(
                f"No takevault store at {self.root}; run 'takevault store enable-versioning --create-bucket' "
                "or 'takevault init' first."
            )

    def _require_writable(self) -> None:
        status = self.versioning_status()
        if status != VERSIONING_ENABLED:
            raise VersioningError(
                f"Versioning is {status.lower()} on the local store {self.root}; "
                "run 'takevault store enable-versioning' before writing."
            )

    # -- versioning -------------------------------------------------------
    def versioning_status(self) -> str:
        try:
            text = (self.root / "versioning").read_text().strip()
        except FileNotFoundError:
            return VERSIONING_DISABLED
        return text if text in (VERSIONING_ENABLED, VERSIONING_SUSPENDED) else VERSIONING_DISABLED

    def _write_status(self, status: str, create: bool) -> None:
        if not self.root.is_dir() and not create:
            raise NotFoundError(f"The local store folder {self.root} does not exist; add --create-bucket to create it.")
        try:
            for sub in ("keys", "blobs", "tmp"):
                (self.root / sub).mkdir(parents=True, exist_ok=True)
            with atomic_write(self.root / "versioning") as out:
                out.write(status.encode())
        except OSError as exc:
            raise os_error_to_takevault(exc, str(self.root)) from exc

    def enable_versioning(self, *, create_bucket: bool = False) -> None:
        self._write_status(VERSIONING_ENABLED, create_bucket)

    def suspend_versioning(self) -> None:
        self._require_store()
        self._write_status(VERSIONING_SUSPENDED, False)

    # -- records ----------------------------------------------------------
    def _record_to_version(self, key: str, record: dict, is_latest: bool) -> ObjectVersion:
        return ObjectVersion(
            key=key,
            version_id=record["version_id"],
            size=record.get("size", 0),
            sha256=record.get("sha256"),
            last_modified=_version_time(record["version_id"]),
            metadata=dict(record.get("metadata") or {}),
            is_latest=is_latest,
            is_delete_marker=bool(record.get("delete_marker")),
        )

    def _version_ids(self, key: str) -> list[str]:
        """Version ids of a key, newest first."""
        try:
            names = os.listdir(self._key_dir(key))
        except FileNotFoundError:
            return []
        except NotADirectoryError:
            return []
        return sorted((n[:-5] for n in names if n.endswith(".json")), reverse=True)

    def _read_record(self, key: str, version_id: str) -> dict:
        path = self._key_dir(key) / f"{version_id}.json"
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, NotADirectoryError):
            raise NotFoundError(
                f"Version {version_id!r} of {key!r} does not exist; list them with 'takevault store versions {key}'."
            ) from None

    def _write_record(self, key: str, record: dict) -> None:
        path = self._key_dir(key) / f"{record['version_id']}.json"
        with atomic_write(path) as out:
            out.write(json.dumps(record, sort_keys=True).encode("utf-8"))

    # -- operations -------------------------------------------------------
    def put(
        self,
        key: str,
        stream: BinaryIO,
        metadata: Mapping[str, str] | None = None,
        *,
        size: int | None = None,
        progress: ProgressCallback | None = None,
    ) -> ObjectVersion:
        key = validate_key(key)
        meta = validate_metadata(metadata)
        self._require_store()
        self._require_writable()
        digest = hashlib.sha256()
        tmp_dir = self.root / "tmp"
        try:
            with self._lock(exclusive=False):
                staged = tmp_dir / f"upload-{secrets.token_hex(8)}"
                source = SourceStream(stream, f"the data for {key!r}")

                def hash_chunk(view: memoryview) -> None:
                    digest.update(view)
                    if progress:
                        progress(len(view))

                with atomic_write(staged, sync_dir=False) as out:
                    # From a file: the kernel copies (or shares blocks) and the hash reads the written bytes
                    # back as they land; from anything else: read, hash and write overlap in three threads.
                    # Either way the disk write starts as the bytes land, so the fsync below is short.
                    # A small object of known size (a journal entry, a workflow PNG) is read in one go:
                    # the threads and their buffers would cost more than its bytes.
                    total = _small_copy(source, out, size, hash_chunk) if size is not None else None
                    if total is None:
                        total = kernel_copy(stream, out, on_chunk=hash_chunk)
                    if total is None:
                        total = pipelined_copy(source.readinto, writing_back(out), on_chunk=hash_chunk)
                # Identical bytes are stored once: drop the staged copy if the blob exists.
                sha = digest.hexdigest()
                claimed = meta.get(SHA256_META)
                if claimed is not None and claimed != sha:
                    staged.unlink(missing_ok=True)
                    raise ChecksumMismatchError(
                        f"The bytes given for {key!r} have sha256 {sha[:12]}… but {claimed[:12]}… was expected; "
                        "the file changed while it was read, store it again."
                    )
                blob = self._blob_path(sha)
                if blob.exists():
                    staged.unlink(missing_ok=True)
                else:
                    blob.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(staged, blob)
                    fsync_dir(blob.parent)
                meta[SHA256_META] = sha
                record = {"version_id": _new_version_id(), "size": total, "sha256": sha, "metadata": meta}
                self._write_record(key, record)
        except OSError as exc:
            raise os_error_to_takevault(exc, f"{key!r} to the local store") from exc
        return self._record_to_version(key, record, is_latest=True)

    def head(self, key: str, version_id: str | None = None) -> ObjectVersion:
        key = validate_key(key)
        self._require_store()
        ids = self._version_ids(key)
        if not ids:
            raise NotFoundError(f"No object named {key!r} in the store; check the key with 'takevault store versions'.")
        if version_id is None:
            record = self._read_record(key, ids[0])
            if record.get("delete_marker"):
                raise DeleteMarkerError(
                    f"{key!r} is deleted (its latest version is a delete marker); "
                    "fetch an older version by id or restore it."
                )
            return self._record_to_version(key, record, is_latest=True)
        record = self._read_record(key, version_id)
        return self._record_to_version(key, record, is_latest=version_id == ids[0])

    def get(self, key: str, version_id: str | None = None) -> HashingReader:
        info = self.head(key, version_id)
        if info.is_delete_marker:
            raise DeleteMarkerError(
                f"Version {info.version_id!r} of {key!r} is a delete marker and has no bytes; pick another version."
            )
        try:
            raw = open(self._blob_path(info.sha256 or ""), "rb")  # noqa: SIM115 - handed to the reader
        except FileNotFoundError:
            raise NotFoundError(
                f"The bytes of version {info.version_id!r} of {key!r} are missing from the store; run 'takevault fsck'."
            ) from None
        except PermissionError as exc:
            raise StoreAccessError(f"Permission denied reading {key!r}; check the store folder's permissions.") from exc
        return HashingReader(raw, expected_sha256=info.sha256, what=f"Version {info.version_id} of {key!r}")

    def _keys_under(self, prefix: str) -> Iterator[str]:
        keys_root = self.root / "keys"
        for dirpath, dirnames, _files in os.walk(keys_root):
            for name in sorted(dirnames):
                if name.endswith(_VERSIONS_SUFFIX):
                    full = Path(dirpath, name).relative_to(keys_root).as_posix()[: -len(_VERSIONS_SUFFIX)]
                    if full.startswith(prefix):
                        yield full

    def list_versions(self, key_or_prefix: str, *, prefix: bool = False) -> Iterator[ObjectVersion]:
        self._require_store()
        if prefix:
            keys: list[str] = sorted(self._keys_under(key_or_prefix))
        else:
            keys = [validate_key(key_or_prefix)]
        for key in keys:
            for index, version_id in enumerate(self._version_ids(key)):
                try:
                    record = self._read_record(key, version_id)
                except NotFoundError:
                    continue  # removed by a concurrent delete_version
                yield self._record_to_version(key, record, is_latest=index == 0)

    def delete(self, key: str) -> ObjectVersion:
        key = validate_key(key)
        self._require_store()
        self._require_writable()
        if not self._version_ids(key):
            raise NotFoundError(f"No object named {key!r} in the store; nothing to delete.")
        record = {"version_id": _new_version_id(), "size": 0, "sha256": None, "delete_marker": True}
        try:
            self._write_record(key, record)
        except OSError as exc:
            raise os_error_to_takevault(exc, f"a delete marker for {key!r}") from exc
        return self._record_to_version(key, record, is_latest=True)

    def delete_version(self, key: str, version_id: str) -> None:
        key = validate_key(key)
        self._require_store()
        record = self._read_record(key, version_id)
        with self._lock(exclusive=True):
            (self._key_dir(key) / f"{version_id}.json").unlink(missing_ok=True)
            sha = record.get("sha256")
            if sha and not self._blob_referenced(sha):
                self._blob_path(sha).unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            self._key_dir(key).rmdir()  # only succeeds once the last version is gone

    def _blob_referenced(self, sha256: str) -> bool:
        needle = f'"sha256": "{sha256}"'
        for dirpath, _dirs, files in os.walk(self.root / "keys"):
            for name in files:
                if name.endswith(".json"):
                    with contextlib.suppress(OSError):
                        if needle in Path(dirpath, name).read_text(encoding="utf-8"):
                            return True
        return False

    def restore(self, key: str, version_id: str) -> ObjectVersion:
        key = validate_key(key)
        self._require_store()
        self._require_writable()
        old = self._read_record(key, version_id)
        if old.get("delete_marker"):
            raise DeleteMarkerError(
                f"Version {version_id!r} of {key!r} is a delete marker; restore a version that has bytes."
            )
        with self._lock(exclusive=False):
            if not self._blob_path(old["sha256"]).exists():
                raise NotFoundError(
                    f"The bytes of version {version_id!r} of {key!r} are missing; run 'takevault fsck'."
                )
            record = {
                "version_id": _new_version_id(),
                "size": old["size"],
                "sha256": old["sha256"],
                "metadata": old.get("metadata") or {},
            }
            self._write_record(key, record)
        return self._record_to_version(key, record, is_latest=True)

    def blob_path(self, key: str, version_id: str | None = None) -> Path:
        """The blob holding a version's bytes (shared by every version with the same bytes: never write to it)."""
        info = self.head(key, version_id)
        if info.is_delete_marker or not info.sha256:
            raise DeleteMarkerError(
                f"Version {info.version_id!r} of {key!r} is a delete marker and has no bytes; pick another version."
            )
        path = self._blob_path(info.sha256)
        if not path.is_file():
            raise NotFoundError(
                f"The bytes of version {info.version_id!r} of {key!r} are missing from the store; run 'takevault fsck'."
            )
        return path

    def presigned_url(self, key: str, version_id: str | None = None, expires: int = 3600) -> None:
        """A folder has no signed links: None, after the same checks of the arguments S3 makes."""
        validate_key(key)
        validate_expires(expires)
        return None

    def close(self) -> None:
        pass

    # -- crash leftovers (fsck) ---------------------------------------------
    def staged_uploads(self) -> list[StagedUpload]:
        """Temp files a killed upload left: staged bytes in tmp/ and half-written version records."""
        found: list[StagedUpload] = []
        candidates = list((self.root / "tmp").glob("*")) + list((self.root / "keys").rglob("*.part"))
        for path in sorted(candidates):
            try:
                st = path.stat()
            except OSError:
                continue  # finished or removed meanwhile
            if not path.is_file():
                continue
            found.append(
                StagedUpload(
                    what="staged file",
                    ident=str(path.relative_to(self.root)),
                    key=None,
                    size=st.st_size,
                    started=datetime.fromtimestamp(st.st_mtime, UTC),
                )
            )
        return found

    def discard_staged(self, staged: list[StagedUpload], idle_seconds: float = 60.0) -> list[StagedUpload]:
        """Delete the temp files, but only while no upload runs: every put holds the shared lock."""
        lock_path = self.root / ".lock"
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        removed: list[StagedUpload] = []
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return removed  # an upload is in flight; its temp file is not a leftover yet
            try:
                for item in staged:
                    path = (self.root / item.ident).resolve()
                    if self.root not in path.parents:
                        continue
                    try:
                        path.unlink()
                    except FileNotFoundError:
                        continue
                    removed.append(item)
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
        return removed
