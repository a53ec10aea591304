"""Receive an uploaded file into a temporary folder, refusing it before it can fill the disk.

Uploads are the raw file as the request body (`Content-Type: application/octet-stream`,
name in `?filename=`), so the browser's XHR reports progress and nothing is parsed or
spooled before we count it. A declared `Content-Length` over the limit is refused
without reading; an undeclared or lying one is refused as soon as the count passes it.

All uploads together stay inside an `UploadBudget`: a few at a time, and never more
bytes in flight than the disk holding the upload folder has free (less a margin);
past it the server answers 503 with Retry-After instead of filling the disk. A body
that stops arriving is cut off by the server's body timeout (web/guard.py) and its
temporary folder removed like every other.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import tempfile
import threading
import unicodedata
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from starlette.requests import ClientDisconnect, Request

from takevault.errors import InvalidInputError, TakevaultError

_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:]+")


class UploadTooLargeError(InvalidInputError):
    http_status = 413


class WrongUploadTypeError(InvalidInputError):
    http_status = 415


class ServerBusyError(TakevaultError):
    """Too many uploads at once, or not enough free disk for them: try again shortly."""

    http_status = 503
    exit_code = 5
    headers: ClassVar[dict[str, str]] = {"Retry-After": "30"}


@dataclass
class UploadBudget:
    """Uploads admitted at once and the bytes they may still write, checked against the free disk."""

    max_concurrent: int = 8
    disk_margin: int = 256 * 1024 * 1024
    _open: dict[int, list[int]] = field(default_factory=dict, repr=False)  # id -> [reserved, written]
    _guard: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def in_flight(self) -> tuple[int, int]:
        """(uploads admitted, bytes they may still write)."""
        with self._guard:
            return len(self._open), sum(max(0, r - w) for r, w in self._open.values())

    @contextlib.contextmanager
    def admit(self, folder: Path, declared: int | None) -> Iterator[UploadTicket]:
        ticket = UploadTicket(self, folder)
        with self._guard:
            if len(self._open) >= self.max_concurrent:
                raise ServerBusyError(
                    f"The server is receiving {len(self._open)} uploads already; try again in a minute."
                )
            self._open[id(ticket)] = [0, 0]
        try:
            if declared is not None:
                ticket.grow(declared)
            yield ticket
        finally:
            with self._guard:
                self._open.pop(id(ticket), None)

    def _grow(self, ticket: UploadTicket, reserved: int, written: int) -> None:
        free = shutil.disk_usage(ticket.folder).free
        with self._guard:
            mine = self._open[id(ticket)]
            others = sum(max(0, r - w) for k, (r, w) in self._open.items() if k != id(ticket))
            # `free` already excludes what every upload wrote so far; what they may still write is reserved.
            if reserved > mine[0] and (reserved - written) + others + self.disk_margin > free:
                raise ServerBusyError(
                    "The server's disk has no room for this upload alongside the ones in progress; "
                    "try again later, or ask whoever runs it to free disk space."
                )
            mine[0], mine[1] = max(mine[0], reserved), written


@dataclass
class UploadTicket:
    budget: UploadBudget
    folder: Path
    reserved: int = 0
    written: int = 0

    def grow(self, reserved: int) -> None:
        self.budget._grow(self, reserved, self.written)
        self.reserved = max(self.reserved, reserved)

    def wrote(self, count: int) -> None:
        self.written = count
        if count > self.reserved:
            # No (honest) Content-Length: reserve in steps as the bytes come.
            self.grow(count + 64 * 1024 * 1024)
        else:
            with self.budget._guard:
                self.budget._open[id(self)][1] = count


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
    request: Request,
    filename: str | None,
    limit: int,
    folder: Path,
    what: str = "a video file",
    budget: UploadBudget | None = None,
) -> AsyncIterator[Path]:
    """Stream the request body into `folder/<tmp>/<filename>`; the temporary folder is removed afterwards.

    The file keeps its original name, so the vault records it as the take's original name.
    """
    name = safe_filename(filename)
    ctype = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if ctype != "application/octet-stream":
        raise WrongUploadTypeError(
            f"Send {name} as the raw file bytes with Content-Type: application/octet-stream (not {ctype or 'no type'})."
        )
    declared = request.headers.get("content-length")
    size: int | None = None
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
    if budget is None:  # the app's own budget, shared by every upload route
        budget = getattr(getattr(request.app.state, "web", None), "uploads", None) or UploadBudget()
    with budget.admit(folder, size) as ticket:
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
                        ticket.wrote(count)
                        out.write(chunk)
                except ClientDisconnect:
                    raise InvalidInputError(f"The upload of {name} was interrupted; send it again.") from None
            if count == 0:
                raise InvalidInputError(f"{name} is empty; choose {what}.")
            yield path
        finally:
            shutil.rmtree(tmp_dir, ignore_errors=True)
