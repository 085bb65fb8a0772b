"""Invocations read and stopped: DescribeInvocations (one entry per task), DescribeInvocationResults (one
entry per run), StopInvocation, and DescribeCloudAssistantStatus (the agent on each instance).

Reads change nothing beyond the catch-up every request performs. Statuses are not stored: they are
computed from the stored outcomes at the request's instant (`invocation_status`), so a run shows Running
until the clock passes its finish.

The OssOutput fields report the delivery of execution records to OSS (ecs.record_delivery): a task's
OssOutputDelivery is where the region's InvocationDelivery sent records to OSS when the task was created; a run's
OssOutputStatus, OssOutputUri and OssOutputErrorCode / OssOutputErrorInfo are those of the write of its record
(`oss_output`).
"""

from __future__ import annotations

import base64
import sqlite3
from dataclasses import dataclass
from functools import partial
from datetime import datetime
from typing import Any

from ecsops.emulator.clock import iso
from ecsops.emulator.delivery.stores import OSS
from ecsops.emulator.ecs import runs
from ecsops.emulator.ecs.errors import CODES, paged
from ecsops.emulator.ecs.invocation_status import (
    instance_status,
    legacy_instance_status,
    legacy_task_status,
    task_status,
)
from ecsops.emulator.ecs.product import PRODUCT
from ecsops.emulator.service import Context, Listing, matches_tags, tag_list, tags_of

ENCODINGS = ("Base64", "PlainText")
#: The OssOutputStatus of a run whose record was written to OSS, by the state of the write (record_deliveries).
OSS_OUTPUT_STATUSES = {"pending": "Running", "delivered": "Finished", "failed": "Failed"}
STOP_INSTANCE_LIMIT = 50
STATUS_INSTANCE_LIMIT = 100


@dataclass(frozen=True)
class TargetState:
    """One instance of a task at an instant: its target row, latest run (if any) and status."""

    target: sqlite3.Row
    run: sqlite3.Row | None
    run_status: str | None
    status: str
    timed: bool


def target_states(tx: sqlite3.Connection, task: sqlite3.Row, now: datetime) -> list[TargetState]:
    """The task's instances in the order they were given, with their statuses at `now`."""
    states = []
    for target in tx.execute("SELECT * FROM invocation_targets WHERE invoke_id = ? ORDER BY position", (task["id"],)):
        run = runs.latest_run(tx, task["id"], target["instance_id"])
        latest = None if run is None else runs.record_status(run, now)
        stopped = target["stop_time"] is not None
        future = runs.has_future(task, target)
        status = instance_status(stopped=stopped, latest_run=latest, has_future=future)
        states.append(TargetState(target, run, latest, status, future and not stopped))
    return states


@PRODUCT.operation("DescribeInvocations", writes=False)
def describe_invocations(ctx: Context) -> dict[str, Any]:
    """The region's tasks, newest first; an unknown InvokeId is an empty list."""
    region = ctx.region()
    encoding = _encoding(ctx)
    include_output = bool(ctx.params.boolean("IncludeOutput"))
    listing = _matching_tasks(ctx, region)
    if _filters_by_status(ctx):  # statuses decide what is listed: every matching task's are needed
        selected = [(task, states, status) for task, states, status in map(partial(_with_status, ctx), listing.rows(ctx.tx))
                    if _status_matches(ctx, status, any(state.timed for state in states))]
        chunk, paging = paged(ctx, selected, assistant=True)
    else:  # only the page's rows are read, and only their statuses computed
        tasks, paging = paged(ctx, listing.window(ctx.tx), assistant=True)
        chunk = [_with_status(ctx, task) for task in tasks]
    views = [_task_view(ctx, task, states, status, encoding, include_output) for task, states, status in chunk]
    return {"Invocations": {"Invocation": views}, **paging}


def _matching_tasks(ctx: Context, region: str) -> Listing:
    """The region's tasks, newest first, that every filter but the status ones selects."""
    params = ctx.params
    listing = Listing("invocations", "seq DESC").where("region = ?", region)
    for name, column in (("InvokeId", "id"), ("CommandId", "command_id"), ("CommandName", "command_name"),
                         ("CommandType", "command_type"), ("RepeatMode", "repeat_mode"),
                         ("ResourceGroupId", "resource_group_id")):
        if params.text(name):
            listing.where(f"{column} = ?", params.text(name))
    if params.text("InstanceId"):
        listing.where("EXISTS (SELECT 1 FROM invocation_targets t WHERE t.invoke_id = invocations.id "
                      "AND t.instance_id = ?)", params.text("InstanceId"))
    return listing.tagged("invocation", params.objects("Tag"))


def _with_status(ctx: Context, task: sqlite3.Row) -> tuple[sqlite3.Row, list[TargetState], str]:
    states = target_states(ctx.tx, task, ctx.now)
    return task, states, task_status(state.status for state in states)


def _filters_by_status(ctx: Context) -> bool:
    return bool(ctx.params.text("InvokeStatus")) or ctx.params.boolean("Timed", default=None) is not None


def _status_matches(ctx: Context, status: str, timed: bool) -> bool:
    """InvokeStatus matches the legacy spelling or the current one; Timed, when given, must agree."""
    wanted = ctx.params.text("InvokeStatus")
    if wanted and wanted not in (status, legacy_task_status(status)):
        return False
    wanted_timed = ctx.params.boolean("Timed", default=None)
    return wanted_timed is None or wanted_timed == timed


def _task_view(ctx: Context, task: sqlite3.Row, states: list[TargetState], status: str, encoding: str,
               include_output: bool) -> dict[str, Any]:
    return {
        "InvokeId": task["id"],
        "CommandId": task["command_id"],
        "CommandName": task["command_name"],
        "CommandType": task["command_type"],
        "CommandContent": _encoded(base64.b64decode(task["command_content"]).decode(), encoding),
        "CommandDescription": task["command_description"],
        "Parameters": task["parameters"],
        "RepeatMode": task["repeat_mode"],
        "Frequency": task["frequency"],
        "Timed": any(state.timed for state in states),
        "Timeout": task["timeout"],
        "Username": task["username"],
        "WorkingDir": task["working_dir"],
        "Launcher": task["launcher"],
        "ContainerId": task["container_id"],
        "ContainerName": task["container_name"],
        "TerminationMode": task["termination_mode"],
        "OssOutputDelivery": task["oss_output_delivery"],
        "CreationTime": task["creation_time"],
        "InvocationStatus": status,
        "InvokeStatus": legacy_task_status(status),
        "Tags": tag_list(tags_of(ctx.tx, "invocation", task["id"])),
        "InvokeInstances": {"InvokeInstance": [
            _instance_view(ctx.tx, task, state, encoding, include_output) for state in states]},
    }


def _instance_view(tx: sqlite3.Connection, task: sqlite3.Row, state: TargetState, encoding: str,
                   include_output: bool) -> dict[str, Any]:
    """One instance of a task; the run's results show once the run has finished."""
    run, target = state.run, state.target
    finished = run if run is not None and state.run_status not in ("Pending", "Running") else None
    stop_time = target["stop_time"] or ""
    view = {
        "InstanceId": target["instance_id"],
        "InvocationStatus": state.status,
        "InstanceInvokeStatus": legacy_instance_status(state.status),
        "ExitCode": finished["exit_code"] if finished else 0,
        "ErrorCode": finished["error_code"] if finished else "",
        "ErrorInfo": finished["error_info"] if finished else "",
        "Dropped": finished["dropped"] if finished else 0,
        "Repeats": target["repeats"],
        "CreationTime": task["creation_time"],
        "StartTime": run["start_time"] if run else "",
        "FinishTime": finished["finish_time"] if finished else "",
        "StopTime": stop_time,
        "UpdateTime": max(task["creation_time"], stop_time, run["start_time"] if run else "",
                          finished["finish_time"] if finished else ""),
        "Timed": state.timed,
        **oss_output(tx, task, run, finished is not None),
    }
    if include_output:
        view["Output"] = _encoded(finished["output"] if finished else "", encoding)
    return view


@PRODUCT.operation("DescribeInvocationResults", writes=False)
def describe_invocation_results(ctx: Context) -> dict[str, Any]:
    """Run records of the last 30 days, newest first: the latest per task and instance, or every run with
    IncludeHistory."""
    region = ctx.region()
    encoding = _encoding(ctx)
    params = ctx.params
    query = """SELECT r.* FROM invocation_runs r JOIN invocations i ON i.id = r.invoke_id
               WHERE r.region = ? AND r.start_time >= ?"""
    values: list[Any] = [region, iso(ctx.now - runs.RETENTION)]
    for name, column in (("InvokeId", "r.invoke_id"), ("InstanceId", "r.instance_id"), ("CommandId", "i.command_id")):
        if params.text(name):
            query += f" AND {column} = ?"
            values.append(params.text(name))
    if not params.boolean("IncludeHistory"):
        query += """ AND r.seq = (SELECT MAX(seq) FROM invocation_runs
                                  WHERE invoke_id = r.invoke_id AND instance_id = r.instance_id)"""
    wanted = params.text("InvokeRecordStatus")
    tags = params.objects("Tag")
    selected = []
    for run in ctx.tx.execute(query + " ORDER BY r.seq DESC", values):
        status = runs.record_status(run, ctx.now)
        if wanted and wanted not in (status, legacy_instance_status(status)):
            continue
        if not tags or matches_tags(ctx.tx, "invocation", run["invoke_id"], tags):
            selected.append((run, status))
    chunk, paging = paged(ctx, selected, assistant=True)
    results = [_result_view(ctx.tx, run, status, encoding) for run, status in chunk]
    return {"Invocation": {"InvocationResults": {"InvocationResult": results}, **paging}}


def _result_view(tx: sqlite3.Connection, run: sqlite3.Row, status: str, encoding: str) -> dict[str, Any]:
    task = tx.execute("SELECT * FROM invocations WHERE id = ?", (run["invoke_id"],)).fetchone()
    stop_time = tx.execute("SELECT stop_time FROM invocation_targets WHERE invoke_id = ? AND instance_id = ?",
                           (run["invoke_id"], run["instance_id"])).fetchone()["stop_time"]
    finished = status not in ("Pending", "Running")
    return {
        "InvokeId": run["invoke_id"],
        "InstanceId": run["instance_id"],
        "CommandId": task["command_id"],
        "InvocationStatus": status,
        "InvokeRecordStatus": legacy_instance_status(status),
        "Repeats": run["repeat"],
        "ExitCode": run["exit_code"] if finished else 0,
        "ErrorCode": run["error_code"] if finished else "",
        "ErrorInfo": run["error_info"] if finished else "",
        "Output": _encoded(run["output"] if finished else "", encoding),
        "Dropped": run["dropped"] if finished else 0,
        "StartTime": run["start_time"],
        "FinishedTime": run["finish_time"] if finished else "",
        "StopTime": stop_time if stop_time and run["start_time"] <= stop_time < run["finish_time"] else "",
        "Username": task["username"],
        "Launcher": task["launcher"],
        "ContainerId": task["container_id"],
        "ContainerName": task["container_name"],
        "TerminationMode": task["termination_mode"],
        "OssOutputDelivery": task["oss_output_delivery"],
        **oss_output(tx, task, run, finished),
        "Tags": tag_list(tags_of(tx, "invocation", task["id"])),
    }


def oss_output(tx: sqlite3.Connection, task: sqlite3.Row, run: sqlite3.Row | None, finished: bool) -> dict[str, str]:
    """How the record of `run` went to OSS: the status, the object's URI and, when the write failed, an error.

    Once the record is written (its run finished while OSS delivery was on) the write tells: Running while it is
    on its way to an external endpoint, Finished, or Failed with the reason. Before that: Pending while the run
    has not finished, if the task was created with OSS delivery on; otherwise nothing ("")."""
    written = None if run is None else _record_write(tx, run)
    if written is None:
        pending = bool(task["oss_output_delivery"]) and run is not None and not finished
        return {"OssOutputStatus": "Pending" if pending else "", "OssOutputUri": "", "OssOutputErrorCode": "",
                "OssOutputErrorInfo": ""}
    failed = written["status"] == "failed"
    return {"OssOutputStatus": OSS_OUTPUT_STATUSES[written["status"]],
            "OssOutputUri": f"oss://{written['destination']}/{written['path']}",
            "OssOutputErrorCode": "DeliveryFailed" if failed else "",
            "OssOutputErrorInfo": written["detail"] if failed else ""}


def _record_write(tx: sqlite3.Connection, run: sqlite3.Row) -> sqlite3.Row | None:
    """The latest write of the run's record to OSS: the object ecs.record_delivery names
    `.../<InstanceId>/<Start>-<Repeats>.json`, for the run's task and instance."""
    start = runs.parse_time(run["start_time"]).strftime("%Y%m%dT%H%M%SZ")
    suffix = f"/{run['instance_id']}/{start}-{run['repeat']}.json"
    return tx.execute(
        """SELECT status, destination, path, detail FROM record_deliveries
           WHERE invoke_id = ? AND instance_id = ? AND kind = ? AND substr(path, ?) = ?
           ORDER BY seq DESC LIMIT 1""", (run["invoke_id"], run["instance_id"], OSS, -len(suffix), suffix)).fetchone()


@PRODUCT.operation("StopInvocation", writes=True)
def stop_invocation(ctx: Context) -> dict[str, Any]:
    """Stops the task on the instances given (all when none): no further runs there, and a run in
    progress finishes. Instances where the task has already ended keep their status; stopping again is a
    no-op."""
    region = ctx.region()
    invoke_id = ctx.params.text("InvokeId", required=True)
    task = ctx.tx.execute("SELECT * FROM invocations WHERE id = ? AND region = ?", (invoke_id, region)).fetchone()
    if task is None:
        raise CODES.error("InvalidInvokeId.NotFound", id=invoke_id)
    ids = list(dict.fromkeys(ctx.params.strings("InstanceId")))
    if len(ids) > STOP_INSTANCE_LIMIT:
        raise CODES.error("InstanceIds.ExceedLimit", count=len(ids), limit=STOP_INSTANCE_LIMIT)
    states = {state.target["instance_id"]: state for state in target_states(ctx.tx, task, ctx.now)}
    for instance_id in ids:
        if instance_id not in states:
            raise CODES.error("InvalidInstance.NotFound", id=instance_id, region=region)
    for instance_id in ids or list(states):
        if states[instance_id].status in ("Scheduled", "Pending", "Running"):
            ctx.tx.execute("UPDATE invocation_targets SET stop_time = ? WHERE invoke_id = ? AND instance_id = ?",
                           (ctx.timestamp, task["id"], instance_id))
    ctx.tx.execute(
        """UPDATE invocations SET next_run = NULL WHERE id = ? AND NOT EXISTS (
               SELECT 1 FROM invocation_targets WHERE invoke_id = ? AND stop_time IS NULL)""", (task["id"], task["id"]))
    return {}


@PRODUCT.operation("DescribeCloudAssistantStatus", writes=False)
def describe_cloud_assistant_status(ctx: Context) -> dict[str, Any]:
    """The agent of each instance of the region (or of those given): present or not, and its activity."""
    region = ctx.region()
    ids = ctx.params.strings("InstanceId")
    if len(ids) > STATUS_INSTANCE_LIMIT:
        raise CODES.error("InstanceIds.ExceedLimit", count=len(ids), limit=STATUS_INSTANCE_LIMIT)
    os_type = (ctx.params.text("OSType") or "").lower()
    rows = [row for row in ctx.tx.execute("SELECT * FROM instances WHERE region = ? ORDER BY seq", (region,))
            if (not ids or row["id"] in ids) and (not os_type or row["os_type"] == os_type)]
    chunk, paging = paged(ctx, rows, assistant=True)
    statuses = [_agent_view(ctx, row) for row in chunk]
    return {"InstanceCloudAssistantStatusSet": {"InstanceCloudAssistantStatus": statuses}, **paging}


def _agent_view(ctx: Context, instance: sqlite3.Row) -> dict[str, Any]:
    now = ctx.timestamp
    active, count, last = ctx.tx.execute(
        """SELECT COALESCE(SUM(start_time <= ? AND finish_time > ?), 0), COUNT(*), COALESCE(MAX(start_time), '')
           FROM invocation_runs WHERE instance_id = ?""", (now, now, instance["id"])).fetchone()
    agent = bool(instance["agent"])
    return {
        "InstanceId": instance["id"],
        "CloudAssistantStatus": "true" if agent else "false",
        "CloudAssistantVersion": instance["agent_version"] if agent else "",
        "OSType": instance["os_type"].capitalize(),
        "LastHeartbeatTime": now if agent else "",
        "SupportSessionManager": agent,
        "ActiveTaskCount": active,
        "InvocationCount": count,
        "LastInvokedTime": last,
    }


def _encoding(ctx: Context) -> str:
    encoding = ctx.params.text("ContentEncoding") or "Base64"
    if encoding not in ENCODINGS:
        raise CODES.error("InvalidContentEncoding.NotFound", encoding=encoding)
    return encoding


def _encoded(text: str, encoding: str) -> str:
    return text if encoding == "PlainText" else base64.b64encode(text.encode()).decode()
