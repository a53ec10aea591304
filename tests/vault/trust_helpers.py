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


def every_kind_of_change(run: Run, clips: dict[str, Path], work: Path) -> None:
    """Sections, shots, takes and every command that changes them, including concurrent replaces."""
    work.mkdir(parents=True, exist_ok=True)
    ok(run, "section", "add", "SEQ01", "--name", "Opening")
    ok(run, "section", "add", "SEQ02", "--name", "Harbour")
    ok(run, "shot", "add", "SH010", "--section", "SEQ01", "--name", "Wide on the harbour")
    ok(run, "shot", "add", "SH020", "--section", "SEQ01", "--order", "5")
    ok(run, "shot", "add", "SH030", "--section", "SEQ02", "--name", "Close")
    ok(run, "add", str(clips["a"]), str(clips["b"]), "--shot", "SH010", "--note", "first pass", "--kind", "edit")
    png = comfy_png(work / "gen.png", seed=7)
    ok(run, "add", str(clips["c"]), "--shot", "SH020", "--workflow-png", str(png), "--kind", "final")
    ok(run, "replace", "SH010/video_01", str(clips["c"]))
    ok(run, "star", "SH010/video_01")
    ok(run, "star", "SH010/video_02")
    ok(run, "set", "SH010/video_01", "--note", "keeper", "--rating", "4", "--status", "review", "--tag", "hero")
    ok(run, "set", "SH010/video_02", "--tag", "alt", "--tag", "night")
    ok(run, "link", "SH010/video_01", "SH020/video_01", "--kind", "derived-from")
    ok(run, "revert", "SH010/video_01", "--to", "v1")
    ok(run, "delete", "SH010/video_02", "--yes")
    ok(run, "restore", "SH010/video_02")
    ok(run, "png", "attach", "SH010/video_01@v2", str(comfy_png(work / "again.png", seed=99)))
    ok(run, "png", "regenerate", "SH020/video_01")
    ok(run, "png", "repair", "SH020/video_01")
    ok(run, "add", str(clips["b"]), "--shot", "SH030")
    ok(run, "delete", "SH030/video_01", "--yes")
    extra = [make_clip(work / f"race_{i}.mp4", frames=4 + i) for i in range(3)]
    assert concurrent_replaces(run.root, "SH010/video_02", extra) >= 1  # type: ignore[attr-defined]
    folder = work / "delivery" / "SH030"
    folder.mkdir(parents=True)
    make_clip(folder / "gen_001.mp4", frames=5)
    ok(run, "import", str(work / "delivery"))
    ok(run, "star", "SH010/video_01")
    ok(run, "export", "--to", str(work / "out"), "--starred")
    ok(run, "unstar", "SH010")
    ok(run, "star", "SH010/video_01")


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
