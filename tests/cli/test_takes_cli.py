"""The take commands end to end through `takevault.cli.app.main`, as a user types them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from takevault.vault.refs import parse_ref


def test_a_session_from_shots_to_fetching_old_versions(cli, clips: dict[str, Path], tmp_path: Path) -> None:
    assert cli("section", "add", "SEQ01", "--name", "Opening")[0] == 0
    assert cli("shot", "add", "SH010", "--section", "SEQ01")[0] == 0
    code, out, err = cli("add", str(clips["a"]), str(clips["b"]), "--shot", "SH010", "--note", "wide")
    assert code == 0 and "Added SEQ01/SH010/video_01" in err and "Added SEQ01/SH010/video_02" in err
    assert cli("replace", "SH010/video_01", str(clips["c"]))[0] == 0
    assert cli("star", "SH010/video_01")[0] == 0
    assert cli("set", "SH010/video_01", "--rating", "4", "--tag", "hero", "--status", "review")[0] == 0
    assert cli("link", "SH010/video_02", "SH010/video_01", "--kind", "alternate")[0] == 0

    code, out, _ = cli("takes", "--json")
    takes = json.loads(out)
    assert [t["ref"] for t in takes] == ["SEQ01/SH010/video_01", "SEQ01/SH010/video_02"]
    first = takes[0]
    assert first["starred"] and first["version"] == 2 and first["versions"] == 2 and first["rating"] == 4
    assert first["media"]["fps"] == "24000/1001" and first["tags"] == ["hero"]
    assert json.loads(cli("takes", "--starred", "--json")[1])[0]["ref"] == "SEQ01/SH010/video_01"
    assert json.loads(cli("takes", "--min-rating", "5", "--json")[1]) == []

    code, out, _ = cli("takes")
    assert out.splitlines()[0].split("\t")[:3] == ["take", "star", "kind"]  # plain table when piped

    history = json.loads(cli("history", "SH010/video_01", "--json")[1])
    assert [v["version"] for v in history] == [2, 1]
    for key in ("version", "version_id", "key", "sha256", "size", "created_at", "created_by", "is_current"):
        assert key in history[0]
    assert history[0]["is_current"] and not history[1]["is_current"]

    out_file = tmp_path / "v1.mp4"
    code, _, err = cli("get", "SH010/video_01@v1", "-o", str(out_file))
    assert code == 0 and out_file.read_bytes() == clips["a"].read_bytes()
    assert cli("revert", "SH010/video_01", "--to", "v1")[0] == 0
    assert json.loads(cli("show", "SH010/video_01", "--json")[1])["version"] == 3

    assert cli("delete", "SH010/video_02", "--yes")[0] == 0
    assert json.loads(cli("takes", "--deleted", "--json")[1])[0]["deleted"] is True
    assert cli("restore", "SH010/video_02")[0] == 0
    assert cli("purge", "SH010/video_02", "--yes")[0] == 0
    assert cli("unstar", "SH010")[0] == 0
    shots = json.loads(cli("shot", "list", "--json")[1])
    assert shots[0]["code"] == "SH010" and shots[0]["starred_take_id"] is None
    events = json.loads(cli("log", "--json")[1])
    assert [e["action"] for e in events][-3:] == ["restore", "purge", "unstar"]
    fsck = json.loads(cli("fsck", "--json")[1])
    assert fsck["ok"] is True and fsck["checked_versions"] == 3


def test_import_prints_a_closing_table_and_fails_when_a_file_failed(cli, clips: dict[str, Path], tmp_path) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "SH010_take1.mp4").write_bytes(clips["a"].read_bytes())
    (drop / "SH020_bad.mp4").write_text("text")
    code, out, err = cli("import", str(drop), "--create-shots", "--json")
    report = json.loads(out)
    assert code != 0 and (report["added"], report["failed"]) == (1, 1)
    assert err.startswith("error: 1 file(s) could not be imported")
    code, out, err = cli("import", str(drop / "SH010_take1.mp4"))
    assert code == 0 and "skipped" in out and "same bytes as SH010/video_01" in out


@pytest.mark.parametrize(
    ("args", "code", "text"),
    [
        (("add", "{text}", "--shot", "SH010"), 2, "is not a video PyAV can decode"),
        (("add", "{clip}", "--shot", "SH999"), 3, "Shot SH999 does not exist"),
        (("show", "SH010-video_01"), 2, "is not a take reference"),
        (("show", "SH010/video_09"), 3, "has no take video_09"),
        (("get", "SH010/video_01@v5", "-o", "{tmp}/x.mp4"), 3, "has no version v5"),
        (("delete", "SH010/video_01"), 2, "add --yes to confirm"),
        (("purge", "SH010/video_01"), 2, "add --yes to confirm"),
        (("set", "SH010/video_01", "--rating", "7"), 2, "out of range"),
        (("revert", "SH010/video_01", "--to", "vx"), 2, "is not a version"),
        (("restore", "SH010/video_01"), 4, "is not deleted"),
        (("shot", "add", "SH010"), 4, "already exists"),
        (("import", "{tmp}/nowhere"), 2, "does not exist"),
    ],
)
def test_bad_input_gives_one_sentence_and_a_non_zero_exit(cli, clips, tmp_path, args, code, text) -> None:
    from takevault.vault import Vault
    from tests.vault.takes_helpers import snapshot

    cli("shot", "add", "SH010")
    cli("add", str(clips["a"]), "--shot", "SH010")
    bad = tmp_path / "text.mp4"
    bad.write_text("hello")
    with Vault.open(cli.root) as vault:
        before = snapshot(vault)
    filled = [a.format(text=bad, clip=clips["a"], tmp=tmp_path) for a in args]
    got, out, err = cli(*filled)
    assert got == code, err
    assert text in err and err.startswith("error: ") and len(err.strip().splitlines()) == 1
    assert out == ""
    with Vault.open(cli.root) as vault:
        assert snapshot(vault) == before


def test_console_script_second_init_fails_cleanly(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    cmd = [sys.executable, "-m", "takevault", "init", str(tmp_path / "v")]
    assert subprocess.run(cmd, capture_output=True, text=True, env=env, check=False).returncode == 0
    again = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    assert again.returncode == 2 and "already a takevault vault" in again.stderr and "Traceback" not in again.stderr


def test_refs_parse_every_documented_form() -> None:
    assert parse_ref("SH010/video_03").number == 3
    full = parse_ref("SEQ01/SH010/video_03@v2")
    assert (full.section, full.shot, full.number, full.version) == ("SEQ01", "SH010", 3, 2)
    uid = parse_ref("0B7D3F9E-8A53-4A51-9D1E-2C5A3F3B8D11@v4")
    assert uid.take_id == "0b7d3f9e-8a53-4a51-9d1e-2c5a3f3b8d11" and uid.version == 4


def test_listings_show_each_versions_workflow_png_status(cli, clips: dict[str, Path]) -> None:
    assert cli("shot", "add", "SH010")[0] == 0
    assert cli("add", str(clips["a"]), "--shot", "SH010")[0] == 0
    assert cli("replace", "SH010/video_01", str(clips["b"]))[0] == 0
    header, row = cli("takes")[1].splitlines()
    assert dict(zip(header.split("\t"), row.split("\t"), strict=True))["png"] == "thumbnail_only"
    header, *rows = cli("history", "SH010/video_01")[1].splitlines()
    column = header.split("\t").index("png")
    assert [r.split("\t")[column] for r in rows] == ["thumbnail_only", "thumbnail_only"]
