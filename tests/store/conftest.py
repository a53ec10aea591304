"""One fixture, `backend`, that gives the contract suite a fresh store on each backend in turn."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from takevault.store import VersionedStore
from takevault.store.local import LocalStore
from tests.s3_servers import S3Target, _target

BACKEND_NAMES = ("local", "seaweedfs", "ministack")


@dataclass
class Backend:
    """A place for one test's store, and a way to open more store objects on it."""

    name: str
    make: Callable[..., VersionedStore]
    target: S3Target | None = None
    root: Path | None = None
    _opened: list[VersionedStore] = field(default_factory=list)

    @property
    def is_s3(self) -> bool:
        return self.target is not None

    def store(self, **options: Any) -> VersionedStore:
        """A new store object on the same bucket or folder (S3 options: page_size, multipart_threshold…)."""
        store = self.make(**options)
        self._opened.append(store)
        return store

    def close(self) -> None:
        for store in self._opened:
            store.close()


def _s3_backend(name: str, target: S3Target) -> Backend:
    from takevault.store.s3 import S3Store

    def make(**options: Any) -> VersionedStore:
        return S3Store(target.bucket, "vault/one", target.endpoint_url, target.server.region, **options)

    return Backend(name=name, make=make, target=target)


@pytest.fixture(params=BACKEND_NAMES)
def backend(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Backend]:
    """A fresh, versioning-enabled store location on each backend."""
    if request.param == "local":
        root = tmp_path / "store"
        made = Backend(name="local", make=lambda **_: LocalStore(root), root=root)
    else:
        server = request.getfixturevalue(f"{request.param}_server")
        made = _s3_backend(request.param, _target(server, monkeypatch))
    made.store().enable_versioning(create_bucket=True)
    yield made
    made.close()


@pytest.fixture
def store(backend: Backend) -> VersionedStore:
    return backend.store()
