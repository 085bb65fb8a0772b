"""The Pulumi resource of `ecsops:MaintenanceAttributes`: typed arguments in Python, the kind's spec on the wire.

Kept apart from the kind so that the command line, which never needs Pulumi, never imports it.
"""

from __future__ import annotations

from typing import Literal, Mapping

import pulumi

from ecsops.pulumi.resource import KindResource
from ecsops.resources.maintenance_attributes import KIND


class MaintenanceAttributes(KindResource, module="ecsops", name="MaintenanceAttributes"):
    """Maintenance attributes of instances (see `MaintenanceAttributesSpec`); window={"start": "02:00:00",
    "end": "04:00:00"} in UTC+8."""

    settings_id: pulumi.Output[str]

    def __init__(self, resource_name: str, *, instance_ids: pulumi.Input[list[str]],
                 action: pulumi.Input[Literal["AutoRecover", "Stop", "AutoRedeploy"]] | None = None,
                 notify: pulumi.Input[bool] | None = None,
                 window: pulumi.Input[Mapping[str, str]] | None = None, adopt_id: pulumi.Input[str] | None = None,
                 region: pulumi.Input[str] | None = None, opts: pulumi.ResourceOptions | None = None):
        # The keyword arguments are the spec's fields (tests/architecture checks it): passed on by name.
        super().__init__(KIND, resource_name, locals(), opts, adopt_id, region)
