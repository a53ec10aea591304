"""Who is asking, and may they: sign-in sessions, personal API tokens and the role every endpoint needs.

While the vault has no users the server stays single-user (the optional server
token of `web.auth` is the only gate). Once anyone was added with `takevault user
add`, every /api/ request needs a person: a personal token (`Authorization: Bearer
tvk_…`, for scripts) or the HttpOnly, SameSite=Strict session cookie of a page
that signed in. A change made with the cookie must also send the session's CSRF
token in `X-CSRF-Token`, which only our own pages can read, so no other site can
make a change in someone's name. Each endpoint's role comes from `WRITE_ROLES`;
a change nobody listed there needs admin, so a new endpoint is closed until
someone decides who may use it.
"""

from __future__ import annotations

import hmac
import json
import threading
import time
from collections import deque
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from anyio.to_thread import run_sync
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from takevault.errors import AccessError, SignInError, TakevaultError, TooManyAttemptsError
from takevault.vault.people import TOKEN_PREFIX, Identity

if TYPE_CHECKING:
    from takevault.vault import Vault

SESSION_COOKIE = "takevault_session"
GUEST_COOKIE = "takevault_guest"
CSRF_HEADER = "x-csrf-token"
PEOPLE_SCOPE_KEY = "takevault.people"
"""Set on the ASGI scope once the vault has users, so the server-token gate steps aside."""

READS = {"GET", "HEAD", "OPTIONS"}


class GuestLinkEnded(SignInError):
    """A guest's link expired or was revoked: signing in would not help them."""


# Pages that decide whether to show the sign-in form answer without a person.
OPEN_PATHS = {"/api/me", "/api/signin", "/api/signout", "/api/session"}
# A guest opens a review link before anyone knows their name.
OPEN_ROUTES = {("GET", "/api/links/{token}/info"), ("POST", "/api/links/{token}/open")}

# All a guest may do: watch the versions of their link and leave notes on them.
GUEST_ROUTES = {
    ("GET", "/api/me"),
    ("GET", "/api/info"),
    ("GET", "/api/takes/{ref}"),
    ("GET", "/api/takes/{ref}/notes"),
    ("POST", "/api/takes/{ref}/notes"),
    ("GET", "/api/media/{take_id}/{version}/file"),
    ("GET", "/api/media/{take_id}/{version}/playback"),
    ("GET", "/api/media/{take_id}/{version}/play"),
    ("GET", "/api/media/{take_id}/{version}/still"),
    ("GET", "/api/media/{take_id}/{version}/waveform"),
    ("POST", "/api/media/{take_id}/{version}/proxy"),
    ("GET", "/api/compare"),
    ("GET", "/api/compare/pictures/{name}"),
    ("GET", "/api/diff-params"),
    ("POST", "/api/signout"),
}

WRITE_ROLES: dict[tuple[str, str], str] = {
    # A browser proxy is a derived copy for playback: watching needs it.
    ("POST", "/api/media/{take_id}/{version}/proxy"): "viewer",
    ("POST", "/api/sections"): "editor",
    ("POST", "/api/shots"): "editor",
    ("DELETE", "/api/shots/{shot:path}/star"): "editor",
    ("PATCH", "/api/takes/{ref}"): "editor",
    ("DELETE", "/api/takes/{ref}"): "editor",
    ("POST", "/api/takes/{ref}/restore"): "editor",
    ("POST", "/api/takes/{ref}/star"): "editor",
    ("POST", "/api/takes/{ref}/revert"): "editor",
    ("POST", "/api/shots/{shot:path}/takes"): "editor",
    ("POST", "/api/takes/{ref}/replace"): "editor",
    ("POST", "/api/takes/{ref}/versions/{number}/png"): "editor",
    ("POST", "/api/takes/{ref}/notes"): "reviewer",
    ("POST", "/api/notes/{note_id}/replies"): "reviewer",
    ("POST", "/api/notes/{note_id}/resolve"): "reviewer",
    ("POST", "/api/takes/{ref}/approval"): "reviewer",
    ("POST", "/api/takes/{ref}/links"): "reviewer",
    ("DELETE", "/api/links/{link_id}"): "reviewer",
    ("POST", "/api/links/{token}/open"): "viewer",
}


def required_role(method: str, template: str | None) -> str:
    """The least role that may call `method` on the route `template` (admin for unlisted changes)."""
    if method in READS or template is None:
        return "viewer"
    return WRITE_ROLES.get((method, template), "admin")


def route_template(scope: Scope) -> str | None:
    """The path template of the route that will answer, e.g. /api/takes/{ref}/star."""
    return route_match(scope)[0]


def route_match(scope: Scope) -> tuple[str | None, dict[str, str]]:
    """(path template, path parameters) of the route that will answer."""
    router = getattr(scope.get("app"), "router", None)
    return _find_route(getattr(router, "routes", ()), "", scope["path"], scope["method"])


def _find_route(routes: Any, prefix: str, path: str, method: str) -> tuple[str | None, dict[str, str]]:
    # Walked by hand: newer FastAPI wraps included routers, whose matches() does not say which route won.
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            context = getattr(route, "include_context", None)
            found = _find_route(inner.routes, prefix + (getattr(context, "prefix", "") or ""), path, method)
            if found[0] is not None:
                return found
            continue
        if hasattr(route, "routes") and not hasattr(route, "methods"):
            continue  # a mount (static files): no API there
        regex, methods = getattr(route, "path_regex", None), getattr(route, "methods", None) or ()
        if regex is None or not path.startswith(prefix):
            continue
        match = regex.match(path[len(prefix) :])
        if match and (method in methods or (method == "HEAD" and "GET" in methods)):
            return prefix + route.path, match.groupdict()
    return None, {}


def cookie(headers: Headers, name: str) -> str | None:
    for part in headers.get("cookie", "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


def bearer(headers: Headers) -> str | None:
    auth = headers.get("authorization", "")
    return auth[7:].strip() if auth[:7].lower() == "bearer " else None


def request_project(scope: Scope) -> str | None:
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("project")
    return values[0] if values else None


def identify(vault: Vault, headers: Headers) -> tuple[Identity | None, bool]:
    """(the person, whether they came by cookie); a bearer token that is not a personal token is refused."""
    token = bearer(headers)
    if token is not None:
        if not token.startswith(TOKEN_PREFIX):
            raise SignInError(
                "This server has users, so a request needs a personal API token or a signed-in page; "
                "ask an admin for a token."
            )
        return vault.people.identify_token(token), False
    session = cookie(headers, SESSION_COOKIE)
    if session:
        return vault.people.identify_session(session), True
    return None, False


def check_guest(vault: Vault, scope: Scope) -> Identity | None:
    """A guest's request: only `GUEST_ROUTES`, only the take and versions of their link."""
    headers = Headers(scope=scope)
    method = scope["method"]
    template, params = route_match(scope)
    guest = vault.identify_guest(cookie(headers, GUEST_COOKIE) or "")
    if (method, template) in OPEN_ROUTES:
        return guest
    if guest is None:
        raise GuestLinkEnded(
            "This review link has ended (it expired or was revoked); ask whoever sent it for a new one."
        )
    if method not in READS:
        sent = headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent.encode(), (guest.csrf_token or "").encode()):
            raise AccessError(
                "This change did not come from the review page of this server, so it was refused; reload the page."
            )
    if (method, template) not in GUEST_ROUTES:
        raise AccessError("A review link lets you watch its versions and leave notes; nothing else.")
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    refs = [params[k] for k in ("ref", "take_id") if k in params]
    versions = [params["version"]] if "version" in params else []
    versions += query.get("version", [])
    refs += query.get("a", []) + query.get("b", [])
    for ref in refs:
        take_id, _, version = ref.partition("@v")
        if take_id != guest.take_id:
            raise AccessError("This review link shows one take; that is another one.")
        if version:
            versions.append(version)
    if any(v not in {str(n) for n in guest.versions} for v in versions):
        raise AccessError("This review link does not show that version; pick one of the versions it shows.")
    return guest


def check_request(vault: Vault, scope: Scope) -> Identity | None:
    """The person making this request once they may make it; raises a sentence when they may not."""
    headers = Headers(scope=scope)
    path, method = scope["path"], scope["method"]
    identity, by_cookie = identify(vault, headers)
    if path in OPEN_PATHS:
        return identity
    if identity is None:
        raise SignInError("Sign in first: this takevault server knows its people and needs to know who you are.")
    if by_cookie and method not in READS:
        sent = headers.get(CSRF_HEADER, "")
        if not identity.csrf_token or not hmac.compare_digest(sent.encode(), identity.csrf_token.encode()):
            raise AccessError(
                "This change did not come from a takevault page of this server (its CSRF token is missing or "
                "wrong), so it was refused; reload the page and try again."
            )
    vault.people.require_role(identity, required_role(method, route_template(scope)))
    return identity


class SignInLimiter:
    """At most `limit` wrong passwords per name and per address in `window` seconds; then a pause."""

    def __init__(self, limit: int = 5, window: float = 300.0) -> None:
        self.limit, self.window = limit, window
        self._failures: dict[str, deque[float]] = {}
        self._guard = threading.Lock()

    def _recent(self, key: str, at: float) -> deque[float]:
        found = self._failures.setdefault(key, deque())
        while found and at - found[0] > self.window:
            found.popleft()
        return found

    def check(self, *keys: str) -> None:
        at = time.monotonic()
        with self._guard:
            for key in keys:
                recent = self._recent(key, at)
                if len(recent) >= self.limit:
                    wait = int(self.window - (at - recent[0])) + 1
                    raise TooManyAttemptsError(f"Too many wrong passwords in a row; wait {wait} seconds and try again.")

    def failed(self, *keys: str) -> None:
        at = time.monotonic()
        with self._guard:
            for key in keys:
                self._recent(key, at).append(at)

    def succeeded(self, *keys: str) -> None:
        with self._guard:
            for key in keys:
                self._failures.pop(key, None)


class IdentityMiddleware:
    """Find the person behind each /api/ request and refuse what their role does not allow."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        web = scope["app"].state.web

        def check() -> tuple[bool, Identity | None]:
            headers = Headers(scope=scope)
            with web.vault(request_project(scope)) as vault:
                template = route_template(scope)
                is_guest = (cookie(headers, GUEST_COOKIE) or (scope["method"], template) in OPEN_ROUTES) and not (
                    bearer(headers) or cookie(headers, SESSION_COOKIE)
                )
                if is_guest:
                    return True, check_guest(vault, scope)
                if not vault.people.has_users():
                    return False, None
                return True, check_request(vault, scope)

        try:
            has_people, identity = await run_sync(check)
        except TakevaultError as exc:
            await refuse(send, exc)
            return
        if has_people:
            scope[PEOPLE_SCOPE_KEY] = True
            scope.setdefault("state", {})["identity"] = identity
        await self.app(scope, receive, send)


async def refuse(send: Send, exc: TakevaultError) -> None:
    answer: dict[str, Any] = {"error": exc.message}
    if isinstance(exc, SignInError) and not isinstance(exc, TooManyAttemptsError | GuestLinkEnded):
        answer["sign_in"] = True
    body = json.dumps(answer).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": exc.http_status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
