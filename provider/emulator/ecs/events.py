"""DescribeInstanceHistoryEvents: the system events of the region's instances (the ECS guide "2.3.1").

Events are raised through the admin API or by other parts of the emulator (ecsops.emulator.events) and
move with the clock, so an answer shows each event's state at the request's instant. As the service does:
without a status filter (InstanceEventCycleStatus.N, else EventCycleStatus) only finished events are
listed (Executed, Avoided, Canceled, Failed); finished events older than 30 days are never listed; disk
events are not instance events and are never listed; `ResourceId.N` takes precedence over `InstanceId`.
ResourceType `ddh` and `managedhost` are accepted and hold no events here. Newest events come first.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from typing import Any

from ecsops.emulator.clock import iso
from ecsops.emulator.ecs.errors import CODES
from ecsops.emulator.ecs.product import PRODUCT
from ecsops.emulator.events import types
from ecsops.emulator.service import Context, page

RETENTION = timedelta(days=30)
EVENT_ID_LIMIT = 100
DEFAULT_STATUSES = ("Executed", "Avoided", "Canceled", "Failed")
RESOURCE_TYPES = ("instance", "ddh", "managedhost")


@PRODUCT.operation("DescribeInstanceHistoryEvents", writes=False)
def describe_instance_history_events(ctx: Context) -> dict[str, Any]:
    region = ctx.region()
    params = ctx.params
    event_ids = params.strings("EventId")
    if len(event_ids) > EVENT_ID_LIMIT:
        raise CODES.error("EventIdLimitExceeded", limit=EVENT_ID_LIMIT)
    resource_type = params.text("ResourceType") or "instance"
    if resource_type not in RESOURCE_TYPES:
        raise CODES.error("InvalidParameter", name="ResourceType", reason=f"use one of {', '.join(RESOURCE_TYPES)}")
    statuses = _wanted(ctx, "InstanceEventCycleStatus", "EventCycleStatus", types.STATES) or DEFAULT_STATUSES
    event_types = _wanted(ctx, "InstanceEventType", "EventType", tuple(types.TYPES))
    resources = params.strings("ResourceId") or [params.text("InstanceId") or ""]
    ranges = _ranges(ctx)
    rows = [
        row for row in ctx.tx.execute(
            "SELECT * FROM system_events WHERE region = ? AND resource_type = ? ORDER BY seq DESC",
            (region, resource_type))
        if row["status"] in statuses and (not event_types or row["event_type"] in event_types)
        and (not event_ids or row["id"] in event_ids) and (resources == [""] or row["resource_id"] in resources)
        and _in_ranges(ranges, row) and not _expired(row, ctx.now)
    ]
    chunk, paging = page(ctx, rows, max_size=100)
    return {"InstanceSystemEventSet": {"InstanceSystemEventType": [_event_view(row) for row in chunk]}, **paging}


def _wanted(ctx: Context, repeated: str, single: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    """The values of `repeated.N`, else of `single` (which counts only without the repeated form)."""
    values = ctx.params.strings(repeated) or [value for value in [ctx.params.text(single)] if value]
    for value in values:
        if value not in allowed:
            name = repeated if ctx.params.has(repeated) else single
            raise CODES.error("InvalidParameter", name=name, reason=f"{value!r} is not one of {', '.join(allowed)}")
    return tuple(values)


Range = tuple[str, str | None, str | None]


def _ranges(ctx: Context) -> list[Range]:
    """(column, start, end) of EventPublishTime.Start/End and NotBefore.Start/End, those given."""
    ranges = []
    for name, column in (("EventPublishTime", "publish_time"), ("NotBefore", "not_before")):
        start, end = _time(ctx, name, "Start"), _time(ctx, name, "End")
        if start is not None or end is not None:
            ranges.append((column, start, end))
    return ranges


def _in_ranges(ranges: list[Range], row: sqlite3.Row) -> bool:
    """Inside every range, bounds included; an event without notBefore is outside any NotBefore range."""
    for column, start, end in ranges:
        value = row[column]
        if value is None or (start is not None and value < start) or (end is not None and value > end):
            return False
    return True


def _time(ctx: Context, name: str, bound: str) -> str | None:
    """`Name.Bound` in the API's time format (so times compare as text), or None when not given."""
    value = dict(ctx.params.items()).get(f"{name}.{bound}")
    if not value:
        return None
    try:
        instant = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise CODES.error("InvalidParameter", name=f"{name}.{bound}",
                          reason=f"{value!r} is not a time like 2017-11-30T06:32:31Z") from None
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=timezone.utc)
    return iso(instant)


def _expired(row: sqlite3.Row, now: datetime) -> bool:
    return row["execute_finish"] is not None and row["execute_finish"] < iso(now - RETENTION)


def _event_view(row: sqlite3.Row) -> dict[str, Any]:
    kind = types.lookup(row["event_type"])
    return {
        "EventId": row["id"],
        "InstanceId": row["resource_id"],
        "ResourceType": row["resource_type"],
        "EventType": {"Code": kind.code, "Name": kind.name},
        "EventCycleStatus": {"Code": types.STATUS_CODES[row["status"]], "Name": row["status"]},
        "EventPublishTime": row["publish_time"],
        "NotBefore": row["not_before"] or "",
        "EventFinishTime": row["execute_finish"] or "",
        "Reason": row["reason"],
        "ReasonCode": "",
        "ImpactLevel": "",
    }
