"""A cut check on a vault whose versions live on a real S3 server: pictures matched from downloaded versions."""

from __future__ import annotations

from fractions import Fraction

import opentimelineio as otio
import pytest

from takevault.editorial.cutcheck.timeline_io import read_cut
from tests.clips import make_clip
from tests.editorial.test_cut_check import V1, V2, transcode

pytestmark = [pytest.mark.s3, pytest.mark.slow]


def test_check_and_write_against_an_s3_vault(seaweedfs_target, tmp_path):
    from takevault.vault import Vault

    seaweedfs_target.create_bucket()
    with Vault.init(
        tmp_path / "v", store=f"s3://{seaweedfs_target.bucket}/tv", endpoint_url=seaweedfs_target.endpoint_url
    ) as v:
        v.add_shot("SH010")
        take = v.add(make_clip(tmp_path / "v1.mp4", V1), shot="SH010")
        v.star(take.ref)
        export = v.export_folder(tmp_path / "export")
        proxy = transcode(
            tmp_path / "export" / export.files[0].file,
            tmp_path / "proxy.avi",
            codec="mpeg4",
            size=(96, 72),
            rate=Fraction(24),
        )
        v.replace(take.ref, make_clip(tmp_path / "v2.mp4", V2))
        tl = otio.schema.Timeline(name="S3 cut", global_start_time=otio.opentime.RationalTime(0, 24))
        track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
        tl.tracks.append(track)
        track.append(
            otio.schema.Clip(
                name="SH010 wide",
                media_reference=otio.schema.ExternalReference(target_url=proxy.as_uri()),
                source_range=otio.opentime.TimeRange(
                    otio.opentime.RationalTime(5, 24), otio.opentime.RationalTime(10, 24)
                ),
            )
        )
        path = tmp_path / "cut.otio"
        otio.adapters.write_to_file(tl, str(path))
        report = v.cut_check(path, write=tmp_path / "fixed.otio")
        (clip,) = report.clips
        assert (clip.ref, clip.how, clip.status, clip.pick) == (
            "SH010/video_01@v1",
            "pictures",
            "outdated",
            "SH010/video_01@v2",
        )
        (back,) = read_cut(tmp_path / "fixed.otio").clips
        assert (back.name, back.source_in, back.source_out) == ("SH010_video_01_v2", 15, 25)
        assert back.media_path is not None and back.media_path.is_file()
