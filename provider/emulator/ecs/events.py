"""DescribeInstanceHistoryEvents: the system events of the region's instances (the ECS guide "2.3.1").

Events are raised through the admin API or by other parts of the emulator (ecsops.emulator.events) and
move with the clock, so an answer shows each event's state at the request's instant. As the service does:
without a status filter (InstanceEventCycleStatus.N, else EventCycleStatus) only finished events are
listed (Executed, Avoided, Canceled, Failed); finished events older than 30 days are never listed; disk
events are not instance events and are never listed; `ResourceId.N` takes precedence over `InstanceId`.
ResourceType `ddh` and `managedhost` are accepted and hold no events here. Newest events come first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from ecsops.emulator.clock import iso
from ecsops.emulator.ecs.errors import CODES, paged
from ecsops.emulator.ecs.models.instances import SystemEvent, region_events
from ecsops.emulator.ecs.product import PRODUCT
from ecsops.emulator.events import types
from ecsops.emulator.service import Context

RETENTION = timedelta(days=30)
EVENT_ID_LIMIT = 100
DEFAULT_STATUSES = ("Executed", "Avoided", "Canceled", "Failed")
RESOURCE_TYPES = ("instance", "ddh", "managedhost")


@PRODUCT.operation("DescribeInstanceHistoryEvents", writes=False)
def describe_instance_history_events(ctx: Context) -> dict[str, Any]:
    """The events that pass every filter of the request, newest first, a page at a time. The parameters are
    checked in a fixed order (region, EventId, ResourceType, statuses, types, times) before anything is read,
    so a request wrong in two ways always gets the same error."""
    region = ctx.region()
    event_ids = _event_ids(ctx)
    resource_type = _resource_type(ctx)
    wanted = _Filters(
        statuses=_wanted(ctx, "InstanceEventCycleStatus", "EventCycleStatus", types.STATES) or DEFAULT_STATUSES,
        event_types=_wanted(ctx, "InstanceEventType", "EventType", tuple(types.TYPES)),
        event_ids=event_ids,
        resources=ctx.params.strings("ResourceId") or [ctx.params.text("InstanceId") or ""],
        ranges=_ranges(ctx),
        now=ctx.now,
    )
    listed = [event for event in region_events(ctx.tx, region, resource_type) if wanted.admit(event)]
    chunk, paging = paged(ctx, listed, max_size=100)
    return {"InstanceSystemEventSet": {"InstanceSystemEventType": [_event_view(event) for event in chunk]},
            **paging}


def _event_ids(ctx: Context) -> list[str]:
    """`EventId.N`; refused past EVENT_ID_LIMIT, as the service does, rather than cut short."""
    event_ids = ctx.params.strings("EventId")
    if len(event_ids) > EVENT_ID_LIMIT:
        raise CODES.error("EventIdLimitExceeded", limit=EVENT_ID_LIMIT)
    return event_ids


def _resource_type(ctx: Context) -> str:
    """`ResourceType`, `instance` when not given; refused when it is not one of RESOURCE_TYPES."""
    resource_type = ctx.params.text("ResourceType") or "instance"
    if resource_type not in RESOURCE_TYPES:
        raise CODES.error("InvalidParameter", name="ResourceType", reason=f"use one of {', '.join(RESOURCE_TYPES)}")
    return resource_type


def _wanted(ctx: Context, repeated: str, single: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    """The values of `repeated.N`, else of `single` (which counts only without the repeated form)."""
    values = ctx.params.strings(repeated) or [value for value in [ctx.params.text(single)] if value]
    for value in values:
        if value not in allowed:
            name = repeated if ctx.params.has(repeated) else single
            raise CODES.error("InvalidParameter", name=name, reason=f"{value!r} is not one of {', '.join(allowed)}")
    return tuple(values)


Range = tuple[str, str | None, str | None]


@dataclass(frozen=True)
class _Filters:
    """A request's filters, checked. An empty `event_types` or `event_ids` admits every type or id; `resources`
    of `[""]` (neither ResourceId.N nor InstanceId given) admits every resource."""

    statuses: tuple[str, ...]
    event_types: tuple[str, ...]
    event_ids: list[str]
    resources: list[str]
    ranges: list[Range]
    now: datetime

    def admit(self, event: SystemEvent) -> bool:
        """Whether `event` is listed: it passes every filter and has not aged out (see `_expired`)."""
        return self._chosen(event) and _in_ranges(self.ranges, event) and not _expired(event, self.now)

    def _chosen(self, event: SystemEvent) -> bool:
        """Whether the event has a wanted status and, where the request names them, type, id and resource."""
        return (event.status in self.statuses and (not self.event_types or event.event_type in self.event_types)
                and (not self.event_ids or event.id in self.event_ids)
                and (self.resources == [""] or event.resource_id in self.resources))


def _ranges(ctx: Context) -> list[Range]:
    """(field, start, end) of EventPublishTime.Start/End and NotBefore.Start/End, those given."""
    ranges = []
    for name, field in (("EventPublishTime", "publish_time"), ("NotBefore", "not_before")):
        start, end = _time(ctx, name, "Start"), _time(ctx, name, "End")
        if start is not None or end is not None:
            ranges.append((field, start, end))
    return ranges


def _in_ranges(ranges: list[Range], event: SystemEvent) -> bool:
    """Inside every range, bounds included; an event without notBefore is outside any NotBefore range."""
    for field, start, end in ranges:
        value: str | None = getattr(event, field)
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


def _expired(event: SystemEvent, now: datetime) -> bool:
    return event.finish_time is not None and event.finish_time < iso(now - RETENTION)


def _event_view(event: SystemEvent) -> dict[str, Any]:
    kind = types.lookup(event.event_type)
    return {
        "EventId": event.id,
        "InstanceId": event.resource_id,
        "ResourceType": event.resource_type,
        "EventType": {"Code": kind.code, "Name": kind.name},
        "EventCycleStatus": {"Code": types.STATUS_CODES[event.status], "Name": event.status},
        "EventPublishTime": event.publish_time,
        "NotBefore": event.not_before or "",
        "EventFinishTime": event.finish_time or "",
        "Reason": event.reason,
        "ReasonCode": "",
        "ImpactLevel": "",
    }
