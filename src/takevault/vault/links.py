"""Guest review links: one take, a set of its versions or a compare view, for a client without an account.

A reviewer or admin makes a link with an expiry and an optional password; the
guest opens it, types their name, and may watch those versions and leave notes
(marked as a guest's, under that name), nothing else. A link can be revoked at
once. The link's secret is shown once; only its sha256 is kept.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from takevault.catalog import links as rows
from takevault.catalog.catalog import now
from takevault.catalog.rows import NewGuestSession, NewReviewLink
from takevault.errors import InvalidInputError, NotFoundError, SignInError
from takevault.vault import lookup
from takevault.vault.notes import Note
from takevault.vault.people import SESSION_HOURS, Identity, digest, hash_password, password_matches

if TYPE_CHECKING:
    from takevault.vault import Vault

LINK_PREFIX = "tvl_"
VIEWS = ("take", "versions", "compare")
MAX_HOURS = 24 * 90
GUEST_NAME_MAX = 100


@dataclass(frozen=True)
class ReviewLink:
    id: str
    take_id: str
    ref: str
    versions: tuple[int, ...]
    view: str
    has_password: bool
    created_at: datetime
    created_by: str
    expires_at: datetime
    revoked_at: datetime | None = None
    token: str | None = None
    """The secret, only right after the link was made."""

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= now() else "active"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "take_id": self.take_id,
            "ref": self.ref,
            "versions": list(self.versions),
            "view": self.view,
            "has_password": self.has_password,
            "state": self.state,
            "created_at": self.created_at.isoformat(),
            "created_by": self.created_by,
            "expires_at": self.expires_at.isoformat(),
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
            "token": self.token,
            "path": f"/review/{self.token}" if self.token else None,
        }


@dataclass(frozen=True)
class GuestIdentity(Identity):
    """A guest: named by what they typed, limited to one link's take and versions."""

    link_id: str = ""
    take_id: str = ""
    versions: tuple[int, ...] = ()


@dataclass(frozen=True)
class GuestSession:
    session_id: str
    csrf_token: str
    expires_at: datetime
    identity: GuestIdentity
    link: ReviewLink


def check_guest_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise InvalidInputError("Type your name, so the team knows whose notes these are.")
    name = " ".join(name.split())
    if len(name) > GUEST_NAME_MAX:
        raise InvalidInputError(f"The name is too long; keep it under {GUEST_NAME_MAX} characters.")
    return name


def create_link(
    vault: Vault,
    ref: str,
    *,
    versions: list[int] | None = None,
    view: str = "take",
    hours: float = 72,
    password: str | None = None,
) -> ReviewLink:
    """A link for the take (all its versions unless `versions`), valid for `hours`; its secret is in `.token`."""
    take = lookup.take_only(vault, ref, "link")
    if view not in VIEWS:
        raise InvalidInputError(f"{view!r} is not a link view; use one of {', '.join(VIEWS)}.")
    if not isinstance(hours, int | float) or not 0 < hours <= MAX_HOURS:
        raise InvalidInputError(f"A link lasts between a minute and {MAX_HOURS // 24} days; give hours in that range.")
    known = sorted(v.number for v in vault.catalog.versions(take.id))
    chosen = sorted(set(versions)) if versions else known
    for number in chosen:
        lookup.version(vault, take, number)
    if view == "compare" and len(chosen) != 2:
        raise InvalidInputError("A compare link shows exactly two versions; give two, e.g. --version 3 --version 4.")
    token = LINK_PREFIX + secrets.token_urlsafe(32)
    link = NewReviewLink(
        id=str(uuid.uuid4()),
        take_id=take.id,
        versions=tuple(chosen),
        view=view,
        token_sha256=digest(token),
        password_hash=hash_password(password) if password else None,
        created_at=now(),
        created_by=vault.user,
        expires_at=now() + timedelta(hours=float(hours)),
    )
    rows.add_link(vault.catalog, link, lookup.event(vault, "link_add", take, link=link.id, versions=chosen))
    return _link({**link.columns(), "revoked_at": None}, take.ref, token)


def links(vault: Vault, ref: str) -> list[ReviewLink]:
    take = lookup.take_only(vault, ref, "links")
    return [_link(r, take.ref) for r in rows.list_links(vault.catalog, [take.id])]


def revoke_link(vault: Vault, link_id: str) -> ReviewLink:
    found = rows.get_link(vault.catalog, link_id) if isinstance(link_id, str) else None
    if found is None:
        raise NotFoundError(f"There is no review link {link_id}; list them with 'takevault review-link list TAKE'.")
    take = vault.take(found["take_id"])
    if found["revoked_at"] is None:
        rows.revoke(vault.catalog, found["id"], lookup.event(vault, "link_revoke", take, link=found["id"]))
    return _link(rows.get_link(vault.catalog, found["id"]) or found, take.ref)


def open_link(vault: Vault, token: str, name: str, password: str | None = None) -> GuestSession:
    """Check the link (and its password) and open a guest session named `name`."""
    link = _live_link(vault, token)
    guest = check_guest_name(name)
    if link["password_hash"] is not None and not password_matches(link["password_hash"], password or ""):
        raise SignInError("The password of this review link is wrong; check it with whoever sent the link.")
    session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = min(link["expires_at"], now() + timedelta(hours=SESSION_HOURS))
    rows.add_guest_session(
        vault.catalog,
        NewGuestSession(
            link_id=link["id"], name=guest, session_sha256=digest(session_id), csrf_token=csrf, expires_at=expires
        ),
    )
    take = vault.take(link["take_id"])
    identity = GuestIdentity(guest, "guest", csrf, link["id"], link["take_id"], tuple(link["versions"]))
    return GuestSession(session_id, csrf, expires, identity, _link(link, take.ref))


def link_info(vault: Vault, token: str) -> ReviewLink:
    """What a link shows (without opening it): for the guest page before the name is typed."""
    link = _live_link(vault, token)
    return _link(link, vault.take(link["take_id"]).ref)


def identify_guest(vault: Vault, session_id: str) -> GuestIdentity | None:
    found = rows.guest_session(vault.catalog, digest(session_id)) if session_id else None
    if found is None:
        return None
    session, link = found
    if link["revoked_at"] is not None or link["expires_at"] <= now():
        return None
    return GuestIdentity(
        session["name"], "guest", session["csrf_token"], link["id"], link["take_id"], tuple(link["versions"])
    )


def add_guest_note(vault: Vault, guest: GuestIdentity, ref: str, text: str, **where: Any) -> Note:
    """A note by a guest on one of their link's versions, marked as a guest's."""
    take, version = vault.resolve_version(ref)
    if take.id != guest.take_id or version.number not in guest.versions:
        raise NotFoundError("This review link does not show that version; note one of the versions it shows.")
    return vault.add_note(f"{take.id}@v{version.number}", text, guest=True, author=guest.name, **where)


def _live_link(vault: Vault, token: str) -> dict[str, Any]:
    link = rows.link_by_token(vault.catalog, digest(token)) if isinstance(token, str) and token else None
    if link is None:
        raise NotFoundError("This review link does not exist; check the address, or ask for a new link.")
    if link["revoked_at"] is not None:
        raise SignInError("This review link was revoked; ask whoever sent it for a new one.")
    if link["expires_at"] <= now():
        raise SignInError("This review link has expired; ask whoever sent it for a new one.")
    return link


def _link(row: dict[str, Any], ref: str, token: str | None = None) -> ReviewLink:
    return ReviewLink(
        id=row["id"],
        take_id=row["take_id"],
        ref=ref,
        versions=tuple(row["versions"]),
        view=row["view"],
        has_password=row["password_hash"] is not None,
        created_at=row["created_at"],
        created_by=row["created_by"],
        expires_at=row["expires_at"],
        revoked_at=row.get("revoked_at"),
        token=token,
    )


__all__ = ["GuestIdentity", "ReviewLink"]
