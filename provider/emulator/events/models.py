"""The rows of ECS system events and of instance status changes, and every query on them (the package's
tables.py creates `system_events`; `instances` is the world's).

lifecycle.py, state_changes.py, notifications.py and injection.py decide, check and format; they reach the
database only through these functions. A system event is handed around as its `sqlite3.Row` (the
`on_transition` hooks of other packages index it by column), so it has no row type of its own here.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    """When an event may start, started and finished, and when it next changes by itself: ISO 8601 instants,
    None where the event has none (yet)."""

    not_before: str | None
    started: str | None
    finished: str | None
    next_change: str | None


@dataclass(frozen=True)
class NewEvent:
    """What raising an event stores besides its timing; it is published when raised."""

    id: str
    region: str
    resource_type: str  # instance or disk
    resource_id: str
    instance_id: str  # the instance, or the one a disk is attached to ("" when unknown)
    device: str
    event_type: str
    status: str
    reason: str
    publish_time: str


# System events.


def insert_event(tx: sqlite3.Connection, event: NewEvent, timing: Timing) -> None:
    tx.execute(
        """INSERT INTO system_events (id, region, resource_type, resource_id, instance_id, device, event_type,
                                      status, reason, publish_time, not_before, execute_start, execute_finish,
                                      next_change)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (event.id, event.region, event.resource_type, event.resource_id, event.instance_id, event.device,
         event.event_type, event.status, event.reason, event.publish_time, timing.not_before, timing.started,
         timing.finished, timing.next_change),
    )


def find_event(tx: sqlite3.Connection, event_id: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = tx.execute("SELECT * FROM system_events WHERE id = ?", (event_id,)).fetchone()
    return row


def next_due_event(tx: sqlite3.Connection, now: str) -> sqlite3.Row | None:
    """The event whose next automatic change is earliest, if that is due by `now` (ISO 8601)."""
    row: sqlite3.Row | None = tx.execute(
        "SELECT * FROM system_events WHERE next_change <= ? ORDER BY next_change, seq LIMIT 1", (now,)).fetchone()
    return row


def update_event_status(tx: sqlite3.Connection, event_id: str, status: str, timing: Timing) -> None:
    """Moves the event to `status` with its new timing."""
    tx.execute(
        """UPDATE system_events SET status = ?, not_before = ?, execute_start = ?, execute_finish = ?,
                                    next_change = ? WHERE id = ?""",
        (status, timing.not_before, timing.started, timing.finished, timing.next_change, event_id),
    )


def events_of(tx: sqlite3.Connection, resource_id: str | None) -> list[sqlite3.Row]:
    """Every event, or (when `resource_id` is given, not "") those of one resource, oldest first."""
    query, values = "SELECT * FROM system_events", []
    if resource_id:
        query, values = query + " WHERE resource_id = ?", [resource_id]
    return list(tx.execute(query + " ORDER BY seq", values))


def region_events(tx: sqlite3.Connection, region: str, resource_type: str) -> list[sqlite3.Row]:
    """The events of the region's resources of `resource_type`, newest first."""
    return tx.execute("SELECT * FROM system_events WHERE region = ? AND resource_type = ? ORDER BY seq DESC",
                      (region, resource_type)).fetchall()


# Instances: what events happen to, and their status.


def find_instance(tx: sqlite3.Connection, instance_id: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = tx.execute("SELECT * FROM instances WHERE id = ?", (instance_id,)).fetchone()
    return row


def instance_name(tx: sqlite3.Connection, instance_id: str) -> tuple[str, str] | None:
    """(id, name) of the instance, if the world holds it."""
    row = tx.execute("SELECT id, name FROM instances WHERE id = ?", (instance_id,)).fetchone()
    return None if row is None else (row["id"], row["name"])


def update_instance_status(tx: sqlite3.Connection, instance_id: str, status: str) -> None:
    tx.execute("UPDATE instances SET status = ? WHERE id = ?", (status, instance_id))
