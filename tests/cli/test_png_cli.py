"""`takevault png …` and `takevault diff-params` from the command line, good input and bad."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from takevault.cli.app import main
from tests.clips import make_clip
from tests.media.workflows import comfy_png


@pytest.fixture
def vault_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A vault with shot SH010 and a ComfyUI output folder of two takes imported into it."""
    root = tmp_path / "vault"
    assert main(["init", str(root)]) == 0
    assert main(["--vault", str(root), "shot", "add", "SH010"]) == 0
    out = tmp_path / "ComfyUI" / "output"
    for i, seed in enumerate((101, 202), start=1):
        make_clip(out / f"wan_{i:05d}.mp4", frames=5, scenes=((0, seed),))
        comfy_png(out / f"wan_{i:05d}.png", seed=seed, positive=f"a fox {'running' if i == 1 else 'sleeping'}")
    assert main(["--vault", str(root), "import", str(out), "--shot", "SH010"]) == 0
    capsys.readouterr()
    return root


def run(root: Path, *args: str) -> int:
    return main(["--vault", str(root), *args])


def _break(root: Path, ref: str, data: bytes) -> None:
    from takevault.vault import Vault

    with Vault.open(root) as vault:
        take = vault.take(ref)
        vault.store.put(take.current.png.key, io.BytesIO(data), {})


def test_validate_all_present(vault_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(vault_dir, "png", "validate", "--json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["ref"], r["status"]) for r in rows] == [
        ("SH010/video_01@v1", "present"),
        ("SH010/video_02@v1", "present"),
    ]
    assert all({"ref", "version", "status", "reason"} <= set(r) for r in rows)
    assert run(vault_dir, "png", "validate", "SH010/video_01") == 0
    captured = capsys.readouterr()
    assert "SH010/video_01@v1\tpresent" in captured.out
    assert "All 1 workflow PNGs are fine" in captured.err


def test_validate_detects_breakage_and_fixes_bring_it_back(vault_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _break(vault_dir, "SH010/video_01", b"\x89PNG\r\n\x1a\n garbage")
    _break(vault_dir, "SH010/video_02", b"")
    assert run(vault_dir, "png", "validate", "--json") == 1
    captured = capsys.readouterr()
    rows = {r["ref"]: r for r in json.loads(captured.out)}
    assert rows["SH010/video_01@v1"]["status"] == "invalid"
    assert rows["SH010/video_02@v1"]["status"] == "placeholder"
    assert "2 of 2 workflow PNGs need attention" in captured.err
    # The listing shows it too.
    assert run(vault_dir, "takes", "--json") == 0
    assert {t["png_status"] for t in json.loads(capsys.readouterr().out)} == {"invalid", "placeholder"}

    assert run(vault_dir, "png", "repair", "SH010/video_01") == 0
    err = capsys.readouterr().err
    assert "Repaired the PNG of SH010/video_01@v1" in err and "lost:" in err
    assert run(vault_dir, "png", "regenerate", "SH010/video_01", "--json") == 0
    assert json.loads(capsys.readouterr().out)["source"] == "catalog"
    assert run(vault_dir, "png", "regenerate", "SH010/video_02") == 0
    assert "from the catalog: present" in capsys.readouterr().err
    assert run(vault_dir, "png", "validate") == 0


def test_repair_json_and_nothing_to_repair(vault_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(vault_dir, "png", "repair", "SH010/video_01", "--json") == 0
    assert json.loads(capsys.readouterr().out)["changed"] is False
    assert run(vault_dir, "png", "repair", "SH010/video_01") == 0
    assert "nothing to repair" in capsys.readouterr().err


def test_show(vault_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(vault_dir, "png", "show", "SH010/video_02") == 0
    out = capsys.readouterr().out
    for words in (
        "positive   a fox sleeping",
        "seed       202",
        "sampler    uni_pc",
        "fox_style_v2.safetensors (0.8/1.0)",
    ):
        assert words in out
    assert "size       832x480" in out
    assert run(vault_dir, "png", "show", "SH010/video_02@v1", "--json") == 0
    assert json.loads(capsys.readouterr().out)["generation"]["seed"] == 202


def test_extract(vault_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "wf.json"
    assert run(vault_dir, "png", "extract", "SH010/video_01", "-o", str(dest)) == 0
    assert json.loads(dest.read_text())["nodes"]
    assert "Wrote the workflow of SH010/video_01@v1" in capsys.readouterr().err


def test_diff_params(vault_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(vault_dir, "diff-params", "SH010/video_01", "SH010/video_02") == 0
    out = capsys.readouterr().out
    assert "seed\t101\t202" in out
    assert "prompt words\t- running\t+ sleeping" in out
    assert "node 3 KSampler.seed\t101\t202" in out
    assert run(vault_dir, "diff-params", "SH010/video_01", "SH010/video_02", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["a"] == "SH010/video_01" and data["fields"][0] == {"field": "seed", "a": 101, "b": 202}
    assert run(vault_dir, "diff-params", "SH010/video_01", "SH010/video_01@v1") == 0
    assert "same parameters" in capsys.readouterr().err


def test_add_with_workflow_options(vault_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    video = make_clip(tmp_path / "solo.mp4", frames=4)
    png = comfy_png(tmp_path / "companion.png", seed=9)
    assert run(vault_dir, "add", str(video), "--shot", "SH010", "--workflow-png", str(png)) == 0
    capsys.readouterr()
    assert run(vault_dir, "png", "show", "SH010/video_03", "--json") == 0
    assert json.loads(capsys.readouterr().out)["generation"]["seed"] == 9


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (("png", "validate", "SH010/video_09"), 3, "has no take video_09"),
        (("png", "validate", "not a ref!"), 2, ""),
        (("png", "regenerate", "SH999/video_01"), 3, "Shot SH999 does not exist"),
        (("png", "repair", "SH010/video_01@v7"), 3, "has no version v7"),
        (("png", "show", "SH010/video_05"), 3, "has no take video_05"),
        (("png", "extract", "SH010/video_01"), 2, "Missing option"),
        (("png", "extract", "SH010/video_01", "-o", "/nonexistent-dir/x.json"), 2, "does not exist"),
        (("diff-params", "SH010/video_01"), 2, "Missing argument"),
        (("diff-params", "SH010/video_01", "SH010/video_77"), 3, "has no take video_77"),
    ],
)
def test_bad_input(
    vault_dir: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], code: int, words: str
) -> None:
    assert run(vault_dir, *args) == code
    err = capsys.readouterr().err
    assert words in err
    assert "Traceback" not in err


def test_bad_input_on_files(vault_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"junk")
    assert run(vault_dir, "diff-params", str(junk), "SH010/video_01") == 2
    assert "not a usable workflow PNG" in capsys.readouterr().err
    assert run(vault_dir, "png", "extract", "SH010/video_01", "-o", str(tmp_path)) == 2
    assert "is a folder" in capsys.readouterr().err
    wf = tmp_path / "bad.json"
    wf.write_text("[1, 2")
    video = make_clip(tmp_path / "v.mp4", frames=3)
    assert run(vault_dir, "add", str(video), "--shot", "SH010", "--workflow", str(wf)) == 2
    assert "not valid JSON" in capsys.readouterr().err
    assert run(vault_dir, "png", "validate", "--json") == 0  # nothing was added


def test_deleted_take_is_refused(vault_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(vault_dir, "delete", "SH010/video_02", "--yes") == 0
    capsys.readouterr()
    assert run(vault_dir, "png", "regenerate", "SH010/video_02") == 4
    assert "is deleted; restore it" in capsys.readouterr().err


def test_attach(vault_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    png = comfy_png(tmp_path / "wan_again.png", seed=999)
    assert run(vault_dir, "png", "attach", "SH010/video_01", str(png)) == 0
    out = capsys.readouterr()
    assert "Attached wan_again.png to SH010/video_01@v1: present." in out.out + out.err
    assert run(vault_dir, "png", "attach", "SH010/video_02@v1", str(png), "--json") == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["ref"], result["status"], result["file"]) == ("SH010/video_02@v1", "present", "wan_again.png")
    assert run(vault_dir, "png", "show", "SH010/video_01", "--json") == 0
    assert json.loads(capsys.readouterr().out)["generation"]["seed"] == 999


def test_attach_bad_input(vault_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    notes = tmp_path / "notes.png"
    notes.write_text("not a png\n")
    png = comfy_png(tmp_path / "ok.png")
    cases = [
        (["SH010/video_01", str(notes)], "notes.png is not a PNG file"),
        (["SH010/video_01", str(tmp_path / "gone.png")], "does not exist"),
        (["SH010/video_09", str(png)], "video_09"),
        (["SH010/video_01@v4", str(png)], "has no version v4"),
        (["SH010", str(png)], "not a take reference"),
    ]
    for args, message in cases:
        assert run(vault_dir, "png", "attach", *args) != 0
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err, err
    assert run(vault_dir, "png", "validate", "--json") == 0
    assert [r["status"] for r in json.loads(capsys.readouterr().out)] == ["present", "present"]
