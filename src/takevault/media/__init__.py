"""Media: probe, stills and workflow PNGs (PyAV, Pillow). Knows nothing of the catalog.

`probe` is loaded on first use, so importing `takevault.media.formats` (the list of
video formats) does not load PyAV.
"""

from typing import Any

from takevault.media.formats import SUPPORTED

__all__ = ["SUPPORTED", "probe"]


def __getattr__(name: str) -> Any:
    if name == "probe":
        from takevault.media.probe import probe

        return probe
    raise AttributeError(f"module 'takevault.media' has no attribute {name!r}")
