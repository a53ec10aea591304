"""Approvals per take version: pending until someone decides, by whom and when, filters, export --approved."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from takevault.cli.app import main
from takevault.errors import ConflictError, InvalidInputError, NotFoundError
from takevault.vault import Vault
from tests.clips import make_clip


@pytest.fixture
def two_takes(local_vault: Vault, tmp_path: Path) -> tuple[Vault, str, str, Path]:
    local_vault.add_shot("SH010")
    local_vault.add_shot("SH020")
    a = local_vault.add(make_clip(tmp_path / "a.mp4", scenes=((0, 1),)), shot="SH010")
    b = local_vault.add(make_clip(tmp_path / "b.mp4", scenes=((0, 2),)), shot="SH020")
    return local_vault, a.ref, b.ref, make_clip(tmp_path / "a2.mp4", scenes=((0, 3),))


def test_decisions_by_whom_and_when_and_a_new_version_is_pending(two_takes):
    vault, a, b, newer = two_takes
    assert vault.approval(a).state == "pending" and vault.approval(a).by is None
    vault.set_approval(f"{a}@v1", "changes_requested", comment="Sky flickers")
    found = vault.set_approval(a, "approved")
    assert (found.state, found.by, found.version) == ("approved", vault.user, 1) and found.at is not None
    assert [h["state"] for h in found.history] == ["changes_requested", "approved"]
    assert found.history[0]["comment"] == "Sky flickers"
    vault.replace(a, newer)
    assert [(x.version, x.state) for x in vault.approvals(a)] == [(2, "pending"), (1, "approved")]
    assert [t.ref for t in vault.takes_by_approval("pending")] == [a, b]
    assert vault.takes_by_approval("approved") == []
    assert [e.action for e in vault.events(take=a)].count("approval") == 2


def test_bad_decisions(two_takes):
    vault, a, _b, _ = two_takes
    with pytest.raises(InvalidInputError, match="'ok' is not an approval state"):
        vault.set_approval(a, "ok")
    with pytest.raises(NotFoundError, match="has no version v5"):
        vault.set_approval(f"{a}@v5", "approved")
    vault.delete(a)
    with pytest.raises(ConflictError, match="is deleted"):
        vault.set_approval(a, "approved")
    assert vault.approval(a).state == "pending"


def test_cli_approve_list_and_export_approved(two_takes, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    vault, a, b, _ = two_takes
    root = str(vault.root)
    vault.star(a)
    vault.star(b)
    assert main(["--vault", root, "export", "--to", str(tmp_path / "none"), "--starred", "--approved"]) == 3
    assert "None of the chosen take versions is approved" in capsys.readouterr().err
    assert main(["--vault", root, "approve", f"{a}@v1", "--comment", "Lovely"]) == 0
    assert "SH010/video_01@v1 is approved" in capsys.readouterr().err
    assert main(["--vault", root, "approval", "set", b, "changes_requested"]) == 0
    capsys.readouterr()
    assert main(["--vault", root, "approval", "list", "--json"]) == 0
    assert [t["ref"] for t in json.loads(capsys.readouterr().out)] == [a]
    assert main(["--vault", root, "approval", "show", a, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["comment"] == "Lovely"
    out = tmp_path / "approved"
    assert main(["--vault", root, "export", "--to", str(out), "--starred", "--approved", "--json"]) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert [f["ref"] for f in report["files"]] == [f"{a}@v1"]
    assert "Left out, not approved: SH020/video_01@v1" in captured.err
    assert main(["--vault", root, "approval", "set", a, "maybe"]) == 2


def test_cli_approval_list_table_shows_when_each_decision_was_made(two_takes, capsys: pytest.CaptureFixture[str]):
    vault, a, b, _ = two_takes
    root = str(vault.root)
    vault.set_approval(a, "approved")
    capsys.readouterr()
    assert main(["--vault", root, "approval", "list"]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith(a))
    assert row.split("\t")[-1] == vault.approval(a).at.isoformat(timespec="seconds")
    # A version nobody decided on yet has no time.
    assert main(["--vault", root, "approval", "list", "--state", "pending"]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith(b))
    assert row.split("\t")[-1] == ""
