"""The newest schema revision this takevault knows, read from the migration files without Alembic or SQLAlchemy.

Every command checks the catalog's revision against it; a listing's fast path (see
`sqlite_reader.py`) does so without loading SQLAlchemy, so this lives in its own module.
"""

from __future__ import annotations

import re
from pathlib import Path

MIGRATION_VERSIONS = Path(__file__).parent / "migrations" / "versions"
_REVISION_LINE = re.compile(r"^revision\s*(?::[^=]*)?=\s*[\"']([^\"']+)[\"']", re.MULTILINE)
_DOWN_LINE = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*(.+)$", re.MULTILINE)


def head_from_files(folder: Path = MIGRATION_VERSIONS) -> str | None:
    """The one revision no migration revises, read from the files' `revision =` and `down_revision =`
    lines; None when that is not clear-cut (then Alembic decides)."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in folder.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        rev, down = _REVISION_LINE.search(text), _DOWN_LINE.search(text)
        if rev is None:
            continue
        if down is None:
            return None
        revisions.add(rev.group(1))
        revised.update(re.findall(r"[\"']([^\"']+)[\"']", down.group(1)))
    heads = revisions - revised
    return next(iter(heads)) if len(heads) == 1 else None
