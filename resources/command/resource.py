"""The Pulumi resource of `ecsops:Command`: typed arguments in Python, the kind's spec on the wire.

Kept apart from the kind so that the command line, which never needs Pulumi, never imports it.
"""

from __future__ import annotations

from typing import Literal, Mapping

import pulumi

from ecsops.pulumi.resource import KindResource
from ecsops.resources.command import KIND


class Command(KindResource, module="ecsops", name="Command"):
    """A Cloud Assistant command (see `CommandSpec` for the fields and their limits)."""

    command_id: pulumi.Output[str]
    parameter_names: pulumi.Output[list[str]]

    def __init__(self, resource_name: str, *, name: pulumi.Input[str],
                 type: pulumi.Input[Literal["RunShellScript", "RunBatScript", "RunPowerShellScript"]],
                 content: pulumi.Input[str], description: pulumi.Input[str] | None = None,
                 working_dir: pulumi.Input[str] | None = None, timeout: pulumi.Input[int] | None = None,
                 enable_parameter: pulumi.Input[bool] | None = None, launcher: pulumi.Input[str] | None = None,
                 tags: pulumi.Input[Mapping[str, str]] | None = None,
                 resource_group_id: pulumi.Input[str] | None = None, adopt_id: pulumi.Input[str] | None = None,
                 region: pulumi.Input[str] | None = None, opts: pulumi.ResourceOptions | None = None):
        # The keyword arguments are the spec's fields (tests/architecture checks it): passed on by name.
        super().__init__(KIND, resource_name, locals(), opts, adopt_id, region)
