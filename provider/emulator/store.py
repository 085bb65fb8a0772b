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
from pathlib import Path
from typing import Any, Iterator

BUSY_TIMEOUT_MS = 30_000

#: Append-only: the schema of version N is MIGRATIONS[:N]. Never edit a shipped entry.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE request_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, product TEXT NOT NULL,
        action TEXT NOT NULL, kind TEXT NOT NULL, params TEXT NOT NULL, status INTEGER NOT NULL,
        code TEXT, request_id TEXT NOT NULL
    );
    CREATE TABLE instances (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, region TEXT NOT NULL,
        name TEXT NOT NULL, os_type TEXT NOT NULL, status TEXT NOT NULL, cpu INTEGER NOT NULL,
        memory INTEGER NOT NULL, local_disk INTEGER NOT NULL, agent INTEGER NOT NULL,
        agent_version TEXT NOT NULL, products TEXT NOT NULL, creation_time TEXT NOT NULL
    );
    CREATE TABLE buckets (name TEXT PRIMARY KEY, region TEXT NOT NULL);
    CREATE TABLE log_projects (name TEXT PRIMARY KEY, region TEXT NOT NULL);
    CREATE TABLE logstores (project TEXT NOT NULL, name TEXT NOT NULL, PRIMARY KEY (project, name));
    CREATE TABLE contact_groups (name TEXT PRIMARY KEY, description TEXT NOT NULL);
    CREATE TABLE tags (
        resource_type TEXT NOT NULL, resource_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
        PRIMARY KEY (resource_type, resource_id, key)
    );
    CREATE TABLE idempotency (
        action TEXT NOT NULL, region TEXT NOT NULL, token TEXT NOT NULL, fingerprint TEXT NOT NULL,
        response TEXT NOT NULL, created TEXT NOT NULL, PRIMARY KEY (action, region, token)
    );
    CREATE TABLE commands (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, region TEXT NOT NULL,
        name TEXT NOT NULL, description TEXT NOT NULL, type TEXT NOT NULL, content TEXT NOT NULL,
        working_dir TEXT NOT NULL, timeout INTEGER NOT NULL, enable_parameter INTEGER NOT NULL,
        parameter_names TEXT NOT NULL, launcher TEXT NOT NULL, resource_group_id TEXT NOT NULL,
        creation_time TEXT NOT NULL, invoke_times INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX commands_by_region ON commands (region, seq);
    """,
    """
    CREATE TABLE invocations (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, region TEXT NOT NULL,
        command_id TEXT NOT NULL, command_name TEXT NOT NULL, command_type TEXT NOT NULL,
        command_content TEXT NOT NULL, command_description TEXT NOT NULL, enable_parameter INTEGER NOT NULL,
        parameters TEXT NOT NULL, repeat_mode TEXT NOT NULL, frequency TEXT NOT NULL, timeout INTEGER NOT NULL,
        working_dir TEXT NOT NULL, launcher TEXT NOT NULL, username TEXT NOT NULL,
        windows_password_name TEXT NOT NULL, container_id TEXT NOT NULL, container_name TEXT NOT NULL,
        termination_mode TEXT NOT NULL, creation_time TEXT NOT NULL, next_run TEXT
    );
    CREATE INDEX invocations_by_region ON invocations (region, seq);
    CREATE INDEX invocations_due ON invocations (next_run);
    CREATE TABLE invocation_targets (
        invoke_id TEXT NOT NULL, instance_id TEXT NOT NULL, position INTEGER NOT NULL,
        repeats INTEGER NOT NULL DEFAULT 0, stop_time TEXT, PRIMARY KEY (invoke_id, instance_id)
    );
    CREATE INDEX invocation_targets_by_instance ON invocation_targets (instance_id);
    CREATE TABLE invocation_runs (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, region TEXT NOT NULL, invoke_id TEXT NOT NULL,
        instance_id TEXT NOT NULL, repeat INTEGER NOT NULL, start_time TEXT NOT NULL, finish_time TEXT NOT NULL,
        outcome TEXT NOT NULL, exit_code INTEGER NOT NULL, error_code TEXT NOT NULL, error_info TEXT NOT NULL,
        output TEXT NOT NULL, dropped INTEGER NOT NULL, UNIQUE (invoke_id, instance_id, start_time)
    );
    CREATE INDEX invocation_runs_by_target ON invocation_runs (invoke_id, instance_id, seq);
    CREATE INDEX invocation_runs_by_region ON invocation_runs (region, seq);
    CREATE INDEX invocation_runs_by_instance ON invocation_runs (instance_id, seq);
    CREATE TABLE invocation_daily_counts (
        region TEXT NOT NULL, day TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (region, day)
    );
    """,
    """
    CREATE TABLE system_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, region TEXT NOT NULL,
        resource_type TEXT NOT NULL, resource_id TEXT NOT NULL, instance_id TEXT NOT NULL,
        device TEXT NOT NULL, event_type TEXT NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL,
        publish_time TEXT NOT NULL, not_before TEXT, execute_start TEXT, execute_finish TEXT, next_change TEXT
    );
    CREATE INDEX system_events_due ON system_events (next_change);
    CREATE INDEX system_events_by_region ON system_events (region, seq);
    CREATE TABLE event_rules (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, scope TEXT NOT NULL, name TEXT NOT NULL, group_id TEXT NOT NULL,
        event_type TEXT NOT NULL, state TEXT NOT NULL, description TEXT NOT NULL, silence_time INTEGER NOT NULL,
        patterns TEXT NOT NULL, UNIQUE (scope, name)
    );
    CREATE TABLE event_rule_targets (
        rule_seq INTEGER NOT NULL REFERENCES event_rules (seq) ON DELETE CASCADE, id TEXT NOT NULL,
        type TEXT NOT NULL, position INTEGER NOT NULL, config TEXT NOT NULL, PRIMARY KEY (rule_seq, id)
    );
    CREATE TABLE event_rule_silences (
        rule_seq INTEGER NOT NULL REFERENCES event_rules (seq) ON DELETE CASCADE, name TEXT NOT NULL,
        resource TEXT NOT NULL, last_sent TEXT NOT NULL, PRIMARY KEY (rule_seq, name, resource)
    );
    CREATE TABLE deliveries (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, rule TEXT NOT NULL, target_type TEXT NOT NULL,
        target_id TEXT NOT NULL, destination TEXT NOT NULL, method TEXT NOT NULL, event_id TEXT NOT NULL,
        name TEXT NOT NULL, level TEXT NOT NULL, status TEXT NOT NULL, detail TEXT NOT NULL, body TEXT NOT NULL,
        claimed TEXT
    );
    CREATE INDEX deliveries_unclaimed ON deliveries (seq) WHERE status = 'pending' AND claimed IS NULL;
    """,
    """
    CREATE TABLE maintenance_attributes (
        instance_id TEXT PRIMARY KEY, action TEXT NOT NULL, notify INTEGER NOT NULL,
        window_start TEXT NOT NULL, window_end TEXT NOT NULL
    );
    CREATE TABLE maintenance_executions (
        event_id TEXT PRIMARY KEY, instance_id TEXT NOT NULL, action TEXT NOT NULL, prior_status TEXT NOT NULL,
        started TEXT NOT NULL, finished TEXT
    );
    CREATE TABLE instance_hosts (
        instance_id TEXT PRIMARY KEY, host_id TEXT NOT NULL, local_data_lost INTEGER NOT NULL
    );
    CREATE TABLE assistant_settings (
        region TEXT NOT NULL, setting_type TEXT NOT NULL, oss TEXT NOT NULL, sls TEXT NOT NULL,
        PRIMARY KEY (region, setting_type)
    );
    CREATE TABLE run_delivery_queue (run_seq INTEGER PRIMARY KEY, finish_time TEXT NOT NULL);
    CREATE INDEX run_delivery_queue_due ON run_delivery_queue (finish_time);
    CREATE TABLE record_deliveries (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, kind TEXT NOT NULL, region TEXT NOT NULL,
        invoke_id TEXT NOT NULL, instance_id TEXT NOT NULL, destination TEXT NOT NULL, path TEXT NOT NULL,
        endpoint TEXT NOT NULL, content_type TEXT NOT NULL, body TEXT NOT NULL, status TEXT NOT NULL,
        detail TEXT NOT NULL, claimed TEXT
    );
    CREATE INDEX record_deliveries_unclaimed ON record_deliveries (seq) WHERE status = 'pending' AND claimed IS NULL;
    CREATE INDEX record_deliveries_by_path ON record_deliveries (destination, path);
    CREATE TABLE oss_objects (
        bucket TEXT NOT NULL, key TEXT NOT NULL, content_type TEXT NOT NULL, body TEXT NOT NULL,
        last_modified TEXT NOT NULL, PRIMARY KEY (bucket, key)
    );
    CREATE TABLE log_entries (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, project TEXT NOT NULL, logstore TEXT NOT NULL, time TEXT NOT NULL,
        contents TEXT NOT NULL
    );
    CREATE INDEX log_entries_by_logstore ON log_entries (project, logstore, seq);
    """,
    """
    CREATE TABLE license_tasks (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, region TEXT NOT NULL, name TEXT NOT NULL,
        description TEXT NOT NULL, license_type TEXT NOT NULL, license_limit INTEGER NOT NULL, status TEXT NOT NULL,
        creation_time TEXT NOT NULL
    );
    CREATE INDEX license_tasks_by_region ON license_tasks (region, seq);
    CREATE TABLE license_rules (
        task_id TEXT NOT NULL REFERENCES license_tasks (id) ON DELETE CASCADE, position INTEGER NOT NULL,
        product TEXT NOT NULL, version TEXT NOT NULL, PRIMARY KEY (task_id, position)
    );
    """,
    """
    CREATE TABLE signature_nonces (nonce TEXT PRIMARY KEY, seen REAL NOT NULL);
    CREATE INDEX signature_nonces_by_age ON signature_nonces (seen);
    """,
    # Objects are bytes once the OSS API writes them (oss.objects): `data` holds them, with their ETag and
    # CRC-64; `body` stays the text the delivery of records writes and reads (delivery.stores). A row whose
    # `data` is NULL is that text. The trigger makes a delivery's upsert of `body` authoritative again, so the
    # bytes and digests of an earlier API write never outlive it.
    """
    ALTER TABLE oss_objects ADD COLUMN data BLOB;
    ALTER TABLE oss_objects ADD COLUMN etag TEXT;
    ALTER TABLE oss_objects ADD COLUMN crc64 TEXT;
    CREATE TRIGGER oss_objects_text_rewritten AFTER UPDATE OF body ON oss_objects
    BEGIN
        UPDATE oss_objects SET data = NULL, etag = NULL, crc64 = NULL WHERE bucket = NEW.bucket AND key = NEW.key;
    END;
    """,
    # A task's resource group (InvokeCommand's ResourceGroupId): DescribeInvocations filters by it.
    """
    ALTER TABLE invocations ADD COLUMN resource_group_id TEXT NOT NULL DEFAULT '';
    """,
    # DescribeInstances' fuller answer: an instance's placement, image, network and billing (`details`, JSON
    # resolved from the world document, world.Instance.details) and when it last started; a task's OSS output
    # delivery (`oss://bucket/prefix` of the region's InvocationDelivery when it was created); a run's
    # delivered records found by task and instance.
    """
    ALTER TABLE instances ADD COLUMN details TEXT NOT NULL DEFAULT '{}';
    ALTER TABLE instances ADD COLUMN start_time TEXT NOT NULL DEFAULT '';
    ALTER TABLE invocations ADD COLUMN oss_output_delivery TEXT NOT NULL DEFAULT '';
    CREATE INDEX record_deliveries_by_run ON record_deliveries (invoke_id, instance_id);
    """,
)


class Database:
    """A pool of connections to one SQLite file; `transaction()` is the only way to touch it."""

    def __init__(self, path: str | Path):
        self.path = str(path)
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
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
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
