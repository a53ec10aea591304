"""Turn records into JSON: every record has `to_json()` in the `--json` shapes the CLI prints."""

from __future__ import annotations

from typing import Any


def render(value: Any) -> Any:
    if hasattr(value, "to_json"):
        return value.to_json()
    if isinstance(value, list | tuple):
        return [render(v) for v in value]
    if isinstance(value, dict):
        return {k: render(v) for k, v in value.items()}
    return value
