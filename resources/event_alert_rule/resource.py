"""The Pulumi resource of `ecsops:EventAlertRule`: typed arguments in Python, the kind's spec on the wire.

Kept apart from the kind so that the command line, which never needs Pulumi, never imports it.
"""

from __future__ import annotations

from typing import Any, Mapping

import pulumi

from ecsops.pulumi.resource import KindResource
from ecsops.resources.event_alert_rule import KIND


class EventAlertRule(KindResource, module="ecsops", name="EventAlertRule"):
    """An event alert rule (see `EventAlertRuleSpec`): `event_pattern` and `targets` are plain dicts in
    the YAML shape, e.g. targets={"webhooks": [{"id": "ops", "url": "https://..."}]}."""

    rule_name: pulumi.Output[str]

    def __init__(self, resource_name: str, *, name: pulumi.Input[str],
                 event_pattern: pulumi.Input[Mapping[str, Any]], targets: pulumi.Input[Mapping[str, Any]] | None = None,
                 description: pulumi.Input[str] | None = None, enabled: pulumi.Input[bool] | None = None,
                 silence_time: pulumi.Input[int] | None = None, group_id: pulumi.Input[str] | None = None,
                 adopt_id: pulumi.Input[str] | None = None,
                 region: pulumi.Input[str] | None = None, opts: pulumi.ResourceOptions | None = None):
        # The keyword arguments are the spec's fields (tests/architecture checks it): passed on by name.
        super().__init__(KIND, resource_name, locals(), opts, adopt_id, region)
