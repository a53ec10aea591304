"""Cut check end to end: real takes, exported, cut into timelines with OTIO in every format, then checked.

The project: SH010 video_01 is replaced by a v2 with 10 new frames at the head and a
regrade; SH020 stays current; SH030's star moves to another take; SH040 has no star.
The cut uses SH010 v1 as exported (our metadata), SH020 renamed (found by sha256),
SH030 video_01 transcoded to MPEG-4 at another size and rate under a meaningless
name (found by pictures), and SH010 v1 again with missing media (found by name).
"""

from __future__ import annotations

import json
import shutil
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import opentimelineio as otio
import pytest

from takevault.cli.app import main
from takevault.editorial.cutcheck.timeline_io import read_cut
from takevault.errors import InvalidInputError
from tests.clips import ClipSpec, make_clip

FPS = Fraction(24)
V1 = ClipSpec(width=64, height=48, fps=FPS, frames=40, scenes=((0, 11),))
# v2: 10 new frames at the head, then v1's 40 frames; frames 20..27 of v2 regraded.
V2 = ClipSpec(width=64, height=48, fps=FPS, frames=50, scenes=((0, 12), (10, 11)), shift=(20, 27, 40))


def transcode(src: Path, dest: Path, *, codec: str, size: tuple[int, int], rate: Fraction) -> Path:
    """Re-encode by time: frame k of the copy shows the source frame on screen at k / rate."""
    with av.open(str(src)) as inp:
        frames = [f.to_ndarray(format="rgb24") for f in inp.decode(video=0)]
    src_rate = Fraction(24)
    count = int(len(frames) * rate / src_rate)
    with av.open(str(dest), mode="w") as out:
        stream = out.add_stream(codec, rate=rate)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        for k in range(count):
            img = frames[min(len(frames) - 1, int(Fraction(k) * src_rate / rate))]
            frame = av.VideoFrame.from_ndarray(img, format="rgb24").reformat(width=size[0], height=size[1])
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return dest


def decode_frame(path: Path, index: int) -> np.ndarray:
    with av.open(str(path)) as inp:
        for i, frame in enumerate(inp.decode(video=0)):
            if i == index:
                return frame.to_ndarray(format="rgb24").astype(np.int16)
    raise AssertionError(f"{path} has no frame {index}")


@pytest.fixture
def cut_project(local_vault, tmp_path):
    v = local_vault
    src = tmp_path / "src"
    for shot in ("SH010", "SH020", "SH030", "SH040"):
        v.add_shot(shot)
    sh010 = v.add(make_clip(src / "sh010.mp4", V1), shot="SH010")
    sh020 = v.add(make_clip(src / "sh020.mp4", V1, scenes=((0, 21),)), shot="SH020")
    sh030 = v.add(make_clip(src / "sh030.mp4", V1, scenes=((0, 31),)), shot="SH030")
    v.add(make_clip(src / "sh040.mp4", V1, scenes=((0, 41),)), shot="SH040")
    for take in (sh010, sh020, sh030):
        v.star(take.ref)
    # The editor receives the starred takes as exported...
    export = v.export_folder(tmp_path / "export")
    files = {f.item.shot: tmp_path / "export" / f.file for f in export.files}
    meta = {f.item.shot: f.item for f in export.files}
    # ...then the vault moves on: SH010 gets v2, SH030's star moves to a new take.
    v.replace(sh010.ref, make_clip(src / "sh010_v2.mp4", V2))
    sh030b = v.add(make_clip(src / "sh030b.mp4", V1, scenes=((0, 32),)), shot="SH030")
    v.star(sh030b.ref)
    media = tmp_path / "edit"
    media.mkdir()
    renamed = media / "A003C012_clip.mp4"
    shutil.copy(files["SH020"], renamed)
    transcoded = transcode(files["SH030"], media / "reel7_proxy.avi", codec="mpeg4", size=(96, 72), rate=Fraction(25))
    return {
        "vault": v,
        "files": files,
        "meta": meta,
        "renamed": renamed,
        "transcoded": transcoded,
        "sh010": sh010,
        "sh030b": sh030b,
        "tmp": tmp_path,
    }


def build_cut(p) -> otio.schema.Timeline:
    """The editor's cut: four clips on V1, each using frames 5..24 (20 frames) of its source."""
    tl = otio.schema.Timeline(name="Reel 1", global_start_time=otio.opentime.RationalTime(0, 24))
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    tl.tracks.append(track)

    def add(name: str, url: str, rate: float, start: int, length: int, meta: dict | None = None) -> None:
        frames = 41 if rate == 25 else 40  # the media's length, which FCP XML and AAF writers need
        ref = otio.schema.ExternalReference(
            target_url=url,
            available_range=otio.opentime.TimeRange(
                otio.opentime.RationalTime(0, rate), otio.opentime.RationalTime(frames, rate)
            ),
        )
        clip = otio.schema.Clip(
            name=name,
            media_reference=ref,
            source_range=otio.opentime.TimeRange(
                otio.opentime.RationalTime(start, rate), otio.opentime.RationalTime(length, rate)
            ),
        )
        if meta:
            clip.metadata["takevault"] = meta
        track.append(clip)

    item = p["meta"]["SH010"]
    add(
        "SH010_video_01_v1",
        p["files"]["SH010"].as_uri(),
        24,
        5,
        20,
        {"take_id": item.take_id, "version": 1, "sha256": item.video.sha256, "shot": "SH010"},
    )
    add("A003C012", p["renamed"].as_uri(), 24, 5, 20)
    # The transcode runs at 25 fps: the same 20 source frames are 5/24 s .. 25/24 s.
    add("reel7_proxy", p["transcoded"].as_uri(), 25, 5, 21)
    add("SH010_video_01_v1", (p["tmp"] / "gone" / "SH010_video_01_v1.mp4").as_uri(), 24, 30, 6)
    return tl


def test_check_identifies_every_clip_and_reports_exactly_the_outdated_ones(cut_project):
    p = cut_project
    path = p["tmp"] / "cut.otio"
    otio.adapters.write_to_file(build_cut(p), str(path))
    report = p["vault"].cut_check(path)
    got = [(c.how, c.ref, c.status) for c in report.clips]
    assert got == [
        ("metadata", "SH010/video_01@v1", "outdated"),
        ("sha256", "SH020/video_01@v1", "current"),
        ("pictures", "SH030/video_01@v1", "outdated"),
        ("name", "SH010/video_01@v1", "outdated"),
    ]
    first, _second, third, fourth = report.clips
    assert first.pick == "SH010/video_01@v2"
    assert first.changed == "v2 10 frames added at head, regraded 00:00:00:20-00:00:01:04"
    # The transcode's frame 5 (0.2 s at 25 fps) shows frame 4 of the 24 fps version.
    assert third.sure == "high" and third.offset == 4
    assert any("25 fps in a 24 fps sequence" in n for n in third.notes)
    assert third.changed == "the shot's pick is another take, video_02 v1"
    assert "media is missing" in " ".join(fourth.notes)
    assert any("clip 1 uses the same version" in n for n in fourth.notes)
    assert report.counts() == {"current": 1, "outdated": 3, "not in vault": 0, "shot has no pick": 0}


def test_write_swaps_outdated_clips_onto_the_same_action_frames(cut_project):
    p = cut_project
    path = p["tmp"] / "cut.otio"
    otio.adapters.write_to_file(build_cut(p), str(path))
    before = path.read_bytes()
    out = p["tmp"] / "fixed" / "cut_fixed.otio"
    report = p["vault"].cut_check(path, write=out)
    assert path.read_bytes() == before
    assert (out.parent / "cut_fixed_media" / "manifest.json").is_file()
    back = read_cut(out)
    first = back.clips[0]
    assert first.name == "SH010_video_01_v2"
    # The 10-frame head insert moves the used range by 10 frames: same action, same cut point.
    assert (first.source_in, first.source_out) == (15, 35)
    assert first.metadata["version"] == 2
    # Decoded at both cut points, the new version shows what the old one showed there.
    for old_frame, new_frame in ((5, 15), (24, 34)):
        old = decode_frame(p["files"]["SH010"], old_frame)
        new = decode_frame(first.media_path, new_frame)
        assert np.abs(old - new).mean() < 4
    assert np.abs(decode_frame(p["files"]["SH010"], 5) - decode_frame(first.media_path, 5)).mean() > 20
    # The pick of SH030 is another take, whose frames no alignment can choose: kept, and flagged.
    assert back.clips[2].media_path == p["transcoded"]
    assert report.clips[2].written == "kept on v1: the pick is another take (video_02); choose its frames in the edit"
    fourth = back.clips[3]
    assert (fourth.name, fourth.source_in, fourth.source_out) == ("SH010_video_01_v2", 40, 46)
    assert back.clips[1].media_path == p["renamed"]


def test_second_check_reports_cut_changes_and_keeps_history(cut_project):
    p = cut_project
    path = p["tmp"] / "cut.otio"
    tl = build_cut(p)
    otio.adapters.write_to_file(tl, str(path))
    first = p["vault"].cut_check(path)
    assert [c.cut_change for c in first.clips] == ["new"] * 4
    # The versions' fingerprints are kept, so the next check reads them instead of decoding again.
    kept = sorted((p["vault"].root / "cache" / "fingerprints").glob("*.npz"))
    assert len(kept) >= 3
    clips = list(tl.find_clips())
    clips[1].source_range = otio.opentime.TimeRange(
        otio.opentime.RationalTime(3, 24), otio.opentime.RationalTime(25, 24)
    )
    clips[2].source_range = otio.opentime.TimeRange(
        otio.opentime.RationalTime(8, 25), otio.opentime.RationalTime(10, 25)
    )
    del tl.tracks[0][3]
    otio.adapters.write_to_file(tl, str(path))
    second = p["vault"].cut_check(path)
    assert [c.cut_change for c in second.clips] == ["no change", "extended", "cut change"]
    assert [(c.ref, c.how, c.status) for c in second.clips] == [(c.ref, c.how, c.status) for c in first.clips[:3]]
    assert second.clips[0].changed == first.clips[0].changed
    assert [o["shot"] for o in second.omitted] == ["SH010"]
    assert second.previous_check is not None
    assert len(p["vault"].cut_checks(path)) == 2


@pytest.mark.parametrize(
    ("fmt", "suffix", "adapter", "extra"),
    [
        ("edl", ".edl", "cmx_3600", {"rate": 24}),
        ("fcp7", ".xml", "fcp_xml", {}),
        ("fcpxml", ".fcpxml", "fcpx_xml", {}),
        ("aaf", ".aaf", "AAF", {"use_empty_mob_ids": True}),
    ],
)
def test_every_format_is_read_checked_and_written_back(cut_project, fmt, suffix, adapter, extra):
    p = cut_project
    tl = build_cut(p)
    # These formats hold one rate per sequence and carry no takevault metadata: the transcode
    # here keeps the sequence rate (another codec and size), the others lose their metadata.
    track = tl.tracks[0]
    same_rate = transcode(
        p["files"]["SH030"], p["tmp"] / "edit" / "reel7_proxy24.avi", codec="mpeg4", size=(96, 72), rate=FPS
    )
    track[2].media_reference = otio.schema.ExternalReference(
        target_url=same_rate.as_uri(),
        available_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, 24), otio.opentime.RationalTime(40, 24)),
    )
    track[2].source_range = otio.opentime.TimeRange(
        otio.opentime.RationalTime(5, 24), otio.opentime.RationalTime(20, 24)
    )
    for clip in track.find_clips():
        clip.metadata.pop("takevault", None)
    path = p["tmp"] / f"cut{suffix}"
    otio.adapters.write_to_file(tl, str(path), adapter_name=adapter, **extra)
    out = p["tmp"] / f"fixed{suffix}"
    report = p["vault"].cut_check(path, write=out)
    assert report.fmt == fmt
    assert [(c.ref, c.status, c.how) for c in report.clips] == [
        ("SH010/video_01@v1", "outdated", "sha256"),
        ("SH020/video_01@v1", "current", "sha256"),
        ("SH030/video_01@v1", "outdated", "pictures"),
        ("SH010/video_01@v1", "outdated", "name"),
    ]
    assert report.clips[2].offset == 5 and report.clips[2].sure == "high"
    back = read_cut(out)
    assert back.fmt == fmt
    assert back.clips[0].name.startswith("SH010_video_01_v2")
    assert (back.clips[0].source_in, back.clips[0].source_out) == (15, 35)
    new = decode_frame(back.clips[0].media_path, back.clips[0].source_in)
    assert np.abs(decode_frame(p["files"]["SH010"], 5) - new).mean() < 4


def test_cli_table_and_json(cut_project, capsys):
    p = cut_project
    path = p["tmp"] / "cut.otio"
    otio.adapters.write_to_file(build_cut(p), str(path))
    vault_dir = str(p["tmp"] / "vault")
    assert main(["--vault", vault_dir, "cut", "check", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [c["status"] for c in data["clips"]] == ["outdated", "current", "outdated", "outdated"]
    assert main(["--vault", vault_dir, "cut", "check", str(path)]) == 0
    text = capsys.readouterr().out
    assert "SH010/video_01@v1" in text and "outdated" in text and "regraded" in text


# -- bad input ---------------------------------------------------------------


def test_a_file_that_is_no_timeline_is_told_so(cut_project, capsys):
    p = cut_project
    junk = p["tmp"] / "notes.txt"
    junk.write_text("call the grader tomorrow\n")
    with pytest.raises(InvalidInputError, match="is not a timeline takevault can read"):
        p["vault"].cut_check(junk)
    broken = p["tmp"] / "broken.xml"
    broken.write_text("<?xml version='1.0'?><xmeml version='4'><sequence><name>x</name>")
    with pytest.raises(InvalidInputError, match="looks like FCP 7 XML but OpenTimelineIO could not read it"):
        p["vault"].cut_check(broken)
    assert main(["--vault", str(p["tmp"] / "vault"), "cut", "check", str(junk)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "not a timeline" in err


def test_a_timeline_without_video_track_is_refused(cut_project):
    p = cut_project
    tl = otio.schema.Timeline(name="Sound only")
    tl.tracks.append(otio.schema.Track(name="A1", kind=otio.schema.TrackKind.Audio))
    path = p["tmp"] / "sound.otio"
    otio.adapters.write_to_file(tl, str(path))
    with pytest.raises(InvalidInputError, match="has no video track"):
        p["vault"].cut_check(path)


def test_out_that_would_overwrite_the_input_is_refused(cut_project):
    p = cut_project
    path = p["tmp"] / "cut.otio"
    otio.adapters.write_to_file(build_cut(p), str(path))
    before = path.read_bytes()
    with pytest.raises(InvalidInputError, match="is the timeline being checked"):
        p["vault"].cut_check(path, write=p["tmp"] / "." / "cut.otio")
    link = p["tmp"] / "link.otio"
    link.symlink_to(path)
    with pytest.raises(InvalidInputError, match="is the timeline being checked"):
        p["vault"].cut_check(path, write=link)
    with pytest.raises(InvalidInputError, match=r"Cannot tell which timeline format to write from fixed\.txt"):
        p["vault"].cut_check(path, write=p["tmp"] / "fixed.txt")
    assert not (p["tmp"] / "fixed.txt").exists()
    assert path.read_bytes() == before
    assert p["vault"].cut_checks(path) == []


def test_unknown_media_and_a_deleted_version_are_reasons_per_clip(cut_project):
    p = cut_project
    stranger = make_clip(p["tmp"] / "edit" / "stock_footage.mp4", V1, scenes=((0, 99),))
    tl = build_cut(p)
    clip = tl.tracks[0][3]
    clip.media_reference = otio.schema.ExternalReference(target_url=stranger.as_uri())
    clip.name = "stock_footage"
    path = p["tmp"] / "cut.otio"
    otio.adapters.write_to_file(tl, str(path))
    p["vault"].delete("SH020/video_01")
    report = p["vault"].cut_check(path)
    deleted, unknown = report.clips[1], report.clips[3]
    assert (deleted.ref, deleted.how, deleted.status) == ("SH020/video_01@v1", "sha256", "shot has no pick")
    assert "SH020/video_01 was deleted since this cut was made" in deleted.notes
    assert unknown.status == "not in vault" and unknown.ref is None
    assert "matches no version in the vault" in unknown.notes[-1]


# -- watch -------------------------------------------------------------------


def test_watch_rechecks_a_timeline_each_time_it_is_saved_over(cut_project):
    import os
    import threading
    import time

    p = cut_project
    folder = p["tmp"] / "cuts"
    folder.mkdir()
    path = folder / "reel1.otio"
    tl = build_cut(p)
    otio.adapters.write_to_file(tl, str(path))
    (folder / "~reel1.otio").write_text("autosave")  # an editor's backup is not a timeline to check
    (folder / "half.xml").write_text("<?xml version='1.0'?><xmeml version='4'><sequence>")
    old = time.time() - 5
    os.utime(path, (old, old))
    os.utime(folder / "half.xml", (old, old))
    seen: list = []
    stop = threading.Event()

    def on_check(result) -> None:
        seen.append(result)
        if len(seen) == 2:
            # The editor saves again: one clip extended.
            clip = list(tl.find_clips())[1]
            clip.source_range = otio.opentime.TimeRange(
                otio.opentime.RationalTime(3, 24), otio.opentime.RationalTime(25, 24)
            )
            otio.adapters.write_to_file(tl, str(path))
            os.utime(path, (time.time() - 5, time.time() - 5))
        if len(seen) == 3:
            stop.set()

    worker = threading.Thread(
        target=p["vault"].cut_watch,
        args=(folder,),
        kwargs={"stop_event": stop, "settle_seconds": 0.2, "poll_seconds": 0.05, "on_check": on_check},
    )
    worker.start()
    worker.join(60)
    assert not worker.is_alive()
    stop.set()
    assert [r.path.name for r in seen] == ["half.xml", "reel1.otio", "reel1.otio"]
    assert "looks like FCP 7 XML" in seen[0].error
    assert [c.cut_change for c in seen[2].report.clips] == ["no change", "extended", "no change", "no change"]
    assert len(p["vault"].latest_cut_checks()) == 1


def test_cli_watch_once_checks_what_is_there(cut_project, capsys):
    import os
    import time

    p = cut_project
    folder = p["tmp"] / "cuts"
    folder.mkdir()
    path = folder / "reel1.otio"
    otio.adapters.write_to_file(build_cut(p), str(path))
    os.utime(path, (time.time() - 5, time.time() - 5))
    code = main(["--vault", str(p["tmp"] / "vault"), "cut", "watch", str(folder), "--once", "--settle", "0.1"])
    assert code == 0
    assert "reel1.otio: 1 current, 3 outdated" in capsys.readouterr().err
    assert main(["--vault", str(p["tmp"] / "vault"), "cut", "watch", str(p["tmp"] / "nowhere"), "--once"]) == 3


@pytest.mark.parametrize(("suffix", "how"), [(".otio", "metadata"), (".edl", "sha256"), (".xml", "sha256")])
def test_timelines_takevault_exported_are_checked_as_current(cut_project, suffix, how):
    p = cut_project
    path = p["tmp"] / "handoff" / f"starred{suffix}"
    p["vault"].export_timeline(path)
    report = p["vault"].cut_check(path, rate=Fraction(24))
    assert [(c.ref, c.status, c.how) for c in report.clips] == [
        ("SH010/video_01@v2", "current", how),
        ("SH020/video_01@v1", "current", how),
        ("SH030/video_02@v1", "current", how),
    ]


def test_a_version_that_no_longer_holds_the_used_frames_keeps_the_clip_and_flags_it(cut_project):
    p = cut_project
    # v3 of SH010 is v1 with its first 12 frames trimmed: the cut uses v1's frames 5..24.
    with av.open(str(p["files"]["SH010"])) as inp:
        frames = [f.to_ndarray(format="rgb24") for f in inp.decode(video=0)][12:]
    trimmed = p["tmp"] / "src" / "sh010_v3.mp4"
    with av.open(str(trimmed), mode="w") as out:
        stream = out.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for img in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    p["vault"].replace(p["sh010"].ref, trimmed)
    path = p["tmp"] / "cut.otio"
    otio.adapters.write_to_file(build_cut(p), str(path))
    report = p["vault"].cut_check(path, write=p["tmp"] / "fixed.otio")
    first = report.clips[0]
    assert first.status == "outdated" and first.pick == "SH010/video_01@v3"
    assert first.changed == "v3 trimmed 12 frames at head"
    assert first.written == "kept on v1: video_01 v3 no longer holds all the used frames"
    back = read_cut(p["tmp"] / "fixed.otio")
    assert back.clips[0].name == "SH010_video_01_v1" and back.clips[0].source_in == 5
    # The clip using v1's frames 30..35 is still held by v3, 12 frames earlier.
    assert (back.clips[3].source_in, back.clips[3].source_out) == (18, 24)


def test_pictures_tell_the_version_used_from_a_regraded_one(cut_project):
    """A transcode of SH010 v1 inside the range v2 regraded: v2 holds the same frames, other colours."""
    p = cut_project
    proxy = transcode(
        p["files"]["SH010"], p["tmp"] / "edit" / "grade_proxy.mov", codec="mpeg4", size=(80, 60), rate=FPS
    )
    tl = otio.schema.Timeline(name="Grade check", global_start_time=otio.opentime.RationalTime(0, 24))
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    tl.tracks.append(track)
    track.append(
        otio.schema.Clip(
            name="grade_proxy",
            media_reference=otio.schema.ExternalReference(target_url=proxy.as_uri()),
            source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(10, 24), otio.opentime.RationalTime(8, 24)),
        )
    )
    path = p["tmp"] / "grade.otio"
    otio.adapters.write_to_file(tl, str(path))
    (clip,) = p["vault"].cut_check(path).clips
    assert (clip.ref, clip.how, clip.offset, clip.status) == ("SH010/video_01@v1", "pictures", 10, "outdated")
    assert clip.pick == "SH010/video_01@v2"


def test_metadata_naming_a_purged_take_without_media_is_not_in_vault(cut_project):
    p = cut_project
    tl = otio.schema.Timeline(name="Old cut", global_start_time=otio.opentime.RationalTime(0, 24))
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    tl.tracks.append(track)
    clip = otio.schema.Clip(
        name="old_render",
        media_reference=otio.schema.MissingReference(),
        source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, 24), otio.opentime.RationalTime(8, 24)),
    )
    clip.metadata["takevault"] = {
        "take_id": "00000000-0000-4000-8000-000000000000",
        "version": 3,
        "ref": "SH090/video_01@v3",
    }
    track.append(clip)
    path = p["tmp"] / "old.otio"
    otio.adapters.write_to_file(tl, str(path))
    (result,) = p["vault"].cut_check(path).clips
    assert result.status == "not in vault"
    assert "names SH090/video_01@v3, which the vault no longer has (purged)" in " ".join(result.notes)
    # With its media there, the bytes still tell the version; the stale metadata is noted.
    clip.media_reference = otio.schema.ExternalReference(target_url=p["renamed"].as_uri())
    otio.adapters.write_to_file(tl, str(path))
    (result,) = p["vault"].cut_check(path).clips
    assert (result.ref, result.how, result.status) == ("SH020/video_01@v1", "sha256", "current")
    assert "its takevault metadata names SH090/video_01@v3, which the vault no longer has" in result.notes


@pytest.mark.postgres
def test_check_history_on_postgresql(request, tmp_path):
    from tests.vault.takes_helpers import make_vault, snapshot

    with make_vault(request, tmp_path / "vault", "postgres") as v:
        v.add_shot("SH010")
        take = v.add(make_clip(tmp_path / "v1.mp4", V1), shot="SH010")
        v.star(take.ref)
        timeline = tmp_path / "handoff.otio"
        v.export_timeline(timeline)
        first = v.cut_check(timeline)
        assert [(c.how, c.status, c.cut_change) for c in first.clips] == [("metadata", "current", "new")]
        before = snapshot(v)
        with pytest.raises(InvalidInputError):
            v.cut_check(timeline, write=timeline)
        assert snapshot(v) == before
        second = v.cut_check(timeline)
        assert second.clips[0].cut_change == "no change"
        history = v.cut_checks(timeline)
        assert len(history) == 2 and v.latest_cut_checks()[0]["id"] == history[-1]["id"]
        assert history[-1]["clips"][0]["ref"] == "SH010/video_01@v1"


def test_a_used_range_late_in_the_media_is_found_after_a_seek(cut_project):
    p = cut_project
    proxy = transcode(p["files"]["SH020"], p["tmp"] / "edit" / "late.mp4", codec="libx264", size=(64, 48), rate=FPS)
    tl = otio.schema.Timeline(name="Late", global_start_time=otio.opentime.RationalTime(0, 24))
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    tl.tracks.append(track)
    track.append(
        otio.schema.Clip(
            name="late",
            media_reference=otio.schema.ExternalReference(target_url=proxy.as_uri()),
            source_range=otio.opentime.TimeRange(
                otio.opentime.RationalTime(20, 24), otio.opentime.RationalTime(15, 24)
            ),
        )
    )
    path = p["tmp"] / "late.otio"
    otio.adapters.write_to_file(tl, str(path))
    (clip,) = p["vault"].cut_check(path).clips
    assert (clip.ref, clip.how, clip.offset, clip.status) == ("SH020/video_01@v1", "pictures", 20, "current")


def test_media_that_cannot_be_decoded_or_holds_no_used_frames_is_said_per_clip(cut_project):
    p = cut_project
    broken = p["tmp"] / "edit" / "A009C003.mov"
    broken.write_bytes(b"not a movie at all" * 100)
    tl = build_cut(p)
    track = tl.tracks[0]
    track[1].media_reference = otio.schema.ExternalReference(target_url=broken.as_uri())
    track[1].name = "A009C003"
    # Clip 3 uses frames past the end of its (41-frame) media.
    track[2].source_range = otio.opentime.TimeRange(
        otio.opentime.RationalTime(100, 25), otio.opentime.RationalTime(10, 25)
    )
    path = p["tmp"] / "cut.otio"
    otio.adapters.write_to_file(tl, str(path))
    report = p["vault"].cut_check(path)
    assert report.clips[1].status == "not in vault"
    assert report.clips[1].notes[-1].startswith("its media cannot be decoded (A009C003.mov is not a video")
    assert report.clips[2].status == "not in vault"
    assert report.clips[2].notes[-1] == "its media has no frames in the used range (100-109)"
