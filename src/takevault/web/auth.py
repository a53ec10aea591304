"""The optional access token: every API request must carry it when the server has one.

Scripts send `Authorization: Bearer TOKEN`. Pages ask for it once, keep it in
sessionStorage and send the header on every call; they also trade it once for an
HttpOnly, SameSite=Strict cookie (POST /api/session) so that `<video>` and `<img>`
elements, which cannot send headers, can load media. The cookie is accepted for
reading (GET/HEAD) only, so no other site can make a change in the user's name.
"""

from __future__ import annotations

import hmac
import json

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

COOKIE_NAME = "takevault_token"
OPEN_PATHS = {"/api/session"}


def token_matches(given: str | None, token: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


def request_token(headers: Headers, method: str) -> str | None:
    auth = headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip()
    if method in ("GET", "HEAD"):
        for part in headers.get("cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == COOKIE_NAME:
                return value
    return None


class TokenAuthMiddleware:
    """Refuse /api/ requests without the token (pages, static files and the API docs hold no data)."""

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Once the vault has users, web.identity has named the person; the shared token no longer applies.
        if scope["type"] != "http" or not self.token or scope.get("takevault.people"):
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if not path.startswith("/api/") or path in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if token_matches(request_token(headers, scope["method"]), self.token):
            await self.app(scope, receive, send)
            return
        missing = request_token(headers, scope["method"]) is None
        message = (
            "This server needs an access token; send 'Authorization: Bearer TOKEN' or enter it in the page."
            if missing
            else "The access token is wrong; check it with whoever started 'takevault serve'."
        )
        body = json.dumps({"error": message}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"www-authenticate", b'Bearer realm="takevault"'),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
