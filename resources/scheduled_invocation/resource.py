"""The Pulumi resource of `ecsops:ScheduledInvocation`: typed arguments in Python, the kind's spec on the wire.

Kept apart from the kind so that the command line, which never needs Pulumi, never imports it.
"""

from __future__ import annotations

from typing import Mapping

import pulumi

from ecsops.pulumi.resource import KindResource
from ecsops.resources.scheduled_invocation import KIND


class ScheduledInvocation(KindResource, module="ecsops", name="ScheduledInvocation"):
    """A scheduled run of a command (see `ScheduledInvocationSpec`); secret parameters: `pulumi.Output.secret`."""

    invoke_id: pulumi.Output[str]
    status: pulumi.Output[str]
    next_runs: pulumi.Output[list[str]]

    def __init__(self, resource_name: str, *, command_id: pulumi.Input[str],
                 instance_ids: pulumi.Input[list[str]] | None = None,
                 resource_tags: pulumi.Input[Mapping[str, str]] | None = None,
                 repeat_mode: pulumi.Input[str] | None = None, frequency: pulumi.Input[str] | None = None,
                 parameters: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None,
                 username: pulumi.Input[str] | None = None, timeout: pulumi.Input[int] | None = None,
                 working_dir: pulumi.Input[str] | None = None, tags: pulumi.Input[Mapping[str, str]] | None = None,
                 adopt_id: pulumi.Input[str] | None = None, opts: pulumi.ResourceOptions | None = None):
        super().__init__(KIND, resource_name, dict(
            command_id=command_id, instance_ids=instance_ids, resource_tags=resource_tags, repeat_mode=repeat_mode,
            frequency=frequency, parameters=parameters, username=username, timeout=timeout,
            working_dir=working_dir, tags=tags,
        ), opts, adopt_id)
