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
from ecsops.emulator.ecs.models import commands as model
from ecsops.emulator.ecs.models import instances as instance_model
from ecsops.emulator.ecs.models.commands import RecordWrite, Run, Selection, Target, Task
from ecsops.emulator.ecs.models.instances import Instance
from ecsops.emulator.ecs.product import PRODUCT
from ecsops.emulator.service import Context, matches_tags, tag_list, tags_of

ENCODINGS = ("Base64", "PlainText")
#: The OssOutputStatus of a run whose record was written to OSS, by the state of the write (record_deliveries).
OSS_OUTPUT_STATUSES = {"pending": "Running", "delivered": "Finished", "failed": "Failed"}
STOP_INSTANCE_LIMIT = 50
STATUS_INSTANCE_LIMIT = 100


@dataclass(frozen=True)
class TargetState:
    """One instance of a task at an instant: its target row, latest run (if any) and status."""

    target: Target
    run: Run | None
    run_status: str | None
    status: str
    timed: bool


def target_states(tx: sqlite3.Connection, task: Task, now: datetime) -> list[TargetState]:
    """The task's instances in the order they were given, with their statuses at `now`."""
    states = []
    for target in model.targets_of(tx, task.id):
        run = model.latest_run(tx, task.id, target.instance_id)
        latest = None if run is None else runs.record_status(run, now)
        stopped = target.stop_time is not None
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
        selected = [(task, states, status)
                    for task, states, status in map(partial(_with_status, ctx), listing.rows(ctx.tx))
                    if _status_matches(ctx, status, any(state.timed for state in states))]
        chunk, paging = paged(ctx, selected, assistant=True)
    else:  # only the page's rows are read, and only their statuses computed
        tasks, paging = paged(ctx, listing.window(ctx.tx), assistant=True)
        chunk = [_with_status(ctx, task) for task in tasks]
    views = [_task_view(ctx, task, states, status, encoding, include_output) for task, states, status in chunk]
    return {"Invocations": {"Invocation": views}, **paging}


def _matching_tasks(ctx: Context, region: str) -> Selection[Task]:
    """The region's tasks, newest first, that every filter but the status ones selects."""
    params = ctx.params
    return model.matching_tasks(
        region, invoke_id=params.text("InvokeId"), command_id=params.text("CommandId"),
        command_name=params.text("CommandName"), command_type=params.text("CommandType"),
        repeat_mode=params.text("RepeatMode"), resource_group_id=params.text("ResourceGroupId"),
        instance_id=params.text("InstanceId"), tags=params.objects("Tag"))


def _with_status(ctx: Context, task: Task) -> tuple[Task, list[TargetState], str]:
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


def _task_view(ctx: Context, task: Task, states: list[TargetState], status: str, encoding: str,
               include_output: bool) -> dict[str, Any]:
    return {
        "InvokeId": task.id,
        "CommandId": task.command_id,
        "CommandName": task.command_name,
        "CommandType": task.command_type,
        "CommandContent": _encoded(base64.b64decode(task.command_content).decode(), encoding),
        "CommandDescription": task.command_description,
        "Parameters": task.parameters,
        "RepeatMode": task.repeat_mode,
        "Frequency": task.frequency,
        "Timed": any(state.timed for state in states),
        "Timeout": task.timeout,
        "Username": task.username,
        "WorkingDir": task.working_dir,
        "Launcher": task.launcher,
        "ContainerId": task.container_id,
        "ContainerName": task.container_name,
        "TerminationMode": task.termination_mode,
        "OssOutputDelivery": task.oss_output_delivery,
        "CreationTime": task.creation_time,
        "InvocationStatus": status,
        "InvokeStatus": legacy_task_status(status),
        "Tags": tag_list(tags_of(ctx.tx, "invocation", task.id)),
        "InvokeInstances": {"InvokeInstance": [
            _instance_view(ctx.tx, task, state, encoding, include_output) for state in states]},
    }


def _instance_view(tx: sqlite3.Connection, task: Task, state: TargetState, encoding: str,
                   include_output: bool) -> dict[str, Any]:
    """One instance of a task; the run's results show once the run has finished."""
    run, target = state.run, state.target
    finished = run if run is not None and state.run_status not in ("Pending", "Running") else None
    stop_time = target.stop_time or ""
    view = {
        "InstanceId": target.instance_id,
        "InvocationStatus": state.status,
        "InstanceInvokeStatus": legacy_instance_status(state.status),
        "ExitCode": finished.exit_code if finished else 0,
        "ErrorCode": finished.error_code if finished else "",
        "ErrorInfo": finished.error_info if finished else "",
        "Dropped": finished.dropped if finished else 0,
        "Repeats": target.repeats,
        "CreationTime": task.creation_time,
        "StartTime": run.start_time if run else "",
        "FinishTime": finished.finish_time if finished else "",
        "StopTime": stop_time,
        "UpdateTime": max(task.creation_time, stop_time, run.start_time if run else "",
                          finished.finish_time if finished else ""),
        "Timed": state.timed,
        **oss_output(tx, task, run, finished is not None),
    }
    if include_output:
        view["Output"] = _encoded(finished.output if finished else "", encoding)
    return view


@PRODUCT.operation("DescribeInvocationResults", writes=False)
def describe_invocation_results(ctx: Context) -> dict[str, Any]:
    """Run records of the last 30 days, newest first: the latest per task and instance, or every run with
    IncludeHistory."""
    region = ctx.region()
    encoding = _encoding(ctx)
    params = ctx.params
    records = model.run_records(ctx.tx, region, iso(ctx.now - runs.RETENTION), invoke_id=params.text("InvokeId"),
                                instance_id=params.text("InstanceId"), command_id=params.text("CommandId"),
                                history=bool(params.boolean("IncludeHistory")))
    wanted = params.text("InvokeRecordStatus")
    tags = params.objects("Tag")
    selected = []
    for run in records:
        status = runs.record_status(run, ctx.now)
        if wanted and wanted not in (status, legacy_instance_status(status)):
            continue
        if not tags or matches_tags(ctx.tx, "invocation", run.invoke_id, tags):
            selected.append((run, status))
    chunk, paging = paged(ctx, selected, assistant=True)
    results = [_result_view(ctx.tx, run, status, encoding) for run, status in chunk]
    return {"Invocation": {"InvocationResults": {"InvocationResult": results}, **paging}}


def _result_view(tx: sqlite3.Connection, run: Run, status: str, encoding: str) -> dict[str, Any]:
    task = model.task_by_id(tx, run.invoke_id)
    stop_time = model.stop_time_of(tx, run.invoke_id, run.instance_id)
    finished = status not in ("Pending", "Running")
    return {
        "InvokeId": run.invoke_id,
        "InstanceId": run.instance_id,
        "CommandId": task.command_id,
        "InvocationStatus": status,
        "InvokeRecordStatus": legacy_instance_status(status),
        "Repeats": run.repeat,
        "ExitCode": run.exit_code if finished else 0,
        "ErrorCode": run.error_code if finished else "",
        "ErrorInfo": run.error_info if finished else "",
        "Output": _encoded(run.output if finished else "", encoding),
        "Dropped": run.dropped if finished else 0,
        "StartTime": run.start_time,
        "FinishedTime": run.finish_time if finished else "",
        "StopTime": stop_time if stop_time and run.start_time <= stop_time < run.finish_time else "",
        "Username": task.username,
        "Launcher": task.launcher,
        "ContainerId": task.container_id,
        "ContainerName": task.container_name,
        "TerminationMode": task.termination_mode,
        "OssOutputDelivery": task.oss_output_delivery,
        **oss_output(tx, task, run, finished),
        "Tags": tag_list(tags_of(tx, "invocation", task.id)),
    }


def oss_output(tx: sqlite3.Connection, task: Task, run: Run | None, finished: bool) -> dict[str, str]:
    """How the record of `run` went to OSS: the status, the object's URI and, when the write failed, an error.

    Once the record is written (its run finished while OSS delivery was on) the write tells: Running while it is
    on its way to an external endpoint, Finished, or Failed with the reason. Before that: Pending while the run
    has not finished, if the task was created with OSS delivery on; otherwise nothing ("")."""
    written = None if run is None else _record_write(tx, run)
    if written is None:
        pending = bool(task.oss_output_delivery) and run is not None and not finished
        return {"OssOutputStatus": "Pending" if pending else "", "OssOutputUri": "", "OssOutputErrorCode": "",
                "OssOutputErrorInfo": ""}
    failed = written.status == "failed"
    return {"OssOutputStatus": OSS_OUTPUT_STATUSES[written.status],
            "OssOutputUri": f"oss://{written.destination}/{written.path}",
            "OssOutputErrorCode": "DeliveryFailed" if failed else "",
            "OssOutputErrorInfo": written.detail if failed else ""}


def _record_write(tx: sqlite3.Connection, run: Run) -> RecordWrite | None:
    """The latest write of the run's record to OSS: the object ecs.record_delivery names
    `.../<InstanceId>/<Start>-<Repeats>.json`, for the run's task and instance."""
    start = runs.parse_time(run.start_time).strftime("%Y%m%dT%H%M%SZ")
    suffix = f"/{run.instance_id}/{start}-{run.repeat}.json"
    return model.latest_record_write(tx, run.invoke_id, run.instance_id, OSS, suffix)


@PRODUCT.operation("StopInvocation", writes=True)
def stop_invocation(ctx: Context) -> dict[str, Any]:
    """Stops the task on the instances given (all when none): no further runs there, and a run in
    progress finishes. Instances where the task has already ended keep their status; stopping again is a
    no-op."""
    region = ctx.region()
    invoke_id = ctx.params.text("InvokeId", required=True)
    task = model.task_in_region(ctx.tx, region, invoke_id)
    if task is None:
        raise CODES.error("InvalidInvokeId.NotFound", id=invoke_id)
    ids = list(dict.fromkeys(ctx.params.strings("InstanceId")))
    if len(ids) > STOP_INSTANCE_LIMIT:
        raise CODES.error("InstanceIds.ExceedLimit", count=len(ids), limit=STOP_INSTANCE_LIMIT)
    states = {state.target.instance_id: state for state in target_states(ctx.tx, task, ctx.now)}
    for instance_id in ids:
        if instance_id not in states:
            raise CODES.error("InvalidInstance.NotFound", id=instance_id, region=region)
    for instance_id in ids or list(states):
        if states[instance_id].status in ("Scheduled", "Pending", "Running"):
            model.stop_target(ctx.tx, task.id, instance_id, ctx.timestamp)
    model.end_schedule_if_stopped(ctx.tx, task.id)
    return {}


@PRODUCT.operation("DescribeCloudAssistantStatus", writes=False)
def describe_cloud_assistant_status(ctx: Context) -> dict[str, Any]:
    """The agent of each instance of the region (or of those given): present or not, and its activity."""
    region = ctx.region()
    ids = ctx.params.strings("InstanceId")
    if len(ids) > STATUS_INSTANCE_LIMIT:
        raise CODES.error("InstanceIds.ExceedLimit", count=len(ids), limit=STATUS_INSTANCE_LIMIT)
    os_type = (ctx.params.text("OSType") or "").lower()
    instances = [instance for instance in instance_model.region_instances(ctx.tx, region)
                 if (not ids or instance.id in ids) and (not os_type or instance.os_type == os_type)]
    chunk, paging = paged(ctx, instances, assistant=True)
    statuses = [_agent_view(ctx, instance) for instance in chunk]
    return {"InstanceCloudAssistantStatusSet": {"InstanceCloudAssistantStatus": statuses}, **paging}


def _agent_view(ctx: Context, instance: Instance) -> dict[str, Any]:
    now = ctx.timestamp
    activity = model.run_activity(ctx.tx, instance.id, now)
    agent = instance.agent
    return {
        "InstanceId": instance.id,
        "CloudAssistantStatus": "true" if agent else "false",
        "CloudAssistantVersion": instance.agent_version if agent else "",
        "OSType": instance.os_type.capitalize(),
        "LastHeartbeatTime": now if agent else "",
        "SupportSessionManager": agent,
        "ActiveTaskCount": activity.active,
        "InvocationCount": activity.count,
        "LastInvokedTime": activity.last_start,
    }


def _encoding(ctx: Context) -> str:
    encoding = ctx.params.text("ContentEncoding") or "Base64"
    if encoding not in ENCODINGS:
        raise CODES.error("InvalidContentEncoding.NotFound", encoding=encoding)
    return encoding


def _encoded(text: str, encoding: str) -> str:
    return text if encoding == "PlainText" else base64.b64encode(text.encode()).decode()
