"""The access token handshake and what the pages need to know about this server."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel

from takevault import __version__
from takevault.errors import TakevaultError
from takevault.media.formats import ACCEPT
from takevault.web.auth import COOKIE_NAME, token_matches
from takevault.web.state import WebState, web_state

router = APIRouter(prefix="/api", tags=["session"])


class WrongTokenError(TakevaultError):
    http_status = 401


class TokenBody(BaseModel):
    token: str


@router.post("/session", summary="Trade the access token for a session cookie (used by media elements)")
def open_session(body: TokenBody, response: Response, web: WebState = Depends(web_state)) -> dict[str, Any]:
    if web.token is None:
        return {"token_required": False}
    if not token_matches(body.token, web.token):
        raise WrongTokenError("The access token is wrong; check it with whoever started 'takevault serve'.")
    response.set_cookie(COOKIE_NAME, body.token, httponly=True, samesite="strict", path="/api/")
    return {"token_required": True}


@router.delete("/session", summary="Forget the session cookie")
def close_session(response: Response) -> dict[str, Any]:
    response.delete_cookie(COOKIE_NAME, path="/api/")
    return {}


@router.get("/info", summary="This server: project, upload limit, version")
def info(request: Request, web: WebState = Depends(web_state)) -> dict[str, Any]:
    return {
        "version": __version__,
        "vault": web.root.name,
        "project": request.query_params.get("project") or web.project,
        "default_project": web.project,
        "max_upload_bytes": web.max_upload_bytes,
        "token_required": web.token is not None,
        "video_accept": ACCEPT,
    }
