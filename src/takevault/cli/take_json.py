"""JSON text of listed takes: byte for byte what `json.dumps(take.to_json(), …)` writes, without the dict.

A whole listing writes one object per take. Building the dict and walking it in `json.dumps`
(in pure Python when indented) cost more than reading the take; here each value is encoded by
type (the C string encoder for text) into a template made once by `json.dumps` itself, so the
layout cannot drift from what the plain path writes. `tests/catalog/test_listing.py` holds the two
equal byte for byte.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from takevault.cli.json_text import indented
from takevault.cli.json_text import number as _float
from takevault.cli.json_text import plain as _any
from takevault.cli.json_text import text as _text
from takevault.cli.json_text import whole as _int
from takevault.models import ListedTake

# The fields of `ListedTake` in the order `ListedTake.to_json()` writes their values (media's inside).
_ORDER = (
    "id", "ref", "project", "section", "shot", "number", "name", "kind", "starred", "deleted", "version",
    "versions", "sha256", "size", "key", "width", "height", "fps", "duration", "frames", "codec", "container",
    "png_status", "note", "rating", "status", "tags", "created_at", "created_by", "links",
)  # fmt: skip
_MARKED = re.compile(r'"\\u0007(\w+)\\u0007"')


def _template(indent: int | None, reindent: str) -> str:
    """`json.dumps` of a take whose values are markers, each marker then made a `%s`."""
    marked: dict[str, Any] = {name: f"\x07{name}\x07" for name in ListedTake._fields if name != "links"}
    shape = ListedTake(**marked).to_json()
    shape["tags"], shape["links"] = "\x07tags\x07", "\x07links\x07"
    text = json.dumps(shape, indent=indent, ensure_ascii=False).replace("\n", reindent).replace("%", "%%")
    if tuple(_MARKED.findall(text)) != _ORDER:
        raise AssertionError("ListedTake.to_json() and take_json._ORDER disagree on the order of the values")
    return _MARKED.sub("%s", text)


_LINE = _template(None, "\n")
_BLOCK = _template(2, "\n  ")


def _values(take: ListedTake, tags: str, links: str) -> tuple[str, ...]:
    """Each value of `ListedTake.to_json()` encoded, in the order of its keys (media's inside)."""
    (
        take_id, ref, project, section, shot, number, name, kind, starred, deleted, version, versions, sha256, size,
        key, width, height, fps, _fps_shown, duration, frames, codec, container, png_status, note, rating, status,
        _tags, created_at, created_by, _links,
    ) = take  # fmt: skip
    text, whole = _text, _int
    return (
        text(take_id),
        text(ref),
        text(project),
        text(section) if type(section) is str else _any(section),
        text(shot),
        whole(number),
        text(name),
        text(kind),
        "true" if starred else "false",
        "true" if deleted else "false",
        whole(version),
        whole(versions),
        text(sha256),
        whole(size),
        text(key),
        whole(width),
        whole(height),
        text(fps) if type(fps) is str else _any(fps),
        _float(duration),
        whole(frames),
        text(codec),
        text(container),
        text(png_status),
        text(note) if type(note) is str else _any(note),
        whole(rating) if type(rating) is int else _any(rating),
        text(status) if type(status) is str else _any(status),
        tags,
        text(created_at),
        text(created_by),
        links,
    )


def _compact_list(items: Sequence[Any]) -> str:
    return json.dumps(list(items), default=str, ensure_ascii=False) if items else "[]"


def _indented_list(items: Sequence[Any]) -> str:
    # A list two levels down in the array `ui.stream_json` writes: items at 6 spaces, its bracket at 4.
    return indented(list(items), "    ") if items else "[]"


def line(take: ListedTake) -> str:
    """`json.dumps(take.to_json(), default=str, ensure_ascii=False)`: one JSON Lines line (no newline)."""
    links = _compact_list([link.to_json() for link in take.links]) if take.links else "[]"
    return _LINE % _values(take, _compact_list(take.tags), links)


def block(take: ListedTake) -> str:
    """One element of the indented array `ui.stream_json` writes (`json.dumps(…, indent=2)`, indented once more)."""
    links = _indented_list([link.to_json() for link in take.links]) if take.links else "[]"
    return _BLOCK % _values(take, _indented_list(take.tags), links)
