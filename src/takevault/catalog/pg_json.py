"""Reading PostgreSQL's JSON columns: the values psycopg's own loader gives, for less time per value.

A take row holds four JSON columns (tags, audio, media, PNG parameters), and most hold `[]`,
`{}` or `null`; a list of 1,000 takes decodes 4,000 of them. psycopg's loader hands the bytes to
`json.loads`, which first sniffs their encoding (a Python function per value) and then matches
whitespace around the C scanner twice. Here the empty values are made directly and the rest go
through the same C scanner once; anything it does not take whole (surrounding whitespace, which
the `json` type keeps as written, or bad JSON) goes to `json.loads`, which decides as before.
"""

from __future__ import annotations

import json
import json.scanner
from collections.abc import Callable
from typing import Any

from psycopg.adapt import Buffer, Loader

# The scanner `json.loads` ends in (C where built); typeshed types its argument as the scanner itself.
_SCAN: Callable[[str, int], tuple[Any, int]] = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[arg-type]
_EMPTY: dict[bytes, Callable[[], Any]] = {b"[]": list, b"{}": dict, b"null": lambda: None}


def loads(data: Buffer) -> Any:
    """One JSON value from the bytes PostgreSQL sent (text format), as `json.loads` would decode it."""
    raw = data if isinstance(data, bytes) else bytes(data)
    if len(raw) <= 4:
        make = _EMPTY.get(raw)
        if make is not None:
            return make()  # a fresh list or dict each time: callers may change what they get
    text = raw.decode()
    try:
        value, end = _SCAN(text, 0)
    except (StopIteration, ValueError):
        return json.loads(text)
    return value if end == len(text) else json.loads(text)


class JsonTextLoader(Loader):
    """psycopg loader of `json` and `jsonb` values sent as text."""

    def load(self, data: Buffer) -> Any:
        return loads(data)


def register(dbapi_conn: Any) -> None:
    """Read this psycopg connection's JSON columns through `loads`."""
    for name in ("json", "jsonb"):
        dbapi_conn.adapters.register_loader(name, JsonTextLoader)
