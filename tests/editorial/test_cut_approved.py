"""Cut check by review approval (`--approved`): the pick of a shot is its approved version, not its star.

Same project and cut as test_cut_check.py: the cut uses SH010 video_01 v1 (twice),
SH020 video_01 v1 and SH030 video_01 v1; meanwhile SH010 got a v2 (10 frames at the
head, regraded) and SH030's star moved to video_02.
"""

from __future__ import annotations

import json

import opentimelineio as otio
import pytest

from takevault.cli.app import main
from takevault.editorial.cutcheck.timeline_io import read_cut
from takevault.errors import NotFoundError
from tests.clips import make_clip
from tests.editorial.test_cut_check import V1, V2, build_cut, cut_project  # noqa: F401 - the fixture


def _cut(p):
    path = p["tmp"] / "cut.otio"
    otio.adapters.write_to_file(build_cut(p), str(path))
    return path


def test_an_approved_version_in_the_cut_stays_current_while_a_newer_one_is_pending(cut_project):  # noqa: F811
    p = cut_project
    v = p["vault"]
    path = _cut(p)
    v.set_approval("SH010/video_01@v1", "approved")  # v2 is newer but nobody approved it yet
    v.set_approval("SH020/video_01@v1", "approved")
    v.set_approval("SH030/video_01@v1", "approved")  # the starred video_02 is not approved
    by_star = v.cut_check(path, record=False)
    assert [c.status for c in by_star.clips] == ["outdated", "current", "outdated", "outdated"]
    report = v.cut_check(path, approved=True)
    assert report.pick_by == "approved"
    assert [(c.ref, c.status, c.pick) for c in report.clips] == [
        ("SH010/video_01@v1", "current", "SH010/video_01@v1"),
        ("SH020/video_01@v1", "current", "SH020/video_01@v1"),
        ("SH030/video_01@v1", "current", "SH030/video_01@v1"),
        ("SH010/video_01@v1", "current", "SH010/video_01@v1"),
    ]
    assert report.counts() == {"current": 4, "outdated": 0, "not in vault": 0, "shot has no approved version": 0}
    recorded = v.cut_checks(path)[-1]
    assert recorded["pick_by"] == "approved" and recorded["counts"]["current"] == 4


def test_a_cut_behind_the_approved_version_is_outdated_and_written_onto_it(cut_project):  # noqa: F811
    p = cut_project
    v = p["vault"]
    path = _cut(p)
    v.set_approval("SH010/video_01@v1", "changes_requested")
    v.set_approval("SH010/video_01@v2", "approved")
    v.set_approval("SH030/video_02@v1", "approved")
    out = p["tmp"] / "fixed" / "cut_approved.otio"
    report = v.cut_check(path, approved=True, write=out)
    first, second, third, fourth = report.clips
    assert (first.status, first.pick) == ("outdated", "SH010/video_01@v2")
    assert first.changed == "v2 10 frames added at head, regraded 00:00:00:20-00:00:01:04"
    assert fourth.status == "outdated"
    # SH020 has a star but no approval: by approval it has no pick, and the note says what to do.
    assert second.status == "shot has no approved version" and second.pick is None
    assert any("no version of shot SH020 is approved" in n for n in second.notes)
    assert any("approve the version the cut should use, then check again" in n for n in second.notes)
    assert (third.status, third.pick) == ("outdated", "SH030/video_02@v1")
    assert report.counts() == {"current": 0, "outdated": 3, "not in vault": 0, "shot has no approved version": 1}
    # --write moves the clips onto the approved version, on the same action frames.
    back = read_cut(out)
    assert back.clips[0].name == "SH010_video_01_v2" and back.clips[0].metadata["version"] == 2
    assert (back.clips[0].source_in, back.clips[0].source_out) == (15, 35)
    assert (back.clips[3].source_in, back.clips[3].source_out) == (40, 46)
    assert back.clips[1].media_path == p["renamed"]  # no approved version: left as it is
    assert third.written.startswith("kept on v1: the pick is another take (video_02)")


def test_the_starred_take_approval_wins_and_deleted_takes_are_no_pick(cut_project):  # noqa: F811
    p = cut_project
    v = p["vault"]
    path = _cut(p)
    # SH030: the starred video_02 has an approved version, so it is the pick even when
    # video_01 v1 (the one in the cut) is approved later.
    v.set_approval("SH030/video_02@v1", "approved")
    v.set_approval("SH030/video_01@v1", "approved")
    # SH010: only video_01 v2 is approved; a newer approved take that is then deleted does not count.
    v.set_approval("SH010/video_01@v2", "approved")
    v.set_approval("SH020/video_01@v1", "approved")
    report = v.cut_check(path, approved=True, record=False)
    assert report.clips[2].pick == "SH030/video_02@v1" and report.clips[2].status == "outdated"
    assert report.clips[0].pick == "SH010/video_01@v2"
    v.delete("SH010/video_01")
    report = v.cut_check(path, approved=True, record=False)
    assert report.clips[0].status == "shot has no approved version"
    assert any("was deleted since" in n for n in report.clips[0].notes)
    assert report.clips[1].status == "current"


def test_cli_approved_json_and_table(cut_project, capsys):  # noqa: F811
    p = cut_project
    v = p["vault"]
    path = _cut(p)
    v.set_approval("SH010/video_01@v1", "approved")
    vault_dir = str(p["tmp"] / "vault")
    assert main(["--vault", vault_dir, "cut", "check", str(path), "--approved", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["pick_by"] == "approved"
    assert [c["status"] for c in data["clips"]] == [
        "current",
        "shot has no approved version",
        "shot has no approved version",
        "current",
    ]
    assert data["counts"]["shot has no approved version"] == 2
    assert main(["--vault", vault_dir, "cut", "check", str(path), "--approved"]) == 0
    said = capsys.readouterr()
    text = said.out + said.err  # the table on stdout, the summary lines on stderr
    assert "picked by approval" in text and "shot has no approved version" in text


def test_the_web_page_data_says_the_check_picked_by_approval(cut_project):  # noqa: F811
    from takevault.web import create_app
    from tests.web.conftest import TestClient

    p = cut_project
    p["vault"].set_approval("SH020/video_01@v1", "approved")
    p["vault"].cut_check(_cut(p), approved=True)
    with TestClient(create_app(p["tmp"] / "vault")) as client:
        latest = client.get("/api/cuts").json()[0]
    assert latest["pick_by"] == "approved"
    assert [c["status"] for c in latest["clips"]][1] == "current"


# -- bad input ---------------------------------------------------------------


def test_approved_when_nothing_is_approved_is_one_sentence_and_records_nothing(cut_project, capsys):  # noqa: F811
    p = cut_project
    v = p["vault"]
    path = _cut(p)
    before = path.read_bytes()
    out = p["tmp"] / "fixed.otio"
    with pytest.raises(NotFoundError, match="No take version in this project is approved"):
        v.cut_check(path, approved=True, write=out)
    # A decision that is not an approval, or an approval on a deleted take, is still nothing approved.
    v.set_approval("SH020/video_01@v1", "changes_requested")
    v.set_approval("SH040/video_01@v1", "approved")
    v.delete("SH040/video_01")
    assert main(["--vault", str(p["tmp"] / "vault"), "cut", "check", str(path), "--approved"]) == 3
    err = capsys.readouterr().err
    assert "Traceback" not in err and "No take version in this project is approved" in err
    assert "takevault approve" in err
    assert err.strip().count("\n") == 0
    assert not out.exists() and path.read_bytes() == before
    assert v.cut_checks(path) == []


@pytest.mark.browser
def test_the_page_shows_a_check_picked_by_approval(cut_project):  # noqa: F811
    from playwright.sync_api import sync_playwright

    from takevault.web import create_app
    from tests.web.conftest import CHROMIUM_ARGS, ServerThread, chromium_path, free_port

    p = cut_project
    p["vault"].set_approval("SH010/video_01@v1", "approved")
    p["vault"].cut_check(_cut(p), approved=True)
    executable = chromium_path()
    app = create_app(p["tmp"] / "vault")
    try:
        with ServerThread(app, free_port()) as server, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{server.url}/cuts")
            rows = page.locator("[data-testid=cut-clip]")
            rows.first.wait_for()
            assert [rows.nth(i).get_attribute("data-status") for i in range(4)] == [
                "current",
                "shot has no approved version",
                "shot has no approved version",
                "current",
            ]
            check = page.locator("[data-testid=cut-check]").first.inner_text()
            assert "picked by approval" in check and "2 shot has no approved version" in check
            note = rows.nth(1).inner_text()
            assert "approve the version the cut should use" in note and "--approved" not in note
            browser.close()
            assert not errors, errors
    finally:
        app.state.web.close()


def test_watch_checks_by_approval_and_refuses_when_nothing_is_approved(cut_project, capsys):  # noqa: F811
    import os
    import time

    p = cut_project
    folder = p["tmp"] / "cuts"
    folder.mkdir()
    path = folder / "reel1.otio"
    otio.adapters.write_to_file(build_cut(p), str(path))
    os.utime(path, (time.time() - 5, time.time() - 5))
    args = ["--vault", str(p["tmp"] / "vault"), "cut", "watch", str(folder), "--once", "--settle", "0.1", "--approved"]
    assert main(args) == 3
    assert "No take version in this project is approved" in capsys.readouterr().err
    assert p["vault"].cut_checks(path) == []
    p["vault"].set_approval("SH010/video_01@v1", "approved")
    assert main(args) == 0
    assert "reel1.otio: 2 current, 2 shot has no approved version" in capsys.readouterr().err
    assert p["vault"].cut_checks(path)[-1]["pick_by"] == "approved"


@pytest.mark.postgres
def test_approved_pick_on_postgresql(request, tmp_path):
    from tests.vault.takes_helpers import make_vault, snapshot

    with make_vault(request, tmp_path / "vault", "postgres") as v:
        v.add_shot("SH010")
        take = v.add(make_clip(tmp_path / "v1.mp4", V1), shot="SH010")
        v.star(take.ref)
        timeline = tmp_path / "handoff.otio"
        v.export_timeline(timeline)
        before = snapshot(v)
        with pytest.raises(NotFoundError, match="No take version in this project is approved"):
            v.cut_check(timeline, approved=True)
        assert snapshot(v) == before
        v.set_approval(f"{take.ref}@v1", "approved")
        v.replace(take.ref, make_clip(tmp_path / "v2.mp4", V2))  # v2 waits for review
        report = v.cut_check(timeline, approved=True)
        assert [(c.status, c.pick) for c in report.clips] == [("current", "SH010/video_01@v1")]
        assert v.cut_check(timeline, record=False).clips[0].status == "outdated"
        v.set_approval(f"{take.ref}@v2", "approved")
        report = v.cut_check(timeline, approved=True)
        assert (report.clips[0].status, report.clips[0].pick) == ("outdated", "SH010/video_01@v2")
        assert report.clips[0].changed.startswith("v2 10 frames added at head")
