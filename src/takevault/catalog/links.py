"""The review_links and guest_sessions tables: links for guests, and the browser sessions they open."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from takevault.catalog.catalog import Catalog, now
from takevault.catalog.records import utc
from takevault.catalog.rows import NewEvent, NewGuestSession, NewReviewLink
from takevault.catalog.schema import events, guest_sessions, review_links


def _row(r: Any) -> dict[str, Any]:
    found = dict(r)
    for key in ("created_at", "expires_at", "revoked_at"):
        found[key] = utc(found[key])
    return found


def add_link(catalog: Catalog, link: NewReviewLink, event: NewEvent) -> None:
    with catalog.write() as conn:
        conn.execute(sa.insert(review_links).values(**link.columns()))
        conn.execute(sa.insert(events).values(**event.columns()))


def get_link(catalog: Catalog, link_id: str) -> dict[str, Any] | None:
    with catalog.read() as conn:
        r = conn.execute(sa.select(review_links).where(review_links.c.id == link_id)).mappings().first()
    return _row(r) if r is not None else None


def link_by_token(catalog: Catalog, digest: str) -> dict[str, Any] | None:
    with catalog.read() as conn:
        r = conn.execute(sa.select(review_links).where(review_links.c.token_sha256 == digest)).mappings().first()
    return _row(r) if r is not None else None


def list_links(catalog: Catalog, take_ids: list[str]) -> list[dict[str, Any]]:
    if not take_ids:
        return []
    with catalog.read() as conn:
        rows = (
            conn.execute(
                sa.select(review_links).where(review_links.c.take_id.in_(take_ids)).order_by(review_links.c.created_at)
            )
            .mappings()
            .all()
        )
    return [_row(r) for r in rows]


def revoke(catalog: Catalog, link_id: str, event: NewEvent) -> None:
    with catalog.write() as conn:
        conn.execute(sa.update(review_links).where(review_links.c.id == link_id).values(revoked_at=now()))
        conn.execute(sa.delete(guest_sessions).where(guest_sessions.c.link_id == link_id))
        conn.execute(sa.insert(events).values(**event.columns()))


def add_guest_session(catalog: Catalog, session: NewGuestSession) -> None:
    with catalog.write() as conn:
        conn.execute(sa.delete(guest_sessions).where(guest_sessions.c.expires_at < now()))
        conn.execute(sa.insert(guest_sessions).values(**session.columns()))


def guest_session(catalog: Catalog, digest: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(session, its link) for a live guest session id digest."""
    with catalog.read() as conn:
        s = conn.execute(sa.select(guest_sessions).where(guest_sessions.c.session_sha256 == digest)).mappings().first()
        if s is None or utc(s["expires_at"]) < now():
            return None
        link = conn.execute(sa.select(review_links).where(review_links.c.id == s["link_id"])).mappings().first()
    return (dict(s), _row(link)) if link is not None else None
