"""The rows of record deliveries and of the emulated stores they land in, and every query on them: the log of
deliveries (`record_deliveries`) with the external writer's claims, OSS objects as the delivery of records
writes and reads them (`oss_objects`: text bodies) and as the OSS API does (whole, bytes included), and Log
Service entries (`log_entries`). The package's tables.py creates the tables.

stores.py and external.py decide and format; they reach the database only through these functions, as do the
products that read or write these tables (ecsops.emulator.ecs.models, ecsops.emulator.oss.models).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Iterator

_UNCLAIMED = "SELECT * FROM record_deliveries WHERE status = 'pending' AND claimed IS NULL ORDER BY seq"


# The log of deliveries.


@dataclass(frozen=True)
class NewDelivery:
    """One write of a record, as recorded: where it went and what came of it."""

    time: str
    kind: str  # oss or sls
    region: str
    invoke_id: str
    instance_id: str
    destination: str  # the bucket, or the Log Service project
    path: str  # the object's key, or the logstore
    endpoint: str  # the S3-compatible endpoint written to, "" when the emulator keeps it
    content_type: str
    body: str
    status: str  # pending, delivered or failed
    detail: str


@dataclass(frozen=True)
class RecordDelivery(NewDelivery):
    """One row of `record_deliveries`."""

    seq: int
    claimed: str | None  # the external writer that claimed a pending write


def _delivery(row: sqlite3.Row) -> RecordDelivery:
    return RecordDelivery(time=row["time"], kind=row["kind"], region=row["region"], invoke_id=row["invoke_id"],
                          instance_id=row["instance_id"], destination=row["destination"], path=row["path"],
                          endpoint=row["endpoint"], content_type=row["content_type"], body=row["body"],
                          status=row["status"], detail=row["detail"], seq=row["seq"], claimed=row["claimed"])


def record_delivery(tx: sqlite3.Connection, delivery: NewDelivery) -> None:
    """Records one write, unclaimed."""
    tx.execute(
        """INSERT INTO record_deliveries (time, kind, region, invoke_id, instance_id, destination, path, endpoint,
                                          content_type, body, status, detail)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (delivery.time, delivery.kind, delivery.region, delivery.invoke_id, delivery.instance_id,
         delivery.destination, delivery.path, delivery.endpoint, delivery.content_type, delivery.body,
         delivery.status, delivery.detail))


def was_delivered(tx: sqlite3.Connection, kind: str, destination: str, path: str) -> bool:
    """True once a write of `kind` to `destination` / `path` has been recorded, whatever came of it."""
    return tx.execute("SELECT 1 FROM record_deliveries WHERE destination = ? AND path = ? AND kind = ? LIMIT 1",
                      (destination, path, kind)).fetchone() is not None


def has_unclaimed_writes(tx: sqlite3.Connection) -> bool:
    """True when some pending write waits for a writer to claim it."""
    row = tx.execute("SELECT 1 FROM record_deliveries WHERE status = 'pending' AND claimed IS NULL LIMIT 1").fetchone()
    return bool(row)


def claim_writes(tx: sqlite3.Connection, claim: str) -> list[RecordDelivery]:
    """Claims every unclaimed pending write for `claim`; returns them (as they were before), oldest first."""
    writes = [_delivery(row) for row in tx.execute(_UNCLAIMED)]
    tx.executemany("UPDATE record_deliveries SET claimed = ? WHERE seq = ?", [(claim, write.seq) for write in writes])
    return writes


def finish_write(tx: sqlite3.Connection, seq: int, claim: str, status: str, detail: str) -> None:
    """Records what came of a claimed write - if `claim` still holds it."""
    tx.execute("UPDATE record_deliveries SET status = ?, detail = ? WHERE seq = ? AND claimed = ?",
               (status, detail, seq, claim))


def deliveries_since(tx: sqlite3.Connection, since: int, kind: str | None = None) -> list[RecordDelivery]:
    """Every delivery after sequence number `since`, oldest first, of one kind when given (not "")."""
    query, values = "SELECT * FROM record_deliveries WHERE seq > ?", list[object]([since])
    if kind:
        query, values = query + " AND kind = ?", [since, kind]
    return [_delivery(row) for row in tx.execute(query + " ORDER BY seq", values)]


def latest_delivery_ending(tx: sqlite3.Connection, invoke_id: str, instance_id: str, kind: str,
                           suffix: str) -> RecordDelivery | None:
    """The latest write of `kind` for the task on the instance whose path ends in `suffix` (None: none)."""
    row = tx.execute(
        """SELECT * FROM record_deliveries
           WHERE invoke_id = ? AND instance_id = ? AND kind = ? AND substr(path, ?) = ?
           ORDER BY seq DESC LIMIT 1""", (invoke_id, instance_id, kind, -len(suffix), suffix)).fetchone()
    return None if row is None else _delivery(row)


# OSS objects, as text.


@dataclass(frozen=True)
class TextObject:
    """An object of `oss_objects` as the delivery of records sees it: its text body."""

    bucket: str
    key: str
    content_type: str
    body: str
    last_modified: str


def put_text_object(tx: sqlite3.Connection, bucket: str, key: str, content_type: str, body: str,
                    last_modified: str) -> None:
    """Writes (or overwrites) `key` in `bucket` with a text body."""
    tx.execute(
        """INSERT INTO oss_objects (bucket, key, content_type, body, last_modified) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (bucket, key) DO UPDATE SET content_type = excluded.content_type, body = excluded.body,
               last_modified = excluded.last_modified""",
        (bucket, key, content_type, body, last_modified))


def text_objects(tx: sqlite3.Connection, bucket: str, prefix: str) -> list[TextObject]:
    """The objects of `bucket` whose keys start with `prefix`, in key order."""
    rows = tx.execute("SELECT * FROM oss_objects WHERE bucket = ? AND substr(key, 1, ?) = ? ORDER BY key",
                      (bucket, len(prefix), prefix))
    return [TextObject(bucket=row["bucket"], key=row["key"], content_type=row["content_type"], body=row["body"],
                       last_modified=row["last_modified"]) for row in rows]


# OSS objects, whole, as the OSS API (ecsops.emulator.oss) reads and writes them: bytes in `data` with their
# ETag and CRC-64, or (an object the delivery of records wrote) text in `body` and no `data`, ETag or CRC-64.


@dataclass(frozen=True)
class ObjectRow:
    """An object as stored: `data`, `etag` and `crc64` are None for one delivery wrote as text."""

    key: str
    content_type: str
    body: str
    last_modified: str
    data: bytes | None
    etag: str | None
    crc64: str | None


@dataclass(frozen=True)
class ListedRow:
    """An object as a listing reads it: its size in bytes, and its text when it has no stored ETag."""

    key: str
    last_modified: str
    etag: str | None
    size: int
    text: str | None


def find_object(tx: sqlite3.Connection, bucket: str, key: str) -> ObjectRow | None:
    row = tx.execute("SELECT * FROM oss_objects WHERE bucket = ? AND key = ?", (bucket, key)).fetchone()
    if row is None:
        return None
    return ObjectRow(row["key"], row["content_type"], row["body"], row["last_modified"], row["data"], row["etag"],
                     row["crc64"])


def write_object(tx: sqlite3.Connection, bucket: str, row: ObjectRow) -> None:
    """Writes the object whole, replacing any of its key."""
    # REPLACE deletes and inserts: no UPDATE, so the trigger meant for delivery's rewrites does not fire.
    tx.execute(
        """INSERT OR REPLACE INTO oss_objects (bucket, key, content_type, body, last_modified, data, etag, crc64)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        (bucket, row.key, row.content_type, row.body, row.last_modified, row.data, row.etag, row.crc64))


def delete_object(tx: sqlite3.Connection, bucket: str, key: str) -> None:
    """Removes `key`; nothing to remove is no error."""
    tx.execute("DELETE FROM oss_objects WHERE bucket = ? AND key = ?", (bucket, key))


def objects_from(tx: sqlite3.Connection, bucket: str, *, after: str, prefix: str) -> Iterator[ListedRow]:
    """The objects of `bucket` whose keys sort after `after` and at or after `prefix`, in key order (UTF-8 bytes),
    read as they are consumed: a caller that stops early reads no further."""
    rows = tx.execute(
        """SELECT key, last_modified, etag, length(coalesce(data, CAST(body AS BLOB))) AS size,
                  CASE WHEN etag IS NULL THEN body END AS text
           FROM oss_objects WHERE bucket = ? AND key > ? AND key >= ? ORDER BY key""", (bucket, after, prefix))
    for row in rows:
        yield ListedRow(row["key"], row["last_modified"], row["etag"], row["size"], row["text"])


# Log Service entries.


@dataclass(frozen=True)
class LogEntry:
    """One row of `log_entries`: `contents` is the entry's JSON."""

    seq: int
    project: str
    logstore: str
    time: str
    contents: str


def append_log_entry(tx: sqlite3.Connection, project: str, logstore: str, time: str, contents: str) -> None:
    tx.execute("INSERT INTO log_entries (project, logstore, time, contents) VALUES (?, ?, ?, ?)",
               (project, logstore, time, contents))


def log_entries(tx: sqlite3.Connection, project: str, logstore: str) -> list[LogEntry]:
    """The entries of one logstore, oldest first."""
    rows = tx.execute("SELECT * FROM log_entries WHERE project = ? AND logstore = ? ORDER BY seq", (project, logstore))
    return [LogEntry(seq=row["seq"], project=row["project"], logstore=row["logstore"], time=row["time"],
                     contents=row["contents"]) for row in rows]


# The database itself.


def database_file(tx: sqlite3.Connection) -> str:
    """The path of the file of `tx`'s main database; "" for an in-memory one."""
    return str(tx.execute("PRAGMA database_list").fetchone()["file"] or "")
