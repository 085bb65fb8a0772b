"""Routing of event notifications to the targets of matching rules (CloudMonitor's event alerts).

Subscribed to every notification ECS publishes, `route` runs inside the transaction of the change that
produced it. Each ENABLED SYSTEM rule of the notification's region (or account-wide) whose patterns match
(patterns.py) records one delivery per target:

- `suppressed` when the same name for the same resource was delivered by this rule less than its
  SilenceTime ago (the "mute period": suppressed repeats do not extend it);
- `pending` for a webhook: delivery.py sends it after the transaction commits;
- `delivered` for contact groups, Message Service, Function Compute and Log Service: recorded, nothing sent.

Silence bookkeeping and deliveries live in the database, so every process sharing it agrees.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta

from ecsops.emulator import clock, world
from ecsops.emulator.cms import models, patterns
from ecsops.emulator.cms.models import EventRule
from ecsops.emulator.cms.targets import Kind, targets_of
from ecsops.emulator.events import notifications
from ecsops.emulator.events.notifications import Notification


@notifications.subscribe
def route(tx: sqlite3.Connection, notification: Notification) -> None:
    for rule in models.enabled_system_rules(tx, notification.region):
        if patterns.matches(rule.patterns, notification):
            _deliver(tx, rule, notification)


def _deliver(tx: sqlite3.Connection, rule: EventRule, notification: Notification) -> None:
    silenced_since = _silenced_since(tx, rule, notification)
    user_id = world.account(tx)["userId"]
    for kind, target in targets_of(tx, rule.seq):
        status, detail = _outcome(kind, target, silenced_since, rule.silence_time)
        models.record_delivery(
            tx, time=clock.iso(notification.at), rule=rule.name, target_type=kind.type, target_id=target["Id"],
            destination=kind.destination(target, user_id), method=target.get("Method", ""),
            event_id=notification.event_id, name=notification.name, level=notification.level, status=status,
            detail=detail, body=json.dumps(notification.body))
    if silenced_since is None:
        models.record_sent(tx, rule.seq, notification.name, notification.resource, clock.iso(notification.at))


def _silenced_since(tx: sqlite3.Connection, rule: EventRule, notification: Notification) -> str | None:
    """When the rule last delivered this name for this resource, if that is within its SilenceTime."""
    last_sent = models.last_sent(tx, rule.seq, notification.name, notification.resource)
    if last_sent is None or rule.silence_time == 0:
        return None
    last = datetime.fromisoformat(last_sent.replace("Z", "+00:00"))
    return last_sent if notification.at < last + timedelta(seconds=rule.silence_time) else None


def _outcome(kind: Kind, target: dict[str, str], silenced_since: str | None, silence: int) -> tuple[str, str]:
    if silenced_since is not None:
        return "suppressed", f"silenced: delivered at {silenced_since}, within the rule's SilenceTime of {silence} s"
    if kind.type == "webhook":
        return "pending", f"{target['Method']} to be sent"
    return "delivered", f"recorded for {kind.type} target {target['Id']}: the emulator sends nothing"
