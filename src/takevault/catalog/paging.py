"""The ordered ids of the takes a listing matches: the cheap first step of a page.

A page then loads full records (versions, media, links) for its own ids only,
instead of for every matching take. Same filters and order as
`Catalog.query_takes` (section, shot, take number).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import sqlalchemy as sa

from takevault.catalog.schema import sections, shots, takes
from takevault.models import Project

if TYPE_CHECKING:
    from takevault.catalog import Catalog


def ordered_take_ids(
    catalog: Catalog,
    project: Project,
    *,
    shot_ids: Sequence[int] | None = None,
    section: str | None = None,
    starred: bool | None = None,
    kind: str | None = None,
    status: str | None = None,
    min_rating: int | None = None,
    deleted: bool | None = False,
) -> list[str]:
    query = (
        sa.select(takes.c.id)
        .select_from(
            takes.join(shots, takes.c.shot_id == shots.c.id).outerjoin(sections, shots.c.section_id == sections.c.id)
        )
        .where(shots.c.project_id == project.id)
        .order_by(
            sa.func.coalesce(sections.c.sort_order, -1),
            sections.c.code,
            shots.c.sort_order,
            shots.c.code,
            takes.c.number,
        )
    )
    if shot_ids is not None:
        query = query.where(takes.c.shot_id.in_(list(shot_ids)))
    if section is not None:
        query = query.where(sections.c.code == section)
    if starred is True:
        query = query.where(shots.c.starred_take_id == takes.c.id)
    elif starred is False:
        query = query.where(sa.or_(shots.c.starred_take_id.is_(None), shots.c.starred_take_id != takes.c.id))
    if kind is not None:
        query = query.where(takes.c.kind == kind)
    if status is not None:
        query = query.where(takes.c.status == status)
    if min_rating is not None:
        query = query.where(takes.c.rating >= min_rating)
    if deleted is not None:
        query = query.where(takes.c.deleted == (sa.true() if deleted else sa.false()))
    with catalog.read() as conn:
        return list(conn.execute(query).scalars())
