"""The server's outer wall: which hosts it answers, which requests may change things, which headers go out.

One ASGI middleware in front of every route, so routes added later are covered too:

- **Host** (DNS rebinding): without an access token the `Host` header must be a
  loopback name or one listed in `web.allowed_hosts`; anything else gets 421 before
  any route runs. A page whose name re-resolves to 127.0.0.1 still sends its own name.
- **Origin** (cross-site requests): a request that can change something (any method
  but GET/HEAD/OPTIONS) is refused with 403 when the browser says it comes from
  another site (`Sec-Fetch-Site`, else `Origin` different from `Host`), and when its
  body has one of the types a page may send anywhere without asking
  (text/plain, form posts): our own page sends only JSON and octet-stream.
  Scripts (curl, Python) send neither header and are not browsers, so no other
  site can borrow them.
- **Bodies**: a request body that stops arriving for `body_idle_seconds`, or that after
  `body_grace_seconds` averages less than `body_min_rate` bytes a second (a trickle
  just fast enough to dodge the idle timeout), is treated as a disconnect, so a slow or
  half-sent body cannot hold a worker.
- **Headers out**: `nosniff` everywhere; every `/api/` answer carries
  `Content-Security-Policy: sandbox`, so bytes served from the vault never run as a
  page of this origin, whatever they contain.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The body types a cross-site <form> or no-cors fetch may send without a CORS preflight.
SIMPLE_TYPES = frozenset({"text/plain", "application/x-www-form-urlencoded", "multipart/form-data"})
SAME_SITE = frozenset({"same-origin", "none"})
API_CSP = b"sandbox; default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'"


def is_loopback_host(host: str) -> bool:
    """`localhost`, `x.localhost` or a loopback address (127.0.0.0/8, ::1)."""
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name.strip("[]")).is_loopback
    except ValueError:
        return False


def host_name(host_header: str) -> str:
    """The name part of a Host header value: `127.0.0.1:8470` -> `127.0.0.1`, `[::1]:80` -> `[::1]`."""
    value = host_header.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        return value[: end + 1] if end > 0 else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def parse_hosts(value: object) -> tuple[str, ...]:
    """`web.allowed_hosts` as names: a TOML list or a comma-separated string (the environment)."""
    if value is None:
        return ()
    items: Iterable[object] = value if isinstance(value, (list, tuple)) else str(value).split(",")
    return tuple(host_name(str(item)) for item in items if str(item).strip())


class GuardMiddleware:
    """Host check, cross-site check, body idle timeout and the security headers (see the module doc)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        token: str | None,
        allowed_hosts: Iterable[str] = (),
        body_idle_seconds: float = 30.0,
        body_grace_seconds: float = 60.0,
        body_min_rate: int = 1024,
    ) -> None:
        self.app = app
        self.token = token
        self.allowed_hosts = frozenset(host_name(h) for h in allowed_hosts)
        self.body_idle_seconds = body_idle_seconds
        self.body_grace_seconds = body_grace_seconds
        self.body_min_rate = body_min_rate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        refusal = self.refusal(scope, headers)
        if refusal is not None:
            status, message = refusal
            await _answer(send, status, message)
            return
        await self.app(scope, self._timed(receive), _with_headers(send, scope["path"]))

    def refusal(self, scope: Scope, headers: Headers) -> tuple[int, str] | None:
        host = headers.get("host", "")
        name = host_name(host)
        if not self.token and not (is_loopback_host(name) or name in self.allowed_hosts):
            shown = host or "no host"
            return 421, (
                f"This server answers only on its own loopback address, not as {shown[:100]!r}; "
                "open it at http://127.0.0.1 (or localhost) on its port, or ask whoever runs it to add "
                "that name to web.allowed_hosts or to set an access token."
            )
        if scope["method"] in SAFE_METHODS:
            return None
        site = headers.get("sec-fetch-site")
        origin = headers.get("origin")
        foreign = False
        if site is not None:
            foreign = site.lower() not in SAME_SITE
        elif origin is not None:
            foreign = origin == "null" or urlsplit(origin).netloc.lower() != host.strip().lower()
        if foreign:
            return 403, "Changes can only be made from this server's own page; another site's request was refused."
        ctype = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if ctype in SIMPLE_TYPES:
            return 403, (
                f"Requests that change the vault cannot be sent as {ctype}; send JSON "
                "(application/json) or, for uploads, the file's bytes as application/octet-stream."
            )
        return None

    def _timed(self, receive: Receive) -> Receive:
        done = False
        idle = self.body_idle_seconds
        loop = asyncio.get_running_loop()
        started = loop.time()
        received = 0

        async def timed_receive() -> Message:
            nonlocal done, received
            if done:
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), idle)
            except TimeoutError:
                # A body that stopped arriving is a client that went away, as far as routes are concerned.
                done = True
                return {"type": "http.disconnect"}
            if message["type"] != "http.request" or not message.get("more_body", False):
                done = True
                return message
            received += len(message.get("body", b""))
            elapsed = loop.time() - started
            if elapsed > self.body_grace_seconds and received < self.body_min_rate * elapsed:
                done = True
                return {"type": "http.disconnect"}
            return message

        return timed_receive


def _with_headers(send: Send, path: str) -> Send:
    api = path.startswith("/api/")

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            raw = list(message.get("headers", []))
            names = {k.lower() for k, _ in raw}
            if b"x-content-type-options" not in names:
                raw.append((b"x-content-type-options", b"nosniff"))
            if b"referrer-policy" not in names:
                raw.append((b"referrer-policy", b"no-referrer"))
            if api and b"content-security-policy" not in names:
                raw.append((b"content-security-policy", API_CSP))
            message = {**message, "headers": raw}
        await send(message)

    return send_with_headers


async def _answer(send: Send, status: int, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"x-content-type-options", b"nosniff"),
                (b"content-security-policy", API_CSP),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
