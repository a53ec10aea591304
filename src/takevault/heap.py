"""A long-running process keeps its start-up objects out of the garbage collector's walks.

A full collection visits every object the collector tracks. In a server nearly all of them are
made at start-up (modules, the app, the open vault's tables and compiled statements) and live
until exit, so each full collection paid for them again, in the middle of whichever request
happened to trigger it: at 100,000 takes the starred list's p95 was 73 ms against a 42 ms median,
and 46 ms with the start-up objects frozen (bench/README.md, "Catalog at scale").
"""

from __future__ import annotations

import gc


def freeze_startup_objects() -> None:
    """Collect once, then move every object alive now to the collector's permanent generation.

    Objects made afterwards are collected as before. A frozen object that later becomes garbage
    is still freed when its last reference goes; only a cycle among frozen objects would stay,
    and start-up objects live for the whole process anyway."""
    gc.collect()
    gc.freeze()
