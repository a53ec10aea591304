"""The page's script modules: index.html preloads exactly the modules main.js reaches, so the browser
fetches them in one round instead of one import level after another, and none is forgotten."""

from __future__ import annotations

import re
from pathlib import Path

import takevault.web

STATIC = Path(takevault.web.__file__).parent / "static"
IMPORT = re.compile(r"""(?:\bfrom\s*|\bimport\s*\(?\s*)["']\./([\w.-]+\.js)["']""")


def reached_from(entry: str) -> set[str]:
    seen: set[str] = set()
    todo = [entry]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += IMPORT.findall((STATIC / "js" / name).read_text())
    return seen


def test_index_preloads_every_module_main_reaches_and_nothing_else() -> None:
    html = (STATIC / "index.html").read_text()
    preloaded = re.findall(r'<link rel="modulepreload" href="/static/js/([\w.-]+\.js)">', html)
    assert len(preloaded) == len(set(preloaded))
    assert set(preloaded) == reached_from("main.js") - {"main.js"}
    assert '<script type="module" src="/static/js/main.js">' in html


def test_the_import_pattern_sees_every_kind_of_import() -> None:
    source = 'import { a } from "./a.js";\nimport * as b from \'./b.js\';\nconst c = await import("./c.js");'
    found = IMPORT.findall(source)
    assert found == ["a.js", "b.js", "c.js"]
