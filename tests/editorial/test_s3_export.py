"""Exports from a vault on a real S3 server: verified copies, and timelines with presigned URLs of exact versions."""

from __future__ import annotations

import hashlib

import httpx
import pytest

from takevault.editorial.timeline import read_timeline
from tests.clips import make_clip

pytestmark = [pytest.mark.s3, pytest.mark.slow]


def test_presigned_timeline_and_folder_export(seaweedfs_target, tmp_path):
    from takevault.vault import Vault

    seaweedfs_target.create_bucket()
    clip = make_clip(tmp_path / "a.mp4", frames=12)
    with Vault.init(
        tmp_path / "v", store=f"s3://{seaweedfs_target.bucket}/tv", endpoint_url=seaweedfs_target.endpoint_url
    ) as v:
        v.add_shot("SH010")
        take = v.add(clip, shot="SH010")
        v.star(take.ref)
        v.replace(take.ref, make_clip(tmp_path / "b.mp4", frames=12, scenes=((0, 5),)))
        report = v.export_timeline(tmp_path / "cut.otio", presign=True, expires=600)
        assert report.media_dir is None
        url = next(iter(read_timeline(tmp_path / "cut.otio").find_clips())).media_reference.target_url
        assert url.startswith(seaweedfs_target.endpoint_url) and "versionId=" in url
        body = httpx.get(url, timeout=30).content
        current = v.take(take.ref).current
        assert hashlib.sha256(body).hexdigest() == current.sha256 and current.number == 2
        export = v.export_folder(tmp_path / "out", starred=True)
        assert hashlib.sha256((tmp_path / "out/SH010_video_01_v2.mp4").read_bytes()).hexdigest() == current.sha256
        assert export.files[0].item.video.version_id == current.version_id
