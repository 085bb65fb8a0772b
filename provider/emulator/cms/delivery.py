"""Sending webhook deliveries, and the delivery record the admin API shows.

Routing records a webhook delivery as `pending` inside the transaction of the change. After any request
commits, the app calls `Dispatcher.kick()`: it claims every unclaimed pending delivery in a transaction of
its own, then queues each for a small thread pool, and returns at once. A worker sends one real HTTP request
- POST with the notification as a JSON body, or GET with the JSON in the `content` query parameter - with
a `TIMEOUT_S` timeout, and records `delivered` (2xx) or `failed` with the reason.

Guarantees: a webhook never blocks or fails the call that caused it; a delivery is claimed by exactly one
dispatcher, even across processes sharing the database, so it is sent at most once. A process that dies
holding claims leaves those deliveries pending for good.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import threading
import traceback
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ecsops.emulator.cms import models
from ecsops.emulator.cms.models import Delivery
from ecsops.emulator.store import Database

TIMEOUT_S = 3.0
WORKERS = 4
STATUSES = ("pending", "delivered", "failed", "suppressed")

#: Webhooks go straight to their host, whatever proxy the environment names.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Dispatcher:
    """Sends the pending webhook deliveries of one database from a thread pool of this process.

    Deliveries to one URL are sent one after the other, in the order they were recorded (within this
    process); different URLs are served in parallel, so a hanging receiver delays only its own.
    """

    def __init__(self, database: Database):
        self._db = database
        self._claim = uuid.uuid4().hex
        self._pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="ecsops-webhook")
        self._lock = threading.Lock()
        self._waiting: dict[str, deque[Delivery]] = {}
        self._busy: set[str] = set()

    def kick(self) -> None:
        """Claims the unclaimed pending deliveries and queues them for sending; never waits on a webhook."""
        with self._db.read() as tx:
            if not models.has_unclaimed_deliveries(tx):
                return
        with self._db.transaction() as tx:
            claimed = models.claim_deliveries(tx, self._claim)
        with self._lock:
            for delivery in claimed:
                self._waiting.setdefault(delivery.destination, deque()).append(delivery)
            idle = [url for url in self._waiting if url not in self._busy]
            self._busy.update(idle)
        for url in idle:
            self._pool.submit(self._drain, url)

    def _drain(self, url: str) -> None:
        """Sends the deliveries waiting for `url`, in order, until none is left."""
        while True:
            with self._lock:
                queue = self._waiting.get(url)
                if not queue:
                    self._waiting.pop(url, None)
                    self._busy.discard(url)
                    return
                delivery = queue.popleft()
            self._send(delivery)

    def _send(self, delivery: Delivery) -> None:
        status, detail = send(delivery.method, delivery.destination, delivery.body, TIMEOUT_S)
        try:
            with self._db.transaction() as tx:
                models.finish_delivery(tx, delivery.seq, self._claim, status, detail)
        except Exception:  # the database went away (emulator stopped): nothing left to record into
            traceback.print_exc(file=sys.stderr)


def send(method: str, url: str, body: str, timeout_s: float) -> tuple[str, str]:
    """One webhook request; (`delivered` | `failed`, what happened)."""
    if method == "GET":
        separator = "&" if urllib.parse.urlsplit(url).query else "?"
        request = urllib.request.Request(url + separator + urllib.parse.urlencode({"content": body}), method="GET")
    else:
        request = urllib.request.Request(url, data=body.encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
    try:
        with _OPENER.open(request, timeout=timeout_s) as response:
            return "delivered", f"{method} answered HTTP {response.status}"
    except urllib.error.HTTPError as error:
        error.close()
        return "failed", f"{method} answered HTTP {error.code}"
    except TimeoutError:
        return "failed", f"{method} timed out after {timeout_s:g} s"
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, TimeoutError):
            return "failed", f"{method} timed out after {timeout_s:g} s"
        return "failed", f"{method} failed: {reason}"
    except OSError as error:
        return "failed", f"{method} failed: {error}"


def listing(tx: sqlite3.Connection, *, since: int = 0, rule: str | None = None,
            status: str | None = None) -> list[dict[str, Any]]:
    """Every delivery after sequence number `since`, oldest first, optionally of one rule or status."""
    return [_view(delivery) for delivery in models.deliveries_since(tx, since, rule=rule, status=status)]


def masked_url(url: str) -> str:
    """A webhook URL as the admin API shows it: where it goes (scheme, host, port), not its path and query,
    which often carry a token (the request log masks webhook parameters the same way)."""
    parts = urllib.parse.urlsplit(url)
    tail = "/****" if (parts.path.strip("/") or parts.query) else ""
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}{tail}"


def _view(delivery: Delivery) -> dict[str, Any]:
    destination = masked_url(delivery.destination) if delivery.target_type == "webhook" else delivery.destination
    return {
        "seq": delivery.seq, "time": delivery.time, "rule": delivery.rule, "targetType": delivery.target_type,
        "targetId": delivery.target_id, "destination": destination, "eventId": delivery.event_id,
        "name": delivery.name, "level": delivery.level, "status": delivery.status, "detail": delivery.detail,
        "notification": json.loads(delivery.body),
    }
