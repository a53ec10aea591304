"""The people tables: users, their role per project, personal API tokens and web sessions.

Plain functions over a `Catalog`, one transaction each. They store and compare
digests only; hashing passwords and making secrets is the vault's job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from takevault.catalog.catalog import Catalog, now
from takevault.catalog.records import utc
from takevault.catalog.rows import NewEvent
from takevault.catalog.schema import api_tokens, events, memberships, projects, users, web_sessions


@dataclass(frozen=True)
class UserRow:
    id: int
    name: str
    password_hash: str | None
    created_at: datetime
    created_by: str
    roles: dict[str, str]
    """project name -> role"""
    tokens: int


def count_users(catalog: Catalog) -> int:
    with catalog.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(users)).scalar_one())


def _roles(conn: sa.Connection, user_ids: list[int]) -> dict[int, dict[str, str]]:
    found: dict[int, dict[str, str]] = {uid: {} for uid in user_ids}
    if not user_ids:
        return found
    rows = conn.execute(
        sa.select(memberships.c.user_id, projects.c.name, memberships.c.role)
        .join(projects, projects.c.id == memberships.c.project_id)
        .where(memberships.c.user_id.in_(user_ids))
    ).all()
    for user_id, project, role in rows:
        found[user_id][project] = role
    return found


def _rows(conn: sa.Connection, where: Any = None) -> list[UserRow]:
    query = sa.select(users).order_by(users.c.name)
    if where is not None:
        query = query.where(where)
    rows = conn.execute(query).mappings().all()
    ids = [r["id"] for r in rows]
    roles = _roles(conn, ids)
    counts: dict[int, int] = (
        dict(
            conn.execute(
                sa.select(api_tokens.c.user_id, sa.func.count())
                .where(api_tokens.c.user_id.in_(ids))
                .group_by(api_tokens.c.user_id)
            ).all()
        )
        if ids
        else {}
    )
    return [
        UserRow(
            id=r["id"],
            name=r["name"],
            password_hash=r["password_hash"],
            created_at=utc(r["created_at"]),
            created_by=r["created_by"],
            roles=roles[r["id"]],
            tokens=int(counts.get(r["id"], 0)),
        )
        for r in rows
    ]


def list_users(catalog: Catalog) -> list[UserRow]:
    with catalog.read() as conn:
        return _rows(conn)


def find_user(catalog: Catalog, name: str) -> UserRow | None:
    with catalog.read() as conn:
        found = _rows(conn, users.c.name == name)
    return found[0] if found else None


def add_user(
    catalog: Catalog, name: str, password_hash: str | None, project_id: int, role: str, by: str, event: NewEvent
) -> None:
    """A new user with `role` in one project (the caller checked that the name is free)."""
    with catalog.write() as conn:
        inserted = conn.execute(
            sa.insert(users).values(name=name, password_hash=password_hash, created_at=now(), created_by=by)
        )
        key = inserted.inserted_primary_key
        assert key is not None  # an INSERT always reports the key it made
        user_id = key[0]
        conn.execute(sa.insert(memberships).values(user_id=user_id, project_id=project_id, role=role))
        conn.execute(sa.insert(events).values(**event.columns()))


def set_role(catalog: Catalog, user_id: int, project_id: int, role: str | None, event: NewEvent) -> None:
    """Give the user `role` in the project, or take every role there away with None."""
    with catalog.write() as conn:
        conn.execute(
            sa.delete(memberships).where(memberships.c.user_id == user_id, memberships.c.project_id == project_id)
        )
        if role is not None:
            conn.execute(sa.insert(memberships).values(user_id=user_id, project_id=project_id, role=role))
        conn.execute(sa.insert(events).values(**event.columns()))


def set_password(catalog: Catalog, user_id: int, password_hash: str | None) -> None:
    with catalog.write() as conn:
        conn.execute(sa.update(users).where(users.c.id == user_id).values(password_hash=password_hash))
        # A new password ends every open browser session of that person.
        conn.execute(sa.delete(web_sessions).where(web_sessions.c.user_id == user_id))


def remove_user(catalog: Catalog, user_id: int, event: NewEvent) -> None:
    """Delete the user; their memberships, tokens and sessions go with them (ON DELETE CASCADE)."""
    with catalog.write() as conn:
        conn.execute(sa.delete(api_tokens).where(api_tokens.c.user_id == user_id))
        conn.execute(sa.delete(web_sessions).where(web_sessions.c.user_id == user_id))
        conn.execute(sa.delete(memberships).where(memberships.c.user_id == user_id))
        conn.execute(sa.delete(users).where(users.c.id == user_id))
        conn.execute(sa.insert(events).values(**event.columns()))


def add_token(catalog: Catalog, user_id: int, label: str, digest: str) -> None:
    with catalog.write() as conn:
        conn.execute(sa.insert(api_tokens).values(user_id=user_id, label=label, token_sha256=digest, created_at=now()))


def user_by_token(catalog: Catalog, digest: str) -> UserRow | None:
    with catalog.read() as conn:
        user_id = conn.execute(sa.select(api_tokens.c.user_id).where(api_tokens.c.token_sha256 == digest)).scalar()
        if user_id is None:
            return None
        found = _rows(conn, users.c.id == user_id)
    return found[0] if found else None


def add_session(catalog: Catalog, user_id: int, digest: str, csrf: str, expires_at: datetime) -> None:
    with catalog.write() as conn:
        # Expired sessions are cleared whenever someone signs in, so the table stays small.
        conn.execute(sa.delete(web_sessions).where(web_sessions.c.expires_at < now()))
        conn.execute(
            sa.insert(web_sessions).values(
                user_id=user_id, session_sha256=digest, csrf_token=csrf, created_at=now(), expires_at=expires_at
            )
        )


def session_user(catalog: Catalog, digest: str) -> tuple[UserRow, str] | None:
    """The user and CSRF token of a live session, None when unknown or expired."""
    with catalog.read() as conn:
        row = conn.execute(
            sa.select(web_sessions.c.user_id, web_sessions.c.csrf_token, web_sessions.c.expires_at).where(
                web_sessions.c.session_sha256 == digest
            )
        ).first()
        if row is None or utc(row.expires_at) < now():
            return None
        found = _rows(conn, users.c.id == row.user_id)
    return (found[0], row.csrf_token) if found else None


def end_session(catalog: Catalog, digest: str) -> None:
    with catalog.write() as conn:
        conn.execute(sa.delete(web_sessions).where(web_sessions.c.session_sha256 == digest))
