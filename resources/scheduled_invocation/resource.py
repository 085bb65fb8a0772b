"""The Pulumi resource of `ecsops:ScheduledInvocation`: typed arguments in Python, the kind's spec on the wire.

Kept apart from the kind so that the command line, which never needs Pulumi, never imports it.
"""

from __future__ import annotations

from typing import Literal, Mapping, Sequence

import pulumi

from ecsops.pulumi.resource import KindResource
from ecsops.resources.scheduled_invocation import KIND


class ScheduledInvocation(KindResource, module="ecsops", name="ScheduledInvocation"):
    """A scheduled run of a command (see `ScheduledInvocationSpec`); secret parameters: `pulumi.Output.secret`."""

    invoke_id: pulumi.Output[str]
    status: pulumi.Output[str]
    next_runs: pulumi.Output[list[str]]

    def __init__(self, resource_name: str, *, command_id: pulumi.Input[str],
                 instance_ids: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
                 resource_tags: pulumi.Input[Mapping[str, str]] | None = None,
                 repeat_mode: pulumi.Input[Literal["Period", "EveryReboot", "NextRebootOnly"]] | None = None,
                 timeout: pulumi.Input[int] | None = None, frequency: pulumi.Input[str] | None = None,
                 parameters: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None,
                 username: pulumi.Input[str] | None = None, working_dir: pulumi.Input[str] | None = None,
                 launcher: pulumi.Input[str] | None = None, windows_password_name: pulumi.Input[str] | None = None,
                 container_id: pulumi.Input[str] | None = None, container_name: pulumi.Input[str] | None = None,
                 termination_mode: pulumi.Input[Literal["Process", "ProcessTree"]] | None = None,
                 resource_group_id: pulumi.Input[str] | None = None,
                 tags: pulumi.Input[Mapping[str, str]] | None = None, adopt_id: pulumi.Input[str] | None = None,
                 region: pulumi.Input[str] | None = None, opts: pulumi.ResourceOptions | None = None):
        # The keyword arguments are the spec's fields (tests/architecture checks it): passed on by name.
        super().__init__(KIND, resource_name, locals(), opts, adopt_id, region)
