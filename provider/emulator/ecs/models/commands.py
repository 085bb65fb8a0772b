"""Cloud Assistant's data: commands (`commands`), tasks (`invocations`, one per InvokeCommand), their targets
(`invocation_targets`), run records (`invocation_runs`), the tasks created per region and day
(`invocation_daily_counts`) and the queue of run records to deliver (`run_delivery_queue`); and, as Cloud
Assistant reads them, the writes of run records to OSS (`record_deliveries`, through
ecsops.emulator.delivery.models), and when an instance last started (`instances.start_time`). Instances are read
through ecsops.emulator.ecs.models.instances (its Instance row type).

Every function runs in the caller's transaction and does only what its name says: none checks a request (the
handlers of ecs.commands, ecs.invoke and ecs.invocations do) or shapes an answer. Commands and tasks come in
creation order (`seq`), a task's targets in the order they were given (`position`), run records in the order
they were made (`seq`). Timestamps are API timestamps (`2026-11-21T02:00:00Z`), compared as text.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, fields
from typing import Any, Callable, Generic, TypeVar

from ecsops.emulator.delivery import models as delivery_models
from ecsops.emulator.service import Listing, Rows

R = TypeVar("R")


@dataclass(frozen=True)
class NewCommand:
    """A command as CreateCommand stores it: content Base64-encoded, `parameter_names` a JSON list."""

    id: str
    region: str
    name: str
    description: str
    type: str
    content: str
    working_dir: str
    timeout: int
    enable_parameter: int
    parameter_names: str
    launcher: str
    resource_group_id: str
    creation_time: str


@dataclass(frozen=True)
class Command(NewCommand):
    """A stored command: what CreateCommand wrote, its creation order and how many tasks it has had."""

    seq: int
    invoke_times: int


@dataclass(frozen=True)
class NewTask:
    """A task as InvokeCommand stores it: a snapshot of the command (content Base64-encoded) and the task's
    settings; `parameters` a JSON object, `next_run` the first scheduled instant not yet run (None: none)."""

    id: str
    region: str
    command_id: str
    command_name: str
    command_type: str
    command_content: str
    command_description: str
    enable_parameter: int
    parameters: str
    repeat_mode: str
    frequency: str
    timeout: int
    working_dir: str
    launcher: str
    username: str
    windows_password_name: str
    container_id: str
    container_name: str
    termination_mode: str
    creation_time: str
    next_run: str | None
    resource_group_id: str
    oss_output_delivery: str


@dataclass(frozen=True)
class Task(NewTask):
    """A stored task, with its creation order."""

    seq: int


@dataclass(frozen=True)
class Target:
    """An instance of a task: its place among the task's instances, the runs it has had there, and when the
    task was stopped there (None: not stopped)."""

    invoke_id: str
    instance_id: str
    position: int
    repeats: int
    stop_time: str | None


@dataclass(frozen=True)
class NewRun:
    """A run record: one run of a task on one instance, its number there (`repeat`), when it starts and
    finishes, and what it comes to (`outcome`, the status once finished, and its results)."""

    region: str
    invoke_id: str
    instance_id: str
    repeat: int
    start_time: str
    finish_time: str
    outcome: str
    exit_code: int
    error_code: str
    error_info: str
    output: str
    dropped: int


@dataclass(frozen=True)
class Run(NewRun):
    """A stored run record, with its sequence number."""

    seq: int


@dataclass(frozen=True)
class RecordWrite:
    """A write of a run record to a store (record_deliveries): `pending`, `delivered` or `failed` (the reason in
    `detail`), of the object `path` in the bucket `destination`."""

    status: str
    destination: str
    path: str
    detail: str


@dataclass(frozen=True)
class RunActivity:
    """An instance's runs at an instant: how many are in progress, how many there are, the latest start ("")."""

    active: int
    count: int
    last_start: str


class _Built(Generic[R]):
    """A listing's window whose rows come out as row types: `page` cuts it, reading only the page's rows."""

    def __init__(self, rows: Rows, build: Callable[[sqlite3.Row], R]) -> None:
        self._rows, self._build = rows, build

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, window: slice) -> list[R]:
        return [self._build(row) for row in self._rows[window]]


@dataclass(frozen=True)
class Selection(Generic[R]):
    """The rows a listing selects, as row types: `window(tx)` for `page` to cut, `rows(tx)` every one (for the
    filters SQL cannot express); both in the listing's order."""

    listing: Listing
    build: Callable[[sqlite3.Row], R]

    def window(self, tx: sqlite3.Connection) -> _Built[R]:
        return _Built(self.listing.window(tx), self.build)

    def rows(self, tx: sqlite3.Connection) -> list[R]:
        return [self.build(row) for row in self.listing.rows(tx)]


def _columns(kind: Any, row: sqlite3.Row) -> dict[str, Any]:
    """The values of `row` for the fields of the row type `kind` (columns it has no field for are left out)."""
    return {field.name: row[field.name] for field in fields(kind)}


def _command(row: sqlite3.Row) -> Command:
    return Command(**_columns(Command, row))


def _task(row: sqlite3.Row) -> Task:
    return Task(**_columns(Task, row))


def _target(row: sqlite3.Row) -> Target:
    return Target(**_columns(Target, row))


def _run(row: sqlite3.Row) -> Run:
    return Run(**_columns(Run, row))


def _insert(tx: sqlite3.Connection, table: str, values: Any) -> None:
    """One row of `table` with a column per field of the row type instance `values`."""
    names = [field.name for field in fields(values)]
    tx.execute(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
               [getattr(values, name) for name in names])


# Commands.

def insert_command(tx: sqlite3.Connection, command: NewCommand) -> None:
    _insert(tx, "commands", command)


def command_count(tx: sqlite3.Connection, region: str) -> int:
    """How many commands the region has."""
    (count,) = tx.execute("SELECT COUNT(*) FROM commands WHERE region = ?", (region,)).fetchone()
    return int(count)


def command_in_region(tx: sqlite3.Connection, region: str, command_id: str | None) -> Command | None:
    row = tx.execute("SELECT * FROM commands WHERE id = ? AND region = ?", (command_id, region)).fetchone()
    return None if row is None else _command(row)


def update_command(tx: sqlite3.Connection, command_id: str, *, name: str | None, description: str | None,
                   working_dir: str | None, timeout: int | None, launcher: str | None) -> None:
    """Sets the fields given (not None); the others stay as they are."""
    changes = {column: value for column, value in (("name", name), ("description", description),
                                                   ("working_dir", working_dir), ("timeout", timeout),
                                                   ("launcher", launcher))
               if value is not None}
    if changes:
        assignments = ", ".join(f"{column} = ?" for column in changes)
        tx.execute(f"UPDATE commands SET {assignments} WHERE id = ?", (*changes.values(), command_id))


def delete_command(tx: sqlite3.Connection, command_id: str) -> None:
    tx.execute("DELETE FROM commands WHERE id = ?", (command_id,))


def add_invoke_time(tx: sqlite3.Connection, command_id: str) -> None:
    """One more task of the command (its InvokeTimes)."""
    tx.execute("UPDATE commands SET invoke_times = invoke_times + 1 WHERE id = ?", (command_id,))


def matching_commands(region: str, *, command_id: str | None, command_type: str | None,
                      resource_group_id: str | None, tags: list[dict[str, Any]]) -> Selection[Command]:
    """The region's commands in creation order: of the id, type and resource group given (a filter left empty
    or None selects every command), carrying every tag of `tags` (`Key`, and `Value` when given)."""
    listing = Listing("commands", "seq").where("region = ?", region)
    for column, value in (("id", command_id), ("type", command_type), ("resource_group_id", resource_group_id)):
        if value:
            listing.where(f"{column} = ?", value)
    return Selection(listing.tagged("command", tags), _command)


# Tasks and their targets.

def insert_task(tx: sqlite3.Connection, task: NewTask, instance_ids: list[str]) -> None:
    """The task and its targets, in the order of `instance_ids`."""
    _insert(tx, "invocations", task)
    tx.executemany(
        "INSERT INTO invocation_targets (invoke_id, instance_id, position) VALUES (?, ?, ?)",
        [(task.id, instance_id, position) for position, instance_id in enumerate(instance_ids)])


def task_by_id(tx: sqlite3.Connection, invoke_id: str) -> Task:
    """The task `invoke_id`, which must exist (it is asked for by a run or a target of it, or just made)."""
    return _task(tx.execute("SELECT * FROM invocations WHERE id = ?", (invoke_id,)).fetchone())


def task_in_region(tx: sqlite3.Connection, region: str, invoke_id: str | None) -> Task | None:
    row = tx.execute("SELECT * FROM invocations WHERE id = ? AND region = ?", (invoke_id, region)).fetchone()
    return None if row is None else _task(row)


def matching_tasks(region: str, *, invoke_id: str | None, command_id: str | None, command_name: str | None,
                   command_type: str | None, repeat_mode: str | None, resource_group_id: str | None,
                   instance_id: str | None, tags: list[dict[str, Any]]) -> Selection[Task]:
    """The region's tasks, newest first: with the values given (a filter left empty or None selects every task),
    on the instance given, carrying every tag of `tags` (`Key`, and `Value` when given)."""
    listing = Listing("invocations", "seq DESC").where("region = ?", region)
    for column, value in (("id", invoke_id), ("command_id", command_id), ("command_name", command_name),
                          ("command_type", command_type), ("repeat_mode", repeat_mode),
                          ("resource_group_id", resource_group_id)):
        if value:
            listing.where(f"{column} = ?", value)
    if instance_id:
        listing.where("EXISTS (SELECT 1 FROM invocation_targets t WHERE t.invoke_id = invocations.id "
                      "AND t.instance_id = ?)", instance_id)
    return Selection(listing.tagged("invocation", tags), _task)


def due_tasks(tx: sqlite3.Connection, now: str) -> list[Task]:
    """The tasks with a scheduled instant at or before `now`, in creation order."""
    return [_task(row) for row in tx.execute("SELECT * FROM invocations WHERE next_run <= ? ORDER BY seq", (now,))]


def set_next_run(tx: sqlite3.Connection, invoke_id: str, next_run: str | None) -> None:
    tx.execute("UPDATE invocations SET next_run = ? WHERE id = ?", (next_run, invoke_id))


def reboot_tasks(tx: sqlite3.Connection, instance_id: str) -> list[Task]:
    """The tasks that run when the instance restarts, in creation order: every `EveryReboot` task not stopped
    there, and every `NextRebootOnly` task that has not run there yet."""
    return [_task(row) for row in tx.execute(
        """SELECT i.* FROM invocations i JOIN invocation_targets t ON t.invoke_id = i.id
           WHERE t.instance_id = ? AND t.stop_time IS NULL
             AND (i.repeat_mode = 'EveryReboot' OR (i.repeat_mode = 'NextRebootOnly' AND t.repeats = 0))
           ORDER BY i.seq""", (instance_id,))]


def targets_of(tx: sqlite3.Connection, invoke_id: str) -> list[Target]:
    """The task's targets, in the order they were given."""
    return [_target(row) for row in tx.execute(
        "SELECT * FROM invocation_targets WHERE invoke_id = ? ORDER BY position", (invoke_id,))]


def live_target_ids(tx: sqlite3.Connection, invoke_id: str) -> list[str]:
    """The instances of the task's targets not stopped, in the order they were given."""
    return [row["instance_id"] for row in tx.execute(
        "SELECT instance_id FROM invocation_targets WHERE invoke_id = ? AND stop_time IS NULL ORDER BY position",
        (invoke_id,))]


def stop_time_of(tx: sqlite3.Connection, invoke_id: str, instance_id: str) -> str | None:
    """When the task was stopped on the instance (None: it was not); the target must exist."""
    row = tx.execute("SELECT stop_time FROM invocation_targets WHERE invoke_id = ? AND instance_id = ?",
                     (invoke_id, instance_id)).fetchone()
    stop_time: str | None = row["stop_time"]
    return stop_time


def stop_target(tx: sqlite3.Connection, invoke_id: str, instance_id: str, at: str) -> None:
    tx.execute("UPDATE invocation_targets SET stop_time = ? WHERE invoke_id = ? AND instance_id = ?",
               (at, invoke_id, instance_id))


def end_schedule_if_stopped(tx: sqlite3.Connection, invoke_id: str) -> None:
    """No more scheduled instants for the task once it is stopped on every one of its instances."""
    tx.execute(
        """UPDATE invocations SET next_run = NULL WHERE id = ? AND NOT EXISTS (
               SELECT 1 FROM invocation_targets WHERE invoke_id = ? AND stop_time IS NULL)""", (invoke_id, invoke_id))


def next_repeat(tx: sqlite3.Connection, invoke_id: str, instance_id: str) -> int:
    """Counts one more run of the task on the instance; returns its number there (1 for the first)."""
    tx.execute("UPDATE invocation_targets SET repeats = repeats + 1 WHERE invoke_id = ? AND instance_id = ?",
               (invoke_id, instance_id))
    (repeat,) = tx.execute("SELECT repeats FROM invocation_targets WHERE invoke_id = ? AND instance_id = ?",
                           (invoke_id, instance_id)).fetchone()
    return int(repeat)


# Tasks created per region and UTC day.

def invocations_on(tx: sqlite3.Connection, region: str, day: str) -> int | None:
    """How many tasks the region created on `day` (`YYYY-MM-DD`); None when it has no count for that day."""
    row = tx.execute("SELECT count FROM invocation_daily_counts WHERE region = ? AND day = ?",
                     (region, day)).fetchone()
    return None if row is None else int(row["count"])


def count_invocation(tx: sqlite3.Connection, region: str, day: str) -> None:
    """One more task created in the region on `day`."""
    tx.execute(
        """INSERT INTO invocation_daily_counts (region, day, count) VALUES (?, ?, 1)
           ON CONFLICT (region, day) DO UPDATE SET count = count + 1""", (region, day))


# Run records.

def insert_run(tx: sqlite3.Connection, run: NewRun) -> None:
    _insert(tx, "invocation_runs", run)


def run_by_seq(tx: sqlite3.Connection, seq: int) -> Run | None:
    row = tx.execute("SELECT * FROM invocation_runs WHERE seq = ?", (seq,)).fetchone()
    return None if row is None else _run(row)


def latest_run(tx: sqlite3.Connection, invoke_id: str, instance_id: str) -> Run | None:
    """The task's latest run record on the instance (None: none)."""
    row = tx.execute(
        "SELECT * FROM invocation_runs WHERE invoke_id = ? AND instance_id = ? ORDER BY seq DESC LIMIT 1",
        (invoke_id, instance_id)).fetchone()
    return None if row is None else _run(row)


def has_run(tx: sqlite3.Connection, invoke_id: str, instance_id: str, start_time: str) -> bool:
    """True when the task has a run record on the instance starting at `start_time`."""
    return tx.execute("SELECT 1 FROM invocation_runs WHERE invoke_id = ? AND instance_id = ? AND start_time = ?",
                      (invoke_id, instance_id, start_time)).fetchone() is not None


def run_records(tx: sqlite3.Connection, region: str, since: str, *, invoke_id: str | None, instance_id: str | None,
                command_id: str | None, history: bool) -> list[Run]:
    """The region's run records started at or after `since`, newest first: of the task, instance and command
    given (a filter left empty or None selects every record); every run, or with `history` False only the
    latest of each task on each instance."""
    query = """SELECT r.* FROM invocation_runs r JOIN invocations i ON i.id = r.invoke_id
               WHERE r.region = ? AND r.start_time >= ?"""
    values: list[Any] = [region, since]
    for column, value in (("r.invoke_id", invoke_id), ("r.instance_id", instance_id), ("i.command_id", command_id)):
        if value:
            query += f" AND {column} = ?"
            values.append(value)
    if not history:
        query += """ AND r.seq = (SELECT MAX(seq) FROM invocation_runs
                                  WHERE invoke_id = r.invoke_id AND instance_id = r.instance_id)"""
    return [_run(row) for row in tx.execute(query + " ORDER BY r.seq DESC", values)]


def run_activity(tx: sqlite3.Connection, instance_id: str, now: str) -> RunActivity:
    """The instance's runs at `now`: in progress (started, not finished), all of them, the latest start."""
    active, count, last = tx.execute(
        """SELECT COALESCE(SUM(start_time <= ? AND finish_time > ?), 0), COUNT(*), COALESCE(MAX(start_time), '')
           FROM invocation_runs WHERE instance_id = ?""", (now, now, instance_id)).fetchone()
    return RunActivity(active, count, last)


def trim_runs(tx: sqlite3.Connection, region: str, keep: int) -> None:
    """Keeps the region's newest `keep` run records, dropping the older ones."""
    tx.execute(
        """DELETE FROM invocation_runs WHERE region = ? AND seq <= (
               SELECT seq FROM invocation_runs WHERE region = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)""",
        (region, region, keep))


# The queue of run records to deliver.

def latest_run_seq(tx: sqlite3.Connection) -> int | None:
    """The sequence number of the newest run record (None: there has been none)."""
    (latest,) = tx.execute("SELECT MAX(seq) FROM invocation_runs").fetchone()
    return None if latest is None else int(latest)


def queue_runs_after(tx: sqlite3.Connection, seq: int) -> None:
    """Queues every run record after the sequence number `seq` for delivery, by when it finishes."""
    tx.execute("INSERT INTO run_delivery_queue (run_seq, finish_time) SELECT seq, finish_time FROM invocation_runs "
               "WHERE seq > ?", (seq,))


def due_deliveries(tx: sqlite3.Connection, now: str) -> list[int]:
    """The queued run records finished by `now`, in the order they finished (then by sequence number)."""
    return [row["run_seq"] for row in tx.execute(
        "SELECT run_seq FROM run_delivery_queue WHERE finish_time <= ? ORDER BY finish_time, run_seq", (now,))]


def dequeue_delivery(tx: sqlite3.Connection, run_seq: int) -> None:
    tx.execute("DELETE FROM run_delivery_queue WHERE run_seq = ?", (run_seq,))


# Writes of run records (ecsops.emulator.delivery's, read through its models), as Cloud Assistant reads them.

def latest_record_write(tx: sqlite3.Connection, invoke_id: str, instance_id: str, kind: str,
                        suffix: str) -> RecordWrite | None:
    """The latest write to a store of `kind` of a record of the task on the instance whose path ends in `suffix`."""
    write = delivery_models.latest_delivery_ending(tx, invoke_id, instance_id, kind, suffix)
    return None if write is None else RecordWrite(write.status, write.destination, write.path, write.detail)


# The world's instances (read through ecsops.emulator.ecs.models.instances): when one last started.

def set_instance_start_time(tx: sqlite3.Connection, instance_id: str, start_time: str) -> None:
    """The instance last started at `start_time` (its StartTime)."""
    tx.execute("UPDATE instances SET start_time = ? WHERE id = ?", (start_time, instance_id))
