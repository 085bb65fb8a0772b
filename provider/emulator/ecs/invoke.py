"""InvokeCommand: a task that runs one of the region's commands on instances (docs/wire.md §2).

Everything is validated before anything is written, in this order: the command, the repeat mode, the
targets, the parameters, the overrides (timeout, working directory, launcher, user, container, termination
mode), the resource group, the schedule, the tags, the daily quota.
`DryRun` stops there with `DryRunOperation`. A created task snapshots the command (content, type, name,
description, whether parameters are enabled), so later changes to the command do not affect it, and where
the region's InvocationDelivery sends records to OSS at that moment (DescribeInvocations' OssOutputDelivery).
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ecsops.emulator import world
from ecsops.emulator.ecs import runs
from ecsops.emulator.ecs.assistant_settings import oss_output_delivery
from ecsops.emulator.ecs.commands import (LAUNCHER_LIMIT, TIMEOUT_LIMIT, WORKING_DIR_LIMIT, find_command,
                                          resource_group_id)
from ecsops.emulator.ecs.errors import CODES
from ecsops.emulator.ecs.models import commands as model
from ecsops.emulator.ecs.models import instances as instance_model
from ecsops.emulator.ecs.models.commands import Command
from ecsops.emulator.ecs.models.instances import Instance
from ecsops.emulator.ecs.product import PRODUCT
from ecsops.emulator.ecs.tagging import replace_tags, validate_tags
from ecsops.emulator.service import Context, idempotent, matches_tags, new_id
from ecsops.schedule import ScheduleError, validate_frequency

REPEAT_MODES = ("Once", "Period", "NextRebootOnly", "EveryReboot", "DryRun")
TERMINATION_MODES = ("Process", "ProcessTree")
INSTANCE_LIMIT = 100
RESOURCE_TAG_LIMIT = 10
PARAMETER_COUNT_LIMIT = 10
NAME_LIMIT = 255
#: ContainerId: 64 hexadecimal digits, optionally after the runtime's prefix (InvokeCommand's ContainerId).
CONTAINER_ID = re.compile(r"^((docker|containerd|cri-o)://)?[0-9a-fA-F]{64}\Z")
#: ContainerName: Docker's names (a letter or digit, then letters, digits, _ . -), at most 255 characters.
CONTAINER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}\Z")
#: Timeouts below this are raised to it when the task is created (CreateCommand's Timeout row).
MIN_TIMEOUT = 10
#: The OS types a command type runs on.
RUNS_ON = {"RunShellScript": "linux", "RunBatScript": "windows", "RunPowerShellScript": "windows"}


@dataclass(frozen=True)
class Plan:
    """A validated InvokeCommand: what the task will be, before anything is written."""

    command: Command
    mode: str
    dry_run: bool
    instance_ids: list[str]
    parameters: dict[str, str]
    frequency: str
    timeout: int
    tags: dict[str, str]
    resource_group: str


@PRODUCT.operation("InvokeCommand", writes=True, masked=("Parameters",))
def invoke_command(ctx: Context) -> dict[str, Any]:
    region = ctx.region()
    return idempotent(ctx, ctx.params.text("ClientToken"), lambda: _invoke(ctx, region))


def _invoke(ctx: Context, region: str) -> dict[str, Any]:
    plan = _plan(ctx, region)
    day = ctx.now.strftime("%Y-%m-%d")
    _check_quota(ctx.tx, region, day)
    if plan.dry_run:
        raise CODES.error("DryRunOperation")
    invoke_id = new_id("t", region)
    _insert_task(ctx, region, invoke_id, plan)
    model.count_invocation(ctx.tx, region, day)
    model.add_invoke_time(ctx.tx, plan.command.id)
    if plan.mode == "Once":
        runs.run_task(ctx.tx, model.task_by_id(ctx.tx, invoke_id), ctx.now)
    return {"InvokeId": invoke_id}


def _plan(ctx: Context, region: str) -> Plan:
    params = ctx.params
    command = find_command(ctx.tx, region, params.text("CommandId", required=True))
    mode, dry_run, frequency = _repeat_mode(ctx)
    instance_ids = _targets(ctx, region, command.type)
    parameters = _parameters(ctx, command)
    timeout = _overrides(ctx, command)
    resource_group = resource_group_id(ctx)  # kept for DescribeInvocations' filter (its answer omits it)
    if mode == "Period":
        _check_frequency(frequency, ctx.now, timeout)
    tags = validate_tags(params.objects("Tag"))
    return Plan(command, mode, dry_run, instance_ids, parameters, frequency, timeout, tags, resource_group)


def _repeat_mode(ctx: Context) -> tuple[str, bool, str]:
    """(mode, dry run?, frequency): a Frequency makes the task Period whatever RepeatMode says."""
    requested = ctx.params.text("RepeatMode") or "Once"
    if requested not in REPEAT_MODES:
        raise CODES.error("InvalidRepeatMode.NotFound", mode=requested)
    frequency = ctx.params.text("Frequency") or ""
    if frequency:
        return "Period", requested == "DryRun", frequency
    if requested == "Period":
        raise CODES.error("MissingParam.Frequency")
    if requested == "DryRun":
        return "Once", True, ""
    return requested, False, ""


def _check_frequency(frequency: str, now: datetime, timeout: int) -> None:
    try:
        validate_frequency(frequency, now=now, timeout=timeout)
    except ScheduleError as error:
        raise CODES.error("InvalidParam.Frequency", frequency=frequency, reason=str(error)) from None


def _targets(ctx: Context, region: str, command_type: str) -> list[str]:
    """The instances, given by id or selected by tag; each must exist and run the command's OS type."""
    ids = list(dict.fromkeys(ctx.params.strings("InstanceId")))
    resource_tags = ctx.params.objects("ResourceTag")
    if ids and resource_tags:
        raise CODES.error("InvalidParameter", name="InstanceId", reason="give InstanceId.N or ResourceTag.N, not both")
    if resource_tags:
        ids = _tagged_instances(ctx, region, resource_tags)
    elif not ids:
        raise CODES.error("MissingParam.InstanceId", reason="neither was given")
    if len(ids) > INSTANCE_LIMIT:
        raise CODES.error("InstanceIds.ExceedLimit", count=len(ids), limit=INSTANCE_LIMIT)
    instances = [_instance(ctx.tx, region, instance_id) for instance_id in ids]
    for instance in instances:
        if RUNS_ON[command_type] != instance.os_type:
            raise CODES.error("InvalidInstance.NotMatch", type=command_type, os=instance.os_type, id=instance.id)
    return ids


def _tagged_instances(ctx: Context, region: str, resource_tags: list[dict[str, Any]]) -> list[str]:
    """The region's instances carrying every tag, resolved now (instances tagged later are not added)."""
    if len(resource_tags) > RESOURCE_TAG_LIMIT or any(not tag.get("Key") for tag in resource_tags):
        raise CODES.error("InvalidParameter", name="ResourceTag",
                          reason=f"give 1 to {RESOURCE_TAG_LIMIT} tags, each with a Key")
    ids = [instance.id for instance in instance_model.region_instances(ctx.tx, region)
           if matches_tags(ctx.tx, "instance", instance.id, resource_tags)]
    if not ids:
        raise CODES.error("MissingParam.InstanceId", reason="no instance carries every tag of ResourceTag.N")
    return ids


def _instance(tx: sqlite3.Connection, region: str, instance_id: str) -> Instance:
    instance = instance_model.instance_in_region(tx, region, instance_id)
    if instance is None:
        raise CODES.error("InvalidInstance.NotFound", id=instance_id, region=region)
    return instance


def _parameters(ctx: Context, command: Command) -> dict[str, str]:
    """`Parameters` checked against the command: a JSON object of strings giving each parameter once."""
    pairs = _parameter_pairs(ctx.params.text("Parameters"))
    if len(pairs) > PARAMETER_COUNT_LIMIT:
        raise CODES.error("ParameterCount.ExceedLimit", count=len(pairs), limit=PARAMETER_COUNT_LIMIT)
    given: set[str] = set()
    for key, _ in pairs:
        if key.lower() in given:
            raise CODES.error("ParameterKey.Duplicate", key=key)
        given.add(key.lower())
    if pairs and not command.enable_parameter:
        raise CODES.error("Parameter.Disabled", id=command.id)
    declared = json.loads(command.parameter_names)
    known = {name.lower() for name in declared}
    for key, _ in pairs:
        if key.lower() not in known:
            raise CODES.error("Parameter.NotMatched", key=key, id=command.id)
    for name in declared:
        if name.lower() not in given:
            raise CODES.error("Parameter.MissingValue", key=name, id=command.id)
    return dict(pairs)


class _JsonObject(list[tuple[str, Any]]):
    """A JSON object as its (key, value) pairs, in order, repeated keys kept (json.loads would drop them)."""


def _parameter_pairs(text: str | None) -> list[tuple[str, Any]]:
    if not text:
        return []
    try:
        document = json.loads(text, object_pairs_hook=_JsonObject)
    except json.JSONDecodeError:
        raise CODES.error("InvalidParameter.Parameters", reason="not valid JSON") from None
    if not isinstance(document, _JsonObject):
        raise CODES.error("InvalidParameter.Parameters", reason="not a JSON object")
    for key, value in document:
        if not key or not isinstance(value, str):
            raise CODES.error("InvalidParameter.Parameters", reason=f"{key!r}: keys must be non-empty, values strings")
    return list(document)


def _overrides(ctx: Context, command: Command) -> int:
    """Checks the per-task overrides; returns the task's timeout (the command's by default, at least 10 s)."""
    params = ctx.params
    timeout = params.integer("Timeout", default=command.timeout)
    assert timeout is not None
    if not 1 <= timeout <= TIMEOUT_LIMIT:
        raise CODES.error("InvalidTimeout.ExceedLimit", timeout=timeout, limit=TIMEOUT_LIMIT)
    if len(params.text("WorkingDir") or "") > WORKING_DIR_LIMIT:
        raise CODES.error("InvalidParameter.WorkingDir", limit=WORKING_DIR_LIMIT)
    if len((params.text("Launcher") or "").encode()) > LAUNCHER_LIMIT:
        raise CODES.error("InvalidLauncher.LengthLimitExceeded", limit=LAUNCHER_LIMIT)
    for name in ("Username", "WindowsPasswordName"):
        if len(params.text(name) or "") > NAME_LIMIT:
            raise CODES.error("InvalidParameter", name=name, reason=f"longer than {NAME_LIMIT} characters")
    _check_container(ctx)
    mode = params.text("TerminationMode")
    if mode is not None and mode not in TERMINATION_MODES:
        raise CODES.error("InvalidParameter", name="TerminationMode", reason="use Process or ProcessTree")
    return max(timeout, MIN_TIMEOUT)


def _check_container(ctx: Context) -> None:
    """ContainerId and ContainerName, when given, must name a container the way the runtimes do."""
    container_id = ctx.params.text("ContainerId")
    if container_id and not CONTAINER_ID.match(container_id):
        raise CODES.error("InvalidParameter", name="ContainerId", reason="use 64 hexadecimal digits, optionally "
                                                                         "after docker://, containerd:// or cri-o://")
    container_name = ctx.params.text("ContainerName")
    if container_name and not CONTAINER_NAME.match(container_name):
        raise CODES.error("InvalidParameter", name="ContainerName", reason="use a letter or digit, then letters, "
                                                                           "digits, '_', '.' or '-' (at most 255)")


def _check_quota(tx: sqlite3.Connection, region: str, day: str) -> None:
    """Tasks created per region per UTC day are counted against `max-axt-invocation-daily`."""
    quota = world.quota(tx, "max-axt-invocation-daily")
    count = model.invocations_on(tx, region, day)
    if count is not None and count >= quota:
        raise CODES.error("Invocation.ExceedQuota", region=region, quota=quota, day=day)


def _insert_task(ctx: Context, region: str, invoke_id: str, plan: Plan) -> None:
    params, command = ctx.params, plan.command
    created = runs.parse_time(ctx.timestamp)
    next_run = runs.next_instant(plan.frequency, ctx.timestamp, created) if plan.mode == "Period" else None
    task = model.NewTask(
        id=invoke_id, region=region, command_id=command.id, command_name=command.name, command_type=command.type,
        command_content=command.content, command_description=command.description,
        enable_parameter=command.enable_parameter, parameters=json.dumps(plan.parameters), repeat_mode=plan.mode,
        frequency=plan.frequency, timeout=plan.timeout, working_dir=params.text("WorkingDir") or command.working_dir,
        launcher=params.text("Launcher") or command.launcher, username=params.text("Username") or "",
        windows_password_name=params.text("WindowsPasswordName") or "", container_id=params.text("ContainerId") or "",
        container_name=params.text("ContainerName") or "",
        termination_mode=params.text("TerminationMode") or "Process", creation_time=ctx.timestamp, next_run=next_run,
        resource_group_id=plan.resource_group, oss_output_delivery=oss_output_delivery(ctx.tx, region))
    model.insert_task(ctx.tx, task, plan.instance_ids)
    replace_tags(ctx.tx, "invocation", invoke_id, plan.tags)
