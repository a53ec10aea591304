"""AIMMS project -> takevault -> AIMMS project: same shots, takes, stars, dates and media."""

from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest
from PIL import Image

from takevault.errors import InvalidInputError, NotFoundError
from tests.editorial.aimms_fixture import build_project, table_rows


@pytest.fixture(scope="module")
def aimms(tmp_path_factory: pytest.TempPathFactory):
    return build_project(tmp_path_factory.mktemp("aimms_rt") / "proj")


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_import_maps_sections_shots_takes_stars_and_pngs(local_vault, aimms):
    v = local_vault
    report = v.import_aimms(aimms.root)
    assert report.problems == [
        "1 asset rows (characters, locations, …) are kept for export-aimms, but their files are not takes and were "
        "not imported; keep the AIMMS media/ asset folders."
    ]
    assert report.sections_added == ["Act_1_-_Road", "Act_2_-_Inn"]
    assert [s.name for s in v.list_sections()] == ["Act 1 - Road", "Act 2 - Inn"]
    shots = v.list_shots()
    assert [(s.path, s.order, s.description) for s in shots] == [
        ("Act_1_-_Road/SH010", 1, "Moonlit road"),
        ("Act_1_-_Road/SH020", 2, "Rider arrives"),
        ("Act_2_-_Inn/SH030", 3, "The inn door"),
    ]
    assert report.takes_added == [
        "Act_1_-_Road/SH010/video_01",
        "Act_1_-_Road/SH010/video_02",
        "Act_1_-_Road/SH020/video_01",
        "Act_2_-_Inn/SH030/video_01",
    ]
    assert [t.ref for t in v.takes(starred=True)] == ["Act_1_-_Road/SH010/video_02", "Act_1_-_Road/SH020/video_01"]
    take = v.take("Act_1_-_Road/SH010/video_02")
    assert take.current.sha256 == _sha(aimms.root / "media/1/video_02.mp4")
    assert take.current.png is not None and take.current.png.status == "present"
    # importing again adds nothing twice
    again = v.import_aimms(aimms.root)
    assert again.takes_added == [] and sum("already in the vault" in p for p in again.problems) == 4


def test_round_trip_gives_back_the_same_project(local_vault, aimms, tmp_path):
    v = local_vault
    v.import_aimms(aimms.root)
    out = tmp_path / "back"
    report = v.export_aimms(out)
    assert (report.shots, report.takes, report.pngs) == (3, 4, 4)
    db = out / "data/shots.db"
    assert table_rows(db, "shots", "shot_id") == table_rows(aimms.db, "shots", "shot_id")
    assert table_rows(db, "takes", "take_id") == table_rows(aimms.db, "takes", "take_id")
    assert table_rows(db, "meta", "key") == table_rows(aimms.db, "meta", "key")
    assert table_rows(db, "assets", "id_key") == table_rows(aimms.db, "assets", "id_key")
    assert table_rows(db, "deleted_shots", "id") == table_rows(aimms.db, "deleted_shots", "id")
    for video in sorted((aimms.root / "media").rglob("*.mp4")):
        rel = video.relative_to(aimms.root)
        assert _sha(out / rel) == _sha(video), rel
    for png in sorted((aimms.root / "media").rglob("*.png")):
        rel = png.relative_to(aimms.root)
        with Image.open(png) as a, Image.open(out / rel) as b:
            assert a.tobytes() == b.tobytes(), rel
            assert json.loads(b.text["workflow"]) == json.loads(a.text["workflow"])
            assert json.loads(b.text["prompt"]) == json.loads(a.text["prompt"])


def test_changes_made_in_takevault_reach_the_exported_project(local_vault, aimms, tmp_path, clip):
    v = local_vault
    v.import_aimms(aimms.root)
    v.star("Act_2_-_Inn/SH030/video_01")
    v.add_shot("SH040", section="Act_2_-_Inn", order=4)
    new = v.add(clip, shot="Act_2_-_Inn/SH040")
    v.export_aimms(tmp_path / "back")
    conn = sqlite3.connect(tmp_path / "back/data/shots.db")
    try:
        rows = conn.execute("SELECT shot_id, shot_name, section, order_number FROM shots ORDER BY shot_id").fetchall()
        starred = conn.execute("SELECT file_path FROM takes WHERE starred = 1 ORDER BY file_path").fetchall()
        new_rows = conn.execute("SELECT take_id, take_type, file_path FROM takes WHERE shot_id = 4").fetchall()
    finally:
        conn.close()
    assert rows[-1] == (4, "SH040", "Act 2 - Inn", 4)
    assert [r[0] for r in starred] == ["media/1/video_02.mp4", "media/2/video_01.mp4", "media/3/video_01.mp4"]
    assert sorted(new_rows) == [
        (new.id, "final_video", "media/4/video_01.mp4"),
        (f"{new.id}-workflow", "video_workflow", "media/4/video_01.png"),
    ]
    assert _sha(tmp_path / "back/media/4/video_01.mp4") == _sha(clip)


def test_import_lists_missing_files_and_imports_the_rest(local_vault, aimms, tmp_path):
    import shutil

    root = tmp_path / "broken"
    shutil.copytree(aimms.root, root)
    (root / "media/2/video_01.mp4").unlink()
    report = local_vault.import_aimms(root)
    assert len(report.takes_added) == 3
    assert any("media/2/video_01.mp4" in p and "missing" in p for p in report.problems)
    # the shot whose only starred take was missing has no star
    assert local_vault.shot("Act_1_-_Road/SH020").starred_take_id is None


def test_bad_input(local_vault, tmp_path):
    with pytest.raises(InvalidInputError, match="not an AIMMS project"):
        local_vault.import_aimms(tmp_path)
    with pytest.raises(NotFoundError, match="no shots"):
        local_vault.export_aimms(tmp_path / "empty")
    (tmp_path / "full").mkdir()
    (tmp_path / "full/x").write_text("x")
    with pytest.raises(InvalidInputError, match="not an empty folder"):
        local_vault.export_aimms(tmp_path / "full")


def test_a_shot_named_in_takevault_keeps_its_code_through_aimms(local_vault, aimms, tmp_path, clip):
    # AIMMS has one shot_name; writing "Night falls" would come back as shot Night_falls, not SH040.
    v = local_vault
    v.import_aimms(aimms.root)
    v.add_shot("SH040", section="Act_2_-_Inn", name="Night falls")
    v.add(clip, shot="Act_2_-_Inn/SH040")
    v.export_aimms(tmp_path / "back")
    conn = sqlite3.connect(tmp_path / "back/data/shots.db")
    try:
        names = [r[0] for r in conn.execute("SELECT shot_name FROM shots ORDER BY shot_id")]
    finally:
        conn.close()
    assert names == ["SH010", "SH020", "SH030", "SH040"]


def test_an_interrupted_export_leaves_no_half_project(local_vault, aimms, tmp_path, monkeypatch):
    from takevault.editorial import aimms_sync

    v = local_vault
    v.import_aimms(aimms.root)
    real = aimms_sync.place_file
    calls = []

    def dying(*args, **kwargs):
        calls.append(args)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(aimms_sync, "place_file", dying)
    (tmp_path / "empty").mkdir()
    for dest in (tmp_path / "new", tmp_path / "empty"):
        calls.clear()
        with pytest.raises(KeyboardInterrupt):
            v.export_aimms(dest)
    assert not (tmp_path / "new").exists()
    assert list((tmp_path / "empty").iterdir()) == []
    monkeypatch.undo()
    v.export_aimms(tmp_path / "empty")  # so running it again works
    assert (tmp_path / "empty/data/shots.db").is_file()
