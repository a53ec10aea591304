"""The compare room's data: the comparison report and its pictures, and the generation-parameter diff."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field

from takevault.errors import NotFoundError
from takevault.vault import Vault
from takevault.web.routes._render import render
from takevault.web.routes.jobs import ERRORS, JobOut, wake_workers
from takevault.web.state import get_vault

router = APIRouter(prefix="/api", tags=["review"])

Ref = Annotated[
    str, Query(min_length=1, max_length=300, description="A take or version: UUID[@vN] or SH010/video_03[@vN]")
]


class CompareQueued(BaseModel):
    state: str = Field(description="queued or running: the comparison is being made by a worker.")
    job: JobOut


@router.get(
    "/compare",
    summary="Compare two take versions: the report when it is made, else 202 and the job making it",
    responses={
        200: {"description": "The comparison report (the `compare --json` shape)."},
        202: {
            "model": CompareQueued,
            "description": "Being made: follow `job.id` with GET /api/jobs/{id}, then ask again.",
        },
        **ERRORS,
    },
)
def compare(a: Ref, b: Ref, request: Request, vault: Vault = Depends(get_vault)) -> Any:
    report, job = vault.compare_or_job(a, b)
    if report is not None:
        return report
    assert job is not None
    wake_workers(request)
    return JSONResponse(
        CompareQueued(state=job.state, job=JobOut(**job.to_json())).model_dump(mode="json"), status_code=202
    )


@router.get("/compare/pictures/{name}", summary="A picture the comparison drew")
def compare_picture(
    a: Ref, b: Ref, name: Annotated[str, Path(pattern=r"^[A-Za-z0-9_.-]+$")], vault: Vault = Depends(get_vault)
) -> FileResponse:
    report, folder = vault.compare_pictures(a, b)
    if name not in (report.get("pictures") or []) or name.startswith("."):
        raise NotFoundError(f"The comparison has no picture named {name}; use one listed in its 'pictures'.")
    return FileResponse(folder / name, headers={"Cache-Control": "private, max-age=3600"})


@router.get("/diff-params", summary="How the generation parameters of two takes differ (from their workflow PNGs)")
def diff_params(a: Ref, b: Ref, vault: Vault = Depends(get_vault)) -> Any:
    return render(vault.pngs.diff_params(a, b))
