"""License Manager's tables: tasks and their discovery rules. Its part of each version of the schema
(append-only: see store.Migration; assembled by ecsops.emulator.schema).
"""

from __future__ import annotations

from ecsops.emulator.store import Migration

TABLES: tuple[Migration, ...] = (
    Migration(5, """
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
    """),
)
