"""OSS's data as the API reads and writes it: the world's buckets (`buckets`) and the objects (`oss_objects`,
shared with the delivery of records, whose tables define them, trigger included, and whose models query them:
the object functions here hand over to ecsops.emulator.delivery.models). The request log is the core's
(emulator.models).

Every function runs in the caller's transaction and does only what its name says: none checks a request (objects
and api do) or shapes an answer. Rows come back as they are stored: an object delivery wrote has its text in
`body` and no `data`, ETag or CRC-64 (objects.py reads it as bytes).
"""

from __future__ import annotations

import sqlite3
from typing import Iterator

from ecsops.emulator.delivery import models as delivery_models
from ecsops.emulator.delivery.models import ListedRow, ObjectRow

__all__ = ["ListedRow", "ObjectRow", "bucket_exists", "delete_object", "find_object", "insert_bucket", "objects_from",
           "write_object"]


# --- buckets --------------------------------------------------------------------------------------------


def bucket_exists(tx: sqlite3.Connection, bucket: str) -> bool:
    return tx.execute("SELECT 1 FROM buckets WHERE name = ?", (bucket,)).fetchone() is not None


def insert_bucket(tx: sqlite3.Connection, bucket: str, region: str) -> None:
    tx.execute("INSERT INTO buckets (name, region) VALUES (?, ?)", (bucket, region))


# --- objects --------------------------------------------------------------------------------------------


def find_object(tx: sqlite3.Connection, bucket: str, key: str) -> ObjectRow | None:
    return delivery_models.find_object(tx, bucket, key)


def write_object(tx: sqlite3.Connection, bucket: str, row: ObjectRow) -> None:
    """Writes the object whole, replacing any of its key."""
    delivery_models.write_object(tx, bucket, row)


def delete_object(tx: sqlite3.Connection, bucket: str, key: str) -> None:
    """Removes `key`; nothing to remove is no error."""
    delivery_models.delete_object(tx, bucket, key)


def objects_from(tx: sqlite3.Connection, bucket: str, *, after: str, prefix: str) -> Iterator[ListedRow]:
    """The objects of `bucket` whose keys sort after `after` and at or after `prefix`, in key order (UTF-8 bytes),
    read as they are consumed: a caller that stops early reads no further."""
    return delivery_models.objects_from(tx, bucket, after=after, prefix=prefix)
