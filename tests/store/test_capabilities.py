"""What a store can do beyond the S3 basics, asked of every backend: a local file of a version's
bytes (`blob_path`) and a signed GET link to one version (`presigned_url`), each with its
documented "not here" answer (None)."""

from __future__ import annotations

import io
import urllib.request
from pathlib import Path

import pytest

from takevault.errors import DeleteMarkerError, InvalidInputError, InvalidKeyError, NotFoundError
from takevault.store import VersionedStore
from takevault.store.local import LocalStore
from tests.store.conftest import Backend

KEY = "proj/SH010/video_01.mp4"


def two_versions(store: VersionedStore) -> tuple[str, str]:
    first = store.put(KEY, io.BytesIO(b"first take bytes"))
    second = store.put(KEY, io.BytesIO(b"second take bytes"))
    return first.version_id, second.version_id


def test_blob_path_is_the_local_file_of_that_version_or_none_on_s3(backend: Backend) -> None:
    store = backend.store()
    first, _second = two_versions(store)
    old = store.blob_path(KEY, first)
    latest = store.blob_path(KEY)
    if backend.is_s3:
        assert old is None and latest is None
        return
    assert isinstance(old, Path) and isinstance(latest, Path)
    assert old.read_bytes() == b"first take bytes"
    assert latest.read_bytes() == b"second take bytes"
    assert backend.root is not None and backend.root in old.parents


def test_presigned_url_gets_that_exact_version_or_is_none_locally(backend: Backend) -> None:
    store = backend.store()
    first, _second = two_versions(store)
    old = store.presigned_url(KEY, first, expires=60)
    latest = store.presigned_url(KEY)
    if not backend.is_s3:
        assert old is None and latest is None
        return
    assert old is not None and latest is not None
    with urllib.request.urlopen(old, timeout=10) as answer:
        assert answer.read() == b"first take bytes"
    with urllib.request.urlopen(latest, timeout=10) as answer:
        assert answer.read() == b"second take bytes"


@pytest.mark.parametrize("expires", [0, -5, 7 * 24 * 3600 + 1, "soon", True])
def test_presigned_url_refuses_a_lifetime_no_link_can_have(backend: Backend, expires: object) -> None:
    store = backend.store()
    with pytest.raises(InvalidInputError, match="from 1 to 604800"):
        store.presigned_url(KEY, None, expires)  # type: ignore[arg-type]


@pytest.mark.parametrize("key", ["", "/abs.mp4", "a/../b.mp4"])
def test_capabilities_refuse_a_bad_key_on_every_backend(backend: Backend, key: str) -> None:
    store = backend.store()
    with pytest.raises(InvalidKeyError):
        store.blob_path(key)
    with pytest.raises(InvalidKeyError):
        store.presigned_url(key)


def test_local_blob_path_of_a_marker_or_a_missing_key_is_refused(tmp_path: Path) -> None:
    """S3 answers None without asking the server; the local store looks, as `head` does."""
    store = LocalStore(tmp_path / "store")
    store.enable_versioning(create_bucket=True)
    store.put(KEY, io.BytesIO(b"x"))
    marker = store.delete(KEY)
    with pytest.raises(DeleteMarkerError):
        store.blob_path(KEY)
    with pytest.raises(DeleteMarkerError, match="delete marker"):
        store.blob_path(KEY, marker.version_id)
    with pytest.raises(NotFoundError):
        store.blob_path("proj/SH999/video_01.mp4")
