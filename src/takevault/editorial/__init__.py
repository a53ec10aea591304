"""Editorial hand-off: folder exports, OpenTimelineIO timelines, watch folders, AIMMS interchange.

These modules know nothing of the catalog: they take plain records and paths
and return plain data; `takevault.vault.editorial` wires them to a `Vault`.
"""
