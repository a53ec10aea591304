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


def test_every_model_has_its_own_docstring() -> None:
    """Without one, @dataclass builds a docstring from `inspect.signature` at import time, in every process."""
    import dataclasses

    import takevault.models as models

    classes = [c for c in vars(models).values() if isinstance(c, type) and c.__module__ == models.__name__]
    generated = [
        c.__name__ for c in classes if dataclasses.is_dataclass(c) and (c.__doc__ or "").startswith(f"{c.__name__}(")
    ]
    assert classes and generated == []
