"""The emulated OSS and Log Service, as far as delivery needs them, and the log of every delivery.

`put_object` writes one object into a bucket: into the emulator's own table (`oss_objects`) by default, or,
when the world names an S3-compatible endpoint (`world.oss_endpoint`), as a pending write that `external`
performs after the transaction commits (`send_pending`). `append_log` appends one entry to a logstore
(`log_entries`); logstores are always kept by the emulator.

Guarantees: every write is one row of `record_deliveries` (`pending`, `delivered` or `failed`, with what
happened), made in the transaction of the change that caused it, so a write is recorded if and only if its
cause commits. A write to an external endpoint never fails or delays the call that caused it.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ecsops.emulator import clock, world
from ecsops.emulator.delivery import external, models
from ecsops.emulator.delivery.models import NewDelivery, RecordDelivery

OSS, SLS = "oss", "sls"
KINDS = (OSS, SLS)
JSON = "application/json"


@dataclass(frozen=True)
class Origin:
    """What a delivery carries a record of, and the instant it is delivered at."""

    region: str
    invoke_id: str
    instance_id: str
    at: datetime


def put_object(tx: sqlite3.Connection, origin: Origin, bucket: str, key: str, body: str, content_type: str) -> None:
    """Writes (or overwrites) `key` in `bucket`, here or at the configured endpoint."""
    endpoint = world.oss_endpoint(tx)
    if endpoint is not None:
        _record(tx, OSS, origin, bucket, key, endpoint["endpoint"], content_type, body, "pending", "")
        return
    models.put_text_object(tx, bucket, key, content_type, body, clock.iso(origin.at))
    _record(tx, OSS, origin, bucket, key, "", content_type, body, "delivered", "kept by the emulated OSS")


def was_put(tx: sqlite3.Connection, bucket: str, key: str) -> bool:
    """True once a write of `key` to `bucket` has been recorded, whatever came of it."""
    return models.was_delivered(tx, OSS, bucket, key)


def append_log(tx: sqlite3.Connection, origin: Origin, project: str, logstore: str, contents: dict[str, Any]) -> None:
    body = json.dumps(contents)
    models.append_log_entry(tx, project, logstore, clock.iso(origin.at), body)
    _record(tx, SLS, origin, project, logstore, "", JSON, body, "delivered", "appended to the logstore")


def send_pending(tx: sqlite3.Connection) -> None:
    """Has the writer send every unclaimed pending write once `tx` ends (also retries ones never claimed)."""
    if models.has_unclaimed_writes(tx):
        external.kick(tx)


def _record(tx: sqlite3.Connection, kind: str, origin: Origin, destination: str, path: str, endpoint: str,
            content_type: str, body: str, status: str, detail: str) -> None:
    models.record_delivery(tx, NewDelivery(clock.iso(origin.at), kind, origin.region, origin.invoke_id,
                                           origin.instance_id, destination, path, endpoint, content_type, body,
                                           status, detail))


def listing(tx: sqlite3.Connection, *, since: int = 0, kind: str | None = None) -> list[dict[str, Any]]:
    """Every delivery after sequence number `since`, oldest first, optionally of one kind (oss, sls)."""
    return [_delivery_view(delivery) for delivery in models.deliveries_since(tx, since, kind)]


def objects(tx: sqlite3.Connection, bucket: str, prefix: str = "") -> list[dict[str, Any]]:
    """The objects the emulated OSS keeps in `bucket` whose keys start with `prefix`, in key order."""
    return [{"bucket": stored.bucket, "key": stored.key, "size": len(stored.body.encode()),
             "contentType": stored.content_type, "lastModified": stored.last_modified,
             "content": _content(stored.content_type, stored.body)}
            for stored in models.text_objects(tx, bucket, prefix)]


def logs(tx: sqlite3.Connection, project: str, logstore: str) -> list[dict[str, Any]]:
    """The entries of one logstore, oldest first."""
    return [{"seq": entry.seq, "time": entry.time, "contents": json.loads(entry.contents)}
            for entry in models.log_entries(tx, project, logstore)]


def _delivery_view(delivery: RecordDelivery) -> dict[str, Any]:
    where = ({"bucket": delivery.destination, "key": delivery.path, "endpoint": delivery.endpoint or None}
             if delivery.kind == OSS else {"project": delivery.destination, "logstore": delivery.path})
    return {"seq": delivery.seq, "time": delivery.time, "kind": delivery.kind, "region": delivery.region,
            "invokeId": delivery.invoke_id, "instanceId": delivery.instance_id, **where, "status": delivery.status,
            "detail": delivery.detail, "record": _content(delivery.content_type, delivery.body)}


def _content(content_type: str, body: str) -> Any:
    """A JSON body as the document it holds; any other body as its text."""
    return json.loads(body) if content_type == JSON else body
