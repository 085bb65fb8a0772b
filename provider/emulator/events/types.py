"""The ECS system event types, as data (the ECS guide "2.2. Summary" and "2.4.4.1" appendix).

Each type has the resource it happens to, its CloudMonitor event type (category), its severity as a
notification level, and the lifecycle states the guide lists for it. Severities map Critical -> CRITICAL,
Warning -> WARN, Notification -> INFO. Categories follow the guide's grouping: scheduled O&M events are
`Maintenance`, unexpected O&M events `Exception`, billing and state change events `StatusNotification`.

Codes are what DescribeInstanceHistoryEvents answers as `EventType.Code` / `EventCycleStatus.Code`. The API
reference shows some of them in its examples (SystemMaintenance.Reboot 1, InstanceExpiration.Stop 34,
SystemFailure.Reboot 65; Executed 0, Avoided 8, Scheduled 24); the others are the emulator's choice.
"""

from __future__ import annotations

from dataclasses import dataclass

INQUIRING, SCHEDULED, EXECUTING = "Inquiring", "Scheduled", "Executing"
EXECUTED, AVOIDED, FAILED, CANCELED = "Executed", "Avoided", "Failed", "Canceled"

#: Every lifecycle state, in the order an event moves through them; the last four are stable (final).
STATES = (INQUIRING, SCHEDULED, EXECUTING, EXECUTED, AVOIDED, FAILED, CANCELED)
STABLE = frozenset({EXECUTED, AVOIDED, FAILED, CANCELED})
STATUS_CODES = {EXECUTED: 0, AVOIDED: 8, INQUIRING: 16, SCHEDULED: 24, EXECUTING: 32, CANCELED: 48, FAILED: 64}

MAINTENANCE, EXCEPTION, STATUS_NOTIFICATION = "Maintenance", "Exception", "StatusNotification"
CATEGORIES = (STATUS_NOTIFICATION, EXCEPTION, MAINTENANCE)
LEVELS = ("CRITICAL", "WARN", "INFO")

#: A state change event (ECS type "Undefined"): one notification, no lifecycle.
STATE_CHANGE = "StateChange"


@dataclass(frozen=True)
class EventType:
    name: str
    resource: str  # "Instance" or "Disk": the first part of the notification name
    category: str
    level: str
    states: tuple[str, ...]
    code: int

    def rank(self, state: str) -> int:
        """How far along its lifecycle `state` is: 0 Inquiring, 1 Scheduled, 2 Executing, 3 stable."""
        return 3 if state in STABLE else (INQUIRING, SCHEDULED, EXECUTING).index(state)


def _type(name: str, resource: str, category: str, level: str, states: str, code: int) -> EventType:
    return EventType(name, resource, category, level, tuple(states.split()), code)


_ALL_BUT_FAILED = "Inquiring Scheduled Executing Executed Avoided Canceled"
_NOT_SCHEDULED = "Inquiring Executing Executed Avoided Failed Canceled"
_BILLING = "Scheduled Executing Executed Avoided"

#: Every system event type the emulator can raise (the state change event is below, apart).
TYPES: dict[str, EventType] = {t.name: t for t in (
    _type("SystemMaintenance.Reboot", "Instance", MAINTENANCE, "CRITICAL", " ".join(STATES), 1),
    _type("SystemMaintenance.Redeploy", "Instance", MAINTENANCE, "CRITICAL", _ALL_BUT_FAILED, 2),
    _type("SystemMaintenance.Stop", "Instance", MAINTENANCE, "CRITICAL",
          "Scheduled Executing Executed Avoided Failed Canceled", 3),
    _type("SystemMaintenance.IsolateErrorDisk", "Instance", MAINTENANCE, "CRITICAL", _NOT_SCHEDULED, 4),
    _type("SystemMaintenance.ReInitErrorDisk", "Instance", MAINTENANCE, "CRITICAL", _NOT_SCHEDULED, 5),
    _type("SystemMaintenance.RebootAndIsolateErrorDisk", "Instance", MAINTENANCE, "CRITICAL",
          "Inquiring Executing Executed Avoided Canceled", 6),
    _type("SystemMaintenance.RebootAndReInitErrorDisk", "Instance", MAINTENANCE, "CRITICAL",
          "Inquiring Executing Executed Avoided Canceled", 7),
    _type("InstanceExpiration.Stop", "Instance", STATUS_NOTIFICATION, "CRITICAL", _BILLING, 34),
    _type("InstanceExpiration.Delete", "Instance", STATUS_NOTIFICATION, "CRITICAL", _BILLING, 35),
    _type("AccountUnbalanced.Stop", "Instance", STATUS_NOTIFICATION, "CRITICAL", _BILLING, 36),
    _type("AccountUnbalanced.Delete", "Instance", STATUS_NOTIFICATION, "CRITICAL", _BILLING, 37),
    _type("SystemFailure.Reboot", "Instance", EXCEPTION, "CRITICAL", "Executing Executed Failed", 65),
    _type("SystemFailure.Stop", "Instance", EXCEPTION, "CRITICAL", "Executing Executed", 66),
    _type("SystemFailure.Redeploy", "Instance", EXCEPTION, "CRITICAL", _ALL_BUT_FAILED, 67),
    _type("SystemFailure.Delete", "Instance", EXCEPTION, "CRITICAL", "Executing Executed Avoided", 68),
    _type("InstanceFailure.Reboot", "Instance", EXCEPTION, "CRITICAL", "Executing Executed", 69),
    _type("Security.TpmAlert", "Instance", EXCEPTION, "WARN", "Executing Executed", 70),
    # The guide lists only Disk:ErrorDetected:Executing; Executed lets the emulated event end.
    _type("ErrorDetected", "Disk", EXCEPTION, "CRITICAL", "Executing Executed", 80),
    _type("Stalled", "Disk", EXCEPTION, "CRITICAL", "Executing Executed", 81),
)}

#: `Instance:StateChange`: INFO, a status notification ("Instance state change" in 2.2).
INSTANCE_STATE_CHANGE = EventType(STATE_CHANGE, "Instance", STATUS_NOTIFICATION, "INFO", (), 0)


class EventError(ValueError):
    """A system event that cannot be raised or moved as asked; the message says why."""


def lookup(name: str) -> EventType:
    """The system event type called `name`; EventError names the known ones."""
    try:
        return TYPES[name]
    except KeyError:
        raise EventError(f"unknown event type {name!r}: use one of {', '.join(TYPES)}") from None

