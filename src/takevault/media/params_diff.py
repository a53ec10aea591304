"""What changed between two generations: prompt words, settings, LoRAs and the node graph.

Pure: takes the parsed chunk values of two takes (by keyword, as `generation.summarize`
takes them) and returns plain data. Nodes are matched by id *and* type, so a node
id reused for another type counts as one removed and one added.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Any, TypeGuard

from takevault.media.generation import graph_of, summarize

COMPARED_FIELDS = ("seed", "steps", "cfg", "sampler", "scheduler", "model", "frames", "width", "height")
_WORD = re.compile(r"[\w'\-]+", re.UNICODE)


def prompt_words(text: str | None) -> list[str]:
    """The words of a prompt, lower-cased, in order (weights and punctuation dropped)."""
    return [w for w in _WORD.findall((text or "").lower()) if not _is_number(w)]


def _is_number(word: str) -> bool:
    try:
        float(word)
    except ValueError:
        return False
    return True


def word_diff(a: str | None, b: str | None) -> dict[str, list[str]]:
    """Words added to and removed from `a` to get `b` (counted, so a repeated word can be added)."""
    wa, wb = prompt_words(a), prompt_words(b)
    ca, cb = Counter(wa), Counter(wb)
    added = cb - ca
    removed = ca - cb
    return {
        "added": _in_order(wb, added),
        "removed": _in_order(wa, removed),
    }


def _in_order(words: list[str], counts: Counter[str]) -> list[str]:
    left = Counter(counts)
    out = []
    for word in words:
        if left[word] > 0:
            out.append(word)
            left[word] -= 1
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return float(a) == float(b)
    return a == b


def lora_diff(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> dict[str, list[Any]]:
    ia = {str(x.get("name")): x for x in a}
    ib = {str(x.get("name")): x for x in b}
    changed = []
    for name in ia.keys() & ib.keys():
        wa = {k: v for k, v in ia[name].items() if k != "name"}
        wb = {k: v for k, v in ib[name].items() if k != "name"}
        if any(not _same(wa.get(k), wb.get(k)) for k in wa.keys() | wb.keys()):
            changed.append({"name": name, "a": wa, "b": wb})
    return {
        "added": [ib[n] for n in ib if n not in ia],
        "removed": [ia[n] for n in ia if n not in ib],
        "changed": sorted(changed, key=lambda c: c["name"]),
    }


def _link_text(value: Any) -> str:
    return f"node {value[0]} output {value[1]}"


def _is_link(value: Any) -> TypeGuard[list[Any]]:
    return isinstance(value, list) and len(value) == 2 and isinstance(value[0], str | int) and isinstance(value[1], int)


def _sort_key(node_id: str) -> tuple[int, Any]:
    head = node_id.split(":")[0]
    return (0, int(head), node_id) if head.isdigit() else (1, 0, node_id)  # type: ignore[return-value]


def graph_diff(a: dict[str, Any], b: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Nodes added and removed, widget values changed and inputs rewired, matched by id and type."""
    added, removed, values, links = [], [], [], []
    for node_id in sorted(a.keys() | b.keys(), key=_sort_key):
        na, nb = a.get(node_id), b.get(node_id)
        ta = na.get("class_type") if isinstance(na, dict) else None
        tb = nb.get("class_type") if isinstance(nb, dict) else None
        if ta != tb or na is None or nb is None:
            if na is not None:
                removed.append({"id": node_id, "type": ta})
            if nb is not None:
                added.append({"id": node_id, "type": tb})
            continue
        ia, ib = na.get("inputs") or {}, nb.get("inputs") or {}
        for name in sorted(ia.keys() | ib.keys()):
            va, vb = ia.get(name), ib.get(name)
            if _is_link(va) and _is_link(vb) and [str(x) for x in va] == [str(x) for x in vb]:
                continue
            if _is_link(va) or _is_link(vb):
                sa = _link_text(va) if _is_link(va) else va
                sb = _link_text(vb) if _is_link(vb) else vb
                links.append({"node": node_id, "type": ta, "input": name, "a": sa, "b": sb})
            elif not _same(va, vb):
                values.append({"node": node_id, "type": ta, "input": name, "a": va, "b": vb})
    return {"nodes_added": added, "nodes_removed": removed, "values_changed": values, "links_changed": links}


def diff_params(a_values: dict[str, Any], b_values: dict[str, Any]) -> dict[str, Any]:
    """The whole generation diff; `same` is True when nothing at all differs."""
    sa, sb = summarize(a_values), summarize(b_values)
    fields = [
        {"field": name, "a": sa.get(name), "b": sb.get(name)}
        for name in COMPARED_FIELDS
        if not _same(sa.get(name), sb.get(name))
    ]
    source_a, graph_a = graph_of(a_values)
    source_b, graph_b = graph_of(b_values)
    graph = graph_diff(graph_a, graph_b)
    result: dict[str, Any] = {
        "same": False,
        "source": {"a": sa.get("source"), "b": sb.get("source")},
        "fields": fields,
        "prompt": word_diff(sa.get("positive"), sb.get("positive")),
        "negative": word_diff(sa.get("negative"), sb.get("negative")),
        "loras": lora_diff(sa.get("loras") or [], sb.get("loras") or []),
        "graph": {"a": source_a, "b": source_b, **graph},
    }
    result["same"] = not (
        fields
        or (sa.get("positive") or "") != (sb.get("positive") or "")
        or (sa.get("negative") or "") != (sb.get("negative") or "")
        or any(result["loras"].values())
        or any(graph.values())
    )
    return result
