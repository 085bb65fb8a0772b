"""Instance status changes and their `Instance:StateChange` notifications (the ECS guide "2.4.4.1").

The guide sends one notification each time an instance's status changes (Starting, Running, Stopping,
Stopped...). A system event's consequence goes through `set_instance_status`; a world merge records what it changed
(world.merge returns `StatusChange`s) and the admin route that merged hands them to `announce` — so the
notification is never forgotten, and the world module never imports this package.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from ecsops.emulator import world
from ecsops.emulator.events import models, notifications
from ecsops.emulator.events.types import EventError

INSTANCE_STATUSES = ("Pending", "Starting", "Running", "Stopping", "Stopped")


def announce(tx: sqlite3.Connection, changes: list[world.StatusChange], now: datetime) -> None:
    """Publishes the `Instance:StateChange` of each status change a world merge made (world.merge records them;
    the admin route that merged calls this)."""
    for change in changes:
        notifications.publish(tx, notifications.for_state_change(tx, change.before, change.status, now))


def set_instance_status(tx: sqlite3.Connection, instance_id: str, status: str, now: datetime) -> bool:
    """Sets the instance's status and announces the change; True when it changed.

    Setting the status an instance already has, or the status of an instance the world does not hold,
    changes nothing and announces nothing. An unknown status is an EventError.
    """
    if status not in INSTANCE_STATUSES:
        raise EventError(f"unknown instance status {status!r}: use one of {', '.join(INSTANCE_STATUSES)}")
    instance = models.find_instance(tx, instance_id)
    if instance is None or instance["status"] == status:
        return False
    models.update_instance_status(tx, instance_id, status)
    notifications.publish(tx, notifications.for_state_change(tx, instance, status, now))
    return True
