"""A webhook receiver for tests: a real HTTP server on loopback that records what it receives.

    with WebhookReceiver() as hook:
        ...                           # point a rule's webhook target at hook.url
        [request] = hook.wait_for(1)  # method, path, query, headers, body, json

`delay_s` makes it hang before answering (released at once when it closes), `status` sets the answer.
`closed_port_url()` is a URL where nothing listens. `deliveries(admin, ...)` waits until no delivery is
pending and returns the emulator's delivery records.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from tests.support.emulator import Admin

LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        """The notification: the JSON body of a POST, or the `content` parameter of a GET."""
        if self.method == "GET":
            return json.loads(self.query["content"][0])
        return json.loads(self.body)


@dataclass
class WebhookReceiver:
    delay_s: float = 0.0
    status: int = 200
    received: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Condition()
        self._closing = threading.Event()
        self._server = ThreadingHTTPServer((LOOPBACK, 0), _handler(self))
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="webhook-receiver", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self._server.server_address[1]}/hook"

    def record(self, request: Received) -> None:
        with self._lock:
            self.received.append(request)
            self._lock.notify_all()

    def wait_for(self, count: int, timeout_s: float = 10.0) -> list[Received]:
        """The first `count` requests, once they have arrived; AssertionError after `timeout_s`."""
        with self._lock:
            if not self._lock.wait_for(lambda: len(self.received) >= count, timeout=timeout_s):
                raise AssertionError(f"expected {count} webhook requests, got {len(self.received)}")
            return list(self.received[:count])

    def hang(self) -> None:
        self._closing.wait(self.delay_s)

    def close(self) -> None:
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> "WebhookReceiver":
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def _handler(receiver: WebhookReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _receive(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            url = urllib.parse.urlsplit(self.path)
            receiver.record(Received(self.command, url.path, urllib.parse.parse_qs(url.query),
                                     dict(self.headers.items()), self.rfile.read(length)))
            receiver.hang()
            try:
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()
            except OSError:  # the sender gave up waiting and closed the connection
                pass

        do_GET = do_POST = _receive

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def closed_port_url() -> str:
    """An http URL on loopback where nothing listens (connections are refused)."""
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        port = probe.getsockname()[1]
    return f"http://{LOOPBACK}:{port}/hook"


def deliveries(admin: Admin, timeout_s: float = 10.0, **filters: Any) -> list[dict[str, Any]]:
    """The emulator's delivery records (filters: since, rule, status) once none of them is pending."""
    query = "&".join(f"{key}={urllib.parse.quote(str(value))}" for key, value in filters.items())
    deadline = time.monotonic() + timeout_s
    while True:
        records = admin.call("GET", f"notifications?{query}")["notifications"]
        if all(record["status"] != "pending" for record in records) or time.monotonic() > deadline:
            return records
        time.sleep(0.05)
