"""Event notifications: the documented JSON (the ECS guide "2.4.1", "2.4.4.1", "2.4.4.2") and who hears it.

ECS builds one notification for every state a system event enters and for every instance status change,
and `publish`es it inside the transaction that made the change. Subscribers (CloudMonitor's routing) run in
that same transaction, so a notification is routed when, and only if, its change commits.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from ecsops.emulator import world
from ecsops.emulator.events import models, types

#: `eventTime` is written in UTC+8, as in every example of the guide.
_CHINA = timezone(timedelta(hours=8))


@dataclass(frozen=True)
class Notification:
    """One notification: its JSON `body` and what routing needs that the body does not say."""

    body: dict[str, Any]
    category: str  # CloudMonitor event type: Maintenance, Exception or StatusNotification
    status: str  # the state in the name ("" for an event without states)
    event_id: str  # the system event's id ("" for a state change)
    at: datetime

    @property
    def name(self) -> str:
        return str(self.body["name"])

    @property
    def level(self) -> str:
        return str(self.body["level"])

    @property
    def region(self) -> str:
        return str(self.body["regionId"])

    @property
    def resource(self) -> str:
        return str(self.body["resourceId"])


Subscriber = Callable[[sqlite3.Connection, Notification], None]

_SUBSCRIBERS: list[Subscriber] = []


def subscribe(subscriber: Subscriber) -> Subscriber:
    """Registers a subscriber (at import); it is called for every notification, in the changing transaction."""
    _SUBSCRIBERS.append(subscriber)
    return subscriber


def publish(tx: sqlite3.Connection, notification: Notification) -> None:
    for subscriber in _SUBSCRIBERS:
        subscriber(tx, notification)


def for_event(tx: sqlite3.Connection, event: sqlite3.Row, at: datetime) -> Notification:
    """The notification of a system event entering its current state."""
    kind = types.lookup(event["event_type"])
    content = _instance_content(event) if kind.resource == "Instance" else _disk_content(tx, event)
    body = _envelope(tx, region=event["region"], resource=f"{event['resource_type']}/{event['resource_id']}",
                     level=kind.level, name=f"{kind.resource}:{kind.name}:{event['status']}", content=content, at=at)
    return Notification(body, kind.category, event["status"], event["id"], at)


def for_state_change(tx: sqlite3.Connection, instance: sqlite3.Row, state: str, at: datetime) -> Notification:
    """`Instance:StateChange`: the instance's status became `state`."""
    kind = types.INSTANCE_STATE_CHANGE
    content = {"resourceId": instance["id"], "resourceType": "ALIYUN::ECS::Instance", "state": state}
    body = _envelope(tx, region=instance["region"], resource=f"instance/{instance['id']}", level=kind.level,
                     name=f"{kind.resource}:{kind.name}", content=content, at=at)
    return Notification(body, kind.category, "", "", at)


def event_time(at: datetime) -> str:
    """The `eventTime` format of the guide: `20190409T121826.922+0800`."""
    local = at.astimezone(_CHINA)
    return f"{local:%Y%m%dT%H%M%S}.{local.microsecond // 1000:03d}+0800"


def _envelope(tx: sqlite3.Connection, *, region: str, resource: str, level: str, name: str,
              content: dict[str, Any], at: datetime) -> dict[str, Any]:
    user_id = world.account(tx)["userId"]
    return {
        "ver": "1.0",
        "id": str(uuid.uuid4()).upper(),
        "product": "ECS",
        "resourceId": f"acs:ecs:{region}:{user_id}:{resource}",
        "level": level,
        "name": name,
        "userId": user_id,
        "eventTime": event_time(at),
        "regionId": region,
        "content": content,
    }


def _instance_content(event: sqlite3.Row) -> dict[str, Any]:
    """Fields of 2.4.4.1: notBefore only when scheduled, execution times once the event has them."""
    content = {"eventId": event["id"], "publishTime": event["publish_time"]}
    if event["not_before"]:
        content["notBefore"] = event["not_before"]
    content.update(instanceId=event["instance_id"], eventType=event["event_type"], eventStatus=event["status"])
    return {**content, **_execution_times(event)}


def _disk_content(tx: sqlite3.Connection, event: sqlite3.Row) -> dict[str, Any]:
    """Fields of 2.4.4.2: the disk, its device and the instance it is attached to, when known."""
    content: dict[str, Any] = {"eventId": event["id"], "diskId": event["resource_id"]}
    if event["device"]:
        content["device"] = event["device"]
    content["eventType"] = event["event_type"]
    content.update(_execution_times(event))
    instance = models.instance_name(tx, event["instance_id"])
    if instance is not None:
        content.update(ecsInstanceId=instance[0], ecsInstanceName=instance[1])
    return content


def _execution_times(event: sqlite3.Row) -> dict[str, str]:
    times = {"executeStartTime": event["execute_start"], "executeFinishTime": event["execute_finish"]}
    return {key: value for key, value in times.items() if value}

