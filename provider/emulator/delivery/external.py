"""Objects written to an S3-compatible endpoint (OSS speaks S3) through boto3, after their transaction commits.

`stores.put_object` records a write as `pending` in the transaction of its cause; `kick(tx)` then wakes
this process's writer for the database. The writer claims every unclaimed pending write in a transaction of
its own - which SQLite makes wait until the kicking transaction has ended, so it sees the writes exactly
when they committed and never when they were rolled back - then sends each with PutObject and records
`delivered` or `failed` with the reason, as webhook deliveries are (cms.delivery). This is how a write
happens after commit without the request path having to call anything: the step that records the write
also kicks.

Guarantees: a write never blocks or fails the call that caused it; a claimed write is sent at most once,
even across processes sharing the database. Bucket names are the OSS bucket names and nothing is created
at the endpoint: a missing bucket is a failed write. boto3 is imported only here, only when needed
(`pip install 'ecsops[s3]'`); without it a write fails with that advice.
"""

from __future__ import annotations

import sqlite3
import sys
import threading
import traceback
import uuid
from typing import Any

from ecsops.emulator import world
from ecsops.emulator.delivery import models
from ecsops.emulator.delivery.models import RecordDelivery
from ecsops.emulator.store import Database

CONNECT_TIMEOUT_S = 3.0
READ_TIMEOUT_S = 5.0

_WRITERS: dict[str, "_Writer"] = {}
_LOCK = threading.Lock()


def kick(tx: sqlite3.Connection) -> None:
    """Has the pending writes of `tx`'s database sent once `tx` ends; returns at once."""
    path = models.database_file(tx)
    if not path:  # an in-memory database: no other connection can see the writes
        return
    with _LOCK:
        writer = _WRITERS.get(path)
        if writer is None:
            writer = _WRITERS[path] = _Writer(path)
    writer.wake()


class _Writer:
    """One daemon thread per database file, sending its pending writes in the order they were recorded."""

    def __init__(self, path: str):
        self._path = path
        self._claim = uuid.uuid4().hex
        self._woken = threading.Event()
        self._clients: dict[tuple[str, ...], Any] = {}
        threading.Thread(target=self._run, name="ecsops-oss-writer", daemon=True).start()

    def wake(self) -> None:
        self._woken.set()

    def _run(self) -> None:
        database: Database | None = None
        while True:
            self._woken.wait()
            self._woken.clear()
            try:
                database = database or Database(self._path)
                self._drain(database)
            except Exception:  # the database went away (emulator stopped): nothing left to record into
                traceback.print_exc(file=sys.stderr)

    def _drain(self, database: Database) -> None:
        with database.transaction() as tx:
            config = world.oss_endpoint(tx)
            writes = models.claim_writes(tx, self._claim)
        for write in writes:
            status, detail = self._put(config, write)
            with database.transaction() as tx:
                models.finish_write(tx, write.seq, self._claim, status, detail)

    def _put(self, config: dict[str, str] | None, write: RecordDelivery) -> tuple[str, str]:
        """One PutObject; (`delivered` | `failed`, what happened)."""
        if config is None or config["endpoint"] != write.endpoint:
            return "failed", f"the OSS endpoint is no longer {write.endpoint} (changed before the write)"
        try:
            from botocore.exceptions import BotoCoreError, ClientError
        except ImportError:
            return "failed", "boto3 is not installed: pip install 'ecsops[s3]' to write to an S3-compatible endpoint"
        try:
            self._client(config).put_object(Bucket=write.destination, Key=write.path, Body=write.body.encode(),
                                            ContentType=write.content_type)
        except ClientError as error:
            answer = error.response.get("Error", {})
            return "failed", f"PutObject answered {answer.get('Code')}: {answer.get('Message')}"
        except BotoCoreError as error:
            return "failed", f"PutObject failed: {error}"
        return "delivered", f"written to {config['endpoint']}"

    def _client(self, config: dict[str, str]) -> Any:
        """A boto3 S3 client for the endpoint, made once per endpoint and keys (path-style addressing)."""
        import boto3
        from botocore.config import Config

        identity = (config["endpoint"], config["accessKeyId"], config["accessKeySecret"], config["region"])
        if identity not in self._clients:
            settings = Config(s3={"addressing_style": "path"}, connect_timeout=CONNECT_TIMEOUT_S,
                              read_timeout=READ_TIMEOUT_S, retries={"max_attempts": 1})
            self._clients[identity] = boto3.session.Session().client(
                "s3", endpoint_url=config["endpoint"], aws_access_key_id=config["accessKeyId"],
                aws_secret_access_key=config["accessKeySecret"], region_name=config["region"], config=settings)
        return self._clients[identity]
