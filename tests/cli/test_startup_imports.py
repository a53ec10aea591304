"""A listing command loads only what listing needs: its own command module; no PyAV, Pillow, boto3, OTIO,
Alembic, FastAPI, numpy, SQLAlchemy's PostgreSQL dialect, or Rich when piped. On a local SQLite vault
the four listings of the fast path (cli/fast.py) load neither SQLAlchemy nor Pydantic."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from takevault.cli.app import main

HEAVY = ("av", "PIL", "boto3", "botocore", "opentimelineio", "alembic", "fastapi", "starlette", "uvicorn", "numpy")

PROBE = """
import json, sys
from takevault.cli.app import main
code = main(sys.argv[1:])
heavy = sorted({name.split(".")[0] for name in sys.modules} & set(json.loads(HEAVY)))
sys.stderr.write("LOADED " + json.dumps({"code": code, "heavy": heavy, "rich": "rich" in sys.modules,
    "modules": sorted(m for m in sys.modules if m.startswith(("takevault.cli.", "sqlalchemy.dialects."))),
    "sqlalchemy": "sqlalchemy" in sys.modules, "pydantic": "pydantic" in sys.modules}) + "\\n")
"""


@pytest.fixture(scope="module")
def small_vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from takevault.vault import Vault
    from tests.clips import make_clip

    root = tmp_path_factory.mktemp("startup")
    with Vault.init(root / "vault") as vault:
        vault.add_shot("SH010")
        take = vault.add(make_clip(root / "a.mp4"), shot="SH010")
        vault.replace(take.ref, make_clip(root / "b.mp4", frames=12))
        vault.star(take.ref)
    return root / "vault"


FAST = (
    ["takes"],
    ["takes", "--json"],
    ["takes", "--shot", "SH010"],
    ["show", "SH010/video_01"],
    ["history", "SH010/video_01"],
    ["log"],
)


OTHERS = (["log", "SH010/video_01", "--jsonl"], ["shot", "list"], ["takes", "--starred"])


@pytest.mark.parametrize("command", [*FAST, *OTHERS])
def test_a_listing_loads_no_heavy_module(small_vault: Path, command: list[str]) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parents[2] / "src"), *sys.path])}
    for name in ("FORCE_TERMINAL", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "FORCE_COLOR"):
        env.pop(name, None)
    script = PROBE.replace("json.loads(HEAVY)", f"json.loads({json.dumps(json.dumps(HEAVY))})")
    done = subprocess.run(
        [sys.executable, "-c", script, "--vault", str(small_vault), *command],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    line = next(ln for ln in done.stderr.splitlines() if ln.startswith("LOADED "))
    loaded = json.loads(line.removeprefix("LOADED "))
    assert loaded["code"] == 0, done.stderr
    assert loaded["heavy"] == [], f"{command} loaded {loaded['heavy']}"
    assert loaded["rich"] is False  # output is piped: plain text needs no Rich
    # A vault on SQLite never loads SQLAlchemy's PostgreSQL dialect, and a listing loads one command module.
    assert not [m for m in loaded["modules"] if m.startswith("sqlalchemy.dialects.postgresql")], loaded["modules"]
    assert [m for m in loaded["modules"] if m.endswith("_cmd")] == ["takevault.cli.takes_cmd"], loaded["modules"]
    # Typer coerces plain option values without building Pydantic adapters (cli/coercion.py).
    assert loaded["pydantic"] is False
    # The fast path answers the plain listings without SQLAlchemy; the rest go through the vault.
    fast = command in FAST or command[0] == "log"
    assert loaded["sqlalchemy"] is not fast, command


def test_version_and_completion(capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    from takevault import __version__

    # Typer otherwise ignores the shell named and looks for one among the parent processes, which
    # a test run started outside a shell (CI, a background job) does not have.
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")

    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"takevault {__version__}\n"
    assert main(["--show-completion", "bash"]) == 0
    assert "_takevault_completion" in capsys.readouterr().out


def test_the_command_table_matches_what_each_module_registers() -> None:
    """`takevault takes` loads one command module, found by name in a table; the table must not drift."""
    code = """
import importlib, json, typer
from takevault.cli.app import COMMAND_MODULES
found = {}
for module in COMMAND_MODULES:
    scratch = typer.Typer()
    importlib.import_module(f"takevault.cli.{module}").register(scratch)
    found[module] = [c.name for c in scratch.registered_commands] + [g.name for g in scratch.registered_groups]
print(json.dumps({"table": {m: list(n) for m, n in COMMAND_MODULES.items()}, "found": found}))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ, check=True)
    result = json.loads(done.stdout)
    assert {m: sorted(n) for m, n in result["table"].items()} == {m: sorted(n) for m, n in result["found"].items()}
    modules = {p.stem for p in (Path(__file__).parents[2] / "src/takevault/cli").glob("*_cmd.py")}
    assert set(result["table"]) == modules, "a command module is missing from COMMAND_MODULES in cli/app.py"


@pytest.mark.parametrize(
    ("argv", "modules"),
    [
        (["--vault", "v", "takes"], ["takes_cmd"]),
        (["--vault=v", "--project", "p", "show", "SH010/video_01"], ["takes_cmd"]),
        (["--project=p", "serve"], ["serve_cmd"]),
        (["--version"], []),
        (["--help"], None),
        ([], None),
        (["nosuch"], None),
        (["--vault"], None),
    ],
)
def test_only_the_invoked_commands_module_is_loaded(argv: list[str], modules: list[str] | None) -> None:
    from takevault.cli.app import COMMAND_MODULES, modules_for

    assert modules_for(argv) == (list(COMMAND_MODULES) if modules is None else modules)


@pytest.mark.parametrize(
    ("argv", "commands"),
    [
        (["--vault", "v", "takes", "--json"], ["takes"]),
        (["shot", "list"], ["shot"]),
        (["--project", "p", "history", "SH010/video_01"], ["history"]),
    ],
)
def test_an_invocation_builds_only_its_command(argv: list[str], commands: list[str]) -> None:
    import typer.main

    from takevault.cli.app import COMMAND_MODULES, app_for

    group = typer.main.get_command(app_for(argv))
    assert sorted(group.commands) == commands  # type: ignore[attr-defined]
    everything = typer.main.get_command(app_for(["--help"]))
    assert len(everything.commands) == sum(len(n) for n in COMMAND_MODULES.values())  # type: ignore[attr-defined]
