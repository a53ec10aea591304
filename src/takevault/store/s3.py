"""`VersionedStore` on an S3 bucket with versioning (AWS, MinIO, Ceph, SeaweedFS, any S3 endpoint).

The only module that imports boto3. Every botocore error is translated here into
a `takevault.errors` sentence, so nothing boto-shaped reaches a user.

How a put works: from a regular file, `s3_file_upload` reads the file once into a few
reused part buffers, hashing each slice as it lands, sends each buffer as is from the
upload threads, and checks that the file did not change meanwhile before the version is
created.
Any other stream (a pipe, a request body) is wrapped in a `HashingReader` and handed to
s3transfer's `upload_fileobj`, which reads a non-seekable stream strictly in order (parts
go out in parallel, each buffered once). Either way the sha256 is of the very bytes sent,
and the server checks each request's body: against its SHA-256 in the request's signature
over plain HTTP, against a CRC32 (`ChecksumAlgorithm`) over HTTPS, where bodies go unsigned.
The sha256 then lands on that exact version: as object metadata when the caller gave it up front (and it
matched), else as the version's object tag `sha256`.

Each upload borrows a client of its own (and so its own connections) from a small pool.
s3transfer does not return the PutObject / CompleteMultipartUpload answer, so a botocore
`after-call` hook on that client records the new version id.
"""

from __future__ import annotations

import base64
import contextlib
import queue
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, BinaryIO

import boto3
import botocore.exceptions as bce
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

from takevault.errors import (
    ChecksumMismatchError,
    ConfigError,
    DeleteMarkerError,
    NotFoundError,
    StoreAccessError,
    StoreError,
    StoreUnreachableError,
    TakevaultError,
    VersioningError,
)
from takevault.models import ObjectVersion
from takevault.store.base import (
    CHUNK_SIZE,
    SHA256_META,
    VERSIONING_DISABLED,
    VERSIONING_ENABLED,
    HashingReader,
    ProgressCallback,
    SourceStream,
    StagedUpload,
    validate_expires,
    validate_key,
    validate_metadata,
)
from takevault.store.ranged import RangedReader
from takevault.store.s3_file_upload import FileSource, FileUploader, regular_file

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import HeadObjectOutputTypeDef

SHA256_TAG = "sha256"
READ_STEP = 1024 * 1024
"""Bytes asked of a response body at a time while a part is read into its buffer."""
MAX_PARTS = 10_000
_ENCODED = re.compile(r"^=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=$")
_ACCESS_CODES = {
    "AccessDenied",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "InvalidToken",
    "ExpiredToken",
    "InvalidSecurity",
    "AllAccessDisabled",
    "AccountProblem",
    "403",
    "Forbidden",
}


def _encode_value(value: str) -> str:
    """HTTP headers carry ASCII only: other text travels as an RFC 2047 encoded word, as AWS itself does."""
    # Empty values are encoded too: some servers (SeaweedFS) drop an empty x-amz-meta-* header.
    if value and value.isascii() and value.isprintable() and not _ENCODED.match(value):
        return value
    return "=?UTF-8?B?" + base64.b64encode(value.encode("utf-8")).decode("ascii") + "?="


def _decode_value(value: str) -> str:
    match = _ENCODED.match(value)
    if match:
        try:
            return base64.b64decode(match.group(1)).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return value
    return value


def _mismatch(key: str, sha: str, claimed: str) -> ChecksumMismatchError:
    return ChecksumMismatchError(
        f"The bytes uploaded for {key!r} have sha256 {sha[:12]}… but {claimed[:12]}… was expected; "
        "the file changed while it was read, upload it again."
    )


def _is_sha256(value: str | None) -> bool:
    return value is not None and len(value) == 64 and all(c in "0123456789abcdef" for c in value)


class _UploadClient:
    """A client used by one upload at a time, remembering the answer that created the version."""

    def __init__(self, client: S3Client) -> None:
        self.client = client
        self.response: dict | None = None
        for op in ("PutObject", "CompleteMultipartUpload", "CopyObject"):
            client.meta.events.register(f"after-call.s3.{op}", self._capture)

    def _capture(self, parsed: dict | None = None, **_: Any) -> None:
        if parsed and "Error" not in parsed:
            self.response = parsed


class _BodyReader:
    """A GET body whose network failures become takevault errors."""

    def __init__(self, body: Any, store: S3Store, what: str) -> None:
        self._body = body
        self._store = store
        self._what = what

    def read(self, size: int = -1) -> bytes:
        try:
            return self._body.read(size if size >= 0 else None)
        except (bce.BotoCoreError, OSError) as exc:
            raise self._store._translate(exc, f"reading {self._what}") from exc
        except Exception as exc:  # urllib3 protocol errors are not OSErrors
            if type(exc).__module__.startswith("urllib3"):
                raise StoreUnreachableError(
                    f"The connection to {self._store.endpoint_label} broke while reading {self._what}; "
                    "check the endpoint and try again."
                ) from exc
            raise

    def close(self) -> None:
        self._body.close()


@dataclass(frozen=True)
class _Known:
    """What a lookup learnt of one version; versions never change, so it stays true."""

    sha256: str | None
    metadata: dict[str, str]
    size: int | None


class _RangeFetcher:
    """Fills one byte range of a version for `RangedReader`: a ranged GET read straight into the
    part's buffer, retried when the connection breaks mid-part (as s3transfer does)."""

    ATTEMPTS = 3

    def __init__(self, store: S3Store, params: dict[str, Any], first: Any, what: str) -> None:
        self._store = store
        self._params = {k: v for k, v in params.items() if k != "Range"}
        self._first: Any = first  # the answer to the request `get` already made for part one
        self._what = what

    def fill(self, offset: int, view: memoryview) -> None:
        for attempt in range(self.ATTEMPTS):
            last = attempt + 1 == self.ATTEMPTS
            try:
                self._fill_once(offset, view)
                return
            except bce.ClientError as exc:
                raise self._store._translate(exc, f"reading {self._what}") from exc
            except (bce.BotoCoreError, OSError, _ShortPart) as exc:
                if last:
                    raise self._store._translate(exc, f"reading {self._what}") from exc
            except Exception as exc:  # urllib3 protocol errors are not OSErrors
                if not type(exc).__module__.startswith("urllib3"):
                    raise
                if last:
                    raise StoreUnreachableError(
                        f"The connection to {self._store.endpoint_label} broke while reading {self._what}; "
                        "check the endpoint and try again."
                    ) from exc

    def _fill_once(self, offset: int, view: memoryview) -> None:
        first = None
        if offset == 0:  # only the first part's thread touches it
            first, self._first = self._first, None
        end = offset + len(view) - 1
        resp = first or self._store._client.get_object(**self._params, Range=f"bytes={offset}-{end}")
        body: Any = resp["Body"]
        try:
            if not str(resp.get("ContentRange") or "").startswith(f"bytes {offset}-{end}/"):
                raise StoreError(
                    f"The S3 server answered a ranged read of {self._what} with other bytes "
                    f"({resp.get('ContentRange') or 'the whole object'}); check the server."
                )
            got = 0
            while got < len(view):
                # urllib3 reads a whole request into a new bytes first: small steps keep that copy small.
                count = body.readinto(view[got : got + READ_STEP])
                if not count:
                    break
                got += count
        finally:
            body.close()
        if got != len(view):
            raise _ShortPart(f"The S3 server sent {got} of {len(view)} bytes of a part of {self._what}; try again.")


class _ShortPart(StoreError):
    """A part's answer ended early; worth another try."""


class S3Store:
    """`VersionedStore` on one bucket (and optional key prefix) of an S3-compatible endpoint."""

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str | None = None,
        *,
        page_size: int = 1000,
        multipart_threshold: int = 64 * 1024 * 1024,
        multipart_chunksize: int = CHUNK_SIZE,
        max_concurrency: int = 8,
        checksum_algorithm: str | None = "CRC32",
        connect_timeout: float = 5.0,
        read_timeout: float = 60.0,
        max_attempts: int | None = None,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.endpoint_url = endpoint_url or None
        self.region = region or None
        self.url = f"s3://{bucket}/{self.prefix}" if self.prefix else f"s3://{bucket}"
        self.endpoint_label = self.endpoint_url or "the AWS S3 endpoint"
        self.page_size = max(1, min(int(page_size), 1000))
        # Over plain HTTP botocore signs every request body (its SHA-256 is part of the signature, and
        # the server refuses a body that does not match it), so a CRC32 beside it checks nothing more
        # and costs one more pass over every byte uploaded. Over HTTPS the body goes unsigned and the
        # CRC32 is what the server checks.
        signed_bodies = (self.endpoint_url or "").lower().startswith("http://")
        self.checksum_algorithm = None if signed_bodies else checksum_algorithm
        self._max_concurrency = max_concurrency
        self.multipart_chunksize = max(int(multipart_chunksize), 5 * 1024 * 1024)
        self._transfer_kwargs = {
            "multipart_threshold": max(int(multipart_threshold), 5 * 1024 * 1024),
            "multipart_chunksize": self.multipart_chunksize,
            "max_concurrency": max_concurrency,
            "io_chunksize": 1024 * 1024,
        }
        self._config = Config(
            s3={"addressing_style": "path"} if self.endpoint_url else {},
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            # None leaves the attempt count to AWS_MAX_ATTEMPTS / the AWS config (3 by default).
            retries={"mode": "standard", **({"max_attempts": max_attempts} if max_attempts else {})},
            max_pool_connections=max(10, max_concurrency * 2),
            user_agent_extra="takevault",
            request_checksum_calculation="when_required" if signed_bodies else "when_supported",
        )
        try:
            self._session = boto3.session.Session(region_name=self.region)
            self._client = self._new_client()
        except bce.NoRegionError:
            raise ConfigError(
                "No S3 region is set; add s3.region to takevault.toml or set AWS_DEFAULT_REGION."
            ) from None
        except bce.BotoCoreError as exc:
            raise ConfigError(
                f"Could not configure the S3 client ({exc}); check s3.endpoint_url and s3.region."
            ) from None
        except ValueError as exc:
            raise ConfigError(
                f"The S3 endpoint {endpoint_url!r} is not valid ({exc}); give a URL like http://host:port."
            ) from None
        self._upload_clients: queue.SimpleQueue[_UploadClient] = queue.SimpleQueue()
        self._versioning_ok = False
        # Versions never change, so what one lookup learnt of a version (sha256, metadata, size) is kept.
        self._describe_cache: OrderedDict[tuple[str, str], _Known] = OrderedDict()
        self._observers: list[Callable[..., None]] = []
        self._cache_lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None

    # -- plumbing ---------------------------------------------------------
    def _new_client(self) -> S3Client:
        client = self._session.client(
            "s3", endpoint_url=self.endpoint_url, region_name=self.region or "us-east-1", config=self._config
        )
        for handler in getattr(self, "_observers", ()):
            client.meta.events.register("before-send.s3", handler)
        return client

    def observe_requests(self, handler: Callable[..., None]) -> None:
        """Call `handler(request=…)` before every HTTP request this store sends, on every client it
        holds or makes (botocore's `before-send` event; the handler must return None). For diagnostics
        and tests that count requests; it observes, it changes nothing."""
        self._observers.append(handler)
        self._client.meta.events.register("before-send.s3", handler)
        pending: list[_UploadClient] = []
        while True:
            try:
                pending.append(self._upload_clients.get_nowait())
            except queue.Empty:
                break
        for uploader in pending:
            uploader.client.meta.events.register("before-send.s3", handler)
            self._upload_clients.put(uploader)

    def _full(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def _short(self, full_key: str) -> str:
        return full_key[len(self.prefix) + 1 :] if self.prefix else full_key

    def _missing_bucket(self) -> NotFoundError:
        return NotFoundError(
            f"The bucket {self.bucket!r} does not exist at {self.endpoint_label}; "
            "run 'takevault store enable-versioning --create-bucket' to create it."
        )

    def _translate(self, exc: BaseException, action: str) -> TakevaultError:
        """One sentence a user can act on, for any boto error."""
        if isinstance(exc, TakevaultError):
            return exc
        if isinstance(exc, bce.NoCredentialsError | bce.PartialCredentialsError):
            return StoreAccessError(
                f"No usable S3 credentials were found while {action}; set AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)."
            )
        if isinstance(exc, bce.ConnectionError | bce.HTTPClientError):
            return StoreUnreachableError(
                f"The S3 endpoint {self.endpoint_label} cannot be reached while {action}; "
                "check that the server is running and s3.endpoint_url is right."
            )
        if isinstance(exc, bce.ClientError):
            error = exc.response.get("Error", {})
            code = str(error.get("Code", ""))
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code == "NoSuchBucket":
                return self._missing_bucket()
            if code in _ACCESS_CODES or status == 403:
                return StoreAccessError(
                    f"The S3 server refused access to bucket {self.bucket!r} while {action} ({code or status}); "
                    "check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and the bucket policy."
                )
            if code == "NoSuchVersion":
                return NotFoundError(
                    f"That version does not exist while {action}; list them with 'takevault store versions'."
                )
            if code in ("NoSuchKey", "404", "NotFound") or status == 404:
                return NotFoundError(f"Nothing found while {action}; check the key with 'takevault store versions'.")
            if code in ("MethodNotAllowed", "405") or status == 405:
                return DeleteMarkerError(f"A delete marker has no bytes ({action}); pick another version.")
            if code in ("SlowDown", "ServiceUnavailable", "503", "InternalError", "500"):
                return StoreUnreachableError(
                    f"The S3 server at {self.endpoint_label} is failing ({code}) while {action}; try again shortly."
                )
            message = error.get("Message") or str(exc)
            return StoreError(f"The S3 server answered {code or status} ({message}) while {action}; check the server.")
        if isinstance(exc, bce.BotoCoreError):
            return StoreError(f"The S3 client failed while {action} ({exc}); check the endpoint settings.")
        return StoreError(f"S3 failed while {action} ({type(exc).__name__}: {exc}).")

    def _call(self, action: str, op: str, **params: Any) -> Any:
        try:
            return getattr(self._client, op)(**params)
        except (bce.BotoCoreError, bce.ClientError) as exc:
            raise self._translate(exc, action) from exc

    def _borrow(self) -> _UploadClient:
        try:
            return self._upload_clients.get_nowait()
        except queue.Empty:
            return _UploadClient(self._new_client())

    def _transfer_config(self, size: int | None) -> TransferConfig:
        kwargs = self._transfer_kwargs
        chunksize = kwargs["multipart_chunksize"]
        if size and size > chunksize * MAX_PARTS:
            chunksize = -(-size // MAX_PARTS)  # S3 allows at most 10,000 parts
        # The classic s3transfer manager: it reads a non-seekable stream in order and runs our hooks.
        config = TransferConfig(
            multipart_threshold=kwargs["multipart_threshold"],
            multipart_chunksize=chunksize,
            max_concurrency=kwargs["max_concurrency"],
            io_chunksize=kwargs["io_chunksize"],
            preferred_transfer_client="classic",
        )
        # Bounds memory: a non-seekable stream is buffered part by part, at most this many parts at once.
        config.max_in_memory_upload_chunks = self._max_concurrency + 2
        return config

    # -- versioning -------------------------------------------------------
    def versioning_status(self) -> str:
        resp = self._call(
            f"reading the versioning status of bucket {self.bucket!r}", "get_bucket_versioning", Bucket=self.bucket
        )
        return resp.get("Status") or VERSIONING_DISABLED

    def _require_writable(self) -> None:
        if self._versioning_ok:
            return
        status = self.versioning_status()
        if status != VERSIONING_ENABLED:
            raise VersioningError(
                f"Versioning is {status.lower()} on bucket {self.bucket!r}, so writes could overwrite history; "
                "run 'takevault store enable-versioning' first."
            )
        self._versioning_ok = True

    def enable_versioning(self, *, create_bucket: bool = False) -> None:
        self._versioning_ok = False
        if create_bucket:
            params: dict[str, Any] = {"Bucket": self.bucket}
            if self.region and self.region != "us-east-1":
                params["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
            try:
                self._client.create_bucket(**params)
            except bce.ClientError as exc:
                if exc.response.get("Error", {}).get("Code") not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    raise self._translate(exc, f"creating bucket {self.bucket!r}") from exc
                if exc.response["Error"]["Code"] == "BucketAlreadyExists":
                    raise StoreAccessError(
                        f"The bucket name {self.bucket!r} is taken by another account; choose another bucket name."
                    ) from exc
            except bce.BotoCoreError as exc:
                raise self._translate(exc, f"creating bucket {self.bucket!r}") from exc
        self._call(
            f"enabling versioning on bucket {self.bucket!r}",
            "put_bucket_versioning",
            Bucket=self.bucket,
            VersioningConfiguration={"Status": "Enabled"},
        )

    def suspend_versioning(self) -> None:
        self._versioning_ok = False
        self._call(
            f"suspending versioning on bucket {self.bucket!r}",
            "put_bucket_versioning",
            Bucket=self.bucket,
            VersioningConfiguration={"Status": "Suspended"},
        )

    # -- describing versions ------------------------------------------------
    def _remember(
        self, full_key: str, version_id: str, sha256: str | None, metadata: dict[str, str], size: int | None = None
    ) -> None:
        with self._cache_lock:
            self._describe_cache[(full_key, version_id)] = _Known(sha256, metadata, size)
            while len(self._describe_cache) > 20_000:
                self._describe_cache.popitem(last=False)

    def _forget(self, full_key: str, version_id: str) -> None:
        with self._cache_lock:
            self._describe_cache.pop((full_key, version_id), None)

    def _tagged_sha256(self, full_key: str, version_id: str) -> str | None:
        try:
            resp = self._client.get_object_tagging(Bucket=self.bucket, Key=full_key, VersionId=version_id)
        except bce.ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code in ("NoSuchTagSet", "NotImplemented", "MethodNotAllowed"):
                return None
            raise self._translate(exc, f"reading the tags of {self._short(full_key)!r}") from exc
        except bce.BotoCoreError as exc:
            raise self._translate(exc, f"reading the tags of {self._short(full_key)!r}") from exc
        for tag in resp.get("TagSet") or []:
            if tag.get("Key") == SHA256_TAG and _is_sha256(tag.get("Value")):
                return tag["Value"]
        return None

    def _details(
        self, full_key: str, version_id: str, head: Mapping[str, Any] | None = None
    ) -> tuple[str | None, dict[str, str]]:
        """sha256 and metadata of a version: metadata first, the version's tag when metadata lacks it."""
        with self._cache_lock:
            cached = self._describe_cache.get((full_key, version_id))
        if cached is not None:
            return cached.sha256, cached.metadata
        if head is None:
            head = self._head_raw(full_key, version_id)
        metadata = {k.lower(): _decode_value(v) for k, v in (head.get("Metadata") or {}).items()}
        sha = metadata.get(SHA256_META)
        if not _is_sha256(sha):
            sha = self._tagged_sha256(full_key, version_id)
            if sha:
                metadata[SHA256_META] = sha
        self._remember(full_key, version_id, sha, metadata, int(head.get("ContentLength") or 0))
        return sha, metadata

    def _head_raw(self, full_key: str, version_id: str | None) -> HeadObjectOutputTypeDef:
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": full_key}
        if version_id is not None:
            params["VersionId"] = version_id
        return self._client.head_object(**params)

    def _entries_of(self, key: str) -> Iterator[dict]:
        """Raw listing entries (versions and markers) of exactly `key`, newest first."""
        full = self._full(key)
        for entry in self._list_raw(full):
            if entry["Key"] == full:
                yield entry
            elif entry["Key"] > full:
                return

    def _find_entry(self, key: str, version_id: str) -> dict:
        for entry in self._entries_of(key):
            if entry["VersionId"] == version_id:
                return entry
        raise NotFoundError(
            f"Version {version_id!r} of {key!r} does not exist; list them with 'takevault store versions {key}'."
        )

    def _marker_version(self, key: str, entry: dict, is_latest: bool) -> ObjectVersion:
        return ObjectVersion(
            key=key,
            version_id=entry["VersionId"],
            size=0,
            sha256=None,
            last_modified=_as_utc(entry.get("LastModified")),
            is_latest=is_latest,
            is_delete_marker=True,
        )

    def head(self, key: str, version_id: str | None = None) -> ObjectVersion:
        return self._lookup(key, version_id, check_latest=True)

    def _lookup(self, key: str, version_id: str | None, *, check_latest: bool) -> ObjectVersion:
        """One HEAD, and a second of the latest when asked whether a given version is the latest."""
        key = validate_key(key)
        full = self._full(key)
        action = f"looking up {key!r}"
        try:
            resp = self._head_raw(full, version_id)
        except bce.ClientError as exc:
            return self._head_failed(key, version_id, exc)
        except bce.BotoCoreError as exc:
            raise self._translate(exc, action) from exc
        vid = resp.get("VersionId") or "null"
        if version_id is None:
            is_latest = True
        elif not check_latest:
            is_latest = False  # not asked, so not looked up
        else:
            try:
                latest = self._head_raw(full, None).get("VersionId") or "null"
            except bce.ClientError:
                latest = None  # the latest is a delete marker, so this version is not it
            except bce.BotoCoreError as exc:
                raise self._translate(exc, action) from exc
            is_latest = latest == vid
        sha, metadata = self._details(full, vid, resp)
        return ObjectVersion(
            key=key,
            version_id=vid,
            size=int(resp.get("ContentLength") or 0),
            sha256=sha,
            last_modified=_as_utc(resp.get("LastModified")),
            metadata=metadata,
            is_latest=is_latest,
        )

    def _head_failed(self, key: str, version_id: str | None, exc: bce.ClientError) -> ObjectVersion:
        """A HEAD said 404 or 405: tell a delete marker from a missing key, a missing version, a missing bucket.

        Servers differ (AWS: 404 + x-amz-delete-marker for the latest, 405 on a
        marker's own id; others: a bare 404), so the listing decides.
        """
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        # AWS answers 400 to a version id it cannot parse; for us that id simply does not exist.
        if status not in (404, 405) and not (status == 400 and version_id is not None):
            raise self._translate(exc, f"looking up {key!r}") from exc
        entries = list(self._entries_of(key))  # raises NotFoundError for a missing bucket
        if version_id is None:
            if entries and "ETag" not in entries[0] and entries[0].get("IsLatest", True):
                raise DeleteMarkerError(
                    f"{key!r} is deleted (its latest version is a delete marker); "
                    "fetch an older version by id or restore it."
                ) from None
            raise NotFoundError(
                f"No object named {key!r} in the store; check the key with 'takevault store versions'."
            ) from None
        for index, entry in enumerate(entries):
            if entry["VersionId"] == version_id:
                if "ETag" not in entry:
                    return self._marker_version(key, entry, is_latest=index == 0)
                break
        raise NotFoundError(
            f"Version {version_id!r} of {key!r} does not exist; list them with 'takevault store versions {key}'."
        ) from None

    # -- reading ----------------------------------------------------------
    def get(self, key: str, version_id: str | None = None) -> HashingReader:
        """One HEAD at most (none for a version this store already described), then the bytes: one GET,
        or parallel ranged GETs above the part size (the way s3transfer downloads), handed out in order."""
        key = validate_key(key)
        full = self._full(key)
        with self._cache_lock:
            known = self._describe_cache.get((full, version_id)) if version_id is not None else None
        if version_id is not None and known is not None and known.size is not None:
            vid, sha, size = version_id, known.sha256, known.size
        else:
            info = self._lookup(key, version_id, check_latest=False)
            if info.is_delete_marker:
                raise DeleteMarkerError(
                    f"Version {info.version_id!r} of {key!r} is a delete marker and has no bytes; pick another version."
                )
            vid, sha, size = info.version_id, info.sha256, info.size
        what = f"Version {vid} of {key!r}"
        part = self.multipart_chunksize
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": full, "VersionId": vid}
        if size > part:
            params["Range"] = f"bytes=0-{part - 1}"
        try:
            # The first request is made here, so a version gone meanwhile fails now, not at the first read.
            resp = self._client.get_object(**params)
        except bce.ClientError as exc:
            self._forget(full, vid)
            self._head_failed(key, vid, exc)
            raise self._translate(exc, f"reading {key!r}") from exc
        except bce.BotoCoreError as exc:
            raise self._translate(exc, f"reading {key!r}") from exc
        if size <= part or not resp.get("ContentRange"):
            # Small, or a server that ignores Range on a versioned GET (ministack) and sent it all.
            return HashingReader(_BodyReader(resp["Body"], self, what), expected_sha256=sha, what=what)
        ranged = RangedReader(
            _RangeFetcher(self, params, resp, what).fill, size, part_size=part, concurrency=self._max_concurrency
        )
        return HashingReader(ranged, expected_sha256=sha, what=what)

    def _list_raw(self, full_prefix: str) -> Iterator[dict]:
        """Versions and delete markers under a prefix, in S3 order (key, then newest first), page by page."""
        params: dict[str, Any] = {"Bucket": self.bucket, "Prefix": full_prefix, "MaxKeys": self.page_size}
        while True:
            page = self._call(f"listing versions under {full_prefix!r}", "list_object_versions", **params)
            entries = [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
            # Both lists come in S3 order; merge them back: key ascending, latest first, then newest first.
            entries.sort(key=lambda e: e.get("LastModified") or datetime.min.replace(tzinfo=UTC), reverse=True)
            entries.sort(key=lambda e: not e.get("IsLatest", False))
            entries.sort(key=lambda e: e["Key"])
            yield from entries
            if not page.get("IsTruncated"):
                return
            params["KeyMarker"] = page.get("NextKeyMarker", "")
            params["VersionIdMarker"] = page.get("NextVersionIdMarker", "")
            if not params["KeyMarker"]:
                return

    def _executor(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="takevault-s3-head")
        return self._pool

    def list_versions(self, key_or_prefix: str, *, prefix: bool = False) -> Iterator[ObjectVersion]:
        if prefix:
            stripped = key_or_prefix.lstrip("/")
            full_prefix = self._full(stripped) if stripped else (f"{self.prefix}/" if self.prefix else "")
            wanted: str | None = None
        else:
            wanted = self._full(validate_key(key_or_prefix))
            full_prefix = wanted
        batch: list[dict] = []
        for entry in self._list_raw(full_prefix):
            if wanted is not None and entry["Key"] != wanted:
                if entry["Key"] > wanted:
                    break
                continue
            batch.append(entry)
            if len(batch) >= 64:
                yield from self._describe_batch(batch)
                batch = []
        if batch:
            yield from self._describe_batch(batch)

    def _describe_batch(self, entries: list[dict]) -> Iterator[ObjectVersion]:
        def one(entry: dict) -> ObjectVersion:
            key = self._short(entry["Key"])
            if "ETag" not in entry:
                return self._marker_version(key, entry, bool(entry.get("IsLatest")))
            try:
                sha, metadata = self._details(entry["Key"], entry["VersionId"])
            except bce.ClientError as exc:
                raise self._translate(exc, f"describing version {entry['VersionId']} of {key!r}") from exc
            except bce.BotoCoreError as exc:
                raise self._translate(exc, f"describing version {entry['VersionId']} of {key!r}") from exc
            return ObjectVersion(
                key=key,
                version_id=entry["VersionId"],
                size=int(entry.get("Size") or 0),
                sha256=sha,
                last_modified=_as_utc(entry.get("LastModified")),
                metadata=metadata,
                is_latest=bool(entry.get("IsLatest")),
            )

        yield from self._executor().map(one, entries)

    # -- writing ----------------------------------------------------------
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
        claimed = meta.get(SHA256_META)
        self._require_writable()
        full = self._full(key)
        extra: dict[str, Any] = {"Metadata": {k: _encode_value(v) for k, v in meta.items()}}
        source = regular_file(stream, f"the data for {key!r}")
        if source is not None:
            response, sha, sent = self._put_file(key, full, stream, source, extra, claimed, progress)
        else:
            response, sha, sent = self._put_stream(key, full, stream, extra, size, progress)
        if not response or not response.get("VersionId"):
            raise VersioningError(
                f"The S3 server stored {key!r} without a version id, so versioning is not in effect on bucket "
                f"{self.bucket!r}; run 'takevault store enable-versioning'."
            )
        version_id = response["VersionId"]
        if claimed is not None and claimed != sha:
            self._discard(full, version_id)
            raise _mismatch(key, sha, claimed)
        if claimed is None:
            try:
                self._call(
                    f"recording the sha256 of {key!r}",
                    "put_object_tagging",
                    Bucket=self.bucket,
                    Key=full,
                    VersionId=version_id,
                    Tagging={"TagSet": [{"Key": SHA256_TAG, "Value": sha}]},
                )
            except TakevaultError:
                self._discard(full, version_id)  # a version without its checksum would fail every later read
                raise
        meta[SHA256_META] = sha
        self._remember(full, version_id, sha, dict(meta), sent)
        return ObjectVersion(
            key=key,
            version_id=version_id,
            size=sent,
            sha256=sha,
            last_modified=datetime.now(UTC),
            metadata=dict(meta),
            is_latest=True,
        )

    def _put_file(
        self,
        key: str,
        full: str,
        stream: BinaryIO,
        source: FileSource,
        extra: dict[str, Any],
        claimed: str | None,
        progress: ProgressCallback | None,
    ) -> tuple[dict[str, Any] | None, str, int]:
        """A regular file: read once into part buffers that are both hashed and sent (see s3_file_upload)."""

        def accept(sha: str) -> None:
            # Checked before the version is created, so a file that does not match what was promised
            # leaves nothing behind.
            if claimed is not None and claimed != sha:
                raise _mismatch(key, sha, claimed)

        size = source.size
        borrowed = self._borrow()  # a client (and connection pool) of its own, as concurrent uploads have
        uploader = FileUploader(
            borrowed.client,
            multipart_threshold=self._transfer_kwargs["multipart_threshold"],
            part_size=max(self.multipart_chunksize, -(-size // MAX_PARTS)),  # S3 allows at most 10,000 parts
            concurrency=self._max_concurrency,
            checksum_algorithm=self.checksum_algorithm,
        )
        try:
            done = uploader.upload(source, self.bucket, full, extra, accept=accept, progress=progress)
        except (bce.BotoCoreError, bce.ClientError) as exc:
            raise self._translate(exc, f"uploading {key!r}") from exc
        finally:
            self._upload_clients.put(borrowed)
        with contextlib.suppress(OSError, ValueError):
            stream.seek(source.start + done.size)  # where a reading upload would have left it
        return done.response, done.sha256, done.size

    def _put_stream(
        self,
        key: str,
        full: str,
        stream: BinaryIO,
        extra: dict[str, Any],
        size: int | None,
        progress: ProgressCallback | None,
    ) -> tuple[dict[str, Any] | None, str, int]:
        """Anything but a regular file (a pipe, a request body): s3transfer reads it strictly in order
        through a hashing reader (parts go out in parallel, each buffered once)."""
        reader = HashingReader(SourceStream(stream, f"the data for {key!r}"), progress=progress)
        if self.checksum_algorithm:
            extra = {**extra, "ChecksumAlgorithm": self.checksum_algorithm}
        uploader = self._borrow()
        uploader.response = None
        try:
            # upload_fileobj aborts the multipart upload itself when a part or the reader fails.
            # boto3 needs only `read` of Fileobj; its stubs ask for a whole IO.
            uploader.client.upload_fileobj(
                reader,  # type: ignore[arg-type]
                self.bucket,
                full,
                ExtraArgs=extra,
                Config=self._transfer_config(size),
            )
            response = uploader.response
        except (bce.BotoCoreError, bce.ClientError) as exc:
            raise self._translate(exc, f"uploading {key!r}") from exc
        finally:
            self._upload_clients.put(uploader)
        return response, reader.sha256, reader.bytes_read

    def _discard(self, full_key: str, version_id: str) -> None:
        """Best effort removal of a version this call just made and cannot vouch for."""
        with contextlib.suppress(bce.BotoCoreError, bce.ClientError):
            self._client.delete_object(Bucket=self.bucket, Key=full_key, VersionId=version_id)
        self._forget(full_key, version_id)

    def delete(self, key: str) -> ObjectVersion:
        key = validate_key(key)
        self._require_writable()
        if next(self._entries_of(key), None) is None:
            raise NotFoundError(f"No object named {key!r} in the store; nothing to delete.")
        resp = self._call(f"deleting {key!r}", "delete_object", Bucket=self.bucket, Key=self._full(key))
        return ObjectVersion(
            key=key,
            version_id=resp.get("VersionId") or "null",
            size=0,
            sha256=None,
            last_modified=datetime.now(UTC),
            is_latest=True,
            is_delete_marker=True,
        )

    def delete_version(self, key: str, version_id: str) -> None:
        key = validate_key(key)
        self._find_entry(key, version_id)
        full = self._full(key)
        self._call(
            f"removing version {version_id!r} of {key!r}",
            "delete_object",
            Bucket=self.bucket,
            Key=full,
            VersionId=version_id,
        )
        self._forget(full, version_id)

    def restore(self, key: str, version_id: str) -> ObjectVersion:
        key = validate_key(key)
        self._require_writable()
        old = self.head(key, version_id)
        if old.is_delete_marker:
            raise DeleteMarkerError(
                f"Version {version_id!r} of {key!r} is a delete marker; restore a version that has bytes."
            )
        full = self._full(key)
        head = self._call(f"reading {key!r}", "head_object", Bucket=self.bucket, Key=full, VersionId=version_id)
        extra: dict[str, Any] = {
            "Metadata": head.get("Metadata") or {},
            "MetadataDirective": "REPLACE",
        }
        if head.get("ContentType"):
            extra["ContentType"] = head["ContentType"]
        uploader = self._borrow()
        uploader.response = None
        try:
            # The managed copy goes multipart above the threshold (CopyObject stops at 5 GB).
            uploader.client.copy(
                {"Bucket": self.bucket, "Key": full, "VersionId": version_id},
                self.bucket,
                full,
                ExtraArgs=extra,
                Config=self._transfer_config(old.size),
            )
            response = uploader.response
        except (bce.BotoCoreError, bce.ClientError) as exc:
            raise self._translate(exc, f"restoring version {version_id!r} of {key!r}") from exc
        finally:
            self._upload_clients.put(uploader)
        if not response or not response.get("VersionId"):
            raise VersioningError(
                f"The S3 server copied {key!r} without a version id; run 'takevault store enable-versioning'."
            )
        new_id = response["VersionId"]
        if old.sha256 and SHA256_META not in (head.get("Metadata") or {}):
            # The sha256 lived in the old version's tag; some servers do not copy tags, so set it.
            self._call(
                f"recording the sha256 of {key!r}",
                "put_object_tagging",
                Bucket=self.bucket,
                Key=full,
                VersionId=new_id,
                Tagging={"TagSet": [{"Key": SHA256_TAG, "Value": old.sha256}]},
            )
        self._remember(full, new_id, old.sha256, dict(old.metadata), old.size)
        return ObjectVersion(
            key=key,
            version_id=new_id,
            size=old.size,
            sha256=old.sha256,
            last_modified=datetime.now(UTC),
            metadata=dict(old.metadata),
            is_latest=True,
        )

    # -- capabilities -------------------------------------------------------
    def blob_path(self, key: str, version_id: str | None = None) -> None:
        """The bytes live on the server, never in a file here: None (no request is made)."""
        validate_key(key)
        return None

    def presigned_url(self, key: str, version_id: str | None = None, expires: int = 3600) -> str:
        """A time-limited GET URL for one version, for exports and the browser."""
        key = validate_key(key)
        seconds = validate_expires(expires)
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": self._full(key)}
        if version_id is not None:
            params["VersionId"] = version_id
        try:
            return self._client.generate_presigned_url("get_object", Params=params, ExpiresIn=seconds)
        except bce.BotoCoreError as exc:
            raise self._translate(exc, f"signing a URL for {key!r}") from exc

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        while True:
            try:
                self._upload_clients.get_nowait().client.close()
            except queue.Empty:
                break
        self._client.close()

    # -- crash leftovers (fsck) ---------------------------------------------
    def staged_uploads(self) -> list[StagedUpload]:
        """Multipart uploads started under this store's prefix and never completed or aborted."""
        found: list[StagedUpload] = []
        params: dict[str, Any] = {"Bucket": self.bucket, "Prefix": f"{self.prefix}/" if self.prefix else ""}
        while True:
            page = self._call("listing unfinished multipart uploads", "list_multipart_uploads", **params)
            for upload in page.get("Uploads", []) or []:
                found.append(
                    StagedUpload(
                        what="multipart upload",
                        ident=upload["UploadId"],
                        key=self._short(upload["Key"]),
                        size=None,
                        started=_as_utc(upload.get("Initiated")),
                    )
                )
            if not page.get("IsTruncated"):
                return found
            params["KeyMarker"] = page.get("NextKeyMarker", "")
            params["UploadIdMarker"] = page.get("NextUploadIdMarker", "")
            if not params["KeyMarker"] and not params["UploadIdMarker"]:
                return found

    def discard_staged(self, staged: list[StagedUpload], idle_seconds: float = 60.0) -> list[StagedUpload]:
        """Abort unfinished multipart uploads that sent nothing for `idle_seconds` (a live one keeps sending)."""
        removed: list[StagedUpload] = []
        now = datetime.now(UTC)
        for item in staged:
            if item.what != "multipart upload" or item.key is None:
                continue
            full = self._full(item.key)
            try:
                parts = self._client.list_parts(Bucket=self.bucket, Key=full, UploadId=item.ident).get("Parts", [])
            except bce.ClientError:
                continue  # finished or aborted meanwhile
            except bce.BotoCoreError as exc:
                raise self._translate(exc, "listing the parts of an unfinished upload") from exc
            last = max([_as_utc(p.get("LastModified")) for p in parts] + [item.started or now])
            if (now - last).total_seconds() < idle_seconds:
                continue
            self._call(
                f"aborting the unfinished upload of {item.key!r}",
                "abort_multipart_upload",
                Bucket=self.bucket,
                Key=full,
                UploadId=item.ident,
            )
            removed.append(item)
        return removed


def _as_utc(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.now(UTC)
