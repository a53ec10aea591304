"""Sections and shots."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from takevault.vault import Vault
from takevault.web.routes._render import render
from takevault.web.state import get_vault

router = APIRouter(prefix="/api", tags=["shots"])


class SectionBody(BaseModel):
    code: str = Field(min_length=1, max_length=100)
    name: str | None = None
    order: int | None = None


class ShotBody(BaseModel):
    code: str = Field(min_length=1, max_length=100)
    section: str | None = None
    name: str | None = None
    order: int | None = None
    description: str | None = None


@router.get("/projects", summary="Projects of the vault, by name")
def list_projects(vault: Vault = Depends(get_vault)) -> list[dict[str, Any]]:
    return render(vault.list_projects())


@router.get("/sections", summary="Sections in order")
def list_sections(vault: Vault = Depends(get_vault)) -> list[dict[str, Any]]:
    return render(vault.list_sections())


@router.post("/sections", status_code=201, summary="Add a section")
def add_section(body: SectionBody, vault: Vault = Depends(get_vault)) -> dict[str, Any]:
    return render(vault.add_section(body.code, name=body.name, order=body.order))


@router.get("/shots", summary="Shots in order (by section, then shot order)")
def list_shots(section: str | None = Query(None), vault: Vault = Depends(get_vault)) -> list[dict[str, Any]]:
    return render(vault.list_shots(section=section or None))


@router.post("/shots", status_code=201, summary="Add a shot")
def add_shot(body: ShotBody, vault: Vault = Depends(get_vault)) -> dict[str, Any]:
    return render(
        vault.add_shot(
            body.code, section=body.section or None, name=body.name, order=body.order, description=body.description
        )
    )


@router.delete("/shots/{shot:path}/star", summary="Unstar the shot (no take is chosen)")
def unstar(shot: str, vault: Vault = Depends(get_vault)) -> dict[str, Any]:
    return render(vault.unstar(shot))
