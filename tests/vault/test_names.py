"""One meaning for every name: shot codes, the shot a file goes to, project names, video formats."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from takevault.errors import BadReferenceError, ConflictError, InvalidInputError, NotFoundError
from takevault.shotmap import ShotTarget, compile_map, default_target
from takevault.vault import Vault


# -- shot codes that would change what a short reference means ------------------------
def test_a_loose_shot_beside_a_sectioned_one_is_refused_and_refs_keep_their_meaning(vault, clips) -> None:
    vault.add_section("SEQ01")
    vault.add_shot("SH010", section="SEQ01")
    take = vault.add(clips["a"], shot="SH010")
    with pytest.raises(ConflictError, match="already used by SEQ01/SH010") as info:
        vault.add_shot("SH010")
    assert "Put the new shot in a section" in str(info.value)
    assert vault.take("SH010/video_01").id == take.id
    assert vault.add(clips["b"], shot="SH010").ref == "SEQ01/SH010/video_02"


def test_a_sectioned_shot_beside_a_loose_one_is_refused(vault) -> None:
    vault.add_shot("SH010")
    vault.add_section("SEQ01")
    with pytest.raises(ConflictError, match="without a section"):
        vault.add_shot("SH010", section="SEQ01")
    assert [s.path for s in vault.list_shots()] == ["SH010"]


def test_a_code_in_two_sections_makes_the_short_form_an_error_naming_both(vault, clips) -> None:
    vault.add_section("SEQ01")
    vault.add_section("SEQ02")
    vault.add_shot("SH010", section="SEQ01")
    vault.add(clips["a"], shot="SH010")
    vault.add_shot("SH010", section="SEQ02")
    with pytest.raises(BadReferenceError, match=r"several sections \(SEQ01, SEQ02\)"):
        vault.take("SH010/video_01")
    with pytest.raises(BadReferenceError, match="SEQ01, SEQ02"):
        vault.add(clips["b"], shot="SH010")
    assert vault.take("SEQ01/SH010/video_01").number == 1


# -- one set of shot rules for import and watch ---------------------------------------
@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("SH010/anything.mp4", ShotTarget("SH010")),
        ("SH010_anything.mp4", ShotTarget("SH010")),
        ("SH020/render_00001.mp4", ShotTarget("SH020")),
        ("delivery/SEQ01/SH010/anything.mp4", ShotTarget("SH010", "SEQ01")),
        ("sq01_sh030b.mov", ShotTarget("SH030B", "SQ01")),
        ("SH010_video_03_00001.mp4", ShotTarget("SH010", take="video_03")),
        ("renders/SH010-audio.mp4", ShotTarget("SH010")),
        ("misc/nocode.mp4", None),
        ("FLASH010.mp4", None),
    ],
)
def test_default_rules(relative: str, expected: ShotTarget | None) -> None:
    assert default_target(relative) == expected
    assert compile_map(None)(relative) == expected


def test_import_and_watch_put_the_same_files_in_the_same_shots(tmp_path: Path, clips) -> None:
    layout = {"SH010/anything.mp4": "a", "SH010_other.mov": "c", "SH020/render_00001.mp4": "b"}
    decided: dict[str, dict[str, str]] = {}
    for how in ("import", "watch"):
        folder = tmp_path / how / "drop"
        for rel, clip in layout.items():
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(clips[clip], folder / rel)
        with Vault.init(tmp_path / how / "vault") as vault:
            vault.add_shot("SH010")
            vault.add_shot("SH020")
            if how == "import":
                report = vault.import_paths([folder])
                decided[how] = {Path(i.path).relative_to(folder).as_posix(): i.shot for i in report.items}
            else:
                report = vault.watch(folder, once=True, settle_seconds=0, poll_seconds=0.05)
                decided[how] = {d.path: d.take.rsplit("/", 1)[0] for d in report.decisions if d.take}
    assert (
        decided["import"]
        == decided["watch"]
        == {
            "SH010/anything.mp4": "SH010",
            "SH010_other.mov": "SH010",
            "SH020/render_00001.mp4": "SH020",
        }
    )


def test_one_list_of_video_formats() -> None:
    from takevault.editorial import watch
    from takevault.media import formats
    from takevault.vault import comparing, importing

    assert watch.VIDEO_SUFFIXES is importing.VIDEO_SUFFIXES is comparing.VIDEO_SUFFIXES is formats.VIDEO_SUFFIXES
    assert formats.is_video_name("A.MXF") and not formats.is_video_name("notes.txt")
    assert ".mxf" in formats.ACCEPT.split(",")


def test_the_gallery_offers_the_same_video_formats(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from takevault.media.formats import ACCEPT, VIDEO_SUFFIXES
    from takevault.web import create_app

    Vault.init(tmp_path / "v").close()
    with TestClient(create_app(tmp_path / "v"), base_url="http://127.0.0.1") as client:
        answer = client.get("/api/info")
    assert answer.status_code == 200, answer.text
    accept = answer.json()["video_accept"]
    assert accept == ACCEPT and set(accept.split(",")) == {"video/*", *VIDEO_SUFFIXES}


# -- import goes on past any one bad file ---------------------------------------------------
def test_a_symlink_loop_is_one_failed_file_and_the_import_goes_on(vault, clips, tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    (folder / "SH010").mkdir(parents=True)
    shutil.copy(clips["a"], folder / "SH010" / "good.mp4")
    (folder / "SH010" / "loop1.mp4").symlink_to("loop2.mp4")
    (folder / "SH010" / "loop2.mp4").symlink_to("loop1.mp4")
    (folder / "SH010" / "dangling.mp4").symlink_to("gone.mp4")
    (folder / "SH010" / "up").symlink_to("..")  # a folder loop: not followed
    vault.add_shot("SH010")
    report = vault.import_paths([folder])
    by_name = {Path(i.path).name: i for i in report.items}
    assert by_name["good.mp4"].status == "added"
    for name in ("loop1.mp4", "loop2.mp4", "dangling.mp4"):
        assert by_name[name].status == "failed", by_name[name]
        assert "symbolic link" in by_name[name].reason
    assert len(vault.takes()) == 1


# -- project names ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["../../etc", "", "a/b", ".hidden", "x" * 101, "with space"])
def test_project_names_are_validated_like_codes(local_vault, name: str) -> None:
    with pytest.raises(InvalidInputError, match="not a valid project name"):
        Vault.open(local_vault.root, project=name)
    with pytest.raises(InvalidInputError, match="not a valid project name"):
        Vault.init(local_vault.root.parent / "other", project=name)
    assert not (local_vault.root.parent / "other").exists()
    assert [p.name for p in local_vault.catalog.list_projects()] == ["main"]


def test_reading_an_unknown_project_is_an_error_when_asked(local_vault, clips) -> None:
    local_vault.add_shot("SH010")
    with Vault.open(local_vault.root, project="mian", known_project=True) as typo:
        with pytest.raises(NotFoundError, match="No project named 'mian' in this vault \\(it has: main\\)"):
            typo.takes()
        typo.add_shot("SH010")  # a write starts the project
        assert typo.takes() == []
    with Vault.open(local_vault.root, project="empty") as lenient:
        assert lenient.takes() == []  # the web's new empty project
    assert [p.name for p in local_vault.catalog.list_projects()] == ["main", "mian"]
