"""The tables of the emulated stores records land in: OSS objects, Log Service entries, and the log of
every delivery (the OSS API reads and writes the same objects). Its part of each version of the schema
(append-only: see store.Migration; assembled by ecsops.emulator.schema).
"""

from __future__ import annotations

from ecsops.emulator.store import Migration

TABLES: tuple[Migration, ...] = (
    Migration(4, """
        CREATE TABLE record_deliveries (
            seq INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, kind TEXT NOT NULL, region TEXT NOT NULL,
            invoke_id TEXT NOT NULL, instance_id TEXT NOT NULL, destination TEXT NOT NULL, path TEXT NOT NULL,
            endpoint TEXT NOT NULL, content_type TEXT NOT NULL, body TEXT NOT NULL, status TEXT NOT NULL,
            detail TEXT NOT NULL, claimed TEXT
        );
        CREATE INDEX record_deliveries_unclaimed ON record_deliveries (seq)
            WHERE status = 'pending' AND claimed IS NULL;
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
    """),
    # Objects are bytes once the OSS API writes them (oss.objects): `data` holds them, with their ETag and
    # CRC-64; `body` stays the text the delivery of records writes and reads (delivery.stores). A row whose
    # `data` is NULL is that text. The trigger makes a delivery's upsert of `body` authoritative again, so the
    # bytes and digests of an earlier API write never outlive it.
    Migration(7, """
        ALTER TABLE oss_objects ADD COLUMN data BLOB;
        ALTER TABLE oss_objects ADD COLUMN etag TEXT;
        ALTER TABLE oss_objects ADD COLUMN crc64 TEXT;
        CREATE TRIGGER oss_objects_text_rewritten AFTER UPDATE OF body ON oss_objects
        BEGIN
            UPDATE oss_objects SET data = NULL, etag = NULL, crc64 = NULL WHERE bucket = NEW.bucket AND key = NEW.key;
        END;
    """),
    # A run's delivered records found by task and instance.
    Migration(9, """
        CREATE INDEX record_deliveries_by_run ON record_deliveries (invoke_id, instance_id);
    """),
)
