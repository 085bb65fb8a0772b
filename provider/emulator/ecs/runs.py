"""Runs of Cloud Assistant invocations: when they happen, and the record each one leaves.

A task (one InvokeCommand) has targets (instances) and produces *run records*, one per target per run:

- `Once`: one run per target when the task is created (`run_task`);
- `Period`: one run per target at every instant of the schedule, materialised by the catch-up step
  `run_due` (the task keeps `next_run`, the first instant not yet run, so a request costs one indexed
  query when nothing is due);
- `NextRebootOnly` / `EveryReboot`: a run when the instance restarts (`run_on_restart`).

Guarantees: every call runs inside the caller's transaction (the write lock), and an instant is
materialised exactly once - the task's `next_run` moves past it in the same transaction, and a run record
is unique per task, instance and start. Records older than `RETENTION` are never returned, so when
the clock jumps further than that, the instants before the horizon are skipped (neither recorded nor
counted in Repeats); a region keeps at most `RECORD_LIMIT` records, the oldest dropped first.
"""

from __future__ import annotations

import base64
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ecsops.emulator import clock, simulation, world
from ecsops.emulator.ecs.execution import render, simulate
from ecsops.emulator.ecs.invocation_status import run_status
from ecsops.emulator.ecs.models import commands as model
from ecsops.emulator.ecs.models import instances as instance_model
from ecsops.emulator.ecs.models.commands import NewRun, Run, Target, Task
from ecsops.emulator.ecs.models.instances import Instance
from ecsops.schedule import Schedule, parse_frequency

RETENTION = timedelta(days=30)
RECORD_LIMIT = 10_000
_JUST_BEFORE = timedelta(microseconds=1)


@dataclass(frozen=True)
class Outcome:
    """What one run came to: stored as is; its status is `run_status` of it at the instant asked about."""

    status: str
    exit_code: int
    error_code: str = ""
    error_info: str = ""
    output: str = ""
    dropped: int = 0
    duration: float = 0.0


def parse_time(text: str) -> datetime:
    """An API timestamp (`2026-11-21T02:00:00Z`) as an aware datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _schedule(frequency: str, creation_time: str) -> Schedule:
    """The task's schedule, parsed as it was at creation (an `at` lies after creation, not after now)."""
    return parse_frequency(frequency, now=parse_time(creation_time))


def next_instant(frequency: str, creation_time: str, after: datetime) -> str | None:
    """The first run of the schedule strictly after `after` (a rate counts from creation); None at the end."""
    following = _schedule(frequency, creation_time).next_run(after, anchor=parse_time(creation_time))
    return None if following is None else clock.iso(following)


def record_status(run: Run, now: datetime) -> str:
    """The status of a run record at `now`: Running between its start and finish, then its outcome."""
    return run_status(now, parse_time(run.start_time), parse_time(run.finish_time), run.outcome)


def has_future(task: Task, target: Target) -> bool:
    """True while more runs may come on the target: a schedule not yet ended, or a restart awaited."""
    mode = task.repeat_mode
    if mode == "Period":
        return task.next_run is not None
    if mode == "NextRebootOnly":
        return target.repeats == 0
    return mode == "EveryReboot"


def run_task(tx: sqlite3.Connection, task: Task, at: datetime) -> None:
    """One run at `at` on every target of the task that is not stopped."""
    _run_targets(tx, task, at, world.account(tx)["userId"])
    _trim(tx, [task.region])


@simulation.step("runs")
def run_due(tx: sqlite3.Connection, now: datetime) -> None:
    """Materialises every scheduled run due by `now`, oldest first, then moves each task's `next_run`."""
    due = model.due_tasks(tx, clock.iso(now))
    if not due:
        return
    work = sorted(((instant, task) for task in due for instant in _due_instants(task, now)),
                  key=lambda item: (item[0], item[1].seq))
    account_id = world.account(tx)["userId"]
    for instant, task in work:
        _run_targets(tx, task, instant, account_id)
    for task in due:
        model.set_next_run(tx, task.id, next_instant(task.frequency, task.creation_time, now))
    _trim(tx, {task.region for task in due})


def run_on_restart(tx: sqlite3.Connection, instance_id: str, at: datetime) -> None:
    """The instance restarted at `at`: runs its reboot tasks there.

    Every not-stopped `EveryReboot` task runs; a `NextRebootOnly` task runs on its first restart only and
    is then finished on that instance; the instance's StartTime (DescribeInstances) becomes `at`. Idempotent for
    one restart: calling again with the same `at` adds nothing.
    """
    model.set_instance_start_time(tx, instance_id, clock.iso(at))
    tasks = model.reboot_tasks(tx, instance_id)
    account_id = world.account(tx)["userId"]
    for task in tasks:
        if not model.has_run(tx, task.id, instance_id, clock.iso(at)):
            _run_on(tx, task, instance_id, at, account_id)
    _trim(tx, {task.region for task in tasks})


def _due_instants(task: Task, now: datetime) -> list[datetime]:
    """The task's instants from `next_run` up to `now`, those older than the retention horizon skipped."""
    assert task.next_run is not None  # a due task has one
    start = max(parse_time(task.next_run), now - RETENTION)
    schedule = _schedule(task.frequency, task.creation_time)
    return list(schedule.iter_runs(start - _JUST_BEFORE, now, anchor=parse_time(task.creation_time)))


def _run_targets(tx: sqlite3.Connection, task: Task, at: datetime, account_id: str) -> None:
    """One run at `at` on each target not stopped, in the order the targets were given."""
    for instance_id in model.live_target_ids(tx, task.id):
        _run_on(tx, task, instance_id, at, account_id)


def _run_on(tx: sqlite3.Connection, task: Task, instance_id: str, at: datetime, account_id: str) -> None:
    instance = instance_model.find_instance(tx, instance_id)
    outcome = _outcome(task, instance, account_id)
    repeat = model.next_repeat(tx, task.id, instance_id)
    model.insert_run(tx, NewRun(
        region=task.region, invoke_id=task.id, instance_id=instance_id, repeat=repeat, start_time=clock.iso(at),
        finish_time=clock.iso(at + timedelta(seconds=outcome.duration)), outcome=outcome.status,
        exit_code=outcome.exit_code, error_code=outcome.error_code, error_info=outcome.error_info,
        output=outcome.output, dropped=outcome.dropped))


def _outcome(task: Task, instance: Instance | None, account_id: str) -> Outcome:
    """The outcome of running the task's snapshotted command on `instance` (None: released)."""
    if instance is None:
        return Outcome("Failed", -1, "InstanceNotExists", "the specified instance does not exist.")
    if instance.status != "Running":
        return Outcome("Failed", -1, "InstanceNotRunning", "the instance is not running.")
    if not instance.agent:
        return Outcome("Failed", -1, "ClientNotRunning", "the Cloud Assistant client is not running.")
    execution = simulate(_script(task, instance, account_id), task.timeout)
    if execution.timed_out:
        return Outcome("Timeout", -1, "ExecutionTimeout", "the command execution has been timeout.",
                       execution.output, execution.dropped, execution.duration)
    if execution.exit_code != 0:
        return Outcome("Failed", execution.exit_code, "ExitCodeNonzero",
                       f"the command exited with code {execution.exit_code}.",
                       execution.output, execution.dropped, execution.duration)
    return Outcome("Success", 0, output=execution.output, dropped=execution.dropped, duration=execution.duration)


def _script(task: Task, instance: Instance, account_id: str) -> str:
    """The command content as the instance runs it: placeholders filled when parameters are enabled."""
    content = base64.b64decode(task.command_content).decode()
    if not task.enable_parameter:
        return content
    values = {key.lower(): value for key, value in json.loads(task.parameters).items()}
    built_ins = {
        "ACS::InstanceId": instance.id, "ACS::InstanceName": instance.name,
        "ACS::RegionId": task.region, "ACS::InvokeId": task.id, "ACS::CommandId": task.command_id,
        "ACS::AccountId": account_id,
    }
    return render(content, values, built_ins)


def _trim(tx: sqlite3.Connection, regions: Iterable[str]) -> None:
    """Keeps the newest `RECORD_LIMIT` run records of each region."""
    for region in regions:
        model.trim_runs(tx, region, RECORD_LIMIT)
