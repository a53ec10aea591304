"""Listings stream: `takes`, `history` and `log` in JSON, JSON Lines and tables, and a reader that goes
away (`| head`) ends the listing quietly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from takevault.cli.app import main
from takevault.vault import Vault
from tests.catalog.scale_helpers import bulk_takes

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("stream") / "vault"
    vault = Vault.init(path)
    bulk_takes(vault, shots=12, per_shot=100, note="a longish note so that the listing outgrows a pipe {n}")
    vault.star("SH0010/video_07")
    vault.set("SH0010/video_07", rating=4)
    vault.close()
    return path


def run(root: Path, capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    code = main(["--vault", str(root), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_is_one_array_written_as_rows_come_and_jsonl_one_object_a_line(root: Path, capsys) -> None:
    code, out, err = run(root, capsys, "takes", "--json")
    assert code == 0 and err == ""
    listed = json.loads(out)
    assert len(listed) == 1200 and listed[0]["ref"] == "SEQ01/SH0010/video_01"
    expected = [t.to_json() for t in Vault.open(root).takes()]
    assert listed == json.loads(json.dumps(expected, default=str))
    code, out, _ = run(root, capsys, "takes", "--jsonl")
    lines = out.splitlines()
    assert code == 0 and [json.loads(line) for line in lines] == listed


def test_an_empty_listing_is_an_empty_array(root: Path, capsys) -> None:
    code, out, _ = run(root, capsys, "takes", "--json", "--search", "nothingmatchesthis")
    assert code == 0 and json.loads(out) == []
    code, out, _ = run(root, capsys, "takes", "--jsonl", "--search", "nothingmatchesthis")
    assert code == 0 and out == ""


def test_filters_reach_the_streamed_listing(root: Path, capsys) -> None:
    code, out, _ = run(root, capsys, "takes", "--jsonl", "--starred")
    assert code == 0 and [json.loads(x)["ref"] for x in out.splitlines()] == ["SEQ01/SH0010/video_07"]
    code, out, _ = run(root, capsys, "takes", "--jsonl", "--min-rating", "3")
    assert [json.loads(x)["rating"] for x in out.splitlines()] == [4]
    code, out, _ = run(root, capsys, "takes", "--shot", "SH0020")
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith("take\tstar") and len(lines) == 101


def test_history_and_log_stream_too(root: Path, capsys) -> None:
    code, out, _ = run(root, capsys, "history", "SH0010/video_07", "--jsonl")
    assert code == 0 and [json.loads(x)["version"] for x in out.splitlines()] == [2, 1]
    code, out, _ = run(root, capsys, "log", "--jsonl")
    actions = [json.loads(x)["action"] for x in out.splitlines()]
    assert code == 0 and actions == ["star", "set"]
    code, out, _ = run(root, capsys, "log", "--json")
    assert [e["action"] for e in json.loads(out)] == ["star", "set"]


@pytest.mark.parametrize(
    ("text", "says"), [("", "empty"), ("x" * 10_000, "10,000 characters"), ("(*)", "no letters or digits")]
)
def test_unusable_search_is_one_sentence_before_any_output(root: Path, capsys, text: str, says: str) -> None:
    code, out, err = run(root, capsys, "takes", "--json", "--search", text)
    assert code != 0 and out == ""
    assert says in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


@pytest.mark.parametrize("fmt", [["--jsonl"], ["--json"], []])
def test_a_reader_that_stops_early_ends_the_listing_quietly(root: Path, fmt: list[str]) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    code = "import sys; from takevault.cli.app import main; sys.exit(main(sys.argv[1:]))"
    pipeline = subprocess.run(
        f"{sys.executable} -c '{code}' --vault {root} takes {' '.join(fmt)} 2>err.txt | head -n 3; "
        'echo "exit=${PIPESTATUS[0]}"',
        shell=True,
        executable="/bin/bash",
        capture_output=True,
        text=True,
        env=env,
        cwd=root.parent,
        timeout=120,
    )
    lines = pipeline.stdout.splitlines()
    # Whether the pipe closes inside click or in our own writes, the status is SIGPIPE's, quietly.
    assert len(lines) == 4 and lines[-1] == "exit=141"
    assert (root.parent / "err.txt").read_text() == ""
