"""The JSON that tools put in workflow PNGs and video tags: strict parsing, shapes, salvage.

Every known chunk is checked against the shape its tool writes, so a status can
say exactly what is wrong ("`prompt` is JSON-encoded twice"), and repair can tell
what it can save (a bare NaN becomes null; a double-encoded string is unwrapped).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

JSON_KEYWORDS = ("prompt", "workflow", "invokeai_metadata", "invokeai_workflow", "invokeai_graph", "takevault")
"""Text chunks whose content must be JSON."""

GENERATION_KEYWORDS = ("prompt", "workflow", "parameters", "invokeai_metadata", "invokeai_workflow", "invokeai_graph")
"""Text chunks that describe how the picture was made; one that parses makes a PNG `present`."""


@dataclass(frozen=True)
class ParsedChunk:
    """One chunk's text checked: `value` when it is usable as is, else `error`;
    `salvaged` is a corrected text repair may keep (NaN → null, one level of encoding removed)."""

    keyword: str
    value: Any = None
    error: str | None = None
    salvaged: str | None = None
    note: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class _BareConstant(ValueError):
    pass


def _refuse_constant(name: str) -> Any:
    raise _BareConstant(name)


def _lenient(text: str) -> tuple[Any, int]:
    """Parse allowing NaN/Infinity, turning them into None; returns (value, how many were replaced)."""
    count = 0

    def constant(_name: str) -> None:
        nonlocal count
        count += 1
        return None

    return json.loads(text, parse_constant=constant), count


def _shape_error(keyword: str, value: Any) -> str | None:
    """Why `value` is not what the tool writes under `keyword`, or None when it is."""
    if keyword == "prompt":
        if not isinstance(value, dict) or not value:
            return "is not a ComfyUI prompt graph (expected an object of nodes)"
        for node_id, node in value.items():
            if not isinstance(node, dict) or not isinstance(node.get("class_type"), str):
                return f"is not a ComfyUI prompt graph (node {node_id!r} has no class_type)"
            if not isinstance(node.get("inputs", {}), dict):
                return f"is not a ComfyUI prompt graph (node {node_id!r} has no inputs object)"
        return None
    if keyword in ("workflow", "invokeai_workflow"):
        if not isinstance(value, dict) or not isinstance(value.get("nodes"), list):
            return "is not a workflow (expected an object with a list of nodes)"
        for node in value["nodes"]:
            if not isinstance(node, dict) or "id" not in node:
                return "is not a workflow (a node has no id)"
            if keyword == "workflow" and not isinstance(node.get("type"), str):
                return f"is not a ComfyUI workflow (node {node.get('id')!r} has no type)"
        if "links" in value and not isinstance(value["links"], list):
            return "is not a ComfyUI workflow (links is not a list)"
        return None
    if keyword == "invokeai_graph":
        if not isinstance(value, dict) or not isinstance(value.get("nodes"), dict | list):
            return "is not an InvokeAI graph (expected an object with nodes)"
        return None
    if keyword == "invokeai_metadata":
        return None if isinstance(value, dict) else "is not InvokeAI metadata (expected an object)"
    if keyword == "takevault":
        if not isinstance(value, dict) or not isinstance(value.get("video_sha256"), str):
            return "is not a takevault link (expected an object with video_sha256)"
        return None
    return None


def parse_chunk(keyword: str, text: str) -> ParsedChunk:
    """Check one chunk's text against what its keyword promises; never raises."""
    if keyword == "parameters":
        if not text.strip():
            return ParsedChunk(keyword, error="is empty")
        return ParsedChunk(keyword, value=text)
    if keyword not in JSON_KEYWORDS:
        return ParsedChunk(keyword, value=text)
    if not text.strip():
        return ParsedChunk(keyword, error="is empty")
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except _BareConstant as exc:
        try:
            value, count = _lenient(text)
        except ValueError:
            return ParsedChunk(keyword, error=f"is not JSON (it holds a bare {exc}, which JSON does not allow)")
        shape = _shape_error(keyword, value)
        return ParsedChunk(
            keyword,
            error=f"is not strict JSON (it holds a bare {exc}, which ComfyUI and browsers refuse)",
            salvaged=None if shape else json.dumps(value, ensure_ascii=False),
            note=f"replaced {count} bare NaN/Infinity value{'s' if count != 1 else ''} with null",
        )
    except (ValueError, RecursionError) as exc:
        where = f" at line {exc.lineno} column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
        return ParsedChunk(keyword, error=f"is not valid JSON{where}")
    if isinstance(value, str):
        inner = parse_chunk(keyword, value)
        if inner.ok:
            return ParsedChunk(
                keyword,
                error="is JSON-encoded twice (a JSON string that holds JSON)",
                salvaged=value,
                note="removed one level of JSON encoding",
            )
        return ParsedChunk(keyword, error=f"is a JSON string, not {_expected(keyword)}")
    shape = _shape_error(keyword, value)
    if shape:
        return ParsedChunk(keyword, error=shape)
    return ParsedChunk(keyword, value=value)


def _expected(keyword: str) -> str:
    return {
        "prompt": "a ComfyUI prompt graph",
        "workflow": "a ComfyUI workflow",
        "takevault": "a takevault link",
    }.get(keyword, "a JSON object")


def strict_dumps(value: Any) -> str:
    """JSON text every parser accepts: NaN and infinities become null."""
    return json.dumps(_finite(value), ensure_ascii=False)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value
