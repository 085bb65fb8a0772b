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
from ecsops.emulator.delivery import external

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
    tx.execute(
        """INSERT INTO oss_objects (bucket, key, content_type, body, last_modified) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (bucket, key) DO UPDATE SET content_type = excluded.content_type, body = excluded.body,
               last_modified = excluded.last_modified""",
        (bucket, key, content_type, body, clock.iso(origin.at)))
    _record(tx, OSS, origin, bucket, key, "", content_type, body, "delivered", "kept by the emulated OSS")


def was_put(tx: sqlite3.Connection, bucket: str, key: str) -> bool:
    """True once a write of `key` to `bucket` has been recorded, whatever came of it."""
    return tx.execute("SELECT 1 FROM record_deliveries WHERE destination = ? AND path = ? AND kind = ? LIMIT 1",
                      (bucket, key, OSS)).fetchone() is not None


def append_log(tx: sqlite3.Connection, origin: Origin, project: str, logstore: str, contents: dict[str, Any]) -> None:
    body = json.dumps(contents)
    tx.execute("INSERT INTO log_entries (project, logstore, time, contents) VALUES (?, ?, ?, ?)",
               (project, logstore, clock.iso(origin.at), body))
    _record(tx, SLS, origin, project, logstore, "", JSON, body, "delivered", "appended to the logstore")


def send_pending(tx: sqlite3.Connection) -> None:
    """Has the writer send every unclaimed pending write once `tx` ends (also retries ones never claimed)."""
    if tx.execute("SELECT 1 FROM record_deliveries WHERE status = 'pending' AND claimed IS NULL LIMIT 1").fetchone():
        external.kick(tx)


def _record(tx: sqlite3.Connection, kind: str, origin: Origin, destination: str, path: str, endpoint: str,
            content_type: str, body: str, status: str, detail: str) -> None:
    tx.execute(
        """INSERT INTO record_deliveries (time, kind, region, invoke_id, instance_id, destination, path, endpoint,
                                          content_type, body, status, detail)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (clock.iso(origin.at), kind, origin.region, origin.invoke_id, origin.instance_id, destination, path,
         endpoint, content_type, body, status, detail))


def listing(tx: sqlite3.Connection, *, since: int = 0, kind: str | None = None) -> list[dict[str, Any]]:
    """Every delivery after sequence number `since`, oldest first, optionally of one kind (oss, sls)."""
    query, values = "SELECT * FROM record_deliveries WHERE seq > ?", list[object]([since])
    if kind:
        query, values = query + " AND kind = ?", [since, kind]
    return [_delivery_view(row) for row in tx.execute(query + " ORDER BY seq", values)]


def objects(tx: sqlite3.Connection, bucket: str, prefix: str = "") -> list[dict[str, Any]]:
    """The objects the emulated OSS keeps in `bucket` whose keys start with `prefix`, in key order."""
    rows = tx.execute("SELECT * FROM oss_objects WHERE bucket = ? AND substr(key, 1, ?) = ? ORDER BY key",
                      (bucket, len(prefix), prefix))
    return [{"bucket": row["bucket"], "key": row["key"], "size": len(row["body"].encode()),
             "contentType": row["content_type"], "lastModified": row["last_modified"], "content": _content(row)}
            for row in rows]


def logs(tx: sqlite3.Connection, project: str, logstore: str) -> list[dict[str, Any]]:
    """The entries of one logstore, oldest first."""
    rows = tx.execute("SELECT * FROM log_entries WHERE project = ? AND logstore = ? ORDER BY seq", (project, logstore))
    return [{"seq": row["seq"], "time": row["time"], "contents": json.loads(row["contents"])} for row in rows]


def _delivery_view(row: sqlite3.Row) -> dict[str, Any]:
    where = ({"bucket": row["destination"], "key": row["path"], "endpoint": row["endpoint"] or None}
             if row["kind"] == OSS else {"project": row["destination"], "logstore": row["path"]})
    return {"seq": row["seq"], "time": row["time"], "kind": row["kind"], "region": row["region"],
            "invokeId": row["invoke_id"], "instanceId": row["instance_id"], **where, "status": row["status"],
            "detail": row["detail"], "record": _content(row)}


def _content(row: sqlite3.Row) -> Any:
    """A JSON body as the document it holds; any other body as its text."""
    return json.loads(row["body"]) if row["content_type"] == JSON else row["body"]
