"""Export of a real project: files, manifests, timelines read back with OTIO, star history, bad input."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import stat
import time
from datetime import UTC, datetime

import pytest

from takevault.editorial.timeline import exact_rate, read_timeline
from takevault.errors import InvalidInputError, NotFoundError
from takevault.vault import editorial
from tests.editorial.conftest import NTSC


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_starred_export_copies_verified_files_and_pins_them_in_manifests(project, tmp_path):
    v = project.vault
    report = v.export_folder(tmp_path / "out", starred=True)
    files = sorted(f.file for f in report.files)
    assert files == ["SEQ01/SH010_video_02_v1.mp4", "SEQ02/SH030_video_01_v1.mov"]
    assert _sha(tmp_path / "out/SEQ01/SH010_video_02_v1.mp4") == _sha(project.clips["a2"])
    assert (tmp_path / "out/SEQ01/SH010_video_02_v1.png").is_file()
    assert report.shots_without_star == [("SEQ01", "SH020")]
    manifest = json.loads((tmp_path / "out/manifest.json").read_text())
    entry = manifest["files"][0]
    take = v.take(project.refs["a2"])
    assert entry["take_id"] == take.id and entry["version"] == 1
    assert entry["store_key"] == take.current.key and entry["store_version_id"] == take.current.version_id
    assert entry["sha256"] == take.current.sha256 and entry["size"] == take.current.size
    assert entry["png"]["sha256"] == _sha(tmp_path / "out/SEQ01/SH010_video_02_v1.png")
    assert manifest["shots_without_starred_take"] == [{"section": "SEQ01", "shot": "SH020"}]
    with (tmp_path / "out/manifest.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert [r["status"] for r in rows] == ["exported", "exported", "no_starred_take"]
    assert rows[0]["store_version_id"] == take.current.version_id and rows[2]["shot"] == "SH020"
    # a second run keeps identical files instead of copying them again
    again = v.export_folder(tmp_path / "out", starred=True)
    assert all(f.reused for f in again.files)


def test_unstarred_export_with_filters(project, tmp_path):
    report = project.vault.export_folder(tmp_path / "all", starred=False, section="SEQ01")
    assert [f.item.ref for f in report.files] == [
        "SEQ01/SH010/video_01@v1",
        "SEQ01/SH010/video_02@v1",
        "SEQ01/SH020/video_01@v1",
    ]
    assert report.shots_without_star == []


def test_export_detects_bytes_that_do_not_match_the_catalog(project, tmp_path):
    v = project.vault
    take = v.take(project.refs["c1"])
    blob = v.store.blob_path(take.current.key, take.current.version_id)
    blob.chmod(0o644)
    with blob.open("r+b") as f:
        f.seek(100)
        f.write(b"\x00\x01\x02\x03")
    from takevault.errors import ChecksumMismatchError

    with pytest.raises(ChecksumMismatchError):
        v.export_folder(tmp_path / "bad", starred=True, shot="SEQ02/SH030")
    assert not (tmp_path / "bad/SEQ02/SH030_video_01_v1.mov").exists()


@pytest.mark.parametrize(("fmt", "name"), [("otio", "cut.otio"), ("edl", "cut.edl"), ("fcpxml", "cut.xml")])
def test_timeline_of_starred_takes_reads_back_exactly(project, tmp_path, fmt, name):
    v = project.vault
    v.star(project.refs["b1"])
    report = v.export_timeline(tmp_path / name, fmt=fmt)
    back = read_timeline(tmp_path / name, rate=NTSC)
    clips = list(back.find_clips())
    assert [c.name for c in clips] == ["SH010_video_02_v1", "SH020_video_01_v1", "SH030_video_01_v1"]
    assert [c.source_range.duration.value for c in clips] == [30, 18, 12]
    assert all(exact_rate(c.source_range.duration.rate) == NTSC for c in clips)
    assert [c.range_in_parent().start_time.value for c in clips] == [0, 30, 48]
    media = tmp_path / f"{name.split('.')[0]}_media"
    assert clips[0].media_reference.target_url == (media / "SEQ01/SH010_video_02_v1.mp4").resolve().as_uri()
    assert _sha(media / "SEQ01/SH010_video_02_v1.mp4") == _sha(project.clips["a2"])
    if fmt == "otio":
        meta = clips[1].metadata["takevault"]
        take = v.take(project.refs["b1"])
        assert meta["take_id"] == take.id and meta["version"] == 1 and meta["sha256"] == take.current.sha256
        assert meta["fps"] == "24000/1001"
    assert report.shots_without_star == []


def test_timeline_with_some_shots_unstarred_warns_and_with_none_refuses(project, tmp_path):
    v = project.vault
    report = v.export_timeline(tmp_path / "cut.otio")
    assert any("SEQ01/SH020" in w for w in report.warnings)
    assert len(list(read_timeline(tmp_path / "cut.otio").find_clips())) == 2
    v.unstar("SEQ01/SH010")
    v.unstar("SEQ02/SH030")
    with pytest.raises(NotFoundError, match=r"SEQ01/SH010, SEQ01/SH020, SEQ02/SH030 (lack one|had none then)"):
        v.export_timeline(tmp_path / "none.otio")
    assert not (tmp_path / "none.otio").exists()


def test_as_of_gives_the_versions_starred_then(project, tmp_path):
    v = project.vault
    time.sleep(0.02)
    before = datetime.now(UTC)
    time.sleep(0.02)
    v.replace(project.refs["a2"], project.clips["a1v2"])  # the starred take gets a v2
    v.star(project.refs["a1"])  # and the star moves to another take
    v.star(project.refs["b1"])
    now = v.export_folder(tmp_path / "now", starred=True)
    assert [f.item.ref for f in now.files] == [
        "SEQ01/SH010/video_01@v1",
        "SEQ01/SH020/video_01@v1",
        "SEQ02/SH030/video_01@v1",
    ]
    then = v.export_folder(tmp_path / "then", starred=True, as_of=before)
    assert [f.item.ref for f in then.files] == ["SEQ01/SH010/video_02@v1", "SEQ02/SH030/video_01@v1"]
    assert _sha(tmp_path / "then/SEQ01/SH010_video_02_v1.mp4") == _sha(project.clips["a2"])
    assert then.shots_without_star == [("SEQ01", "SH020")]
    assert json.loads((tmp_path / "then/manifest.json").read_text())["as_of"] == before.isoformat()
    tl = v.export_timeline(tmp_path / "then.otio", as_of=before)
    assert [c["ref"] for c in tl.clips] == ["SEQ01/SH010/video_02@v1", "SEQ02/SH030/video_01@v1"]
    # before anything was starred there is nothing to put on a timeline
    with pytest.raises(NotFoundError, match="No shot had a starred take at 2000-01-0") as info:
        v.export_timeline(tmp_path / "early.otio", as_of=datetime(2000, 1, 1, tzinfo=UTC))
    # a past moment cannot be fixed by starring now: the advice is a later moment, or now
    assert "had none then" in str(info.value) and "later --as-of" in str(info.value)
    assert "takevault star" not in str(info.value)


def test_bad_input(project, tmp_path):
    v = project.vault
    (tmp_path / "file").write_text("x")
    with pytest.raises(InvalidInputError, match="is a file"):
        v.export_folder(tmp_path / "file", starred=True)
    with pytest.raises(NotFoundError):
        v.export_folder(tmp_path / "x", shot="SH999")
    with pytest.raises(InvalidInputError, match="only --shot and --section"):
        v.export_folder(tmp_path / "x", as_of=datetime.now(UTC), kind="raw")
    with pytest.raises(InvalidInputError, match="local folder"):
        v.export_timeline(tmp_path / "cut.otio", presign=True)
    with pytest.raises(InvalidInputError, match=r"\.otio, \.edl or \.xml"):
        v.export_timeline(tmp_path / "cut.mov")


def test_a_deleted_starred_take_leaves_its_shot_listed(project, tmp_path):
    v = project.vault
    v.delete(project.refs["c1"])
    report = v.export_folder(tmp_path / "out", starred=True)
    assert [f.item.ref for f in report.files] == ["SEQ01/SH010/video_02@v1"]
    assert report.shots_without_star == [("SEQ01", "SH020"), ("SEQ02", "SH030")]


def test_exported_files_are_readable_by_the_editor(project, tmp_path):
    # The hand-off folder is often a share read by another user: files follow the umask, not 0600.
    v = project.vault
    v.export_folder(tmp_path / "out", starred=True)
    v.export_timeline(tmp_path / "cut.otio")
    mask = os.umask(0)
    os.umask(mask)
    expected = 0o666 & ~mask
    made = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    made += [p for p in (tmp_path / "cut_media").rglob("*") if p.is_file()]
    assert len(made) == 12  # two takes with PNGs and two manifests, twice
    assert {str(p): stat.S_IMODE(p.stat().st_mode) for p in made} == {str(p): expected for p in made}


def test_a_folder_holding_other_files_is_refused_and_left_alone(project, tmp_path):
    v = project.vault
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "manifest.json").write_text('{"mine": 1}')
    (busy / "notes.txt").write_text("x")
    with pytest.raises(InvalidInputError, match=r"holds other files \(manifest.json, notes.txt\)"):
        v.export_folder(busy, starred=True)
    assert sorted(p.name for p in busy.iterdir()) == ["manifest.json", "notes.txt"]
    assert (busy / "manifest.json").read_text() == '{"mine": 1}'
    (tmp_path / "cut_media").mkdir()
    (tmp_path / "cut_media" / "a.mov").write_text("x")
    with pytest.raises(InvalidInputError, match="holds other files"):
        v.export_timeline(tmp_path / "cut.otio")
    assert not (tmp_path / "cut.otio").exists()


def test_an_interrupted_export_is_finished_by_running_it_again(project, tmp_path, monkeypatch):
    v = project.vault
    real = editorial.fetch_blob
    calls = []

    def dying(vault, key, version_id, dest):
        calls.append(key)
        if len(calls) == 3:
            partial = dest.with_name(f".{dest.name}.x1y2.part")  # what a killed copy leaves
            partial.write_bytes(b"half")
            raise KeyboardInterrupt
        real(vault, key, version_id, dest)

    monkeypatch.setattr(editorial, "fetch_blob", dying)
    with pytest.raises(KeyboardInterrupt):
        v.export_folder(tmp_path / "out", starred=True)
    assert not (tmp_path / "out/manifest.json").exists()
    monkeypatch.undo()
    report = v.export_folder(tmp_path / "out", starred=True)
    assert [f.reused for f in report.files] == [True, False]
    left = sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert left == [
        "SEQ01/SH010_video_02_v1.mp4",
        "SEQ01/SH010_video_02_v1.png",
        "SEQ02/SH030_video_01_v1.mov",
        "SEQ02/SH030_video_01_v1.png",
        "manifest.csv",
        "manifest.json",
    ]


def test_a_starred_export_with_no_star_at_all_fails_and_makes_no_folder(project, tmp_path):
    v = project.vault
    with pytest.raises(NotFoundError, match=r"SEQ01/SH010, SEQ01/SH020, SEQ02/SH030 (lack one|had none then)"):
        v.export_folder(tmp_path / "early", as_of=datetime(2000, 1, 1, tzinfo=UTC))
    assert not (tmp_path / "early").exists()


def test_files_of_an_earlier_export_not_in_the_new_one_are_named(project, tmp_path):
    v = project.vault
    v.export_folder(tmp_path / "out", starred=True)
    v.star(project.refs["a1"])  # the editor's folder still holds video_02 of SH010
    report = v.export_folder(tmp_path / "out", starred=True)
    (warning,) = [w for w in report.warnings if "earlier export" in w]
    assert "SEQ01/SH010_video_02_v1.mp4, SEQ01/SH010_video_02_v1.png." in warning
    assert json.loads((tmp_path / "out/manifest.json").read_text())["warnings"] == report.warnings


def test_a_whole_project_export_reads_its_takes_batch_by_batch_in_edit_order(project, tmp_path, monkeypatch):
    # Batches of two split shots and sections: the files must still come in the order `select` gives.
    monkeypatch.setattr(editorial, "_READ_BATCH", 2)
    expected = [f"{t.ref}@v{v.number}" for t, v in editorial.select(project.vault, starred=False, as_of=None).picks]
    report = project.vault.export_folder(tmp_path / "all", starred=False)
    assert [f.item.ref for f in report.files] == expected
    assert len(expected) == 4 and report.warnings == []
    listed = json.loads((tmp_path / "all" / "manifest.json").read_text())["files"]
    assert [entry["ref"] for entry in listed] == expected


def test_a_whole_project_export_of_approved_versions_names_those_left_out(project, tmp_path, monkeypatch):
    monkeypatch.setattr(editorial, "_READ_BATCH", 3)
    v = project.vault
    v.set_approval(project.refs["a1"] + "@v1", "approved")
    v.set_approval(project.refs["c1"] + "@v1", "approved")
    v.set_approval(project.refs["b1"] + "@v1", "changes_requested")
    report = v.export_folder(tmp_path / "ok", starred=False, approved=True)
    assert [f.item.ref for f in report.files] == [project.refs["a1"] + "@v1", project.refs["c1"] + "@v1"]
    assert report.warnings == [f"Left out, not approved: {project.refs['a2']}@v1, {project.refs['b1']}@v1."]


def test_a_whole_project_export_with_nothing_approved_fails_and_makes_no_folder(project, tmp_path):
    with pytest.raises(NotFoundError, match="None of the chosen take versions is approved"):
        project.vault.export_folder(tmp_path / "none", starred=False, approved=True)
    assert not (tmp_path / "none").exists()
    with pytest.raises(NotFoundError, match="No take matches those filters"):
        project.vault.export_folder(tmp_path / "none", starred=False, approved=True, kind="final")
    assert not (tmp_path / "none").exists()
