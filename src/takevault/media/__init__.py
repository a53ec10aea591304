"""Media: probe, stills and workflow PNGs (PyAV, Pillow). Knows nothing of the catalog."""

from takevault.media.probe import SUPPORTED, probe

__all__ = ["SUPPORTED", "probe"]
