"""The emulator's world, kept in one SQLite file that several processes may share.

Guarantees:
- every API request runs in exactly one `BEGIN IMMEDIATE` transaction, so requests from any number of
  threads and processes are serialised by SQLite's write lock and never see half-applied work;
- the file is in WAL mode with a busy timeout, so a second process waits instead of failing;
- the schema is created and migrated under the same lock, so two processes opening a new file at once
  do not race.
"""

from __future__ import annotations

import json
import os
import queue
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

BUSY_TIMEOUT_MS = 30_000

@dataclass(frozen=True)
class Migration:
    """One package's part of one version of the schema: the statements that make or change its own tables.

    Each package declares its parts beside its models (`TABLES` in world.py, ecs/tables.py, cms/tables.py, ...);
    ecsops.emulator.schema assembles them (`versions`). The versions are one sequence for the whole database, so
    a database made by any earlier release is migrated from the version it records; parts are append-only."""

    version: int
    script: str


#: The store's own tables: the world's metadata, the request log, ClientTokens, signature nonces.
TABLES: tuple[Migration, ...] = (
    Migration(1, """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE request_log (
            seq INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, product TEXT NOT NULL,
            action TEXT NOT NULL, kind TEXT NOT NULL, params TEXT NOT NULL, status INTEGER NOT NULL,
            code TEXT, request_id TEXT NOT NULL
        );
        CREATE TABLE idempotency (
            action TEXT NOT NULL, region TEXT NOT NULL, token TEXT NOT NULL, fingerprint TEXT NOT NULL,
            response TEXT NOT NULL, created TEXT NOT NULL, PRIMARY KEY (action, region, token)
        );
    """),
    Migration(6, """
        CREATE TABLE signature_nonces (nonce TEXT PRIMARY KEY, seen REAL NOT NULL);
        CREATE INDEX signature_nonces_by_age ON signature_nonces (seen);
    """),
)


def versions(*parts: Iterable[Migration]) -> tuple[str, ...]:
    """The schema's versions, 1 to N: each the statements of its parts, in the order the packages are given.
    ValueError when a version in between has no part (a gap would skip it in every database)."""
    found: dict[int, list[str]] = {}
    for migration in (migration for package in parts for migration in package):
        found.setdefault(migration.version, []).append(migration.script)
    newest = max(found, default=0)
    missing = sorted(set(range(1, newest + 1)) - set(found))
    if missing:
        raise ValueError(f"the schema has no part for version(s) {', '.join(map(str, missing))}")
    return tuple("\n".join(found[number]) for number in range(1, newest + 1))


class Database:
    """A pool of connections to one SQLite file; `transaction()` is the only way to touch it."""

    def __init__(self, path: str | Path, migrations: Sequence[str] = ()):
        """`migrations`: the schema's versions (ecsops.emulator.schema.MIGRATIONS), applied from the version the
        file records; none to open a database the emulator has already made (a sender thread's own pool)."""
        self.path = str(path)
        self._migrations = tuple(migrations)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            # Only the owner may read the world (key pairs, task parameters): SQLite gives its WAL the same mode.
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        self._idle: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        self._writer = threading.Lock()
        self._migrate()

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                     check_same_thread=False)
        connection.row_factory = sqlite3.Row
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = NORMAL")
        connection.execute("PRAGMA foreign_keys = ON")
        return connection

    @contextmanager
    def _borrowed(self) -> Iterator[sqlite3.Connection]:
        """A connection for this block only: connections move between threads but are never shared."""
        try:
            connection = self._idle.get_nowait()
        except queue.Empty:
            connection = self._connect()
        try:
            yield connection
        finally:
            self._idle.put(connection)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Runs the block under SQLite's write lock; commits on success, rolls back on any exception.

        Threads of this process queue on `_writer` first: SQLite's own busy handler makes a waiting writer
        sleep in steps of up to 100 ms rather than waking it when the lock is released, which under eight
        concurrent requests left the database idle most of the time. Other processes sharing the file
        still wait in the busy handler."""
        with self._writer, self._borrowed() as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """Runs the block in a read transaction: a consistent snapshot that never waits for writers."""
        with self._borrowed() as connection:
            connection.execute("BEGIN DEFERRED")
            try:
                yield connection
            finally:
                connection.execute("COMMIT")

    def _migrate(self) -> None:
        with self.transaction() as tx:
            version = tx.execute("PRAGMA user_version").fetchone()[0]
            for number, script in enumerate(self._migrations[version:], start=version + 1):
                for statement in _statements(script):
                    tx.execute(statement)
                tx.execute(f"PRAGMA user_version = {number}")

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return


def _statements(script: str) -> list[str]:
    """The statements of a migration script: split at semicolons, but only where SQLite says a statement is
    complete, so a trigger's body (`BEGIN ...; END`) and a `;` inside a string stay in one statement."""
    statements: list[str] = []
    pending = ""
    for part in script.split(";"):
        pending += part + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n\t;"):
                statements.append(pending.strip())
            pending = ""
    return statements


def get_meta(tx: sqlite3.Connection, key: str, default: Any = None) -> Any:
    row = tx.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return default if row is None else json.loads(row["value"])


def set_meta(tx: sqlite3.Connection, key: str, value: Any) -> None:
    tx.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, json.dumps(value)),
    )
