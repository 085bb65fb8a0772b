"""ECS system events: raised, moved through their states by the clock or by hand, and announced.

An event is raised in one of its type's states (types.py). From then on:

- Scheduled or Inquiring, with a notBefore: Executing when the clock reaches notBefore (for an Inquiring
  event, notBefore stands for the moment it is authorised). A Scheduled event raised without notBefore
  gets one `DEFAULT_NOTICE` ahead (24 h, the short end of the guide's 24-48 h window); an Inquiring event
  without one waits to be moved by hand (its window is unlimited).
- Executing: Executed `EXECUTION_TIME` (1 minute) after it started.
- By hand (`move_event`, the event "handled"): to any state of its type further along than the current
  one; the stable states (Executed, Avoided, Failed, Canceled) are final.
- Planning (`on_planning`): whenever an event is raised in or moved to Scheduled, the registered planners may
  move its notBefore later (a maintenance window) and, when it is raised, have it announced Inquiring first
  (moved to Scheduled at the same instant; only for types that have Inquiring).

Guarantees: every state an event enters, the first included, is announced exactly once, in the transaction
that made the change: a notification is published and every `on_transition` hook is called, with the
instant of the change. When the clock jumps, the changes in between happen in time order at their own
instants (which may lie before the clock's reading).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from typing import Callable, NamedTuple

from ecsops.emulator import clock, simulation, world
from ecsops.emulator.events import models, notifications, types
from ecsops.emulator.events.models import NewEvent, Timing
from ecsops.emulator.events.types import EXECUTED, EXECUTING, INQUIRING, SCHEDULED, EventError
from ecsops.emulator.service import new_id

DEFAULT_NOTICE = timedelta(hours=24)
EXECUTION_TIME = timedelta(minutes=1)

Hook = Callable[[sqlite3.Connection, sqlite3.Row, str, datetime], None]


class Plan(NamedTuple):
    not_before: datetime
    inquire_first: bool = False


#: `planner(tx, event_type, instance_id, not_before, at) -> Plan`, see `on_planning`.
Planner = Callable[[sqlite3.Connection, str, str, datetime, datetime], Plan]

_HOOKS: list[Hook] = []
_PLANNERS: list[Planner] = []


def on_transition(hook: Hook) -> Hook:
    """Registers `hook(tx, event, new_status, at)`, called whenever an event enters a state (usable as a
    decorator). It runs in the changing transaction: raising rolls the change back."""
    _HOOKS.append(hook)
    return hook


def on_planning(planner: Planner) -> Planner:
    """Registers `planner(tx, event_type, instance_id, not_before, at) -> Plan`, asked whenever an event
    is raised in or moved to Scheduled at `at`. The notBefore it answers (never earlier than the one given) is
    stored, shown and acted on; `inquire_first` is honoured only when the event is raised."""
    _PLANNERS.append(planner)
    return planner


def raise_event(tx: sqlite3.Connection, resource_id: str, event_type: str, status: str, now: datetime,
                not_before: datetime | None = None, reason: str = "", *, region: str | None = None,
                instance_id: str | None = None, device: str = "") -> sqlite3.Row:
    """Raises an event on an instance (`i-...`) or a disk (`d-...`) in `status`, and announces it.

    A disk is not part of the world, so a disk event needs `region` or the `instance_id` it is attached
    to. Raises EventError for an unknown type, resource or state.
    """
    kind = types.lookup(event_type)
    resource_type, event_region, attached = _resource(tx, kind, resource_id, region, instance_id)
    if status not in kind.states:
        raise EventError(f"{kind.name} has no state {status!r}: its states are {', '.join(kind.states)}")
    if status == SCHEDULED and not_before is None:
        not_before = now + DEFAULT_NOTICE
    first = status
    if status == SCHEDULED and not_before is not None:
        not_before, inquire = _plan(tx, kind.name, attached, not_before, now)
        first = INQUIRING if inquire and INQUIRING in kind.states else status
    start, finish, due = _timing(first, now, not_before, None)
    event_id = new_id("e", event_region)
    models.insert_event(tx, NewEvent(event_id, event_region, resource_type, resource_id, attached, device, kind.name,
                                     first, reason, clock.iso(now)),
                        Timing(_iso(not_before), _iso(start), _iso(finish), _iso(due)))
    event = find_event(tx, event_id)
    _announce(tx, event, now)
    return event if first == status else _change(tx, event, status, now)


def move_event(tx: sqlite3.Connection, event_id: str, status: str, now: datetime) -> sqlite3.Row:
    """Moves an event by hand to a later state of its type (Avoided, Canceled, Executing...)."""
    event = find_event(tx, event_id)
    kind = types.lookup(event["event_type"])
    if status not in kind.states:
        raise EventError(f"{kind.name} has no state {status!r}: its states are {', '.join(kind.states)}")
    if kind.rank(status) <= kind.rank(event["status"]):
        raise EventError(f"event {event_id} is {event['status']}: it can only move forward, not to {status}")
    return _change(tx, event, status, now)


def find_event(tx: sqlite3.Connection, event_id: str) -> sqlite3.Row:
    event = models.find_event(tx, event_id)
    if event is None:
        raise EventError(f"no system event {event_id}")
    return event


@simulation.step("events")
def advance_due(tx: sqlite3.Connection, now: datetime) -> None:
    """Every change due by `now`, earliest first: Scheduled/Inquiring -> Executing -> Executed."""
    while True:
        event = models.next_due_event(tx, clock.iso(now))
        if event is None:
            return
        following = EXECUTED if event["status"] == EXECUTING else EXECUTING
        _change(tx, event, following, _instant(event["next_change"]))


def _change(tx: sqlite3.Connection, event: sqlite3.Row, status: str, at: datetime) -> sqlite3.Row:
    not_before = _parse(event["not_before"])
    if status == SCHEDULED and not_before is None:
        not_before = at + DEFAULT_NOTICE
    if status == SCHEDULED and not_before is not None:
        not_before = _plan(tx, event["event_type"], event["instance_id"], not_before, at).not_before
    start, finish, due = _timing(status, at, not_before, _parse(event["execute_start"]))
    models.update_event_status(tx, event["id"], status, Timing(_iso(not_before), _iso(start), _iso(finish), _iso(due)))
    changed = find_event(tx, event["id"])
    _announce(tx, changed, at)
    return changed


def _plan(tx: sqlite3.Connection, event_type: str, instance_id: str, not_before: datetime, at: datetime) -> Plan:
    """What the planners make of a Scheduled event: the latest notBefore any asks for, and whether any
    asks for an Inquiring state first."""
    plans = [planner(tx, event_type, instance_id, not_before, at) for planner in _PLANNERS]
    return Plan(max([not_before, *(plan.not_before for plan in plans)]), any(plan.inquire_first for plan in plans))


def _timing(status: str, at: datetime, not_before: datetime | None,
            started: datetime | None) -> tuple[datetime | None, datetime | None, datetime | None]:
    """(execution start, execution finish, next automatic change) of an event entering `status` at `at`.

    A stable state that was never executing (Avoided before it started) starts and finishes at `at`, as in
    the guide's Avoided example.
    """
    if status in (INQUIRING, SCHEDULED):
        return None, None, None if not_before is None else max(not_before, at)
    if status == EXECUTING:
        return at, None, at + EXECUTION_TIME
    return started or at, at, None


def _announce(tx: sqlite3.Connection, event: sqlite3.Row, at: datetime) -> None:
    notifications.publish(tx, notifications.for_event(tx, event, at))
    for hook in _HOOKS:
        hook(tx, event, event["status"], at)


def _resource(tx: sqlite3.Connection, kind: types.EventType, resource_id: str, region: str | None,
              instance_id: str | None) -> tuple[str, str, str]:
    """(resource type, region, instance) of the event's resource, checked against the event type."""
    prefix = {"Instance": "i-", "Disk": "d-"}[kind.resource]
    if not resource_id.startswith(prefix):
        raise EventError(f"{kind.name} happens to {kind.resource.lower()}s ({prefix}...), not to {resource_id!r}")
    if kind.resource == "Instance":
        return "instance", _instance(tx, resource_id)["region"], resource_id
    attached = _instance(tx, instance_id) if instance_id else None
    disk_region = region or (attached["region"] if attached is not None else None)
    if disk_region is None:
        raise EventError(f"disk {resource_id} is not part of the world: give its regionId or instanceId")
    if disk_region not in world.regions(tx):
        raise EventError(f"unknown region {disk_region!r}")
    return "disk", disk_region, instance_id or ""


def _instance(tx: sqlite3.Connection, instance_id: str) -> sqlite3.Row:
    row = models.find_instance(tx, instance_id)
    if row is None:
        raise EventError(f"no instance {instance_id} in the world")
    return row


def _iso(instant: datetime | None) -> str | None:
    return None if instant is None else clock.iso(instant)


def _parse(text: str | None) -> datetime | None:
    return None if text is None else _instant(text)


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
