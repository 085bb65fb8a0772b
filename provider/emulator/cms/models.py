"""CloudMonitor's rows and every query on them: event rules, their targets, their silence bookkeeping, the
webhook deliveries of notifications, and the world's contact groups and Log Service logstores that targets
name (the package's tables.py creates CloudMonitor's own tables).

The handlers (rules.py, targets.py), the routing and the dispatcher parse, check and format; they reach the
database only through these functions. Stored JSON (a rule's patterns, a target's configuration) is decoded
here, so callers see documents.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any, Iterable

_UNCLAIMED = "SELECT * FROM deliveries WHERE status = 'pending' AND claimed IS NULL ORDER BY seq"


# Event rules.


@dataclass(frozen=True)
class EventRule:
    """One row of `event_rules`: a rule of one scope (a region, or "" for account-wide)."""

    seq: int
    scope: str
    name: str
    group_id: str
    event_type: str
    state: str
    description: str
    silence_time: int
    patterns: list[dict[str, Any]]  # as patterns.validate stores them


def _rule(row: sqlite3.Row) -> EventRule:
    return EventRule(seq=row["seq"], scope=row["scope"], name=row["name"], group_id=row["group_id"],
                     event_type=row["event_type"], state=row["state"], description=row["description"],
                     silence_time=row["silence_time"], patterns=json.loads(row["patterns"]))


def find_rule(tx: sqlite3.Connection, scope: str, name: str | None) -> EventRule | None:
    """The rule of `scope` called `name`, if there is one."""
    row = tx.execute("SELECT * FROM event_rules WHERE scope = ? AND name = ?", (scope, name)).fetchone()
    return None if row is None else _rule(row)


def rules_of_scope(tx: sqlite3.Connection, scope: str) -> list[EventRule]:
    """Every rule of `scope`, oldest first."""
    return [_rule(row) for row in tx.execute("SELECT * FROM event_rules WHERE scope = ? ORDER BY seq", (scope,))]


def enabled_system_rules(tx: sqlite3.Connection, region: str) -> list[EventRule]:
    """The ENABLED SYSTEM rules that hear events of `region`: its own and the account-wide ones, oldest first."""
    rows = tx.execute(
        """SELECT * FROM event_rules WHERE state = 'ENABLED' AND event_type = 'SYSTEM' AND scope IN ('', ?)
           ORDER BY seq""", (region,)).fetchall()
    return [_rule(row) for row in rows]


def put_rule(tx: sqlite3.Connection, scope: str, name: str, *, group_id: str, event_type: str, state: str,
             description: str, silence_time: int, patterns: list[dict[str, Any]]) -> None:
    """Creates the rule `name` of `scope`, or replaces its fields (it keeps its seq, targets and silences)."""
    tx.execute(
        """INSERT INTO event_rules (scope, name, group_id, event_type, state, description, silence_time, patterns)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (scope, name) DO UPDATE SET group_id = excluded.group_id, event_type = excluded.event_type,
               state = excluded.state, description = excluded.description, silence_time = excluded.silence_time,
               patterns = excluded.patterns""",
        (scope, name, group_id, event_type, state, description, silence_time, json.dumps(patterns)),
    )


def delete_rules(tx: sqlite3.Connection, scope: str, names: Iterable[str]) -> None:
    """Deletes the rules of `scope` with these names (their targets and silences go with them)."""
    tx.executemany("DELETE FROM event_rules WHERE scope = ? AND name = ?", [(scope, name) for name in names])


def set_rule_states(tx: sqlite3.Connection, rules: Iterable[EventRule], state: str) -> None:
    """Sets the state (ENABLED, DISABLED) of each of these rules."""
    tx.executemany("UPDATE event_rules SET state = ? WHERE seq = ?", [(state, rule.seq) for rule in rules])


# Targets of rules.


@dataclass(frozen=True)
class StoredTarget:
    """One row of `event_rule_targets`: its type (contact, webhook...) and its configuration as put."""

    type: str
    config: dict[str, str]


def targets_of_rule(tx: sqlite3.Connection, rule_seq: int) -> list[StoredTarget]:
    """The rule's targets, in the order they were first put."""
    rows = tx.execute("SELECT type, config FROM event_rule_targets WHERE rule_seq = ? ORDER BY position", (rule_seq,))
    return [StoredTarget(row["type"], json.loads(row["config"])) for row in rows]


def upsert_target(tx: sqlite3.Connection, rule_seq: int, target_type: str, config: dict[str, str]) -> None:
    """Adds the target `config["Id"]` to the rule after its others, or replaces its type and configuration
    (keeping its place)."""
    tx.execute(
        """INSERT INTO event_rule_targets (rule_seq, id, type, position, config)
           VALUES (?, ?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM event_rule_targets WHERE rule_seq = ?), ?)
           ON CONFLICT (rule_seq, id) DO UPDATE SET type = excluded.type, config = excluded.config""",
        (rule_seq, config["Id"], target_type, rule_seq, json.dumps(config)),
    )


def count_targets(tx: sqlite3.Connection, rule_seq: int, target_type: str) -> int:
    """How many targets of `target_type` the rule has."""
    (count,) = tx.execute("SELECT COUNT(*) FROM event_rule_targets WHERE rule_seq = ? AND type = ?",
                          (rule_seq, target_type)).fetchone()
    return int(count)


def delete_targets(tx: sqlite3.Connection, rule_seq: int, target_ids: Iterable[str]) -> None:
    """Deletes the rule's targets with these Ids (Ids it does not have are skipped)."""
    tx.executemany("DELETE FROM event_rule_targets WHERE rule_seq = ? AND id = ?",
                   [(rule_seq, target_id) for target_id in target_ids])


# What targets name in the world.


def contact_group_exists(tx: sqlite3.Connection, name: str) -> bool:
    return tx.execute("SELECT 1 FROM contact_groups WHERE name = ?", (name,)).fetchone() is not None


def log_project_exists(tx: sqlite3.Connection, name: str, region: str) -> bool:
    """True when the world has the Log Service project `name` in `region`."""
    return tx.execute("SELECT 1 FROM log_projects WHERE name = ? AND region = ?", (name, region)).fetchone() is not None


def logstore_exists(tx: sqlite3.Connection, project: str, name: str) -> bool:
    return tx.execute("SELECT 1 FROM logstores WHERE project = ? AND name = ?", (project, name)).fetchone() is not None


# Silences: when a rule last delivered a notification name for a resource.


def last_sent(tx: sqlite3.Connection, rule_seq: int, name: str, resource: str) -> str | None:
    """When the rule last delivered `name` for `resource` (ISO 8601), if it ever did."""
    row = tx.execute("SELECT last_sent FROM event_rule_silences WHERE rule_seq = ? AND name = ? AND resource = ?",
                     (rule_seq, name, resource)).fetchone()
    return None if row is None else str(row["last_sent"])


def record_sent(tx: sqlite3.Connection, rule_seq: int, name: str, resource: str, at: str) -> None:
    """Notes that the rule delivered `name` for `resource` at `at`, the start of a new silence."""
    tx.execute(
        """INSERT INTO event_rule_silences (rule_seq, name, resource, last_sent) VALUES (?, ?, ?, ?)
           ON CONFLICT (rule_seq, name, resource) DO UPDATE SET last_sent = excluded.last_sent""",
        (rule_seq, name, resource, at))


# Deliveries of notifications to targets.


@dataclass(frozen=True)
class Delivery:
    """One row of `deliveries`: a notification for one target of one rule, and what came of it."""

    seq: int
    time: str
    rule: str
    target_type: str
    target_id: str
    destination: str  # the webhook's full URL, or the target's address
    method: str  # GET or POST for a webhook, "" otherwise
    event_id: str
    name: str
    level: str
    status: str  # pending, delivered, failed or suppressed
    detail: str
    body: str  # the notification, as JSON
    claimed: str | None  # the dispatcher that claimed a pending delivery


def _delivery(row: sqlite3.Row) -> Delivery:
    return Delivery(seq=row["seq"], time=row["time"], rule=row["rule"], target_type=row["target_type"],
                    target_id=row["target_id"], destination=row["destination"], method=row["method"],
                    event_id=row["event_id"], name=row["name"], level=row["level"], status=row["status"],
                    detail=row["detail"], body=row["body"], claimed=row["claimed"])


def record_delivery(tx: sqlite3.Connection, *, time: str, rule: str, target_type: str, target_id: str,
                    destination: str, method: str, event_id: str, name: str, level: str, status: str, detail: str,
                    body: str) -> None:
    """Records one delivery, unclaimed."""
    tx.execute(
        """INSERT INTO deliveries (time, rule, target_type, target_id, destination, method, event_id, name,
                                   level, status, detail, body)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (time, rule, target_type, target_id, destination, method, event_id, name, level, status, detail, body),
    )


def has_unclaimed_deliveries(tx: sqlite3.Connection) -> bool:
    """True when some pending delivery waits for a dispatcher to claim it."""
    return tx.execute(_UNCLAIMED + " LIMIT 1").fetchone() is not None


def claim_deliveries(tx: sqlite3.Connection, claim: str) -> list[Delivery]:
    """Claims every unclaimed pending delivery for `claim`; returns them (as they were before), oldest first."""
    deliveries = [_delivery(row) for row in tx.execute(_UNCLAIMED)]
    tx.executemany("UPDATE deliveries SET claimed = ? WHERE seq = ?", [(claim, d.seq) for d in deliveries])
    return deliveries


def finish_delivery(tx: sqlite3.Connection, seq: int, claim: str, status: str, detail: str) -> None:
    """Records what came of a claimed delivery - if `claim` still holds it."""
    tx.execute("UPDATE deliveries SET status = ?, detail = ? WHERE seq = ? AND claimed = ?",
               (status, detail, seq, claim))


def deliveries_since(tx: sqlite3.Connection, since: int, *, rule: str | None = None,
                     status: str | None = None) -> list[Delivery]:
    """Every delivery after sequence number `since`, oldest first, of one rule and status when given (not "")."""
    query, values = "SELECT * FROM deliveries WHERE seq > ?", list[object]([since])
    for column, value in (("rule", rule), ("status", status)):
        if value:
            query += f" AND {column} = ?"
            values.append(value)
    return [_delivery(row) for row in tx.execute(query + " ORDER BY seq", values)]
