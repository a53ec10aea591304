"""Receive an uploaded file into a temporary folder, refusing it before it can fill the disk.

Uploads are the raw file as the request body (`Content-Type: application/octet-stream`,
name in `?filename=`), so the browser's XHR reports progress and nothing is parsed or
spooled before we count it. A declared `Content-Length` over the limit is refused
without reading; an undeclared or lying one is refused as soon as the count passes it.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import tempfile
import unicodedata
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.requests import ClientDisconnect, Request

from takevault.errors import InvalidInputError

_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:]+")


class UploadTooLargeError(InvalidInputError):
    http_status = 413


def safe_filename(name: str | None) -> str:
    """The last path part of a browser-given name, without control characters or separators."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip().lstrip(".")
    if not name:
        raise InvalidInputError("The upload has no file name; send it with ?filename=NAME.mp4.")
    stem, dot, ext = name.rpartition(".")
    if len(name) > 200:
        name = (stem[: 200 - len(ext) - 1] + "." + ext) if dot else name[:200]
    return name


def _too_large(limit: int) -> UploadTooLargeError:
    # Decimal MB, the unit the CLI and the gallery show sizes in.
    return UploadTooLargeError(
        f"The file is larger than this server accepts ({limit / 1e6:.1f} MB); "
        "raise web.max_upload_mb in takevault.toml, or add it with 'takevault add'."
    )


@contextlib.asynccontextmanager
async def received_file(
    request: Request, filename: str | None, limit: int, folder: Path, what: str = "a video file"
) -> AsyncIterator[Path]:
    """Stream the request body into `folder/<tmp>/<filename>`; the temporary folder is removed afterwards.

    The file keeps its original name, so the vault records it as the take's original name.
    """
    name = safe_filename(filename)
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            size = int(declared)
        except ValueError:
            raise InvalidInputError("The Content-Length header is not a number; send the file again.") from None
        if size > limit:
            raise _too_large(limit)
        if size == 0:
            raise InvalidInputError(f"{name} is empty; choose {what}.")
    folder.mkdir(parents=True, exist_ok=True)
    tmp_dir = Path(tempfile.mkdtemp(prefix="upload-", dir=folder))
    try:
        path = tmp_dir / name
        count = 0
        with path.open("wb") as out:
            try:
                async for chunk in request.stream():
                    count += len(chunk)
                    if count > limit:
                        raise _too_large(limit)
                    out.write(chunk)
            except ClientDisconnect:
                raise InvalidInputError(f"The upload of {name} was interrupted; send it again.") from None
        if count == 0:
            raise InvalidInputError(f"{name} is empty; choose {what}.")
        yield path
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)
