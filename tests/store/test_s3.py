"""S3 backend specifics: errors a user can cause, servers' delete-marker answers, "null" versions, URLs."""

from __future__ import annotations

import io
import time
import urllib.request

import pytest

from takevault.errors import (
    DeleteMarkerError,
    NotFoundError,
    StoreAccessError,
    StoreUnreachableError,
    VersioningError,
)
from takevault.store import open_store
from takevault.store.s3 import S3Store
from tests.s3_servers import S3Target, free_port


def test_refused_endpoint_is_unreachable_and_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "y")
    endpoint = f"http://127.0.0.1:{free_port()}"
    store = S3Store("bucket", "p", endpoint, "us-east-1", max_attempts=1)
    started = time.monotonic()
    try:
        for call in (
            store.versioning_status,
            lambda: store.put("a.mp4", io.BytesIO(b"x")),
            lambda: store.head("a.mp4"),
            lambda: list(store.list_versions("a.mp4")),
            lambda: store.enable_versioning(create_bucket=True),
        ):
            with pytest.raises(StoreUnreachableError, match=endpoint.replace(".", r"\.")):
                call()
    finally:
        store.close()
    assert time.monotonic() - started < 20


def test_wrong_credentials_are_an_access_error(seaweedfs_target: S3Target, monkeypatch: pytest.MonkeyPatch) -> None:
    seaweedfs_target.create_bucket()
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
    store = S3Store(seaweedfs_target.bucket, "", seaweedfs_target.endpoint_url, "us-east-1")
    try:
        for call in (
            store.versioning_status,
            lambda: store.put("a.mp4", io.BytesIO(b"x")),
            lambda: store.head("a.mp4"),
            lambda: store.get("a.mp4"),
            lambda: list(store.list_versions("a.mp4")),
        ):
            with pytest.raises(StoreAccessError, match="AWS_SECRET_ACCESS_KEY"):
                call()
    finally:
        store.close()


def test_missing_credentials_are_an_access_error(seaweedfs_target: S3Target, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    store = S3Store(seaweedfs_target.bucket, "", seaweedfs_target.endpoint_url, "us-east-1")
    try:
        with pytest.raises(StoreAccessError, match="No usable S3 credentials"):
            store.versioning_status()
    finally:
        store.close()


def test_missing_bucket_says_create_bucket(s3_target: S3Target) -> None:
    store = S3Store(s3_target.bucket, "x", s3_target.endpoint_url, "us-east-1")
    try:
        for call in (
            store.versioning_status,
            lambda: store.put("a.mp4", io.BytesIO(b"x")),
            lambda: list(store.list_versions("a.mp4")),
            lambda: store.head("a.mp4"),
            lambda: store.get("a.mp4", "some-version"),
            store.enable_versioning,
        ):
            with pytest.raises(NotFoundError, match="--create-bucket"):
                call()
        store.enable_versioning(create_bucket=True)
        store.enable_versioning(create_bucket=True)  # a second time is harmless
        assert store.versioning_status() == "Enabled"
    finally:
        store.close()


def test_unversioned_bucket_refuses_writes(s3_target: S3Target) -> None:
    s3_target.create_bucket(versioned=False)
    store = S3Store(s3_target.bucket, "", s3_target.endpoint_url, "us-east-1")
    try:
        assert store.versioning_status() == "Disabled"
        with pytest.raises(VersioningError, match="takevault store enable-versioning"):
            store.put("a.mp4", io.BytesIO(b"x"))
    finally:
        store.close()


def test_null_is_a_real_version_id(s3_target: S3Target) -> None:
    """An object written before versioning was enabled has the version id "null"; it must stay usable."""
    s3_target.create_bucket(versioned=False)
    client = s3_target.server.client()
    client.put_object(Bucket=s3_target.bucket, Key="p/old.mp4", Body=b"from before")
    client.close()
    store = S3Store(s3_target.bucket, "p", s3_target.endpoint_url, "us-east-1")
    try:
        store.enable_versioning()
        newer = store.put("old.mp4", io.BytesIO(b"after"))
        listed = list(store.list_versions("old.mp4"))
        assert [v.version_id for v in listed] == [newer.version_id, "null"]
        with store.get("old.mp4", "null") as reader:
            assert reader.read() == b"from before"
        restored = store.restore("old.mp4", "null")
        with store.get("old.mp4") as reader:
            assert reader.read() == b"from before"
        assert restored.version_id not in ("null", newer.version_id)
    finally:
        store.close()


def _raw_delete_marker_answers(target: S3Target) -> tuple[tuple[int, str | None], tuple[int, str | None]]:
    target.create_bucket()
    client = target.server.client()
    client.put_object(Bucket=target.bucket, Key="k", Body=b"x")
    marker = client.delete_object(Bucket=target.bucket, Key="k")["VersionId"]
    answers = []
    for extra in ({}, {"VersionId": marker}):
        try:
            client.get_object(Bucket=target.bucket, Key="k", **extra)
            answers.append((200, None))
        except client.exceptions.ClientError as exc:
            meta = exc.response["ResponseMetadata"]
            answers.append((meta["HTTPStatusCode"], meta["HTTPHeaders"].get("x-amz-delete-marker")))
    client.close()
    return answers[0], answers[1]


def test_server_answers_a_get_on_a_delete_marker_as_aws_documents(s3_target: S3Target, request) -> None:
    """AWS: 404 with x-amz-delete-marker for the latest, 405 on the marker's own id. The store copes either way."""
    if s3_target.server.name == "seaweedfs":
        request.applymarker(
            pytest.mark.xfail(
                strict=True,
                reason="SeaweedFS 4.48 answers a bare 404 NoSuchKey without x-amz-delete-marker, "
                "and 404 instead of 405 on the marker's own version id",
            )
        )
    latest, by_id = _raw_delete_marker_answers(s3_target)
    assert latest == (404, "true")
    assert by_id == (405, "true")


def test_store_reports_delete_markers_whatever_the_server_answers(s3_target: S3Target) -> None:
    s3_target.create_bucket()
    store = S3Store(s3_target.bucket, "", s3_target.endpoint_url, "us-east-1")
    try:
        store.put("k.mp4", io.BytesIO(b"x"))
        marker = store.delete("k.mp4")
        with pytest.raises(DeleteMarkerError):
            store.get("k.mp4")
        with pytest.raises(DeleteMarkerError):
            store.get("k.mp4", marker.version_id)
    finally:
        store.close()


def test_presigned_url_fetches_that_exact_version(s3_target: S3Target) -> None:
    s3_target.create_bucket()
    store = open_store(f"s3://{s3_target.bucket}/pre", endpoint_url=s3_target.endpoint_url, region="us-east-1")
    try:
        first = store.put("take.mp4", io.BytesIO(b"first"))
        store.put("take.mp4", io.BytesIO(b"second"))
        url = store.presigned_url("take.mp4", first.version_id, expires=60)
        with urllib.request.urlopen(url, timeout=10) as answer:
            assert answer.read() == b"first"
    finally:
        store.close()


def test_prefix_keeps_keys_apart(s3_target: S3Target) -> None:
    s3_target.create_bucket()
    one = S3Store(s3_target.bucket, "one", s3_target.endpoint_url, "us-east-1")
    two = S3Store(s3_target.bucket, "two/", s3_target.endpoint_url, "us-east-1")
    try:
        one.put("k.mp4", io.BytesIO(b"1"))
        assert list(two.list_versions("k.mp4")) == []
        assert [v.key for v in one.list_versions("", prefix=True)] == ["k.mp4"]
        assert two.url == f"s3://{s3_target.bucket}/two"
    finally:
        one.close()
        two.close()
