"""Approvals over HTTP: the state of every version of a take, a decision on one, the states for the cards."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from takevault.vault import Vault
from takevault.web.routes._render import render
from takevault.web.state import get_vault

router = APIRouter(prefix="/api", tags=["approvals"])


class DecisionBody(BaseModel):
    version: int | None = Field(None, ge=1, description="The take version; the current one when left out.")
    state: str = Field(..., description="pending, changes_requested or approved")
    comment: str | None = Field(None, max_length=20000)


@router.get("/approvals", summary="The approval state of each take's current version (optionally only one state)")
def current(
    state: str | None = Query(None, pattern="^(pending|changes_requested|approved)$"),
    vault: Vault = Depends(get_vault),
) -> Any:
    takes = vault.takes_by_approval(state) if state else vault.takes()
    return render(list(vault.current_approvals(takes).values()))


@router.get("/takes/{ref}/approvals", summary="The approval state of every version of a take, newest first")
def of_take(ref: str, vault: Vault = Depends(get_vault)) -> Any:
    return render(vault.approvals(ref))


@router.post("/takes/{ref}/approval", summary="Decide on a take version: approved, changes_requested or pending")
def decide(ref: str, body: DecisionBody, vault: Vault = Depends(get_vault)) -> Any:
    target = f"{ref}@v{body.version}" if body.version is not None and "@" not in ref else ref
    return render(vault.set_approval(target, body.state, comment=body.comment))
