"""`ecsops:EventAlertRule` — a CloudMonitor rule that sends ECS system events to people and programs.

Identity: the rule name (a new name replaces the rule). In place: description, enabled, silenceTime, groupId,
eventPattern, and targets — added, changed and removed one by one under their stable ids.
"""

from __future__ import annotations

from typing import Any, Mapping


from ecsops.engine.kind import Kind, Neighbour, Outputs, Problem, register
from ecsops.engine.values import is_unknown
from ecsops.resources.event_alert_rule.lifecycle import EventAlertRuleLifecycle, find_existing
from ecsops.resources.event_alert_rule.spec import EventAlertRuleSpec, advice

KIND_TYPE = "ecsops:EventAlertRule"


class EventAlertRuleOutputs(Outputs):
    rule_name: str


def stack_checks(properties: Mapping[str, Any], values: Mapping[str, Any], neighbours: Mapping[str, Neighbour], *,
                 region: str | None = None) -> list[Problem]:
    """A rule is identified by its name across the whole account (every region): two resources declaring
    one name would overwrite each other's rule, each apply undoing the other."""
    name = values.get("name")
    if not isinstance(name, str) or is_unknown(name):
        return []
    return [("name", f"the rule {name!r} is also declared by {neighbour.name!r}: rule names identify rules "
                     "account-wide, so each may be declared once")
            for neighbour in neighbours.values()
            if neighbour.type == KIND_TYPE and neighbour.values.get("name") == name]


KIND = register(Kind(
    type_name=KIND_TYPE,
    spec=EventAlertRuleSpec,
    outputs=EventAlertRuleOutputs,
    lifecycle=EventAlertRuleLifecycle(),
    id_output="ruleName",
    summary="A CloudMonitor event-triggered alert rule: which ECS system events notify which contacts, "
            "webhooks, queues, functions and logstores.",
    advice=advice,
    find_existing=find_existing,
    stack_checks=stack_checks,
))
