"""Media of one take version, addressed only by take id and version number (never by a path).

Every file route answers HTTP Range requests (seeking in `<video>`). The type sent is the one
the probe found when the version was added (never guessed from a file name, so `x.html` is
not served as a page) or application/octet-stream; the guard middleware adds nosniff and
`Content-Security-Policy: sandbox` to every answer. Bytes are sha256-verified before they go.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import FileResponse

from takevault.models import TakeVersion
from takevault.vault import Vault
from takevault.vault.waveform import waveform as waveform_of
from takevault.web.jobs import proxy_state
from takevault.web.state import get_vault

router = APIRouter(prefix="/api/media", tags=["media"])

TakeId = Annotated[str, Path(pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
VersionNo = Annotated[int, Path(ge=1, le=1_000_000)]
PRIVATE = {"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"}


def _ref(take_id: str, version: int) -> str:
    return f"{take_id}@v{version}"


# Container names the probe records -> the type browsers know them by.
CONTAINER_MIME = {
    "mp4": "video/mp4",
    "m4v": "video/mp4",
    "mov": "video/quicktime",
    "webm": "video/webm",
    "mkv": "video/x-matroska",
    "avi": "video/x-msvideo",
    "mxf": "application/mxf",
    "mpegts": "video/mp2t",
    "ts": "video/mp2t",
    "gif": "image/gif",
}


def _mime(info: TakeVersion) -> str:
    """The probed container's type; anything unknown is plain bytes."""
    container = (info.media.container if info.media else "") or ""
    return CONTAINER_MIME.get(container.lower(), "application/octet-stream")


def _attachment(name: str) -> str:
    name = "".join("_" if ord(ch) < 32 or ord(ch) == 127 else ch for ch in name)  # CR/LF would split the header
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_").replace("\\", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


@router.get("/{take_id}/{version}/file", summary="The version's original bytes, inline")
def original(take_id: TakeId, version: VersionNo, vault: Vault = Depends(get_vault)) -> FileResponse:
    _take, info, path = vault.media_file(_ref(take_id, version))
    return FileResponse(path, media_type=_mime(info), headers=PRIVATE)


@router.get("/{take_id}/{version}/download", summary="The version's original bytes as a download")
def download(take_id: TakeId, version: VersionNo, vault: Vault = Depends(get_vault)) -> FileResponse:
    take, info, path = vault.media_file(_ref(take_id, version))
    ext = PurePosixPath(info.key).suffix
    name = info.original_name or f"{take.shot}_{take.name}_v{info.number}{ext}"
    headers = {**PRIVATE, "Content-Disposition": _attachment(name)}
    return FileResponse(path, media_type=_mime(info), headers=headers)


@router.get("/{take_id}/{version}/playback", summary="How a browser plays this version (original or proxy)")
def playback(take_id: TakeId, version: VersionNo, vault: Vault = Depends(get_vault)) -> dict[str, Any]:
    info = vault.playback(_ref(take_id, version))
    data = info.to_json()
    data["job"] = None
    # The start timecode the file carries (None without one), for the player's source-timecode display.
    data["start_timecode"] = info.version.media.start_timecode
    if info.needs_proxy and not info.ready:
        job = vault.proxy_job(_ref(take_id, version))
        data["job"] = proxy_state(job, ready=False, frames=info.frames) if job is not None else None
    return data


@router.get("/{take_id}/{version}/play", summary="The bytes a browser can play: the original or its proxy")
def play(take_id: TakeId, version: VersionNo, vault: Vault = Depends(get_vault)) -> FileResponse:
    info, path = vault.playable_file(_ref(take_id, version))
    return FileResponse(path, media_type=info.mime, headers=PRIVATE)


@router.post("/{take_id}/{version}/proxy", summary="Queue making the browser proxy; poll GET …/playback")
def make_proxy(
    take_id: TakeId, version: VersionNo, request: Request, vault: Vault = Depends(get_vault)
) -> dict[str, Any]:
    ref = _ref(take_id, version)
    info = vault.playback(ref)
    if not info.needs_proxy or info.ready:
        return proxy_state(None, ready=True, frames=info.frames)
    job = vault.submit_job("proxy", {"ref": ref})
    request.app.state.jobs.wake()
    return proxy_state(job, ready=False, frames=info.frames)


@router.get(
    "/{take_id}/{version}/waveform",
    summary="Min/max peaks of the version's sound per column (404 when it has no sound)",
)
def waveform(take_id: TakeId, version: VersionNo, vault: Vault = Depends(get_vault)) -> dict[str, Any]:
    return waveform_of(vault, _ref(take_id, version))


@router.get("/{take_id}/{version}/still", summary="A small JPEG for the take's card")
def still(take_id: TakeId, version: VersionNo, vault: Vault = Depends(get_vault)) -> FileResponse:
    path = vault.still(_ref(take_id, version))
    return FileResponse(path, media_type="image/jpeg", headers={**PRIVATE, "Cache-Control": "private, max-age=60"})


@router.get("/{take_id}/{version}/png", summary="The version's workflow PNG")
def workflow_png(
    take_id: TakeId, version: VersionNo, download: bool = False, vault: Vault = Depends(get_vault)
) -> FileResponse:
    info, path = vault.workflow_png_file(_ref(take_id, version))
    headers = dict(PRIVATE)
    if download:
        headers["Content-Disposition"] = _attachment(f"{PurePosixPath(info.original_name or 'take').stem}.png")
    return FileResponse(path, media_type="image/png", headers=headers)
