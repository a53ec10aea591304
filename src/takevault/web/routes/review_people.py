"""Signing in and out of a server that knows its people, and who the page is signed in as."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from takevault.errors import SignInError
from takevault.vault import Vault
from takevault.vault.links import GuestIdentity
from takevault.web.identity import GUEST_COOKIE, SESSION_COOKIE, SignInLimiter, cookie
from takevault.web.state import get_vault

router = APIRouter(prefix="/api", tags=["people"])


class SignInBody(BaseModel):
    name: str = Field(..., max_length=200)
    password: str = Field(..., max_length=2048)


def _limiter(request: Request) -> SignInLimiter:
    limiter = getattr(request.app.state, "sign_in_limiter", None)
    if limiter is None:
        limiter = request.app.state.sign_in_limiter = SignInLimiter()
    return limiter


def _me(vault: Vault, identity: Any) -> dict[str, Any]:
    return {
        "sign_in_required": True,
        "signed_in": identity is not None,
        "name": identity.name if identity else None,
        "role": identity.role if identity else None,
        "project": vault.project,
        "csrf_token": identity.csrf_token if identity else None,
    }


@router.get("/me", summary="Who this page is signed in as, their role here, and the CSRF token for changes")
def me(request: Request, vault: Vault = Depends(get_vault)) -> dict[str, Any]:
    if not vault.people.has_users() and getattr(request.state, "identity", None) is None:
        return {
            "sign_in_required": False,
            "signed_in": False,
            "name": vault.user,
            "role": "admin",
            "project": vault.project,
            "csrf_token": None,
        }
    identity = getattr(request.state, "identity", None)
    if isinstance(identity, GuestIdentity):
        return {**_me(vault, identity), "guest": True, "take_id": identity.take_id, "versions": list(identity.versions)}
    return _me(vault, identity)


@router.post("/signin", summary="Sign in with a name and password; sets the HttpOnly session cookie")
async def sign_in(
    body: SignInBody, request: Request, response: Response, vault: Vault = Depends(get_vault)
) -> dict[str, Any]:
    if not await run_in_threadpool(vault.people.has_users):
        raise SignInError(
            "This server has no users to sign in as; it is open to whoever can reach it on this computer."
        )
    limiter = _limiter(request)
    keys = (f"name:{body.name.lower()}", f"addr:{request.client.host if request.client else '-'}")
    limiter.check(*keys)
    try:
        session = await run_in_threadpool(vault.people.sign_in, body.name, body.password)
    except SignInError:
        limiter.failed(*keys)
        raise
    limiter.succeeded(keys[0])
    response.set_cookie(
        SESSION_COOKIE,
        session.session_id,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return _me(vault, session.identity)


@router.post("/signout", summary="End this page's session")
def sign_out(request: Request, response: Response, vault: Vault = Depends(get_vault)) -> dict[str, Any]:
    session = cookie(request.headers, SESSION_COOKIE)
    if session:
        vault.people.sign_out(session)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(GUEST_COOKIE, path="/")
    return {"signed_in": False}
