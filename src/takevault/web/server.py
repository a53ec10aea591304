"""Running the app under uvicorn with limits a plain `uvicorn.run` lacks.

uvicorn waits forever for a request's headers, so a client that opens a connection
and sends half a request line holds a descriptor for good. `GuardedH11Protocol`
closes a connection whose request headers have not all arrived within
`HEADER_SECONDS` of its first byte; the body timeout lives in web/guard.py.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from takevault.heap import freeze_startup_objects

HEADER_SECONDS = 10.0
MAX_CONNECTIONS = 1000
"""Connections served at once; uvicorn answers 503 beyond it instead of running out of descriptors."""


class GuardedH11Protocol(H11Protocol):
    header_seconds = HEADER_SECONDS

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_timer: asyncio.TimerHandle | None = None
        self._start_header_timer()

    def _between_requests(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _start_header_timer(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self.header_seconds, self._headers_too_slow)

    def _stop_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self._between_requests() and not self.transport.is_closing():
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        if self._between_requests():
            self._start_header_timer()  # the deadline runs from the first byte of a request, not the last
        super().data_received(data)
        if not self._between_requests():
            self._stop_header_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # Waiting for the next request on a kept-alive connection is uvicorn's keep-alive timeout.
        self._stop_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_header_timer()
        super().connection_lost(exc)


def config(app: Any, host: str, port: int, *, header_seconds: float = HEADER_SECONDS, **extra: Any) -> Any:
    """A uvicorn Config for `app` with the guarded protocol and the connection cap."""
    import uvicorn

    # The module's own class when it can be: several server processes receive the config pickled.
    protocol = (
        GuardedH11Protocol
        if header_seconds == HEADER_SECONDS
        else type("Protocol", (GuardedH11Protocol,), {"header_seconds": header_seconds})
    )
    options: dict[str, Any] = {"log_level": "warning", "access_log": False, "limit_concurrency": MAX_CONNECTIONS}
    options.update(extra)
    return uvicorn.Config(app, host=host, port=port, http=protocol, timeout_keep_alive=5, **options)


def run(app: Any, host: str, port: int, *, workers: int = 1, **extra: Any) -> None:
    """Serve `app` (an import string with `factory=True` when `workers` > 1) in one or `workers` processes."""
    import uvicorn

    settings = config(app, host, port, workers=workers, **extra)
    server = uvicorn.Server(settings)
    if workers == 1:
        freeze_startup_objects()  # the app is made: keep its start-up objects out of GC walks (heap.py)
        server.run()
        return
    import inspect

    from uvicorn.supervisors import Multiprocess

    sockets = [settings.bind_socket()]
    # uvicorn before 0.3x takes the function each process runs; newer ones build the Server from the config.
    if "target" in inspect.signature(Multiprocess.__init__).parameters:
        Multiprocess(settings, target=server.run, sockets=sockets).run()  # type: ignore[call-arg]
    else:
        Multiprocess(settings, sockets=sockets).run()
