"""Buckets and objects of the emulated OSS: what the API checks and computes around the rows of models, in the
caller's transaction.

The buckets are the world's (`buckets`, also merged from world documents) and the objects share the table the
delivery of Cloud Assistant records writes (`oss_objects`, delivery.stores): a record delivered to a bucket is
an object the API lists and reads, and an object the API puts shows in `GET /_emulator/oss`. Objects are bytes,
kept in `data` with their ETag and CRC-64; a row written by delivery has only the text `body` (its `data` is
NULL, as the trigger of delivery/tables.py makes it again when delivery overwrites an API write), and its bytes are that
text in UTF-8, its digests computed when read. `body` also gets the UTF-8 reading of API writes, for the admin
view (undecodable bytes replaced).

Guarantees: every function runs inside the request's transaction (BEGIN IMMEDIATE), so a forbid-overwrite put
checks and writes atomically, also against other processes sharing the file; keys are ordered by their UTF-8
bytes, as OSS orders them (SQLite's BINARY collation compares UTF-8 text bytewise).
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import cast

from ecsops.emulator import clock, world
from ecsops.emulator.oss import models
from ecsops.emulator.oss.crc64 import crc64
from ecsops.emulator.oss.errors import error

#: OSS bucket names: 3-63 lower-case letters, digits and hyphens, starting and ending with a letter or digit.
BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]\Z")
MAX_KEY_BYTES = 1023
STORED_TIME = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True)
class Summary:
    """An object as a listing shows it."""

    key: str
    size: int
    etag: str
    last_modified: datetime


@dataclass(frozen=True)
class StoredObject(Summary):
    """An object as GetObject returns it."""

    content_type: str
    data: bytes
    crc64: str


@dataclass(frozen=True)
class Page:
    """One page of a listing: objects and rolled-up common prefixes, in key order, at most max-keys of them
    together; `last` is the last key or prefix shown, where the next page starts after, when truncated."""

    contents: list[Summary]
    prefixes: list[str]
    truncated: bool
    last: str | None


def etag(data: bytes) -> str:
    """OSS's ETag of an object put whole: the MD5 of its bytes in upper-case hex, quoted."""
    return f'"{hashlib.md5(data).hexdigest().upper()}"'


def owner(tx: sqlite3.Connection) -> str:
    """The owner of every bucket and object: the world's account."""
    return str(world.account(tx)["userId"])


# --- buckets --------------------------------------------------------------------------------------------


def require_bucket(tx: sqlite3.Connection, bucket: str) -> None:
    if not models.bucket_exists(tx, bucket):
        raise error("NoSuchBucket", {"BucketName": bucket})


def create_bucket(tx: sqlite3.Connection, bucket: str, region: str) -> None:
    """Adds `bucket` to the world in `region` (a region of the world)."""
    if not BUCKET_NAME.match(bucket):
        raise error("InvalidBucketName", {"BucketName": bucket})
    if region not in world.regions(tx):
        raise error("InvalidArgument", reason=f"The region {region!r} the request is signed for is not a region of "
                                              f"the emulated world.")
    if models.bucket_exists(tx, bucket):
        raise error("BucketAlreadyExists", {"BucketName": bucket})
    models.insert_bucket(tx, bucket, region)


# --- objects --------------------------------------------------------------------------------------------


def put(tx: sqlite3.Connection, bucket: str, key: str, data: bytes, content_type: str, at: datetime, *,
        forbid_overwrite: bool) -> StoredObject:
    """Writes `key`; with `forbid_overwrite`, refuses (FileAlreadyExists) when it exists."""
    require_bucket(tx, bucket)
    _check_key(key)
    if forbid_overwrite and models.find_object(tx, bucket, key) is not None:
        raise error("FileAlreadyExists")
    stored = StoredObject(key, len(data), etag(data), at.replace(microsecond=0), content_type, data, str(crc64(data)))
    models.write_object(tx, bucket, models.ObjectRow(key, content_type, data.decode("utf-8", "replace"), clock.iso(at),
                                                     data, stored.etag, stored.crc64))
    return stored


def get(tx: sqlite3.Connection, bucket: str, key: str) -> StoredObject:
    require_bucket(tx, bucket)
    row = models.find_object(tx, bucket, key)
    if row is None:
        raise error("NoSuchKey", {"Key": key})
    data = row.data if row.data is not None else row.body.encode()
    return StoredObject(key, len(data), row.etag or etag(data), _stored_time(row.last_modified), row.content_type,
                        data, row.crc64 or str(crc64(data)))


def delete(tx: sqlite3.Connection, bucket: str, key: str) -> None:
    """Removes `key`; nothing to remove is no error (as in OSS)."""
    require_bucket(tx, bucket)
    models.delete_object(tx, bucket, key)


def listing(tx: sqlite3.Connection, bucket: str, *, prefix: str, after: str, delimiter: str,
            max_keys: int) -> Page:
    """The keys of `bucket` that start with `prefix` and sort after `after`, in order; with a `delimiter`, the
    keys that hold it past the prefix are rolled up into one common prefix each (a prefix sorting at or before
    `after` was shown on an earlier page). Objects and prefixes count together towards `max_keys`."""
    require_bucket(tx, bucket)
    rows = models.objects_from(tx, bucket, after=after, prefix=prefix)
    contents: list[Summary] = []
    prefixes: list[str] = []
    last = after
    for row in rows:
        key = row.key
        if not key.startswith(prefix):
            break  # keys sharing a prefix are contiguous in this order: none further has it
        common = _common_prefix(key, prefix, delimiter)
        if common is not None and common <= last:
            continue  # rolled up into a prefix already shown, here or on an earlier page
        if len(contents) + len(prefixes) == max_keys:
            return Page(contents, prefixes, True, last)
        if common is not None:
            prefixes.append(common)
        else:
            contents.append(Summary(key, row.size, row.etag or etag(cast(str, row.text).encode()),
                                    _stored_time(row.last_modified)))
        last = common or key
    return Page(contents, prefixes, False, None)


def _common_prefix(key: str, prefix: str, delimiter: str) -> str | None:
    if not delimiter:
        return None
    cut = key.find(delimiter, len(prefix))
    return None if cut < 0 else key[:cut + len(delimiter)]


def _check_key(key: str) -> None:
    size = len(key.encode())
    if not 1 <= size <= MAX_KEY_BYTES:
        raise error("InvalidObjectName", {"Key": key[:64]}, reason=f"a key is 1 to {MAX_KEY_BYTES} bytes of UTF-8, "
                                                                   f"not {size}")


def _stored_time(text: str) -> datetime:
    return datetime.strptime(text, STORED_TIME).replace(tzinfo=timezone.utc)
