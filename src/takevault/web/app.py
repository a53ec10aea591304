"""`create_app`: the FastAPI application of the gallery and review room.

Routes only parse, make one `Vault` call and render; one handler turns every
`TakevaultError` into `{"error": message}` with its `http_status`.
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES as GZIP_EXCLUDED
from starlette.middleware.gzip import GZipMiddleware

from takevault import __version__
from takevault.config import load_config
from takevault.errors import TakevaultError
from takevault.vault.core import DEFAULT_PROJECT
from takevault.web.auth import TokenAuthMiddleware
from takevault.web.guard import GuardMiddleware
from takevault.web.identity import IdentityMiddleware
from takevault.web.jobs import JobService
from takevault.web.routes import (
    catalog,
    cuts,
    media,
    review,
    review_approvals,
    review_links,
    review_notes,
    review_people,
    session,
    takes,
)
from takevault.web.routes import jobs as jobs_routes
from takevault.web.state import WebState

log = logging.getLogger("takevault.web")
STATIC = Path(__file__).parent / "static"
PAGES = ("/", "/compare", "/review/{token}")
BODY_IDLE_SECONDS = 30.0
# Pages load only our own scripts and styles; media come from our own API.
CSP = (
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self'; "
    "script-src 'self'; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'"
)


def create_app(
    vault_path: Path | str | None = None,
    token: str | None = None,
    *,
    max_upload_mb: int | None = None,
    project: str = DEFAULT_PROJECT,
    body_idle_seconds: float = BODY_IDLE_SECONDS,
    body_grace_seconds: float = 60.0,
    job_workers: int | None = None,
) -> FastAPI:
    """The web app for the vault at `vault_path` (else TAKEVAULT_VAULT or the nearest takevault.toml).

    `token` (else config `web.token`) makes every /api/ request need it; `max_upload_mb`
    (else config `web.max_upload_mb`) caps uploads; a request body that stops arriving for
    `body_idle_seconds`, or averages under 1 KiB/s after `body_grace_seconds`, is dropped;
    `job_workers` (else config `jobs.workers`) is how many worker processes this server runs for
    long work (0: leave it to `takevault worker`). Without a token only loopback (and
    `web.allowed_hosts`) names are answered; web/guard.py says what the server refuses and why.
    """
    web = WebState.load(vault_path, token=token, max_upload_mb=max_upload_mb, project=project)
    if job_workers is None:
        job_workers = int(load_config(web.root).get("jobs.workers"))
    jobs = JobService(web.root, job_workers)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        try:
            yield
        finally:
            jobs.close()
            web.close()

    app = FastAPI(
        title="takevault",
        version=__version__,
        description="Browse, upload, star, play, compare and restore takes. Every endpoint is one Vault call.",
        lifespan=lifespan,
    )
    app.state.web = web
    app.state.jobs = jobs
    app.add_middleware(TokenAuthMiddleware, token=web.token)
    # Lists are large and repetitive JSON; media are already compressed (and ranges must stay byte-exact).
    app.add_middleware(
        GZipMiddleware,
        minimum_size=1024,
        compresslevel=6,
        exclude_content_types=(*GZIP_EXCLUDED, "application/octet-stream"),
    )
    # Once the vault has users this names the person and checks their role, before the token check.
    app.add_middleware(IdentityMiddleware)
    # Added last, so it runs first: a foreign host or site is refused before the token is even looked at.
    app.add_middleware(
        GuardMiddleware,
        token=web.token,
        allowed_hosts=web.allowed_hosts,
        body_idle_seconds=body_idle_seconds,
        body_grace_seconds=body_grace_seconds,
    )

    @app.exception_handler(TakevaultError)
    async def takevault_error(request: Request, exc: TakevaultError) -> JSONResponse:
        return JSONResponse({"error": exc.message}, status_code=exc.http_status, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"error": _validation_sentence(exc)}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else "Request refused."
        if exc.status_code == 404 and message == "Not Found":
            message = f"There is no {request.url.path}; see /docs for the API."
        elif exc.status_code == 405:
            message = f"{request.method} is not allowed on {request.url.path}; see /docs for the API."
        return JSONResponse({"error": message}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse(
            {"error": f"Unexpected internal error ({type(exc).__name__}); see the server log and report it."},
            status_code=500,
        )

    for module in (
        session,
        review_people,
        catalog,
        takes,
        media,
        review,
        review_notes,
        review_approvals,
        review_links,
        jobs_routes,
        cuts,
    ):
        app.include_router(module.router)

    def page() -> FileResponse:
        return FileResponse(
            STATIC / "index.html",
            headers={"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"},
        )

    for path in PAGES:
        app.add_api_route(path, page, methods=["GET"], include_in_schema=False)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def _validation_sentence(exc: RequestValidationError) -> str:
    parts: list[str] = []
    for err in exc.errors()[:3]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("query", "path", "body"))
        parts.append(f"{where or 'request'}: {err.get('msg', 'invalid')}")
    return "Bad request (" + "; ".join(parts) + "); see /docs for the expected values."
