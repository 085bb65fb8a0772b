"""CloudMonitor's tables: event rules, their targets and silences, and the notifications delivered. Its part of
each version of the schema (append-only: see store.Migration; assembled by ecsops.emulator.schema).
"""

from __future__ import annotations

from ecsops.emulator.store import Migration

TABLES: tuple[Migration, ...] = (
    Migration(3, """
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
    """),
)
