"""Reading AIMMS projects: pairing by stem, stars, order, and every kind of bad row listed, not fatal."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from takevault.editorial.aimms import read_project
from takevault.errors import InvalidInputError
from tests.editorial.aimms_fixture import build_project


@pytest.fixture(scope="module")
def aimms(tmp_path_factory: pytest.TempPathFactory):
    return build_project(tmp_path_factory.mktemp("aimms") / "proj")


def test_reads_shots_in_order_and_pairs_videos_with_pngs(aimms):
    project = read_project(aimms.root)
    assert [s.shot_name for s in project.shots] == ["SH010", "SH020", "SH030"]
    assert [s.section for s in project.shots] == ["Act 1 - Road", "Act 1 - Road", "Act 2 - Inn"]
    assert [(t.shot_id, t.stem) for t in project.takes] == [
        (1, "video_01"),
        (1, "video_02"),
        (2, "video_01"),
        (3, "video_01"),
    ]
    assert all(t.png is not None and t.png.name == f"{t.stem}.png" for t in project.takes)
    assert [t.stem for t in project.takes if t.starred] == ["video_02", "video_01"]
    assert project.meta["project_name"] == "The Highwayman"
    assert project.schema_version == "1"
    assert project.problems == []
    assert project.extra_tables["assets"][0]["asset_name"] == "Rider"


def _copy(aimms, tmp_path: Path) -> Path:
    import shutil

    dest = tmp_path / "copy"
    shutil.copytree(aimms.root, dest)
    return dest


def test_missing_files_and_odd_rows_are_listed_and_the_rest_imported(aimms, tmp_path):
    root = _copy(aimms, tmp_path)
    (root / "media/1/video_01.mp4").unlink()  # a row pointing at a missing video
    (root / "media/2/video_01.png").unlink()  # a missing workflow PNG: video still imported
    conn = sqlite3.connect(root / "data/shots.db")
    conn.execute("INSERT INTO takes VALUES ('x1', 42, 'final_video', 'media/42/video_01.mp4', 0, NULL)")
    conn.execute("INSERT INTO takes VALUES ('x2', 3, 'image', 'media/3/image_01.png', 0, NULL)")
    conn.execute("UPDATE takes SET starred = 1 WHERE take_id = 't0v'")
    conn.commit()
    conn.close()
    project = read_project(root)
    assert [(t.shot_id, t.stem) for t in project.takes] == [(1, "video_02"), (2, "video_01"), (3, "video_01")]
    assert project.takes[1].png is None
    text = "\n".join(project.problems)
    assert "t0v" in text and "video file is missing" in text
    assert "shot id 42" in text
    assert "'image'" in text
    assert "workflow PNG is missing" in text
    # the workflow row of the missing video has nothing to pair with
    assert "no final_video named video_01" in text
    assert len(project.problems) == 5


def test_two_stars_in_one_shot_keep_the_newest(aimms, tmp_path):
    root = _copy(aimms, tmp_path)
    conn = sqlite3.connect(root / "data/shots.db")
    conn.execute("UPDATE takes SET starred = 1 WHERE take_id = 't0v'")
    conn.commit()
    conn.close()
    project = read_project(root)
    assert [t.stem for t in project.takes_of(1) if t.starred] == ["video_02"]
    assert any("2 starred takes" in p for p in project.problems)


def test_another_schema_version_with_the_needed_columns_imports_with_a_warning(aimms, tmp_path):
    root = _copy(aimms, tmp_path)
    conn = sqlite3.connect(root / "data/shots.db")
    conn.execute("UPDATE meta SET value = '2.0' WHERE key = 'schema_version'")
    conn.execute("ALTER TABLE shots ADD COLUMN camera TEXT")
    conn.commit()
    conn.close()
    project = read_project(root)
    assert len(project.takes) == 4
    assert any("schema version 2.0" in p for p in project.problems)


def test_a_schema_without_the_needed_columns_is_refused_with_what_is_missing(tmp_path):
    root = tmp_path / "old"
    (root / "data").mkdir(parents=True)
    conn = sqlite3.connect(root / "data/shots.db")
    conn.execute("CREATE TABLE shots (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("CREATE TABLE meta (key TEXT, value TEXT)")
    conn.execute("INSERT INTO meta VALUES ('schema_version', '0.3')")
    conn.commit()
    conn.close()
    with pytest.raises(InvalidInputError, match=r"schema version 0\.3.*shots\.shot_id.*table takes"):
        read_project(root)


def test_not_a_project_and_not_a_database(tmp_path):
    with pytest.raises(InvalidInputError, match="not a folder"):
        read_project(tmp_path / "nope")
    with pytest.raises(InvalidInputError, match="not an AIMMS project"):
        read_project(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data/shots.db").write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(InvalidInputError, match="not an SQLite database"):
        read_project(tmp_path)
