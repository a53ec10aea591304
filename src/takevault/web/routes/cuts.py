"""The cut check page: the latest check of each timeline, its clips with a still each and a way into the compare room.

Checks are made by `takevault cut check` or `cut watch` on the machine that has the
timeline; the web room shows what they recorded, it never reads files by path.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from fastapi.responses import FileResponse

from takevault.vault import Vault
from takevault.web.state import get_vault

router = APIRouter(tags=["cuts"])


@router.get("/api/cuts", summary="The latest check of each timeline, newest first (clips included)")
def cuts(vault: Vault = Depends(get_vault)) -> list[dict[str, Any]]:
    return vault.latest_cut_checks()


@router.get("/api/cuts/{check_id}", summary="One recorded cut check with every clip")
def cut(check_id: Annotated[int, Path(ge=1)], vault: Vault = Depends(get_vault)) -> dict[str, Any]:
    return vault.cut_check_record(check_id)


@router.get("/cuts", include_in_schema=False)
def page() -> FileResponse:
    from takevault.web.app import CSP, STATIC

    return FileResponse(
        STATIC / "cuts.html",
        headers={"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"},
    )
