"""The system events' table. Its part of each version of the schema
(append-only: see store.Migration; assembled by ecsops.emulator.schema).
"""

from __future__ import annotations

from ecsops.emulator.store import Migration

TABLES: tuple[Migration, ...] = (
    Migration(3, """
        CREATE TABLE system_events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, region TEXT NOT NULL,
            resource_type TEXT NOT NULL, resource_id TEXT NOT NULL, instance_id TEXT NOT NULL,
            device TEXT NOT NULL, event_type TEXT NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL,
            publish_time TEXT NOT NULL, not_before TEXT, execute_start TEXT, execute_finish TEXT, next_change TEXT
        );
        CREATE INDEX system_events_due ON system_events (next_change);
        CREATE INDEX system_events_by_region ON system_events (region, seq);
    """),
)
