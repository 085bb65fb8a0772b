"""The Pulumi resource of `ecsops:LicenseTask`: typed arguments in Python, the kind's spec on the wire.

Kept apart from the kind so that the command line, which never needs Pulumi, never imports it.
"""

from __future__ import annotations

from typing import Literal, Mapping

import pulumi

from ecsops.pulumi.resource import KindResource
from ecsops.resources.license_task import KIND


class LicenseTask(KindResource, module="ecsops", name="LicenseTask"):
    """A license task (see `LicenseTaskSpec`); discovery_rules=[{"product": "Windows Server"}]."""

    license_task_id: pulumi.Output[str]
    status: pulumi.Output[str]
    consumed: pulumi.Output[int]
    tracked_count: pulumi.Output[int]
    failed_count: pulumi.Output[int]

    def __init__(self, resource_name: str, *, name: pulumi.Input[str], description: pulumi.Input[str],
                 license_type: pulumi.Input[Literal["Instance", "vCPU"]], limit: pulumi.Input[int],
                 discovery_rules: pulumi.Input[list[Mapping[str, str]]], active: pulumi.Input[bool] | None = None,
                 region: pulumi.Input[str] | None = None, adopt_id: pulumi.Input[str] | None = None,
                 opts: pulumi.ResourceOptions | None = None):
        # The keyword arguments are the spec's fields (tests/architecture checks it): passed on by name.
        super().__init__(KIND, resource_name, locals(), opts, adopt_id)
