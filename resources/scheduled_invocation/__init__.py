"""`ecsops:ScheduledInvocation` — a Cloud Assistant command run on a schedule (InvokeCommand, docs/wire.md §2 and 4).

Identity: InvokeId. A task cannot be changed once made, so every field but `tags` replaces it: the new task
is made before the old one is stopped. Delete is StopInvocation. A task stopped outside ecsops is defunct:
drift reports it and apply makes a new one.

The kind is in four parts: the spec and its validators (spec.py), the checks at plan time beyond one spec
(checks.py), the calls to ECS (lifecycle.py), and here the registration.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

from ecsops.engine.kind import Kind, Outputs, register
from ecsops.resources.scheduled_invocation.checks import (advice, cloud_checks, command_reference_problem,
                                                          creation_checks, referenced_command, stack_checks)
from ecsops.resources.scheduled_invocation.lifecycle import KIND_TYPE, ScheduledInvocationLifecycle, observed_task
from ecsops.resources.scheduled_invocation.spec import (INSTANCE_ID, MAX_INSTANCES, MAX_PARAMETERS,
                                                        REPLACE_REASON, ScheduledInvocationSpec, next_runs,
                                                        schedule_problem)

__all__ = [
    "INSTANCE_ID", "KIND", "KIND_TYPE", "MAX_INSTANCES", "MAX_PARAMETERS", "REPLACE_REASON",
    "ScheduledInvocationLifecycle", "ScheduledInvocationOutputs", "ScheduledInvocationSpec", "advice",
    "cloud_checks", "command_reference_problem", "creation_checks", "next_runs", "observed_task", "preview",
    "referenced_command", "schedule_problem", "stack_checks",
]


class ScheduledInvocationOutputs(Outputs):
    invoke_id: str
    status: str = ""
    next_runs: list[str] = []


def preview(values: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    return {"nextRuns": next_runs(values.get("frequency"), created=now, now=now)}


KIND = register(Kind(
    type_name=KIND_TYPE,
    spec=ScheduledInvocationSpec,
    outputs=ScheduledInvocationOutputs,
    lifecycle=ScheduledInvocationLifecycle(),
    id_output="invokeId",
    summary="A Cloud Assistant command run on a schedule (rate, at or cron) or at instance restarts.",
    advice=advice,
    creation_checks=creation_checks,
    stack_checks=stack_checks,
    cloud_checks=cloud_checks,
    preview=preview,
))
