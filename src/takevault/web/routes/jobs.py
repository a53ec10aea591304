"""Jobs: ask for long work, follow its progress, cancel it. Nothing long runs inside a request."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field

from takevault.vault import Vault
from takevault.web.state import get_vault

router = APIRouter(prefix="/api/jobs", tags=["jobs"])

JobId = Annotated[str, Path(pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
JobKind = Literal["compare", "proxy", "still", "png_validate", "fsck", "rebuild", "import", "export"]
JobState = Literal["queued", "running", "done", "failed", "cancelled"]


class ErrorOut(BaseModel):
    error: str = Field(description="One sentence: what is wrong and what to do.")


class JobOut(BaseModel):
    id: str
    project: str
    kind: str
    args: dict[str, Any]
    state: JobState
    done: int = Field(description="Units of work done (frames, files, …).")
    total: int | None = Field(description="Units of work expected, when known.")
    progress: float = Field(description="0 to 1.")
    result: Any = Field(description="What the job made, once done (the kind's JSON).")
    error: str | None = Field(description="Why it failed or was cancelled.")
    cancel_requested: bool
    attempt: int = Field(description="How many times a worker started it (more than 1 after a worker died).")
    worker: str | None
    created_by: str
    created_at: str | None
    started_at: str | None
    heartbeat_at: str | None
    finished_at: str | None


class JobIn(BaseModel):
    kind: JobKind
    args: dict[str, Any] = Field(default_factory=dict, description="The kind's arguments (see docs/jobs.md).")


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "Bad arguments for that kind of job."},
    404: {"model": ErrorOut, "description": "Unknown job, take or version."},
    409: {"model": ErrorOut, "description": "The job is already finished, or its take was deleted."},
    500: {"model": ErrorOut, "description": "The catalog or the job queue cannot be reached."},
}


def wake_workers(request: Request) -> None:
    request.app.state.jobs.wake()


@router.post("", summary="Ask for a job; follow it with GET /api/jobs/{id}", status_code=202, responses=ERRORS)
def submit(body: JobIn, request: Request, vault: Vault = Depends(get_vault)) -> JobOut:
    job = vault.submit_job(body.kind, body.args)
    wake_workers(request)
    return JobOut(**job.to_json())


@router.get("", summary="This project's jobs, newest first", responses=ERRORS)
def list_jobs(
    state: Annotated[JobState | None, Query(description="Only jobs in this state.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    vault: Vault = Depends(get_vault),
) -> list[JobOut]:
    return [JobOut(**j.to_json()) for j in vault.list_jobs(state=state, limit=limit)]


@router.get("/{job_id}", summary="One job: state, progress, result or error", responses=ERRORS)
def one(job_id: JobId, vault: Vault = Depends(get_vault)) -> JobOut:
    return JobOut(**vault.job(job_id).to_json())


@router.post("/{job_id}/cancel", summary="Cancel a queued job, or stop a running one", responses=ERRORS)
def cancel(job_id: JobId, vault: Vault = Depends(get_vault)) -> JobOut:
    return JobOut(**vault.cancel_job(job_id).to_json())
