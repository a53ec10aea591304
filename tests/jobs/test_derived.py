"""Derived files live in the store: a second machine reuses what the first made; caches lose nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from takevault.config import write_config
from takevault.vault import Vault
from takevault.vault.derived import DERIVED_PREFIX
from tests.web.conftest import Seeded


def second_machine(first: Path, where: Path) -> Path:
    """Another folder (its own cache/) over the same catalog and store, as a second server would be."""
    with Vault.open(first) as vault:
        config = vault.config
        values = {
            "catalog": config.catalog_url,
            "store": vault.store.url if not config.store_url.startswith("file:") else f"file://{first / 'store'}",
            "s3.endpoint_url": config.endpoint_url,
        }
    where.mkdir()
    write_config(where, values)
    return where


def derived_keys(vault: Vault) -> list[str]:
    return sorted(v.key for v in vault.store.list_versions(DERIVED_PREFIX, prefix=True) if not v.is_delete_marker)


def test_a_proxy_made_on_one_machine_plays_on_another_without_encoding_again(seeded: Seeded, tmp_path: Path):
    other = second_machine(seeded.root, tmp_path / "machine-b")
    with Vault.open(seeded.root) as a:
        a.ensure_proxy(seeded.c)
        made = a.playable_file(seeded.c)[1].read_bytes()
        assert any(k.startswith(f"{DERIVED_PREFIX}proxies/") for k in derived_keys(a))
    with Vault.open(other) as b:
        info = b.playback(seeded.c)
        assert info.needs_proxy and info.ready and info.path is None  # in the store, not yet in b's cache
        frames: list[int] = []
        b.ensure_proxy(seeded.c, progress=frames.append)
        assert frames == []  # not encoded again
        _info, path = b.playable_file(seeded.c)
        assert path.is_relative_to(other / "cache") and path.read_bytes() == made


def test_stills_and_comparisons_are_shared_and_caches_can_be_deleted(seeded: Seeded, tmp_path: Path):
    other = second_machine(seeded.root, tmp_path / "machine-b")
    with Vault.open(seeded.root) as a:
        still = a.still(seeded.a).read_bytes()
        report, folder = a.review_compare(seeded.a, seeded.b)
        pictures = report.get("pictures") or []
        keys = derived_keys(a)
        assert any(k.startswith(f"{DERIVED_PREFIX}stills/") for k in keys)
        assert any(k.endswith("/report.json") and k.startswith(f"{DERIVED_PREFIX}compare/") for k in keys)
        assert all(any(k.endswith(f"/{p}") for k in keys) for p in pictures)
    with Vault.open(other) as b:
        assert b.still(seeded.a).read_bytes() == still
        again = b.cached_compare(seeded.a, seeded.b)
        assert again == report
        _r, b_folder = b.compare_pictures(seeded.a, seeded.b)
        for name in pictures:
            assert (b_folder / name).read_bytes() == (folder / name).read_bytes()
    # The local cache is only a copy: deleting it loses nothing.
    shutil.rmtree(seeded.root / "cache")
    with Vault.open(seeded.root) as a:
        assert a.cached_compare(seeded.a, seeded.b) == report
        assert a.still(seeded.a).read_bytes() == still


def test_deleted_derived_objects_are_made_again(seeded: Seeded):
    with Vault.open(seeded.root) as a:
        a.ensure_proxy(seeded.c)
        for key in derived_keys(a):
            a.store.delete(key)
        shutil.rmtree(seeded.root / "cache")
        info = a.playback(seeded.c)
        assert info.needs_proxy and not info.ready
        frames: list[int] = []
        a.ensure_proxy(seeded.c, progress=frames.append)
        assert sum(frames) == 24 and a.playback(seeded.c).ready


def test_fsck_does_not_call_derived_objects_unreferenced(seeded: Seeded):
    with Vault.open(seeded.root) as a:
        a.ensure_proxy(seeded.c)
        a.still(seeded.a)
        report = a.fsck().to_json()
        assert not [p for p in report.get("problems", []) if ".takevault/" in str(p)]


@pytest.mark.s3
def test_on_s3_a_second_server_reuses_the_first_ones_proxy(seaweedfs_target, tmp_path: Path, web_clips):
    seaweedfs_target.create_bucket()
    first = tmp_path / "a"
    with Vault.init(first, store=f"s3://{seaweedfs_target.bucket}/tv", endpoint_url=seaweedfs_target.endpoint_url) as v:
        v.add_shot("SH020")
        take = v.add(web_clips["c"], shot="SH020")
        v.ensure_proxy(take.id)
        made = v.playable_file(take.id)[1].read_bytes()
        assert [k for k in derived_keys(v) if k.startswith(f"{DERIVED_PREFIX}proxies/")]
    other = second_machine(first, tmp_path / "b")
    with Vault.open(other) as b:
        assert b.playback(take.id).ready
        assert b.playable_file(take.id)[1].read_bytes() == made
