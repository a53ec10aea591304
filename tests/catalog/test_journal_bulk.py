"""Takes inserted many at once (executemany) are journaled like single ones: a rebuild brings them all back."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from takevault.catalog.schema import take_versions, takes
from tests.catalog.scale_helpers import bulk_takes
from tests.vault.takes_helpers import CATALOGS, make_vault


def _rows(vault) -> dict[str, list[tuple]]:
    with vault.catalog.engine.connect() as conn:
        return {
            "takes": sorted(tuple(r) for r in conn.execute(sa.select(takes.c.id, takes.c.name))),
            "take_versions": sorted(
                tuple(r) for r in conn.execute(sa.select(take_versions.c.id, take_versions.c.take_id))
            ),
        }


@pytest.mark.parametrize("kind", CATALOGS)
def test_bulk_inserted_takes_and_versions_come_back_from_the_journal(request, tmp_path: Path, kind: str) -> None:
    with make_vault(request, tmp_path / "vault", kind) as vault:
        bulk_takes(vault, shots=2, per_shot=3)
        before = _rows(vault)
        assert len(before["takes"]) == 6 and len(before["take_versions"]) == 12
        assert all(version_id is not None for version_id, _ in before["take_versions"])
        # A forced rebuild empties the catalog and loads it from the journal alone.
        report = vault.rebuild_catalog(force=True)
        assert not report.skipped and report.journal_entries > 0
        assert _rows(vault) == before
