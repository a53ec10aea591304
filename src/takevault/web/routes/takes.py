"""Takes: list with filters, show, upload (add, replace, workflow PNG), edit, star, delete, restore, history, revert.

A `{ref}` in a path is a take UUID, optionally with `@vN` (pages always use ids);
`?a=`/`?b=`-style query parameters also take `SH010/video_03` forms.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from functools import partial
from typing import Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from takevault.models import TakeFilter
from takevault.vault import Vault
from takevault.vault.listing import DEFAULT_PAGE
from takevault.web.routes._render import render
from takevault.web.routes.jobs import ErrorOut
from takevault.web.state import WebState, get_vault, web_state
from takevault.web.uploads import received_file

router = APIRouter(prefix="/api", tags=["takes"])

UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "description": "The video file's bytes, as they are (not multipart).",
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}
PNG_BODY = {
    "requestBody": {
        "required": True,
        "description": "The workflow PNG's bytes, as they are (not multipart).",
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}
DELETED = {"active": False, "deleted": True, "all": None}


class SetBody(BaseModel):
    note: str | None = Field(None, max_length=10000)
    rating: int | None = Field(None, ge=0, le=5)
    status: str | None = Field(None, max_length=100)
    tags: list[str] | None = Field(None, max_length=100)


class RevertBody(BaseModel):
    to_version: int = Field(ge=1)


class TakePageOut(BaseModel):
    items: list[dict[str, Any]] = Field(description="Takes of this page, in section, shot and take order.")
    total: int = Field(description="How many takes match the filters, on every page.")
    next_cursor: str | None = Field(description="Give it as `cursor` for the next page; null on the last page.")
    limit: int


@router.get(
    "/takes",
    summary="Takes matching the filters, ordered by section, shot, take number; a page of them with `limit`",
    responses={
        200: {
            "description": "With `limit` or `cursor`: one page (TakePageOut). Without: every matching take (a list)."
            " Sent gzip-compressed when asked for, with an ETag (If-None-Match gives 304).",
            "model": TakePageOut,
        },
        304: {"description": "Not modified since the ETag given in If-None-Match."},
        400: {"model": ErrorOut, "description": "A malformed page cursor, or one made for other filters."},
    },
)
def list_takes(
    request: Request,
    shot: str | None = None,
    section: str | None = None,
    starred: bool | None = None,
    kind: str | None = None,
    status: str | None = None,
    min_rating: int | None = Query(None, ge=0, le=5),
    search: str | None = None,
    deleted: Literal["active", "deleted", "all"] = "active",
    limit: int | None = Query(None, ge=1, le=1000, description="Takes per page; pages only when given."),
    cursor: str | None = Query(None, max_length=2000, description="`next_cursor` of the page before."),
    vault: Vault = Depends(get_vault),
) -> Response:
    where = TakeFilter(
        shot=shot or None,
        section=section or None,
        starred=True if starred else None,
        kind=kind or None,
        status=status or None,
        min_rating=min_rating,
        search=search or None,
        deleted=DELETED[deleted],
    )
    if limit is None and not cursor:
        return json_with_etag(request, render(vault.takes(where)))
    # The page's cursor is tied to these same filters, given as takes_page's keywords.
    page = vault.takes_page(limit=limit or DEFAULT_PAGE, cursor=cursor or None, **asdict(where))
    return json_with_etag(request, page.to_json())


def json_with_etag(request: Request, data: Any) -> Response:
    """JSON with a strong ETag of its bytes; 304 with no body when the client already has them."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str).encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    wanted = [t.strip() for t in request.headers.get("if-none-match", "").split(",")]
    if etag in wanted or "*" in wanted:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


@router.get("/takes/{ref}", summary="One take")
def show_take(ref: str, vault: Vault = Depends(get_vault)) -> dict[str, Any]:
    return render(vault.take(ref))


@router.patch("/takes/{ref}", summary="Set note, rating, status or tags (fields left out stay as they are)")
def set_take(ref: str, body: SetBody, vault: Vault = Depends(get_vault)) -> dict[str, Any]:
    return render(vault.set(ref, note=body.note, rating=body.rating, status=body.status, tags=body.tags))


@router.delete("/takes/{ref}", summary="Delete a take (restorable)")
def delete_take(ref: str, vault: Vault = Depends(get_vault)) -> dict[str, Any]:
    return render(vault.delete(ref))


@router.post("/takes/{ref}/restore", summary="Bring a deleted take back")
def restore_take(ref: str, vault: Vault = Depends(get_vault)) -> dict[str, Any]:
    return render(vault.restore(ref))


@router.post("/takes/{ref}/star", summary="Star this take (the shot's star moves here)")
def star_take(ref: str, vault: Vault = Depends(get_vault)) -> dict[str, Any]:
    return render(vault.star(ref))


@router.get("/takes/{ref}/history", summary="Every version, newest first")
def take_history(ref: str, vault: Vault = Depends(get_vault)) -> list[dict[str, Any]]:
    return render(vault.history(ref))


@router.post("/takes/{ref}/revert", summary="Make an old version current again (as a new version)")
def revert_take(ref: str, body: RevertBody, vault: Vault = Depends(get_vault)) -> dict[str, Any]:
    return render(vault.revert(ref, to_version=body.to_version))


@router.get("/takes/{ref}/events", summary="What happened to this take, oldest first")
def take_events(ref: str, vault: Vault = Depends(get_vault)) -> list[dict[str, Any]]:
    return render(vault.events(take=ref))


@router.post("/shots/{shot:path}/takes", status_code=201, summary="Add a take to a shot", openapi_extra=UPLOAD_BODY)
async def add_take(
    request: Request,
    shot: str,
    filename: str = Query(..., description="The file's original name"),
    kind: str = Query("raw", max_length=100),
    note: str | None = Query(None, max_length=10000),
    web: WebState = Depends(web_state),
    vault: Vault = Depends(get_vault),
) -> dict[str, Any]:
    async with received_file(request, filename, web.max_upload_bytes, web.root / "cache" / "uploads") as path:
        take = await run_in_threadpool(vault.add, path, shot=shot, kind=kind, note=note or None)
    return render(take)


@router.post(
    "/takes/{ref}/replace",
    summary="Replace a take's video (a new version; the old one stays)",
    openapi_extra=UPLOAD_BODY,
)
async def replace_take(
    request: Request,
    ref: str,
    filename: str = Query(..., description="The file's original name"),
    web: WebState = Depends(web_state),
    vault: Vault = Depends(get_vault),
) -> dict[str, Any]:
    async with received_file(request, filename, web.max_upload_bytes, web.root / "cache" / "uploads") as path:
        take = await run_in_threadpool(partial(vault.replace, ref, path, carry_notes=False))
    # The open notes of the replaced version follow as a job, so the answer does not wait for the alignment.
    job = await run_in_threadpool(vault.queue_notes_follow, take, take.current.number - 1, take.current.number)
    if job is not None:
        request.app.state.jobs.wake()
    return {**render(take), "notes_job": job.to_json() if job is not None else None}


@router.post(
    "/takes/{ref}/versions/{number}/png",
    summary="Attach a workflow PNG (e.g. ComfyUI's companion) to a take version, as a new PNG version",
    openapi_extra=PNG_BODY,
)
async def attach_png(
    request: Request,
    ref: str,
    number: int = Path(..., ge=1),
    filename: str = Query(..., description="The PNG's original name"),
    web: WebState = Depends(web_state),
    vault: Vault = Depends(get_vault),
) -> dict[str, Any]:
    uploads = web.root / "cache" / "uploads"
    async with received_file(request, filename, web.max_upload_bytes, uploads, "the workflow PNG") as path:
        return await run_in_threadpool(vault.pngs.attach, f"{ref}@v{number}", path)
