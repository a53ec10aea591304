"""`Vault.compare` on take references, take versions and files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from takevault.errors import BadReferenceError, InvalidInputError, NotFoundError


@pytest.fixture
def vault(local_vault, footage: dict[str, Path]):
    local_vault.add_shot("SH010")
    local_vault.add(footage["a"], shot="SH010")  # video_01 v1
    local_vault.replace("SH010/video_01", footage["remove"])  # video_01 v2
    local_vault.add(footage["regrade"], shot="SH010")  # video_02
    return local_vault


def test_versions_of_one_take(vault, tmp_path: Path) -> None:
    report = vault.compare("SH010/video_01@v1", "SH010/video_01@v2", out_dir=tmp_path / "out")
    assert report["a"]["ref"] == "SH010/video_01@v1" and report["b"]["ref"] == "SH010/video_01@v2"
    assert [s["kind"] for s in report["segments"]] == ["same", "removed", "same"]
    saved = json.loads((tmp_path / "out" / "report.json").read_text())
    assert saved["a"]["ref"] == "SH010/video_01@v1"


def test_take_against_a_file(vault, footage: dict[str, Path]) -> None:
    report = vault.compare("SH010/video_02", footage["a"])
    assert report["a"]["version"] == 1 and report["b"]["path"] == str(footage["a"])
    assert [s["kind"] for s in report["segments"]] == ["same", "changed", "same"]


def test_bad_references(vault, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        vault.compare("SH010/video_09", "SH010/video_01")
    with pytest.raises(NotFoundError):
        vault.compare("SH010/video_01@v7", "SH010/video_01")
    with pytest.raises(InvalidInputError, match="does not exist"):
        vault.compare(tmp_path / "missing.mov", "SH010/video_01")
    with pytest.raises(BadReferenceError):
        vault.compare("not a reference at all", "SH010/video_01")
    with pytest.raises(InvalidInputError, match="--out"):
        vault.compare("SH010/video_01", "SH010/video_02", video=True)
