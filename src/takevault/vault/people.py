"""People: users with a role per project, passwords, personal API tokens, web sessions.

Roles grow in this order, each allowing what the ones before it allow:
viewer (watch), reviewer (notes, approvals), editor (add, replace, star, delete),
admin (people, purge). Users are vault-wide; a role belongs to one project.

Secrets are kept only as digests: passwords as argon2id hashes, API tokens and
session ids (random 256-bit values) as sha256, which is enough for values that
cannot be guessed. While no user exists the vault is single-user: whoever can
open it acts under the configured user name.

Callers reach these through `vault.people` (`People` below): `vault.people.add(name)`,
`vault.people.sign_in(name, password)`.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from takevault.catalog import people as rows
from takevault.catalog.catalog import now
from takevault.catalog.rows import NewEvent
from takevault.catalog.schema import ROLES
from takevault.errors import AccessError, ConflictError, InvalidInputError, NotFoundError, SignInError
from takevault.vault import lookup

if TYPE_CHECKING:
    from takevault.vault import Vault

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")
TOKEN_PREFIX = "tvk_"
SESSION_HOURS = 12
MIN_PASSWORD = 8
MAX_PASSWORD = 1024


def role_rank(role: str | None) -> int:
    """0 for no role, then 1 (viewer) to 4 (admin)."""
    return ROLES.index(role) + 1 if role in ROLES else 0


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class User:
    """A person as listings show them; `role` is their role in the vault's current project."""

    name: str
    role: str | None
    roles: dict[str, str] = field(default_factory=dict)
    has_password: bool = False
    tokens: int = 0
    created_at: datetime | None = None
    created_by: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role,
            "roles": dict(sorted(self.roles.items())),
            "has_password": self.has_password,
            "tokens": self.tokens,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "created_by": self.created_by,
        }


@dataclass(frozen=True)
class Identity:
    """Who a web request comes from: the user, their role in the request's project, the session's CSRF token."""

    name: str
    role: str | None
    csrf_token: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "role": self.role}


@dataclass(frozen=True)
class NewSession:
    session_id: str
    csrf_token: str
    expires_at: datetime
    identity: Identity


_hasher: Any = None


def _password_hasher() -> Any:
    global _hasher
    if _hasher is None:
        from argon2 import PasswordHasher

        _hasher = PasswordHasher()
    return _hasher


def hash_password(password: str) -> str:
    check_password(password)
    return _password_hasher().hash(password)


def password_matches(stored: str | None, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    if stored is None:
        # Spend the same time as a real check, so a wrong name cannot be told from a wrong password.
        _password_hasher().hash(password[:MAX_PASSWORD] or "x")
        return False
    try:
        return bool(_password_hasher().verify(stored, password))
    except (VerificationError, InvalidHashError):
        return False


def check_password(password: str) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise InvalidInputError(f"The password is too short; use at least {MIN_PASSWORD} characters.")
    if len(password) > MAX_PASSWORD:
        raise InvalidInputError(f"The password is too long; use at most {MAX_PASSWORD} characters.")
    return password


def check_user_name(name: str) -> str:
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise InvalidInputError(
            f"{name!r} is not a valid user name; use letters, digits, '.', '_', '@' or '-' (up to 100), e.g. ana.ruiz."
        )
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise InvalidInputError(f"{role!r} is not a role; use one of {', '.join(ROLES)}.")
    return role


# -- users -------------------------------------------------------------------
def has_users(vault: Vault) -> bool:
    """True once anyone was added: from then on the web server needs everyone to sign in."""
    return rows.count_users(vault.catalog) > 0


def users(vault: Vault) -> list[User]:
    return [_user(vault, r) for r in rows.list_users(vault.catalog)]


def add_user(vault: Vault, name: str, *, role: str = "viewer", password: str | None = None) -> User:
    """A new user with `role` in this project; without a password they can only use API tokens."""
    check_user_name(name)
    check_role(role)
    hashed = hash_password(password) if password is not None else None
    if rows.find_user(vault.catalog, name) is not None:
        raise ConflictError(f"User {name} already exists; change their role with 'takevault user role {name} ROLE'.")
    project = lookup.project_row_for_write(vault)
    rows.add_user(
        vault.catalog, name, hashed, project.id, role, vault.user, _people_event(vault, "user_add", name, role)
    )
    return find_user(vault, name)


def find_user(vault: Vault, name: str) -> User:
    return _user(vault, _user_row(vault, name))


def set_role(vault: Vault, name: str, role: str) -> User:
    """Give `name` the role `role` in this project (`none` takes their access to it away)."""
    found = _user_row(vault, name)
    if role != "none":
        check_role(role)
    project = lookup.project_row_for_write(vault)
    new = None if role == "none" else role
    rows.set_role(vault.catalog, found.id, project.id, new, _people_event(vault, "user_role", name, new))
    return find_user(vault, name)


def set_password(vault: Vault, name: str, password: str | None) -> User:
    """A new password (None: token use only); every open browser session of theirs ends."""
    found = _user_row(vault, name)
    rows.set_password(vault.catalog, found.id, hash_password(password) if password is not None else None)
    return find_user(vault, name)


def remove_user(vault: Vault, name: str) -> None:
    """Remove the person: their roles, tokens and sessions stop working at once; events keep their name."""
    found = _user_row(vault, name)
    rows.remove_user(vault.catalog, found.id, _people_event(vault, "user_remove", name, None))


def new_token(vault: Vault, name: str, *, label: str = "api") -> str:
    """A new personal API token for `name`; it is shown once, only its digest is kept."""
    found = _user_row(vault, name)
    label = (label or "api").strip()[:200] or "api"
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    rows.add_token(vault.catalog, found.id, label, digest(token))
    return token


# -- signing in ----------------------------------------------------------------
def identify_token(vault: Vault, token: str) -> Identity:
    """The person a personal API token belongs to, with their role in this project."""
    found = rows.user_by_token(vault.catalog, digest(token)) if token else None
    if found is None:
        raise SignInError(
            "This API token is not valid (it was never issued, or its user was removed); ask an admin for a new one."
        )
    return Identity(found.name, found.roles.get(vault.project))


def sign_in(vault: Vault, name: str, password: str) -> NewSession:
    """Check the password and open a browser session; one sentence for every way it can fail."""
    found = rows.find_user(vault.catalog, name) if isinstance(name, str) and NAME_RE.match(name) else None
    if not isinstance(password, str) or len(password) > MAX_PASSWORD:
        password = ""
    if not password_matches(found.password_hash if found else None, password) or found is None:
        raise SignInError("The name or password is wrong; check both and try again.")
    session_id = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    expires = now() + timedelta(hours=SESSION_HOURS)
    rows.add_session(vault.catalog, found.id, digest(session_id), csrf, expires)
    return NewSession(session_id, csrf, expires, Identity(found.name, found.roles.get(vault.project), csrf))


def identify_session(vault: Vault, session_id: str) -> Identity | None:
    """The person of a live browser session, None when it is unknown or expired."""
    found = rows.session_user(vault.catalog, digest(session_id)) if session_id else None
    if found is None:
        return None
    user, csrf = found
    return Identity(user.name, user.roles.get(vault.project), csrf)


def sign_out(vault: Vault, session_id: str) -> None:
    if session_id:
        rows.end_session(vault.catalog, digest(session_id))


def require_role(vault: Vault, identity: Identity, needed: str) -> None:
    """Refuse unless `identity` has at least `needed` in this project."""
    if role_rank(identity.role) >= role_rank(needed):
        return
    if identity.role is None:
        raise AccessError(
            f"{identity.name} has no role in project {vault.project}; ask an admin of the project to give you one."
        )
    raise AccessError(
        f"{identity.name} is a {identity.role} in project {vault.project} and this needs the {needed} role; "
        "ask an admin of the project."
    )


# -- helpers ---------------------------------------------------------------------
def _user_row(vault: Vault, name: str) -> rows.UserRow:
    found = rows.find_user(vault.catalog, name) if isinstance(name, str) else None
    if found is None:
        raise NotFoundError(f"There is no user {name}; list users with 'takevault user list'.")
    return found


def _user(vault: Vault, row: rows.UserRow) -> User:
    return User(
        name=row.name,
        role=row.roles.get(vault.project),
        roles=row.roles,
        has_password=row.password_hash is not None,
        tokens=row.tokens,
        created_at=row.created_at,
        created_by=row.created_by,
    )


def _people_event(vault: Vault, action: str, name: str, role: str | None) -> NewEvent:
    return lookup.event(vault, action, None, shot=None, person=name, role=role)


class People:
    """`vault.people`: users, their roles per project, API tokens and browser sessions of one vault."""

    def __init__(self, vault: Vault) -> None:
        self._vault = vault

    def has_users(self) -> bool:
        """True once anyone was added: from then on the web server needs everyone to sign in."""
        return has_users(self._vault)

    def users(self) -> list[User]:
        return users(self._vault)

    def add(self, name: str, *, role: str = "viewer", password: str | None = None) -> User:
        """A new user with `role` in this project; without a password they can only use API tokens."""
        return add_user(self._vault, name, role=role, password=password)

    def find(self, name: str) -> User:
        return find_user(self._vault, name)

    def set_role(self, name: str, role: str) -> User:
        """Give `name` the role `role` in this project (`none` takes their access to it away)."""
        return set_role(self._vault, name, role)

    def set_password(self, name: str, password: str | None) -> User:
        """A new password (None: token use only); every open browser session of theirs ends."""
        return set_password(self._vault, name, password)

    def remove(self, name: str) -> None:
        """Remove the person: their roles, tokens and sessions stop working at once; events keep their name."""
        return remove_user(self._vault, name)

    def new_token(self, name: str, *, label: str = "api") -> str:
        """A new personal API token for `name`; it is shown once, only its digest is kept."""
        return new_token(self._vault, name, label=label)

    def identify_token(self, token: str) -> Identity:
        """The person a personal API token belongs to, with their role in this project."""
        return identify_token(self._vault, token)

    def sign_in(self, name: str, password: str) -> NewSession:
        """Check the password and open a browser session; one sentence for every way it can fail."""
        return sign_in(self._vault, name, password)

    def identify_session(self, session_id: str) -> Identity | None:
        """The person of a live browser session, None when it is unknown or expired."""
        return identify_session(self._vault, session_id)

    def sign_out(self, session_id: str) -> None:
        sign_out(self._vault, session_id)

    def require_role(self, identity: Identity, needed: str) -> None:
        """Refuse unless `identity` has at least `needed` in this project."""
        return require_role(self._vault, identity, needed)
