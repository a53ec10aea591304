"""What the vault says about itself is true: each of these once said something false or nothing at all."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from takevault.cli.app import main
from tests.vault.takes_helpers import snapshot


@pytest.fixture
def cli(cli):
    """The fresh vault of the CLI tests, with shot SH010 in it."""
    assert cli("shot", "add", "SH010")[0] == 0
    return cli


def _visible(snap: dict) -> dict:
    """What a user can see: every catalog table and store object but the catalog's own journal
    (a refused add reserves and gives back its take number, two journalled steps)."""
    return {
        "catalog": {name: rows for name, rows in snap["catalog"].items() if name != "journal"},
        "store": [v for v in snap["store"] if not v[0].startswith(".takevault/journal/")],
    }


def _vault(cli):
    from takevault.vault import Vault

    return Vault.open(cli.root)


def test_add_of_bytes_the_shot_holds_says_so_and_allow_duplicates_adds(cli, clips) -> None:
    assert cli("add", str(clips["a"]), "--shot", "SH010")[0] == 0
    with _vault(cli) as vault:
        before = _visible(snapshot(vault))
    code, _out, err = cli("add", str(clips["a"]), "--shot", "SH010")
    assert code == 4
    assert "already in the shot as SH010/video_01 (the same bytes); nothing was added" in err
    assert "--allow-duplicates" in err and "Traceback" not in err
    with _vault(cli) as vault:
        assert _visible(snapshot(vault)) == before
    code, _out, err = cli("add", str(clips["a"]), "--shot", "SH010", "--allow-duplicates")
    assert code == 0 and "Added SH010/video_02" in err  # the refused add gave its number back


def test_add_with_a_workflow_png_that_is_not_a_png_is_refused(cli, clips, tmp_path: Path) -> None:
    fake = tmp_path / "wf.png"
    fake.write_text("not a png")
    code, _out, err = cli("add", str(clips["a"]), "--shot", "SH010", "--workflow-png", str(fake))
    assert code == 2 and "wf.png is not a PNG file" in err
    with _vault(cli) as vault:
        assert vault.takes() == []


def test_add_with_a_damaged_workflow_png_adds_and_warns(cli, clips, tmp_path: Path) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + b"garbage" * 5)
    code, _out, err = cli("add", str(clips["a"]), "--shot", "SH010", "--workflow-png", str(broken))
    assert code == 0 and "Added SH010/video_01" in err
    assert "warning: the workflow PNG broken.png is invalid" in err
    assert "png repair SH010/video_01" in err


def test_restarring_the_starred_take_logs_nothing(cli, clips) -> None:
    cli("add", str(clips["a"]), "--shot", "SH010")
    assert cli("star", "SH010/video_01")[0] == 0
    assert cli("star", "SH010/video_01")[0] == 0
    events = json.loads(cli("log", "--json")[1])
    assert [e["action"] for e in events].count("star") == 1


def test_a_link_shows_on_both_takes(cli, clips) -> None:
    cli("add", str(clips["a"]), str(clips["b"]), "--shot", "SH010")
    assert cli("link", "SH010/video_02", "SH010/video_01", "--kind", "derived-from")[0] == 0
    two = json.loads(cli("show", "SH010/video_02", "--json")[1])
    one = json.loads(cli("show", "SH010/video_01", "--json")[1])
    assert [(lk["other_ref"], lk["kind"], lk["incoming"]) for lk in two["links"]] == [
        ("SH010/video_01", "derived-from", False)
    ]
    assert [(lk["other_ref"], lk["kind"], lk["incoming"]) for lk in one["links"]] == [
        ("SH010/video_02", "derived-from", True)
    ]
    _code, _out, err = cli("show", "SH010/video_01")
    assert "SH010/video_02 derived-from this take" in _out + err


@pytest.mark.parametrize("command", [("takes",), ("show", "SH010/video_01"), ("history", "SH010/video_01"), ("log",)])
def test_a_mistyped_project_is_no_such_project_for_reads(cli, clips, command: tuple[str, ...]) -> None:
    cli("add", str(clips["a"]), "--shot", "SH010")
    code, out, err = cli("--project", "mian", *command)
    assert code == 3 and out == ""
    assert "No project named 'mian' in this vault (it has: main)" in err
    with _vault(cli) as vault:
        assert [p.name for p in vault.catalog.list_projects()] == ["main"]


def test_a_bad_project_name_is_refused_and_creates_nothing(cli) -> None:
    code, _out, err = cli("--project", "../../etc", "shot", "add", "SH010")
    assert code == 2 and "'../../etc' is not a valid project name" in err
    with _vault(cli) as vault:
        assert [p.name for p in vault.catalog.list_projects()] == ["main"]


def test_get_into_a_missing_folder_is_an_error(cli, clips, tmp_path: Path) -> None:
    cli("add", str(clips["a"]), "--shot", "SH010")
    code, _out, err = cli("get", "SH010/video_01", "-o", str(tmp_path / "nope" / "deeper" / "x.mp4"))
    assert code == 2 and "does not exist; create the folder or pick another path" in err
    assert not (tmp_path / "nope").exists()
    assert cli("get", "SH010/video_01", "-o", str(tmp_path))[0] == 0  # an existing folder gets a named file


def test_watch_on_a_file_says_it_is_a_file(cli, clips) -> None:
    code, _out, err = cli("watch", str(clips["a"]), "--once")
    assert code == 2 and "is a file, not a folder" in err


def test_watch_prints_each_refusal_once(cli, clips, tmp_path: Path) -> None:
    folder = tmp_path / "renders"
    folder.mkdir()
    shutil.copy(clips["a"], folder / "nocode.mp4")
    shutil.copy(clips["b"], folder / "SH999_00001.mp4")
    # A real process: Python's last-resort log handler only shows up outside pytest's log capture.
    done = subprocess.run(
        ["python", "-m", "takevault", "--vault", str(cli.root), "watch", str(folder), "--once", "--settle", "0"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("nocode.mp4:") == 1, done.stderr
    assert done.stderr.count("SH999_00001.mp4:") == 1, done.stderr
    assert "no shot code such as SH010" in done.stderr


def test_an_unknown_store_scheme_is_refused_before_anything_is_written(tmp_path: Path, capsys) -> None:
    assert main(["init", str(tmp_path / "v"), "--store", "ftp://x"]) == 2
    assert "is not supported; use 'file://PATH' or 's3://bucket/prefix'" in capsys.readouterr().err
    assert not (tmp_path / "v").exists()
    assert main(["init", str(tmp_path / "ok")]) == 0
    (tmp_path / "ok" / "catalog.db").unlink()
    capsys.readouterr()
    import os

    os.environ["TAKEVAULT_STORE"] = "ftp://x"
    try:
        assert main(["--vault", str(tmp_path / "ok"), "takes"]) == 2
    finally:
        del os.environ["TAKEVAULT_STORE"]
    assert "ftp://x" in capsys.readouterr().err
    assert not (tmp_path / "ok" / "catalog.db").exists()


def test_sizes_read_the_same_in_the_cli_and_the_gallery() -> None:
    from takevault.cli.takes_cmd import human_size

    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed, so the gallery's size formatter cannot be run here")
    dom = Path(__file__).parents[2] / "src" / "takevault" / "web" / "static" / "js" / "dom.js"
    sizes = [0, 999, 1000, 1500, 999_949, 1_234_567, 2_147_483_648, 5 * 10**12]
    script = f"import {{ fmtBytes }} from '{dom.as_uri()}'; console.log(JSON.stringify({sizes}.map(fmtBytes)));"
    shown = subprocess.run([node, "--input-type=module", "-e", script], capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout) == [human_size(n) for n in sizes]
