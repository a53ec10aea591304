"""Guest review links over HTTP: make, list and revoke them; a guest opens one and gets a limited session."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from takevault.errors import SignInError
from takevault.vault import Vault
from takevault.web.identity import GUEST_COOKIE, SignInLimiter
from takevault.web.routes._render import render
from takevault.web.state import get_vault

router = APIRouter(prefix="/api", tags=["links"])


class LinkBody(BaseModel):
    versions: list[int] | None = Field(None, max_length=100, description="Versions shown; all when left out.")
    view: str = Field("take", description="take, versions or compare (exactly two versions)")
    hours: float = Field(72, description="How long the link works, in hours (up to 90 days).")
    password: str | None = Field(None, max_length=1024)


class OpenBody(BaseModel):
    name: str = Field(..., max_length=500)
    password: str | None = Field(None, max_length=2048)


def _limiter(request: Request) -> SignInLimiter:
    limiter = getattr(request.app.state, "link_limiter", None)
    if limiter is None:
        limiter = request.app.state.link_limiter = SignInLimiter()
    return limiter


@router.post("/takes/{ref}/links", status_code=201, summary="Make a guest review link (its secret is shown once)")
def create(ref: str, body: LinkBody, vault: Vault = Depends(get_vault)) -> Any:
    link = vault.create_link(ref, versions=body.versions, view=body.view, hours=body.hours, password=body.password)
    return render(link)


@router.get("/takes/{ref}/links", summary="The review links of a take, with their state")
def list_links(ref: str, vault: Vault = Depends(get_vault)) -> Any:
    return render(vault.links(ref))


@router.delete("/links/{link_id}", summary="Revoke a review link; its guests lose access at once")
def revoke(link_id: str, vault: Vault = Depends(get_vault)) -> Any:
    return render(vault.revoke_link(link_id))


@router.get("/links/{token}/info", summary="What a review link shows and whether it needs a password")
def info(token: str, vault: Vault = Depends(get_vault)) -> Any:
    link = vault.link_info(token).to_json()
    return {k: link[k] for k in ("take_id", "ref", "versions", "view", "has_password", "expires_at")}


@router.post("/links/{token}/open", summary="Open a review link as a guest named by what they type")
async def open_link(
    token: str, body: OpenBody, request: Request, response: Response, vault: Vault = Depends(get_vault)
) -> Any:
    limiter = _limiter(request)
    keys = (f"link:{token[:64]}", f"addr:{request.client.host if request.client else '-'}")
    limiter.check(*keys)
    try:
        session = await run_in_threadpool(vault.open_link, token, body.name, body.password)
    except SignInError as exc:
        if "password" in exc.message:
            limiter.failed(*keys)
        raise
    response.set_cookie(
        GUEST_COOKIE,
        session.session_id,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    link = session.link.to_json()
    return {
        "name": session.identity.name,
        "csrf_token": session.csrf_token,
        "link": {k: link[k] for k in ("take_id", "ref", "versions", "view", "expires_at")},
    }
