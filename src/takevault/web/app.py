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

from takevault import __version__
from takevault.errors import TakevaultError
from takevault.vault.core import DEFAULT_PROJECT
from takevault.web.auth import TokenAuthMiddleware
from takevault.web.jobs import ProxyJobs
from takevault.web.routes import catalog, cuts, media, review, session, takes
from takevault.web.state import WebState

log = logging.getLogger("takevault.web")
STATIC = Path(__file__).parent / "static"
PAGES = ("/", "/compare")
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
) -> FastAPI:
    """The web app for the vault at `vault_path` (else TAKEVAULT_VAULT or the nearest takevault.toml).

    `token` (else config `web.token`) makes every /api/ request need it; `max_upload_mb`
    (else config `web.max_upload_mb`) caps uploads.
    """
    web = WebState.load(vault_path, token=token, max_upload_mb=max_upload_mb, project=project)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        web.close()

    app = FastAPI(
        title="takevault",
        version=__version__,
        description="Browse, upload, star, play, compare and restore takes. Every endpoint is one Vault call.",
        lifespan=lifespan,
    )
    app.state.web = web
    app.state.jobs = ProxyJobs()
    app.add_middleware(TokenAuthMiddleware, token=web.token)

    @app.exception_handler(TakevaultError)
    async def takevault_error(request: Request, exc: TakevaultError) -> JSONResponse:
        return JSONResponse({"error": exc.message}, status_code=exc.http_status)

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

    for module in (session, catalog, takes, media, review, cuts):
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
