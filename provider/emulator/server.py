"""Running the emulator: a threaded HTTP server (werkzeug) on loopback over one database file.

`EmulatorServer(db).start()` serves from a background thread (the embedded emulator, tests);
`serve_forever()` serves in the foreground (`ecsops emulator serve`).

Loopback only, unless asked: anyone who can reach the emulator and knows a key pair of its world (the
default one is published) can drive it, admin API included, so binding an address other machines reach
takes `allow_remote=True` (`ecsops emulator serve --host ADDRESS` passes it).

Slow or idle clients cannot hold the server: a connection that sends nothing for `read_timeout_s` is
closed, and at most `max_connections` are served at once (one thread each); a connection beyond that is
closed at once, which the SDKs treat as a network error and retry.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

from ecsops.emulator.app import EmulatorApp
from ecsops.emulator.schema import MIGRATIONS
from ecsops.emulator.store import Database

LOOPBACK = "127.0.0.1"
READ_TIMEOUT_S = 30.0
MAX_CONNECTIONS = 256


def is_loopback(host: str) -> bool:
    """True when `host` resolves, and only to loopback addresses (127.0.0.0/8, ::1); `""` means every one."""
    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, None)} if host else set()
    except socket.gaierror:
        return False
    return bool(addresses) and all(ipaddress.ip_address(address.split("%")[0]).is_loopback for address in addresses)


class _QuietHandler(WSGIRequestHandler):
    """Keeps stderr for real errors: the request log of the admin API records every call."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class _BoundedServer(ThreadedWSGIServer):
    """werkzeug's threaded server, with a thread per connection for at most `max_connections` at once."""

    def __init__(self, host: str, port: int, app: EmulatorApp, *, max_connections: int, read_timeout_s: float):
        handler = type("Handler", (_QuietHandler,), {"timeout": read_timeout_s})
        super().__init__(host, port, app, handler=handler)
        self._slots = threading.BoundedSemaphore(max_connections)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            self.shutdown_request(request)  # full: closed at once, never queued behind slow clients
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()


class EmulatorServer:
    """One emulated cloud reachable at `endpoint` (`http://127.0.0.1:PORT`)."""

    def __init__(self, database: str | Path, *, host: str = LOOPBACK, port: int = 0, allow_remote: bool = False,
                 read_timeout_s: float = READ_TIMEOUT_S, max_connections: int = MAX_CONNECTIONS):
        """Raises ValueError for a `host` that is not loopback, unless `allow_remote` (before touching anything)."""
        if not allow_remote and not is_loopback(host):
            raise ValueError(f"refusing to serve on {host!r}: it is not a loopback address, and whoever reaches the "
                             "emulator with a key pair of its world drives it; pass allow_remote=True to serve there")
        self.database = Database(database, MIGRATIONS)
        self.app = EmulatorApp(self.database)
        self._server = _BoundedServer(host, port, self.app, max_connections=max_connections,
                                      read_timeout_s=read_timeout_s)
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return str(self._server.host)

    @property
    def port(self) -> int:
        return int(self._server.port)

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def start(self) -> "EmulatorServer":
        """Serves from a daemon thread; returns once the socket accepts connections."""
        self._thread = threading.Thread(target=self._server.serve_forever, name="ecsops-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=10)
            self._thread = None
        self._server.server_close()
        self.database.close()

    def __enter__(self) -> "EmulatorServer":
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
