"""Checks beyond one spec: when a task is about to be made (rules relative to the current time), across the
stack (the command it runs, when declared beside it), against the cloud (its instances), and advice.

Schedules are checked with `ecsops.schedule` at plan time: syntax and field ranges always (the spec); the
interval rules against the task's timeout or, when the command is in the same stack, the command's (here);
rules relative to the current time (years, `at` instants) only when a task is about to be made.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Mapping

from ecsops.cloud import operations as ops
from ecsops.cloud.client import Cloud
from ecsops.engine.kind import Neighbour, Problem
from ecsops.engine.listing import ListingCache, fetched
from ecsops.engine.refs import whole_reference
from ecsops.engine.values import is_unknown
from ecsops.resources.command import KIND as COMMAND, parameter_names
from ecsops.resources.scheduled_invocation.spec import MAX_INSTANCES, ScheduledInvocationSpec, schedule_problem

COMMAND_DEFAULT_TIMEOUT = 60
SHELL = "RunShellScript"


def creation_checks(spec: ScheduledInvocationSpec, now: datetime) -> list[Problem]:
    if not spec.frequency or is_unknown(spec.frequency):
        return []
    problem = schedule_problem(spec.frequency, now=now, timeout=spec.timeout, deferred_time_rules=False)
    return [("frequency", problem)] if problem else []


def stack_checks(properties: Mapping[str, Any], values: Mapping[str, Any], neighbours: Mapping[str, Neighbour], *,
                 region: str | None = None) -> list[Problem]:
    """A command id taken from the stack must be a command's, in the task's region. When the command is declared
    in the same stack: the parameters must be its parameters, every one of them needs a value, the schedule must
    fit the command's timeout, and a task run in a container must run a shell script."""
    misdirected = command_reference_problem(properties.get("commandId"), neighbours)
    if misdirected:
        return [("commandId", misdirected)]
    command = referenced_command(properties.get("commandId"), neighbours)
    if command is None:
        return []
    if region is not None and command.region is not None and command.region != region:
        return [("commandId", f"{properties.get('commandId')} is a command of {command.region} (resource "
                              f"{command.name!r}), but this task is placed in {region}: a command id is regional "
                              "(InvokeCommand finds commands of the task's region only); place both in one region "
                              "with options.region")]
    return [*parameter_problems(command, values), *timeout_problems(command, values),
            *container_problems(command, values)]


def command_reference_problem(value: Any, neighbours: Mapping[str, Neighbour]) -> str | None:
    """What is wrong with a commandId that is exactly a reference to a resource of the stack: it must be a
    command's `commandId`. (Before apply such a value is unknown, so validation alone cannot tell.)"""
    reference = whole_reference(value)
    target = neighbours.get(reference.resource) if reference else None
    if reference is None or target is None or (target.type == COMMAND.type_name and reference.attribute == "commandId"):
        return None
    if target.type == COMMAND.type_name:
        return f"{reference} is the command's {reference.attribute}, not its id: write ${{{target.name}.commandId}}"
    return f"{reference} is not a command id: {target.name!r} is an {target.type}, not an {COMMAND.type_name}"


def referenced_command(value: Any, neighbours: Mapping[str, Neighbour]) -> Neighbour | None:
    reference = whole_reference(value)
    neighbour = neighbours.get(reference.resource) if reference and reference.attribute == "commandId" else None
    return neighbour if neighbour is not None and neighbour.type == COMMAND.type_name else None


def parameter_problems(command: Neighbour, values: Mapping[str, Any]) -> list[Problem]:
    """The parameters given must be the command's own, each of its parameters given a value."""
    given = {key.lower(): key for key in values.get("parameters") or {}}
    enabled = bool(command.values.get("enableParameter"))
    if given and not enabled:
        return [("parameters", f"command {command.name!r} does not enable parameters")]
    declared = parameter_names(command.values["content"]) if enabled else []
    return [*unknown_parameters(command, given, declared), *missing_parameters(command, given, declared)]


def unknown_parameters(command: Neighbour, given: Mapping[str, str], declared: list[str]) -> list[Problem]:
    known = {name.lower() for name in declared}
    unknown = sorted(key for lower, key in given.items() if lower not in known)
    if not unknown:
        return []
    return [("parameters", f"{', '.join(unknown)}: not parameters of command {command.name!r} "
                           f"(it declares: {', '.join(declared) or 'none'})")]


def missing_parameters(command: Neighbour, given: Mapping[str, str], declared: list[str]) -> list[Problem]:
    missing = [name for name in declared if name.lower() not in given]
    if not missing:
        return []
    return [("parameters", f"command {command.name!r} needs a value for "
                           + ", ".join(f"{{{{{name}}}}}" for name in missing))]


def timeout_problems(command: Neighbour, values: Mapping[str, Any]) -> list[Problem]:
    """A task without a timeout of its own runs with the command's: its schedule must fit that one."""
    if not values.get("frequency") or values.get("timeout") is not None:
        return []
    timeout = command.values.get("timeout", COMMAND_DEFAULT_TIMEOUT)
    problem = schedule_problem(values["frequency"], now=datetime.now(timezone.utc), timeout=timeout,
                               deferred_time_rules=True)
    return [("frequency", f"{problem} (the command's timeout is {timeout} s)")] if problem else []


def container_problems(command: Neighbour, values: Mapping[str, Any]) -> list[Problem]:
    """In a container, Cloud Assistant runs shell scripts only (InvokeCommand's ContainerId / ContainerName)."""
    command_type = command.values.get("type")
    return [(field, f"runs the task in a container, where only shell scripts run: command {command.name!r} "
                    f"is a {command_type}")
            for field in ("containerId", "containerName") if values.get(field) and command_type != SHELL]


def advice(values: Mapping[str, Any]) -> list[Problem]:
    """In a container the command runs as the container's default user in its default directory: a username
    or working directory given with a container changes nothing (InvokeCommand's ContainerId)."""
    if not (values.get("containerId") or values.get("containerName")):
        return []
    return [(field, "takes no effect in a container: the command runs as the container's default user, in its "
                    "default directory")
            for field in ("username", "workingDir") if values.get(field)]


def cloud_checks(cloud: Cloud, spec: ScheduledInvocationSpec, *, cache: ListingCache | None = None) -> list[Problem]:
    """Every instance named must exist in the stack's region (InvokeCommand would refuse the task with
    InvalidInstance.NotFound). Ids known only after apply are not asked about. With a cache, the region's
    instances are listed once for every task checked; ids the listing lacks are asked about alone."""
    ids = [id_ for id_ in spec.instance_ids or [] if not is_unknown(id_)]
    if cache is not None:
        listed = fetched(cache, ("instances", cloud.region), lambda: {
            item["InstanceId"] for item in cloud.fetch_all(ops.DESCRIBE_INSTANCES, {}, ("Instances", "Instance"),
                                                           page_size=MAX_INSTANCES)})
        ids = [id_ for id_ in ids if id_ not in listed]
    if not ids:
        return []
    body = cloud.call(ops.DESCRIBE_INSTANCES, {"InstanceIds": json.dumps(ids), "MaxResults": MAX_INSTANCES})
    found = {item["InstanceId"] for item in body.get("Instances", {}).get("Instance", [])}
    missing = [id_ for id_ in ids if id_ not in found]
    if not missing:
        return []
    return [("instanceIds", f"{', '.join(missing)}: no such instance in {cloud.region}")]
