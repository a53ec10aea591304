"""Server processes freeze their start-up objects; what they make afterwards is still collected."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

AFTER_FREEZE = """
import gc, json, weakref
from takevault.heap import freeze_startup_objects
class Node: pass
early = Node(); early.me = early
freeze_startup_objects()
frozen = gc.get_freeze_count()
late = Node(); late.me = late  # a cycle made after start-up
gone = []
weakref.finalize(late, gone.append, True)
del late
gc.collect()
print(json.dumps({"frozen": frozen, "late_collected": gone == [True], "early_alive": early.me is early}))
"""

APP_FROM_ENV = """
import gc, json
from takevault.web.asgi import app_from_env
app_from_env()
print(json.dumps({"frozen": gc.get_freeze_count()}))
"""


def _child(code: str, **env: str) -> dict:
    run = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src"), **env},
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_start_up_objects_are_frozen_and_later_garbage_is_still_collected() -> None:
    found = _child(AFTER_FREEZE)
    assert found["frozen"] > 1000  # the modules imported, not just the one object made here
    assert found["late_collected"] and found["early_alive"]


def test_a_server_process_freezes_once_its_app_is_made(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    init = subprocess.run(
        [sys.executable, "-m", "takevault", "init", str(vault)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        timeout=120,
    )
    assert init.returncode == 0, init.stderr
    found = _child(APP_FROM_ENV, TAKEVAULT_SERVE_VAULT=str(vault), TAKEVAULT_SERVE_JOB_WORKERS="0")
    assert found["frozen"] > 10000
