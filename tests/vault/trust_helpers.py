"""A vault used in every ordinary way, through the CLI as a user types it, and what its listings show.

Shared by the rebuild tests (listings before == after a lost catalog) and the fsck tests
(fsck clean after every command).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from takevault.cli.app import main
from tests.clips import make_clip
from tests.media.workflows import comfy_png

Run = Callable[..., tuple[int, str, str]]


def make_cli(vault_dir: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--vault", str(vault_dir), *args])
        out, err = capsys.readouterr()
        return code, out, err

    run.root = vault_dir  # type: ignore[attr-defined]
    return run


def init_args(vault_dir: Path, catalog: str | None = None, store: str | None = None, endpoint: str | None = None):
    args = ["init", str(vault_dir)]
    if catalog:
        args += ["--catalog", catalog]
    if store:
        args += ["--store", store, "--endpoint-url", endpoint or ""]
    return args


def ok(run: Run, *args: str) -> str:
    code, out, err = run(*args)
    assert code == 0, f"takevault {' '.join(args)} exited {code}: {err}"
    return out


def concurrent_replaces(vault_dir: Path, ref: str, files: list[Path]) -> int:
    """Replace one take from several processes at once; returns how many succeeded."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "takevault", "--vault", str(vault_dir), "replace", ref, str(f)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in files
    ]
    results = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in procs]
    for p in procs:
        if p.stderr:
            p.stderr.close()
    for code, err in results:
        # A lost race is a clear refusal, never a traceback.
        assert code == 0 or (err.strip() and "Traceback" not in err), err
    return sum(1 for code, _ in results if code == 0)


def every_kind_of_change(
    run: Run, clips: dict[str, Path], work: Path, after_each: Callable[[str], None] | None = None
) -> None:
    """Sections, shots, takes and every command that changes them, including concurrent replaces.

    `after_each` is called with the command's name after each one (fsck tests check the vault there).
    """
    work.mkdir(parents=True, exist_ok=True)

    def step(*args: str) -> str:
        out = ok(run, *args)
        if after_each is not None:
            after_each(" ".join(args[:2]))
        return out

    step("section", "add", "SEQ01", "--name", "Opening")
    step("section", "add", "SEQ02", "--name", "Harbour")
    step("shot", "add", "SH010", "--section", "SEQ01", "--name", "Wide on the harbour")
    step("shot", "add", "SH020", "--section", "SEQ01", "--order", "5")
    step("shot", "add", "SH030", "--section", "SEQ02", "--name", "Close")
    step("add", str(clips["a"]), str(clips["b"]), "--shot", "SH010", "--note", "first pass", "--kind", "edit")
    png = comfy_png(work / "gen.png", seed=7)
    step("add", str(clips["c"]), "--shot", "SH020", "--workflow-png", str(png), "--kind", "final")
    step("replace", "SH010/video_01", str(clips["c"]))
    step("star", "SH010/video_01")
    step("star", "SH010/video_02")
    step("set", "SH010/video_01", "--note", "keeper", "--rating", "4", "--status", "review", "--tag", "hero")
    step("set", "SH010/video_02", "--tag", "alt", "--tag", "night")
    step("link", "SH010/video_01", "SH020/video_01", "--kind", "derived-from")
    step("revert", "SH010/video_01", "--to", "v1")
    step("delete", "SH010/video_02", "--yes")
    step("restore", "SH010/video_02")
    step("png", "attach", "SH010/video_01@v2", str(comfy_png(work / "again.png", seed=99)))
    step("png", "regenerate", "SH020/video_01")
    step("png", "repair", "SH020/video_01")
    step("add", str(clips["b"]), "--shot", "SH030")
    step("delete", "SH030/video_01", "--yes")
    extra = [make_clip(work / f"race_{i}.mp4", frames=4 + i) for i in range(3)]
    assert concurrent_replaces(run.root, "SH010/video_02", extra) >= 1  # type: ignore[attr-defined]
    if after_each is not None:
        after_each("concurrent replace")
    folder = work / "delivery" / "SH030"
    folder.mkdir(parents=True)
    make_clip(folder / "gen_001.mp4", frames=5)
    step("import", str(work / "delivery"))
    step("star", "SH010/video_01")
    step("export", "--to", str(work / "out"), "--starred")
    step("unstar", "SH010")
    step("star", "SH010/video_01")
    watched = work / "watched"
    watched.mkdir()
    make_clip(watched / "SH020_render_0001.mp4", frames=6)
    step("watch", str(watched), "--once", "--settle", "0")


def listings(run: Run) -> dict[str, Any]:
    """What every listing shows, as JSON."""

    def js(*args: str) -> Any:
        return json.loads(ok(run, *args, "--json"))

    takes = js("takes") + js("takes", "--deleted")
    shown: dict[str, Any] = {"takes": js("takes"), "deleted": js("takes", "--deleted")}
    shown["sections"] = js("section", "list")
    shown["shots"] = js("shot", "list")
    shown["log"] = js("log")
    _, out, _ = run("png", "validate", "--json")
    shown["png"] = json.loads(out)
    for take in takes:
        shown[f"show {take['ref']}"] = js("show", take["ref"])
        shown[f"history {take['ref']}"] = js("history", take["ref"])
    return shown
