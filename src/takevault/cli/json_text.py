"""JSON text exactly as `json.dumps(…, default=str, ensure_ascii=False)` writes it, written faster.

With `indent`, the standard library encodes in pure Python (its C encoder takes no indent before
Python 3.14), which is most of the time of a long `--json` listing. `indented()` writes the
same bytes for the plain values listings hold (dicts with text keys, lists, tuples, text,
numbers, booleans, None) and hands anything else to `json.dumps` itself;
`tests/cli/test_json_text.py` holds the two equal.
"""

from __future__ import annotations

import json
import json.encoder
from collections.abc import Callable
from typing import Any

text: Callable[[str], str] = json.encoder.encode_basestring  # what json.dumps uses with ensure_ascii=False
whole: Callable[[int], str] = int.__repr__
_INFINITY = float("inf")


def number(value: float) -> str:
    """A float as json writes it (its own spelling of the three values repr writes differently)."""
    if type(value) is not float:
        return plain(value)
    if value != value:
        return "NaN"
    if value == _INFINITY:
        return "Infinity"
    if value == -_INFINITY:
        return "-Infinity"
    return float.__repr__(value)


def plain(value: Any) -> str:
    """Any value on one line; the common scalars without a trip through `json.dumps`."""
    if value is None:
        return "null"
    kind = type(value)
    if kind is str:
        return text(value)
    if kind is int:
        return whole(value)
    return json.dumps(value, default=str, ensure_ascii=False)


class _Unusual(Exception):
    """A value `indented` leaves to `json.dumps`."""


def indented(value: Any, pad: str = "") -> str:
    """`json.dumps(value, indent=2, default=str, ensure_ascii=False)` with every line after the first
    indented by `pad` (how `ui.stream_json` nests items in its array)."""
    try:
        return _indented(value, pad)
    except _Unusual:
        return json.dumps(value, indent=2, default=str, ensure_ascii=False).replace("\n", "\n" + pad)


def _indented(value: Any, pad: str) -> str:
    kind = type(value)
    if kind is str:
        return text(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        return whole(value)
    if kind is float:
        return number(value)
    inner = pad + "  "
    if kind is dict:
        if not value:
            return "{}"
        items = []
        for key, item in value.items():
            if type(key) is not str:
                raise _Unusual
            items.append(f"{inner}{text(key)}: {_indented(item, inner)}")
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if kind is list or kind is tuple:
        if not value:
            return "[]"
        return "[\n" + ",\n".join(inner + _indented(item, inner) for item in value) + "\n" + pad + "]"
    raise _Unusual
