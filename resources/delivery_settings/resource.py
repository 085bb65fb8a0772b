"""The Pulumi resource of `ecsops:DeliverySettings`: typed arguments in Python, the kind's spec on the wire.

Kept apart from the kind so that the command line, which never needs Pulumi, never imports it.
"""

from __future__ import annotations

from typing import Any, Literal, Mapping

import pulumi

from ecsops.pulumi.resource import KindResource
from ecsops.resources.delivery_settings import KIND


class DeliverySettings(KindResource, module="ecsops", name="DeliverySettings"):
    """Delivery of Cloud Assistant records (see `DeliverySettingsSpec`); oss={"enabled": True, "bucket": ...,
    "prefix": ...}, log_service={"enabled": True, "project": ..., "logstore": ...}."""

    settings_id: pulumi.Output[str]

    def __init__(self, resource_name: str, *, region: pulumi.Input[str],
                 setting_type: pulumi.Input[Literal["InvocationDelivery", "SessionManagerDelivery"]] | None = None,
                 oss: pulumi.Input[Mapping[str, Any]] | None = None,
                 log_service: pulumi.Input[Mapping[str, Any]] | None = None,
                 adopt_id: pulumi.Input[str] | None = None, opts: pulumi.ResourceOptions | None = None):
        # The keyword arguments are the spec's fields (tests/architecture checks it): passed on by name.
        super().__init__(KIND, resource_name, locals(), opts, adopt_id)
