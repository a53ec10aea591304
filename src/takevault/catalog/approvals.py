"""The approvals table: every review decision on a take version, newest last."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from takevault.catalog.catalog import Catalog
from takevault.catalog.records import utc
from takevault.catalog.rows import NewApproval, NewEvent
from takevault.catalog.schema import approvals, events


def decide(catalog: Catalog, decision: NewApproval, event: NewEvent) -> None:
    with catalog.write() as conn:
        conn.execute(sa.insert(approvals).values(**decision.columns()))
        conn.execute(sa.insert(events).values(**event.columns()))


def history(catalog: Catalog, take_ids: list[str]) -> list[dict[str, Any]]:
    """Every decision on the takes, oldest first."""
    if not take_ids:
        return []
    with catalog.read() as conn:
        rows = (
            conn.execute(
                sa.select(approvals)
                .where(approvals.c.take_id.in_(take_ids))
                .order_by(approvals.c.decided_at, approvals.c.id)
            )
            .mappings()
            .all()
        )
    return [{**dict(r), "decided_at": utc(r["decided_at"])} for r in rows]
