"""The compare room's data: the comparison report and its pictures, and the generation-parameter diff."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import FileResponse

from takevault.errors import NotFoundError
from takevault.vault import Vault
from takevault.web.routes._render import render
from takevault.web.state import get_vault

router = APIRouter(prefix="/api", tags=["review"])

Ref = Annotated[
    str, Query(min_length=1, max_length=300, description="A take or version: UUID[@vN] or SH010/video_03[@vN]")
]


@router.get("/compare", summary="Compare two take versions (computed once, then cached)")
def compare(a: Ref, b: Ref, vault: Vault = Depends(get_vault)) -> dict[str, Any]:
    report, _folder = vault.review_compare(a, b)
    return report


@router.get("/compare/pictures/{name}", summary="A picture the comparison drew")
def compare_picture(
    a: Ref, b: Ref, name: Annotated[str, Path(pattern=r"^[A-Za-z0-9_.-]+$")], vault: Vault = Depends(get_vault)
) -> FileResponse:
    report, folder = vault.review_compare(a, b)
    if name not in (report.get("pictures") or []) or name.startswith("."):
        raise NotFoundError(f"The comparison has no picture named {name}; use one listed in its 'pictures'.")
    return FileResponse(folder / name, headers={"Cache-Control": "private, max-age=3600"})


@router.get("/diff-params", summary="How the generation parameters of two takes differ (from their workflow PNGs)")
def diff_params(a: Ref, b: Ref, vault: Vault = Depends(get_vault)) -> Any:
    return render(vault.diff_params(a, b))
