"""The admin documents of system events: injecting one, moving one by hand, and how an event is shown.

`POST /_emulator/events` takes `{"resourceId", "eventType", "status", "notBefore"?, "reason"?}` (plus, for a
disk, `regionId` or the `instanceId` it is attached to, and `device`); `POST /_emulator/events/<id>` takes
`{"status"}`. Bad documents raise EventError, which the admin API answers with 400 and the message.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ecsops.emulator.events import lifecycle, models, types
from ecsops.emulator.events.types import EventError


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Injection(_Doc):
    resource_id: str = Field(alias="resourceId", min_length=1)
    event_type: str = Field(alias="eventType", min_length=1)
    status: str
    not_before: datetime | None = Field(None, alias="notBefore")
    reason: str = ""
    region_id: str | None = Field(None, alias="regionId")
    instance_id: str | None = Field(None, alias="instanceId")
    device: str = ""


class Move(_Doc):
    status: str


def inject(tx: sqlite3.Connection, document: Any, now: datetime) -> str:
    """Raises the event the document describes; returns its id."""
    injection = _parse(Injection, document)
    not_before = injection.not_before
    if not_before is not None and not_before.tzinfo is None:
        not_before = not_before.replace(tzinfo=timezone.utc)
    event = lifecycle.raise_event(
        tx, injection.resource_id, injection.event_type, injection.status, now, not_before, injection.reason,
        region=injection.region_id, instance_id=injection.instance_id, device=injection.device)
    return str(event["id"])


def move(tx: sqlite3.Connection, event_id: str, document: Any, now: datetime) -> None:
    lifecycle.move_event(tx, event_id, _parse(Move, document).status, now)


def describe(tx: sqlite3.Connection, event_id: str) -> dict[str, Any]:
    return _view(lifecycle.find_event(tx, event_id))


def listing(tx: sqlite3.Connection, resource_id: str | None) -> list[dict[str, Any]]:
    """Every event (of one resource, when given), oldest first."""
    return [_view(row) for row in models.events_of(tx, resource_id)]


def _view(event: sqlite3.Row) -> dict[str, Any]:
    kind = types.lookup(event["event_type"])
    return {
        "id": event["id"], "resourceId": event["resource_id"], "resourceType": event["resource_type"],
        "instanceId": event["instance_id"], "regionId": event["region"], "eventType": kind.name,
        "category": kind.category, "level": kind.level, "status": event["status"], "reason": event["reason"],
        "publishTime": event["publish_time"], "notBefore": event["not_before"],
        "executeStartTime": event["execute_start"], "executeFinishTime": event["execute_finish"],
        "nextChange": event["next_change"],
    }


def _parse(model: type[_Doc], document: Any) -> Any:
    try:
        return model.model_validate(document or {})
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise EventError(f"event document: {where}: {first['msg']}") from None
