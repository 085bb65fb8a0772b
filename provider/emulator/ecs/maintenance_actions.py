"""What a maintenance event does to its instance, by the instance's maintenance attributes (the ECS guide "2.6.1").

Events acted on (`ACTING_TYPES`): SystemMaintenance.Reboot/.Stop/.Redeploy, SystemFailure.Reboot/.Stop/
.Redeploy and InstanceFailure.Reboot. Whatever the type, the instance's `ActionOnMaintenance` decides.

The exact sequence, every status change through `set_instance_status` (so each sends `Instance:StateChange`):

1. The event enters Executing at T. The action is read at T and recorded with the instance's status then
   (table `maintenance_executions`, one row per event: a later Modify does not change an ongoing repair).
   The instance goes down at T: Stopping, Stopped (an instance already Stopped sends nothing).
   AutoRedeploy also moves it at T to a new host (a new random host id) and marks the data on its local
   disks lost (`instance_hosts`; `hostId` and `localDataLost` in the admin world document).
2. The event leaves Executing at T' (Executed one minute later; Failed or another state when moved by hand).
   AutoRecover and AutoRedeploy restore the status the instance had: one that was Running (or Starting) goes
   Starting, Running at T', then runs its EveryReboot tasks and not-yet-run NextRebootOnly tasks at T'
   (`run_on_restart`, once per repair). Stop leaves it Stopped, and so does a restore of an instance that was
   Stopped. An instance whose status changed in between (the admin world) is left as it is.

Planning (`events.on_planning`), for Scheduled events of these types:
- with a window, the event enters Executing at its notBefore when that lies inside the window (UTC+8), else at the
  start of the next window after it; never before the instant it is planned. The moved instant *is* the
  event's notBefore from then on: notifications, the admin API and DescribeInstanceHistoryEvents show it.
- with NotifyOnMaintenance, an event raised Scheduled is first announced Inquiring (the platform asks), then
  Scheduled at the same instant: the emulator does not wait for an answer. Types without an Inquiring state
  (SystemMaintenance.Stop) are announced Scheduled only.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from ecsops.emulator import clock, events
from ecsops.emulator.ecs.models import instances as model
from ecsops.emulator.ecs.runs import run_on_restart
from ecsops.emulator.events.types import EXECUTING, STABLE
from ecsops.emulator.service import new_id

ACTING_TYPES = frozenset({
    "SystemMaintenance.Reboot", "SystemMaintenance.Stop", "SystemMaintenance.Redeploy",
    "SystemFailure.Reboot", "SystemFailure.Stop", "SystemFailure.Redeploy", "InstanceFailure.Reboot",
})
#: Statuses an AutoRecover / AutoRedeploy brings the instance back to Running from.
_UP = frozenset({"Running", "Starting"})


@events.on_planning
def plan(tx: sqlite3.Connection, event_type: str, instance_id: str, not_before: datetime,
         at: datetime) -> events.Plan:
    """Moves a Scheduled maintenance event into the instance's window; asks first when the instance wants it."""
    if event_type not in ACTING_TYPES:
        return events.Plan(not_before)
    wanted = model.maintenance_attributes(tx, instance_id)
    if wanted.window is not None:
        not_before = wanted.window.next_opening(max(not_before, at))
    return events.Plan(not_before, inquire_first=wanted.notify)


@events.on_transition
def act(tx: sqlite3.Connection, event: sqlite3.Row, status: str, at: datetime) -> None:
    """Takes the instance down when a maintenance event starts executing, and back up when it ends."""
    if event["event_type"] not in ACTING_TYPES:
        return
    if status == EXECUTING:
        _begin(tx, event, at)
    elif status in STABLE:
        _finish(tx, event["id"], at)


def _begin(tx: sqlite3.Connection, event: sqlite3.Row, at: datetime) -> None:
    """Step 1: the action of this moment is recorded with the status to restore, and the instance goes down."""
    instance = model.instance_by_id(tx, event["instance_id"])
    action = model.maintenance_attributes(tx, instance.id).action
    model.start_execution(tx, model.Execution(event["id"], instance.id, action, instance.status), clock.iso(at))
    if instance.status != "Stopped":
        events.set_instance_status(tx, instance.id, "Stopping", at)
        events.set_instance_status(tx, instance.id, "Stopped", at)
    if action == model.AUTO_REDEPLOY:
        _move_to_a_new_host(tx, instance)


def _finish(tx: sqlite3.Connection, event_id: str, at: datetime) -> None:
    """Step 2, once per execution: the recorded action brings the instance back, or leaves it stopped."""
    execution = model.unfinished_execution(tx, event_id)
    if execution is None:
        return
    model.finish_execution(tx, event_id, clock.iso(at))
    if execution.action == model.STOP or execution.prior_status not in _UP:
        return
    instance_id = execution.instance_id
    if model.instance_status(tx, instance_id) != "Stopped":
        return
    events.set_instance_status(tx, instance_id, "Starting", at)
    events.set_instance_status(tx, instance_id, "Running", at)
    run_on_restart(tx, instance_id, at)


def _move_to_a_new_host(tx: sqlite3.Connection, instance: model.Instance) -> None:
    """A new host for the instance; the data on its local disks stayed on the old one."""
    model.move_to_host(tx, instance.id, new_id("h", instance.region))
