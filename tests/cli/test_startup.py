"""The CLI starts light: loading it (as `--version` and `--help` do) pulls in no database, media or web library."""

from __future__ import annotations

import json
import os
import subprocess
import sys

HEAVY = ("sqlalchemy", "av", "numpy", "fastapi", "boto3", "PIL", "uvicorn")


def test_loading_the_cli_imports_no_heavy_library() -> None:
    code = f"import sys, takevault.cli.app; print(__import__('json').dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ, check=True)
    assert json.loads(out.stdout) == []


def test_version_answers_without_a_vault(tmp_path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "takevault", "--version"], capture_output=True, text=True, cwd=tmp_path, env=os.environ
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("takevault ")
