"""The take lifecycle once against a real S3 server (SeaweedFS on loopback)."""

from __future__ import annotations

from pathlib import Path

import pytest

from takevault.vault import Vault

pytestmark = [pytest.mark.s3, pytest.mark.slow]


def test_lifecycle_on_s3(seaweedfs_target, tmp_path: Path, clips: dict[str, Path]) -> None:
    seaweedfs_target.create_bucket()
    store = f"s3://{seaweedfs_target.bucket}/vault"
    with Vault.init(tmp_path / "v", store=store, endpoint_url=seaweedfs_target.endpoint_url) as vault:
        vault.add_shot("SH010")
        take = vault.add(clips["a"], shot="SH010")
        vault.replace(take.ref, clips["b"])
        vault.star(take.ref)
        with vault.open_version(f"{take.ref}@v1") as path:
            assert path.read_bytes() == clips["a"].read_bytes()
        assert not path.exists()
        vault.get(take.ref, tmp_path / "cur.mp4")
        assert (tmp_path / "cur.mp4").read_bytes() == clips["b"].read_bytes()
        vault.delete(take.ref)
        restored = vault.restore(take.ref)
        assert (restored.current.number, restored.current.source, restored.current.source_version) == (3, "restore", 2)
        reverted = vault.revert(take.ref, to_version=1)
        assert reverted.current.sha256 == take.current.sha256
        assert vault.fsck().ok
        vault.purge(take.ref)
        assert vault.add(clips["c"], shot="SH010").number == 2
        assert vault.fsck().ok


def test_rebuild_keeps_version_order_when_the_server_stamps_whole_seconds(
    seaweedfs_target, tmp_path: Path, clips: dict[str, Path]
) -> None:
    # SeaweedFS stamps LastModified to the second: quick replaces share one stamp, so only the
    # store's own newest-first order tells the versions (and their PNGs) apart.
    seaweedfs_target.create_bucket()
    store = f"s3://{seaweedfs_target.bucket}/vault"
    with Vault.init(tmp_path / "v", store=store, endpoint_url=seaweedfs_target.endpoint_url) as vault:
        vault.add_shot("SH010")
        take = vault.add(clips["a"], shot="SH010")
        for name in ("b", "c", "a", "b"):
            vault.replace(take.ref, clips[name])
        before = [(v.number, v.version_id, v.png.version_id if v.png else None) for v in vault.history(take.ref)]
    (tmp_path / "v" / "catalog.db").unlink()
    with Vault.open(tmp_path / "v") as vault:
        vault.rebuild_catalog()
        after = [(v.number, v.version_id, v.png.version_id if v.png else None) for v in vault.history(take.ref)]
        assert after == before
        assert vault.fsck().ok
