"""`takevault export`, `watch`, `import-aimms`, `export-aimms` through the real CLI entry point."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from takevault.cli.app import main
from takevault.editorial.timeline import exact_rate, read_timeline
from tests.clips import make_clip
from tests.editorial.aimms_fixture import build_project

NTSC = Fraction(24000, 1001)


@pytest.fixture
def vault_dir(local_vault, tmp_path):
    v = local_vault
    v.add_section("SEQ01")
    v.add_shot("SH010", section="SEQ01")
    v.add_shot("SH020", section="SEQ01")
    take = v.add(make_clip(tmp_path / "a.mp4", frames=24, fps=NTSC), shot="SEQ01/SH010")
    v.star(take.ref)
    return v.root


def run(vault_dir, *args):
    return main(["--vault", str(vault_dir), *args])


def test_export_to_folder_json(vault_dir, tmp_path, capsys):
    assert run(vault_dir, "export", "--to", str(tmp_path / "out"), "--starred", "--json") == 0
    out = capsys.readouterr()
    data = json.loads(out.out)
    assert [f["file"] for f in data["files"]] == ["SEQ01/SH010_video_01_v1.mp4"]
    assert data["shots_without_starred_take"] == [{"section": "SEQ01", "shot": "SH020"}]
    assert "SEQ01/SH020" in out.err
    assert (tmp_path / "out/manifest.csv").is_file()


def test_export_to_folder_table(vault_dir, tmp_path, capsys):
    assert run(vault_dir, "export", "--to", str(tmp_path / "out")) == 0
    out = capsys.readouterr().out
    assert "SEQ01/SH010_video_01_v1.mp4" in out and "copied" in out


@pytest.mark.parametrize(("flag", "name"), [("--otio", "cut.otio"), ("--edl", "cut.edl"), ("--fcpxml", "cut.xml")])
def test_export_timelines(vault_dir, tmp_path, capsys, flag, name):
    assert run(vault_dir, "export", flag, str(tmp_path / name), "--starred") == 0
    clips = list(read_timeline(tmp_path / name, rate=NTSC).find_clips())
    assert [(c.name, c.source_range.duration.value) for c in clips] == [("SH010_video_01_v1", 24)]
    assert exact_rate(clips[0].source_range.duration.rate) == NTSC
    assert "SEQ01/SH020" in capsys.readouterr().err


def test_export_timeline_as_of_and_media_dir(vault_dir, tmp_path, capsys):
    assert run(vault_dir, "export", "--otio", str(tmp_path / "c.otio"), "--to", str(tmp_path / "m"), "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["media_dir"] == str((tmp_path / "m").resolve())
    assert run(vault_dir, "export", "--otio", str(tmp_path / "old.otio"), "--as-of", "2001-01-01") == 3
    err = capsys.readouterr().err
    assert "SEQ01/SH010, SEQ01/SH020 had none then" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["export"], 2, "Say where to export"),
        (["export", "--otio", "a.otio", "--edl", "a.edl"], 2, "one of --otio"),
        (["export", "--to", "x", "--presign"], 2, "--presign is for timelines"),
        (["export", "--otio", "a.otio", "--kind", "raw"], 2, "--shot or --section"),
        (["export", "--to", "x", "--as-of", "last tuesday"], 2, "ISO 8601"),
        (["export", "--otio", "a.otio", "--presign"], 2, "local folder"),
        (["export", "--to", "x", "--shot", "SH999"], 3, "SH999"),
        (["export", "--to", "a.otio/x"], 2, "is a file"),
        (["watch", "no-such-folder", "--once"], 3, "does not exist"),
        (["watch", ".", "--once", "--map", "{section}"], 2, "no shot part"),
        (["import-aimms", "."], 2, "not an AIMMS project"),
    ],
)
def test_bad_input(vault_dir, tmp_path, capsys, monkeypatch, args, code, words):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.otio").write_text("not a folder")
    assert run(vault_dir, *args) == code
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_export_aimms_into_a_non_empty_folder(vault_dir, tmp_path, capsys):
    (tmp_path / "full").mkdir()
    (tmp_path / "full/x").write_text("x")
    assert run(vault_dir, "export-aimms", str(tmp_path / "full")) == 2
    assert "not an empty folder" in capsys.readouterr().err


def test_watch_once_ingests(vault_dir, tmp_path, capsys):
    folder = tmp_path / "renders"
    make_clip(folder / "SH020_00001.mp4", frames=6, scenes=((0, 9),))
    assert run(vault_dir, "watch", str(folder), "--once", "--settle", "0", "--json") == 0
    out = capsys.readouterr()
    data = json.loads(out.out)
    assert [d["action"] for d in data["decisions"]] == ["ingested"]
    assert "SEQ01/SH020/video_01" in out.err


def test_aimms_import_and_export(tmp_path, capsys):
    from takevault.vault import Vault

    Vault.init(tmp_path / "v").close()
    project = build_project(tmp_path / "aimms", frames=6)
    assert main(["--vault", str(tmp_path / "v"), "import-aimms", str(project.root), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["takes_added"]) == 4 and len(data["starred"]) == 2
    assert main(["--vault", str(tmp_path / "v"), "export-aimms", str(tmp_path / "back")]) == 0
    out = capsys.readouterr().out
    assert "takes" in out and (tmp_path / "back/data/shots.db").is_file()
