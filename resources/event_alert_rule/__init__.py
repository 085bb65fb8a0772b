"""`ecsops:EventAlertRule` — a CloudMonitor rule that sends ECS system events to people and programs.

Identity: the rule name (a new name replaces the rule). In place: description, enabled, silenceTime, groupId,
eventPattern, and targets — added, changed and removed one by one under their stable ids.
"""

from __future__ import annotations

from typing import Any, Mapping

import pulumi

from ecsops.engine.kind import Kind, Outputs, register
from ecsops.pulumi.resource import KindResource
from ecsops.resources.event_alert_rule.lifecycle import EventAlertRuleLifecycle, find_existing
from ecsops.resources.event_alert_rule.spec import EventAlertRuleSpec, advice


class EventAlertRuleOutputs(Outputs):
    rule_name: str


KIND = register(Kind(
    type="ecsops:EventAlertRule",
    spec=EventAlertRuleSpec,
    outputs=EventAlertRuleOutputs,
    lifecycle=EventAlertRuleLifecycle(),
    id_output="ruleName",
    summary="A CloudMonitor event-triggered alert rule: which ECS system events notify which contacts, "
            "webhooks, queues, functions and logstores.",
    advice=advice,
    find_existing=find_existing,
))


class EventAlertRule(KindResource, module="ecsops", name="EventAlertRule"):
    """An event alert rule (see `EventAlertRuleSpec`): `event_pattern` and `targets` are plain dicts in
    the YAML shape, e.g. targets={"webhooks": [{"id": "ops", "url": "https://..."}]}."""

    rule_name: pulumi.Output[str]

    def __init__(self, resource_name: str, *, name: pulumi.Input[str],
                 event_pattern: pulumi.Input[Mapping[str, Any]], targets: pulumi.Input[Mapping[str, Any]] | None = None,
                 description: pulumi.Input[str] | None = None, enabled: pulumi.Input[bool] | None = None,
                 silence_time: pulumi.Input[int] | None = None, group_id: pulumi.Input[str] | None = None,
                 adopt_id: pulumi.Input[str] | None = None, opts: pulumi.ResourceOptions | None = None):
        super().__init__(KIND, resource_name, dict(
            name=name, event_pattern=event_pattern, targets=targets, description=description, enabled=enabled,
            silence_time=silence_time, group_id=group_id,
        ), opts, adopt_id)
