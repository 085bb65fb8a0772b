"""The system events the guide documents (the ECS guide "2.2. Summary"): `<Resource>:<Event>` and its states.

Used only for advice: a rule may name any event, but a name not listed here is probably a typo, and plan
says so as a warning.
"""

from __future__ import annotations

from ecsops.engine.suggest import closest

STATES = ("Inquiring", "Scheduled", "Executing", "Executed", "Avoided", "Failed", "Canceled")

_ALL = STATES
_FAILURE = ("Executing", "Executed")
_BILLING = ("Scheduled", "Executing", "Executed", "Avoided")

#: `<Resource>:<Event>` -> the states it moves through (empty: an event without states).
EVENTS: dict[str, tuple[str, ...]] = {
    "Instance:SystemMaintenance.Reboot": _ALL,
    "Instance:SystemMaintenance.Stop": ("Scheduled", "Executing", "Executed", "Avoided", "Failed", "Canceled"),
    "Instance:SystemMaintenance.Redeploy": ("Inquiring", "Scheduled", "Executing", "Executed", "Avoided", "Canceled"),
    "Instance:SystemMaintenance.IsolateErrorDisk": ("Inquiring", "Executing", "Executed", "Avoided", "Failed",
                                                    "Canceled"),
    "Instance:SystemMaintenance.ReInitErrorDisk": ("Inquiring", "Executing", "Executed", "Avoided", "Failed",
                                                   "Canceled"),
    "Instance:SystemMaintenance.RebootAndIsolateErrorDisk": ("Inquiring", "Executing", "Executed", "Avoided",
                                                             "Canceled"),
    "Instance:SystemMaintenance.RebootAndReInitErrorDisk": ("Inquiring", "Executing", "Executed", "Avoided"),
    "Instance:SystemFailure.Reboot": ("Executing", "Executed", "Failed"),
    "Instance:InstanceFailure.Reboot": _FAILURE,
    "Instance:SystemFailure.Stop": _FAILURE,
    "Instance:SystemFailure.Redeploy": ("Inquiring", "Scheduled", "Executing", "Executed", "Avoided", "Canceled"),
    "Instance:SystemFailure.Delete": _FAILURE,
    "Instance:Security.TpmAlert": _FAILURE,
    "Instance:InstanceExpiration.Stop": _BILLING,
    "Instance:InstanceExpiration.Delete": _BILLING,
    "Instance:AccountUnbalanced.Stop": _BILLING,
    "Instance:AccountUnbalanced.Delete": _BILLING,
    "Disk:ErrorDetected": _FAILURE,
    "Disk:Stalled": _FAILURE,
    "Disk:OverduePaymentRelease": (),
    "Instance:PreemptibleInstanceInterruption": (),
    "Instance:BurstablePerformanceRestricted": (),
    "Instance:PerformanceModeChange": (),
    "Instance:StateChange": (),
    "Instance:AutoReactivateCompleted": (),
    "Instance:LiveMigrationAcrossDDH": (),
    "Disk:DiskOperationCompleted": (),
    "Disk:ConvertToPostpaidCompleted": (),
    "Snapshot:CreateSnapshotCompleted": (),
}


def documented(name: str) -> bool:
    """True for `<Resource>:<Event>` or `<Resource>:<Event>:<State>` as the guide lists them."""
    base, _, state = name.rpartition(":") if name.count(":") == 2 else (name, "", "")
    states = EVENTS.get(base)
    return states is not None and (not state or state in states)


def closest_event(name: str) -> str | None:
    """The documented event `name` most probably stands for (`Instance:SystemMaintenance.Rebot` ->
    `Instance:SystemMaintenance.Reboot`, `...Reboot:Executd` -> `...Reboot:Executed`), or None."""
    base, _, state = name.rpartition(":") if name.count(":") == 2 else (name, "", "")
    event = base if base in EVENTS else closest(base, EVENTS)
    if event is None:
        return None
    if not state:
        return event
    known = closest(state, EVENTS[event]) if state not in EVENTS[event] else state
    return f"{event}:{known}" if known else None
