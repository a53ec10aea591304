"""Review notes over HTTP: list a version's notes, add one on a frame or range (with a drawing), reply, resolve."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from takevault.vault import Vault
from takevault.vault.links import GuestIdentity
from takevault.web.routes._render import render
from takevault.web.state import get_vault

router = APIRouter(prefix="/api", tags=["notes"])

Frame = int | str | None


class NoteBody(BaseModel):
    version: int | None = Field(None, ge=1, description="The take version; the current one when left out.")
    at: Frame = Field(None, description="One frame: a 0-based frame number or HH:MM:SS:FF.")
    start: Frame = Field(None, description="Range In point (frame or timecode).")
    end: Frame = Field(None, description="Range Out point, inclusive (frame or timecode).")
    text: str = Field(..., max_length=20000)
    drawing: dict[str, Any] | None = Field(None, description='{"shapes": [{"kind", "points", "color", "width"}]}')


class ReplyBody(BaseModel):
    text: str = Field(..., max_length=20000)


class ResolveBody(BaseModel):
    resolved: bool = True


def _ref(ref: str, version: int | None) -> str:
    return f"{ref}@v{version}" if version is not None and "@" not in ref else ref


@router.get("/takes/{ref}/notes", summary="Notes of a take version (the current one unless ?version=N), by frame")
def list_notes(
    ref: str,
    version: int | None = Query(None, ge=1),
    status: str | None = Query(None, pattern="^(open|resolved)$"),
    all_versions: bool = Query(False, alias="all"),
    vault: Vault = Depends(get_vault),
) -> Any:
    return render(vault.notes(_ref(ref, version), status=status, all_versions=all_versions))


@router.post("/takes/{ref}/notes", status_code=201, summary="Put a note on a frame or an In/Out range of a version")
def add_note(ref: str, body: NoteBody, request: Request, vault: Vault = Depends(get_vault)) -> Any:
    identity = getattr(request.state, "identity", None)
    if isinstance(identity, GuestIdentity):
        return render(
            vault.add_guest_note(
                identity,
                _ref(ref, body.version),
                body.text,
                at=body.at,
                start=body.start,
                end=body.end,
                drawing=body.drawing,
            )
        )
    return render(
        vault.add_note(
            _ref(ref, body.version), body.text, at=body.at, start=body.start, end=body.end, drawing=body.drawing
        )
    )


@router.get("/notes/{note_id}", summary="One note with its replies")
def get_note(note_id: str, vault: Vault = Depends(get_vault)) -> Any:
    return render(vault.note(note_id))


@router.post("/notes/{note_id}/replies", status_code=201, summary="Answer a note")
def reply(note_id: str, body: ReplyBody, vault: Vault = Depends(get_vault)) -> Any:
    return render(vault.reply_note(note_id, body.text))


@router.post("/notes/{note_id}/resolve", summary="Mark a note resolved, or open again with resolved=false")
def resolve(note_id: str, body: ResolveBody, vault: Vault = Depends(get_vault)) -> Any:
    return render(vault.resolve_note(note_id, resolved=body.resolved))
