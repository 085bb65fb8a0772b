"""Event alert rules through CloudMonitor: PutEventRule / PutEventRuleTargets / DescribeEventRuleList /
DescribeEventRuleTargetList / DeleteEventRuleTargets / DeleteEventRules.

Both writes are upserts (by rule name, by target id), so a create repeated after an interruption takes
over the rule it made; a rule made elsewhere is protected by `find_existing` instead.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any, Iterable, Mapping

from ecsops.cloud import operations as ops
from ecsops.cloud.client import Cloud
from ecsops.cloud.errors import NotFound
from ecsops.engine.kind import Observed, partly_made, read_back
from ecsops.engine.listing import ListingCache, answered, fetched
from ecsops.engine.values import canonical, reveal
from ecsops.resources.event_alert_rule.spec import EventAlertRuleSpec

PAGE_SIZE = 100
RULE_FIELDS = frozenset({"description", "enabled", "silenceTime", "groupId", "eventPattern"})

#: targets field -> (API parameter list, answer list key, answer item key, {our key: API key})
TARGET_WIRE: dict[str, tuple[str, str, dict[str, str]]] = {
    "contacts": ("ContactParameters", "ContactParameter", {"id": "Id", "group": "ContactGroupName", "level": "Level"}),
    "webhooks": ("WebhookParameters", "WebhookParameter", {"id": "Id", "url": "Url", "method": "Method"}),
    "mns": ("MnsParameters", "MnsParameter", {"id": "Id", "region": "Region", "queue": "Queue", "topic": "Topic"}),
    "functions": ("FcParameters", "FCParameter", {"id": "Id", "region": "Region", "service": "ServiceName",
                                                  "function": "FunctionName"}),
    "logstores": ("SlsParameters", "SlsParameter", {"id": "Id", "region": "Region", "project": "Project",
                                                    "logstore": "LogStore"}),
}


class EventAlertRuleLifecycle:
    #: a read costs two calls (rule, targets); read_many one per rule plus the account's listing pages
    batch_min = 3

    def create(self, cloud: Cloud, spec: EventAlertRuleSpec, *, token: str) -> Observed:
        cloud.call(ops.PUT_EVENT_RULE, rule_request(spec))
        with partly_made(spec.name):  # the rule exists from here on
            targets = spec.values()["targets"]
            if any(targets.values()):
                cloud.call(ops.PUT_EVENT_RULE_TARGETS, {"RuleName": spec.name, **target_request(targets)})
            return read_back(self, cloud, spec.name, prior=spec.values(), what="rule")

    def read(self, cloud: Cloud, id_: str, *, prior: Mapping[str, Any] | None) -> Observed | None:
        rule = find_rule(cloud, id_)
        if rule is None:
            return None
        answer = cloud.call(ops.DESCRIBE_EVENT_RULE_TARGET_LIST, {"RuleName": id_})
        return observed_rule(rule, answer, prior)

    def read_many(self, cloud: Cloud, priors: Mapping[str, Mapping[str, Any] | None], *,
                  cache: ListingCache | None = None) -> dict[str, Observed | None]:
        """One listing of the rules (100 per call); the targets of each rule still take a call each (the API
        lists targets one rule at a time)."""
        listing = fetched(cache, ("ecsops:EventAlertRule",), lambda: {rule["Name"]: rule for rule in list_rules(cloud)})

        def build(rule: Mapping[str, Any], prior: Mapping[str, Any] | None) -> Observed:
            targets = cloud.call(ops.DESCRIBE_EVENT_RULE_TARGET_LIST, {"RuleName": rule["Name"]})
            return observed_rule(rule, targets, prior)

        read_one = (lambda id_, prior: self.read(cloud, id_, prior=prior)) if cache is not None else None
        return answered(priors, listing, build, read_one)

    def update(self, cloud: Cloud, id_: str, spec: EventAlertRuleSpec, *, prior: Mapping[str, Any],
               changed: frozenset[str]) -> Observed:
        if changed & RULE_FIELDS:
            cloud.call(ops.PUT_EVENT_RULE, rule_request(spec))
        if "targets" in changed:
            retarget(cloud, id_, prior.get("targets") or {}, spec.values()["targets"])
        return read_back(self, cloud, id_, prior=spec.values(), what="rule")

    def delete(self, cloud: Cloud, id_: str, *, prior: Mapping[str, Any]) -> None:
        seen = self.read(cloud, id_, prior=prior)
        if seen is None:
            return
        ids = sorted(target_ids(seen.values["targets"]))
        with suppress(NotFound):  # deleted meanwhile: done
            if ids:
                cloud.call(ops.DELETE_EVENT_RULE_TARGETS, {"RuleName": id_, "Ids": ids})
            cloud.call(ops.DELETE_EVENT_RULES, {"RuleNames": [id_]})


def find_existing(cloud: Cloud, spec: EventAlertRuleSpec) -> Observed | None:
    """The rule already named like `spec`, if any (a rule made outside this stack or program)."""
    return EventAlertRuleLifecycle().read(cloud, spec.name, prior=None)


def rule_request(spec: EventAlertRuleSpec) -> dict[str, Any]:
    pattern = spec.event_pattern
    request: dict[str, Any] = {
        "RuleName": spec.name, "Description": spec.description, "EventType": "SYSTEM",
        "State": "ENABLED" if spec.enabled else "DISABLED", "SilenceTime": spec.silence_time,
        "EventPattern": [{
            "Product": pattern.product, "EventTypeList": pattern.event_types, "LevelList": pattern.levels,
            "NameList": pattern.names, "StatusList": pattern.statuses, "SQLFilter": pattern.sql_filter or None,
        }],
    }
    if spec.group_id:
        request["GroupId"] = spec.group_id
    return request


def target_request(targets: Mapping[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """PutEventRuleTargets parameters for the given targets (by type, as the spec holds them)."""
    request: dict[str, Any] = {}
    for field, items in reveal(targets).items():  # a webhook URL may be a secret: plain on the wire only
        parameter, _, keys = TARGET_WIRE[field]
        if items:
            request[parameter] = [wire_target(field, item, keys) for item in items]
    return request


def wire_target(field: str, item: Mapping[str, Any], keys: Mapping[str, str]) -> dict[str, Any]:
    wire = {keys[key]: str(value) for key, value in item.items() if value is not None and key in keys}
    if field == "webhooks":
        wire["Protocol"] = "http"  # CloudMonitor's protocol of an HTTP callback; the URL carries the scheme
    return wire


def target_ids(targets: Mapping[str, Iterable[Mapping[str, Any]]]) -> set[str]:
    return {str(item["id"]) for items in targets.values() for item in items}


def retarget(cloud: Cloud, rule: str, before: Mapping[str, list[dict[str, Any]]],
             after: Mapping[str, list[dict[str, Any]]]) -> None:
    """Makes the rule's targets `after`: ids no longer declared deleted, new or changed ones upserted."""
    removed = sorted(target_ids(before) - target_ids(after))
    if removed:
        cloud.call(ops.DELETE_EVENT_RULE_TARGETS, {"RuleName": rule, "Ids": removed})
    previous = {(field, str(item["id"])): canonical(item) for field, items in before.items() for item in items}
    changed = {field: [item for item in items if previous.get((field, str(item["id"]))) != canonical(item)]
               for field, items in after.items()}
    if any(changed.values()):
        cloud.call(ops.PUT_EVENT_RULE_TARGETS, {"RuleName": rule, **target_request(changed)})


def find_rule(cloud: Cloud, name: str) -> dict[str, Any] | None:
    """The rule named exactly `name` (the API's prefix filter is loose: names are compared here)."""
    return next((rule for rule in list_rules(cloud, prefix=name) if rule.get("Name") == name), None)


def list_rules(cloud: Cloud, *, prefix: str = "") -> list[dict[str, Any]]:
    """Every rule (whose name contains `prefix`), page by page."""
    return cloud.fetch_all_numbered(ops.DESCRIBE_EVENT_RULE_LIST, {"NamePrefix": prefix or None},
                                    ("EventRules", "EventRule"), page_size=PAGE_SIZE)


def observed_rule(rule: Mapping[str, Any], targets: Mapping[str, Any], prior: Mapping[str, Any] | None) -> Observed:
    patterns = rule.get("EventPattern", {}).get("EventPattern", [])
    pattern = patterns[0] if patterns else {}
    prior_pattern = (prior or {}).get("eventPattern") or {}
    statuses = pattern.get("StatusList", {}).get("StatusList")
    values = {
        "name": rule["Name"],
        "description": rule.get("Description", ""),
        "enabled": rule.get("State") == "ENABLED",
        "silenceTime": int(rule.get("SilenceTime", 0)),
        "groupId": rule.get("GroupId") or None,
        "eventPattern": {
            "product": pattern.get("Product", ""),
            "eventTypes": pattern.get("EventTypeList", {}).get("EventTypeList", []),
            "levels": pattern.get("LevelList", {}).get("LevelList", []),
            "names": pattern.get("NameList", {}).get("NameList", []),
            # The SDK's answer model has no StatusList: when the cloud does not say, the last apply does.
            "statuses": statuses if statuses is not None else prior_pattern.get("statuses", []),
            "sqlFilter": pattern.get("SQLFilter") or "",
        },
        "targets": {field: observed_targets(targets, field) for field in TARGET_WIRE},
    }
    return Observed(id=rule["Name"], values=values, outputs={"ruleName": rule["Name"]})


def observed_targets(answer: Mapping[str, Any], field: str) -> list[dict[str, Any]]:
    """One type's targets in spec terms (the API answers "" for what a target does not have)."""
    parameter, item_key, keys = TARGET_WIRE[field]
    items = []
    for wire in answer.get(parameter, {}).get(item_key, []):
        item = {key: wire.get(api_key) or None for key, api_key in keys.items()}
        if field == "contacts" and item["level"] is not None:
            item["level"] = int(item["level"])
        items.append(item)
    return items
