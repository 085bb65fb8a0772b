"""OSS's data as the API reads and writes it: the world's buckets (`buckets`) and the objects (`oss_objects`,
shared with the delivery of records, whose tables define them, trigger included). The request log is the
core's (emulator.models).

Every function runs in the caller's transaction and does only what its name says: none checks a request (objects
and api do) or shapes an answer. Rows come back as they are stored: an object delivery wrote has its text in
`body` and no `data`, ETag or CRC-64 (objects.py reads it as bytes).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Iterator


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


# --- buckets --------------------------------------------------------------------------------------------


def bucket_exists(tx: sqlite3.Connection, bucket: str) -> bool:
    return tx.execute("SELECT 1 FROM buckets WHERE name = ?", (bucket,)).fetchone() is not None


def insert_bucket(tx: sqlite3.Connection, bucket: str, region: str) -> None:
    tx.execute("INSERT INTO buckets (name, region) VALUES (?, ?)", (bucket, region))


# --- objects --------------------------------------------------------------------------------------------


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

