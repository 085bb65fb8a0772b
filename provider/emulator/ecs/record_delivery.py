"""Invocation delivery (the ECS guide "4.6"): every run record, once finished, lands as one JSON document in the
bucket and/or the logstore that its region's `InvocationDelivery` settings enable at that moment.

OSS layout, the guide's: `<prefix>/invocationResults/<InvokeId>/<InstanceId>/<Start>-<Repeats>.json`, where
Start is the run's start in UTC (`20261121T020000Z`) and Repeats its number on the instance ("the digits in
each object name indicate the number of times that the command was run"). Beside the instance folders,
`<prefix>/invocationResults/<InvokeId>/commandContent.sh` (`.bat`, `.ps1` by command type) holds the script,
written with the first record of the task delivered there. Without a prefix, keys start at
`invocationResults/`. A Log Service entry holds the same record.

The record has the guide's fields: RegionId, InstanceId, InvokeId, CommandId, CommandName, CommandType,
CommandContent (plain text, placeholders unfilled), ResourceOwnerUid, CallerUid, CallerType, Timeout,
Frequency, Parameters, Username, RepeatMode, Repeats, InvocationStatus, ErrorCode, ErrorInfo, Dropped,
Output, ExitCode, CreationTime, StartTime, UpdateTime, FinishedTime and StopTime; `FinishTime` repeats
FinishedTime under the name DescribeInvocationResults users look for.

Guarantees: a run record is delivered exactly once, at the first catch-up after its finish. The step queues
every new record by sequence number (`run_delivery_queue`) and takes it off the queue in the transaction that
delivers it. Delivery disabled when the record finishes means no delivery of that record, ever; a record
dropped by the region's record limit before it finished is never delivered.
"""

from __future__ import annotations

import base64
import json
import sqlite3
from dataclasses import replace
from datetime import datetime
from typing import Any

from ecsops.emulator import clock, simulation, world
from ecsops.emulator.delivery import stores
from ecsops.emulator.ecs.assistant_settings import delivery_settings
from ecsops.emulator.ecs.models import commands as model
from ecsops.emulator.ecs.models.commands import Run, Task
from ecsops.emulator.store import get_meta, set_meta

#: meta key: the highest run sequence number already queued.
QUEUED = "delivery.queued_runs"
SCRIPT_EXTENSIONS = {"RunShellScript": "sh", "RunBatScript": "bat", "RunPowerShellScript": "ps1"}


@simulation.step("deliveries")
def deliver_finished_runs(tx: sqlite3.Connection, now: datetime) -> None:
    """Delivers every queued run record that has finished by `now`, in the order they finished."""
    _queue_new_runs(tx)
    for run_seq in model.due_deliveries(tx, clock.iso(now)):
        model.dequeue_delivery(tx, run_seq)
        run = model.run_by_seq(tx, run_seq)
        if run is not None:
            _deliver(tx, run)
    stores.send_pending(tx)


def _queue_new_runs(tx: sqlite3.Connection) -> None:
    queued = get_meta(tx, QUEUED, 0)
    latest = model.latest_run_seq(tx)
    if latest is None or latest <= queued:
        return
    model.queue_runs_after(tx, queued)
    set_meta(tx, QUEUED, latest)


def _deliver(tx: sqlite3.Connection, run: Run) -> None:
    oss, sls = delivery_settings(tx, run.region, "InvocationDelivery")
    if not (oss["Enabled"] or sls["Enabled"]):
        return
    task = model.task_by_id(tx, run.invoke_id)
    record = invocation_record(tx, task, run)
    origin = stores.Origin(run.region, run.invoke_id, run.instance_id, _instant(run.finish_time))
    if oss["Enabled"]:
        _put_record(tx, origin, oss["BucketName"], oss["Prefix"], task, record)
    if sls["Enabled"]:
        stores.append_log(tx, origin, sls["ProjectName"], sls["LogstoreName"], record)


def _put_record(tx: sqlite3.Connection, origin: stores.Origin, bucket: str, prefix: str, task: Task,
                record: dict[str, Any]) -> None:
    folder = "/".join(part for part in (prefix.rstrip("/"), "invocationResults", task.id) if part)
    script = f"{folder}/commandContent.{SCRIPT_EXTENSIONS.get(task.command_type, 'txt')}"
    if not stores.was_put(tx, bucket, script):
        stores.put_object(tx, replace(origin, instance_id=""), bucket, script, record["CommandContent"],
                          "text/plain")
    start = _instant(record["StartTime"]).strftime("%Y%m%dT%H%M%SZ")
    key = f"{folder}/{origin.instance_id}/{start}-{record['Repeats']}.json"
    stores.put_object(tx, origin, bucket, key, json.dumps(record, indent=1), stores.JSON)


def invocation_record(tx: sqlite3.Connection, task: Task, run: Run) -> dict[str, Any]:
    """The delivered execution record of one finished run (the ECS guide "4.6", parameters table)."""
    stop_time = model.stop_time_of(tx, run.invoke_id, run.instance_id)
    account = _uid(world.account(tx)["userId"])
    return {
        "RegionId": run.region, "InstanceId": run.instance_id, "InvokeId": run.invoke_id,
        "CommandId": task.command_id, "CommandName": task.command_name, "CommandType": task.command_type,
        "CommandContent": base64.b64decode(task.command_content).decode(errors="replace"),
        "ResourceOwnerUid": account, "CallerUid": account, "CallerType": "customer",
        "Timeout": task.timeout, "Frequency": task.frequency, "Parameters": task.parameters,
        "Username": task.username, "RepeatMode": task.repeat_mode, "Repeats": run.repeat,
        "InvocationStatus": run.outcome, "ErrorCode": run.error_code, "ErrorInfo": run.error_info,
        "Dropped": run.dropped, "Output": run.output, "ExitCode": run.exit_code,
        "CreationTime": task.creation_time, "StartTime": run.start_time, "UpdateTime": run.finish_time,
        "FinishedTime": run.finish_time, "FinishTime": run.finish_time,
        "StopTime": stop_time if stop_time and run.start_time <= stop_time < run.finish_time else "",
    }


def _uid(user_id: str) -> int | str:
    """The account id as the guide's records show it: a number (kept as text when it is not one)."""
    return int(user_id) if user_id.isdigit() else user_id


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
