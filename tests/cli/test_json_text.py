"""The fast JSON writers give exactly the bytes of `json.dumps`, for every kind of value a listing holds."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from takevault.cli import json_text

VALUES = [
    None,
    True,
    False,
    0,
    -7,
    10**20,
    1.5,
    0.1 + 0.2,
    1e-30,
    float("nan"),
    float("inf"),
    float("-inf"),
    "",
    'quotes " and \\ backslash',
    "tab\tnewline\ncontrol\x01",
    "Ünïcödé — 撮影 ✓ \u2028",
    [],
    {},
    (),
    [1, [2, [3, []]], {}],
    ("a", "b"),
    {"ref": "SH010/video_01", "version": 2, "changes": {"rating": 4, "note": None, "tags": ["a", "b"]}},
    {"nested": [{"x": {}}, {"y": []}, [[], [{}]]], "empty": {}},
    {"when": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), "path": Path("/a/b")},  # default=str
    {1: "int key", None: "null key", 2.5: "float key", False: "bool key"},
    {"mixed": [1, "two", 3.0, None, True, {"k": [Path("x")]}]},
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
@pytest.mark.parametrize("pad", ["", "  ", "    "])
def test_indented_is_json_dumps_with_indent(value: object, pad: str) -> None:
    expected = json.dumps(value, indent=2, default=str, ensure_ascii=False).replace("\n", "\n" + pad)
    assert json_text.indented(value, pad) == expected


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_scalars_on_one_line_are_json_dumps(value: object) -> None:
    expected = json.dumps(value, default=str, ensure_ascii=False)
    assert json_text.plain(value) == expected
    if type(value) is float:
        assert json_text.number(value) == expected


def test_the_streamed_array_is_the_one_json_dumps_would_nest(capsys: pytest.CaptureFixture[str]) -> None:
    from takevault.cli import ui

    items = [v for v in VALUES if not isinstance(v, float) or v == v]
    ui.stream_json(items)
    out = capsys.readouterr().out
    body = ",\n  ".join(json.dumps(v, indent=2, default=str, ensure_ascii=False).replace("\n", "\n  ") for v in items)
    assert out == "[\n  " + body + "\n]\n"
