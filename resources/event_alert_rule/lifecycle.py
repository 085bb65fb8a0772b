"""Event alert rules through CloudMonitor: PutEventRule / PutEventRuleTargets / DescribeEventRuleList /
DescribeEventRuleTargetList / DeleteEventRuleTargets / DeleteEventRules.

Both writes are upserts (by rule name, by target id), so a create repeated after an interruption takes
over the rule it made; a rule made elsewhere is protected by `find_existing` instead.

The rule's request and read-back, and each target's, are built from the spec's field declarations
(engine/wire.py); what is this API's own stays here: the event type, the webhooks' protocol, the targets' own
calls under their stable ids, and the states the SDK's answer does not carry.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any, Iterable, Mapping

from ecsops.cloud import operations as ops
from ecsops.cloud.client import Cloud
from ecsops.cloud.errors import NotFound
from ecsops.engine.kind import Found, Observed, partly_made, read_back
from ecsops.engine.listing import ListingCache, answered, fetched
from ecsops.engine.values import canonical, reveal
from ecsops.engine.wire import create_request, declared, model_request, read_values
from ecsops.resources.event_alert_rule.spec import EventAlertRuleSpec, Targets

PAGE_SIZE = 100
LISTING_KEY = ("ecsops:EventAlertRule",)  # the account's rules: one listing, whatever the region
#: the fields PutEventRule carries (a change of any of them puts the rule again, whole)
RULE_FIELDS = frozenset(name for name, policy in declared(EventAlertRuleSpec).items() if policy.sent)


class EventAlertRuleLifecycle:
    #: a read costs two calls (rule, targets); read_many one per rule plus the account's listing pages
    batch_min = 3
    #: rules are the account's (the SDK names no region to CloudMonitor): the inventory lists them once
    account_wide = True

    def create(self, cloud: Cloud, spec: EventAlertRuleSpec, *, token: str) -> Observed:
        cloud.call(ops.PUT_EVENT_RULE, rule_request(spec))
        with partly_made(spec.name):  # the rule exists from here on
            targets = target_request(spec.wire_values()["targets"])
            if targets:
                cloud.call(ops.PUT_EVENT_RULE_TARGETS, {"RuleName": spec.name, **targets})
            return read_back(self, cloud, spec.name, prior=spec.wire_values(), what="rule")

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
        listing = account_rules(cloud, cache)

        def build(rule: Mapping[str, Any], prior: Mapping[str, Any] | None) -> Observed:
            targets = cloud.call(ops.DESCRIBE_EVENT_RULE_TARGET_LIST, {"RuleName": rule["Name"]})
            return observed_rule(rule, targets, prior)

        read_one = (lambda id_, prior: self.read(cloud, id_, prior=prior)) if cache is not None else None
        return answered(priors, listing, build, read_one)

    def list_all(self, cloud: Cloud, *, cache: ListingCache | None = None) -> list[Found]:
        """The account's rules of system events (the listing `read_many` shares; ecsops puts only those, so a
        rule of custom events is not one of this kind), by name, which is also their id."""
        return [Found(name, name) for name, rule in account_rules(cloud, cache).items()
                if rule.get("EventType", "SYSTEM") == "SYSTEM"]

    def update(self, cloud: Cloud, id_: str, spec: EventAlertRuleSpec, *, prior: Mapping[str, Any],
               changed: frozenset[str]) -> Observed:
        if changed & RULE_FIELDS:
            cloud.call(ops.PUT_EVENT_RULE, rule_request(spec))
        if "targets" in changed:
            retarget(cloud, id_, prior.get("targets") or {}, spec.wire_values()["targets"])
        return read_back(self, cloud, id_, prior=spec.wire_values(), what="rule")

    def delete(self, cloud: Cloud, id_: str, *, prior: Mapping[str, Any]) -> None:
        seen = self.read(cloud, id_, prior=prior)
        if seen is None:
            return
        ids = sorted(target_ids(seen.reported["targets"]))
        with suppress(NotFound):  # deleted meanwhile: done
            if ids:
                cloud.call(ops.DELETE_EVENT_RULE_TARGETS, {"RuleName": id_, "Ids": ids})
            cloud.call(ops.DELETE_EVENT_RULES, {"RuleNames": [id_]})


def find_existing(cloud: Cloud, spec: EventAlertRuleSpec) -> Observed | None:
    """The rule already named like `spec`, if any (a rule made outside this stack or program)."""
    return EventAlertRuleLifecycle().read(cloud, spec.name, prior=None)


def rule_request(spec: EventAlertRuleSpec) -> dict[str, Any]:
    """PutEventRule, a full put: every field the rule declares, and the type of the events (ECS's own)."""
    return {**create_request(spec), "EventType": "SYSTEM"}


def target_request(targets: Mapping[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """PutEventRuleTargets parameters for the given targets (by type, as the spec holds them); a type without
    targets is left out."""
    request = model_request(Targets, reveal(targets))  # a webhook URL may be a secret: plain on the wire only
    for webhook in request.get("WebhookParameters", []):
        webhook["Protocol"] = "http"  # CloudMonitor's protocol of an HTTP callback; the URL carries the scheme
    return request


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
    request = target_request(changed)
    if request:
        cloud.call(ops.PUT_EVENT_RULE_TARGETS, {"RuleName": rule, **request})


def find_rule(cloud: Cloud, name: str) -> dict[str, Any] | None:
    """The rule named exactly `name` (the API's prefix filter is loose: names are compared here)."""
    return next((rule for rule in list_rules(cloud, prefix=name) if rule.get("Name") == name), None)


def account_rules(cloud: Cloud, cache: ListingCache | None) -> dict[str, dict[str, Any]]:
    """name -> DescribeEventRuleList item of every rule of the account, through `cache` when given."""
    return fetched(cache, LISTING_KEY, lambda: {rule["Name"]: rule for rule in list_rules(cloud)})


def list_rules(cloud: Cloud, *, prefix: str = "") -> list[dict[str, Any]]:
    """Every rule (whose name contains `prefix`), page by page."""
    return cloud.fetch_all_numbered(ops.DESCRIBE_EVENT_RULE_LIST, {"NamePrefix": prefix or None},
                                    ("EventRules", "EventRule"), page_size=PAGE_SIZE)


def observed_rule(rule: Mapping[str, Any], targets: Mapping[str, Any], prior: Mapping[str, Any] | None) -> Observed:
    """The rule (a DescribeEventRuleList item) and its targets (DescribeEventRuleTargetList's answer) in spec
    terms."""
    values = {**read_values(EventAlertRuleSpec, rule), "targets": read_values(Targets, targets)}
    if not reports_statuses(rule):
        # The SDK's answer model has no StatusList: when the cloud does not say, the last apply does.
        prior_pattern = (prior or {}).get("eventPattern") or {}
        values["eventPattern"]["statuses"] = prior_pattern.get("statuses", [])
    return Observed(id=rule["Name"], reported=values, outputs={"ruleName": rule["Name"]})


def reports_statuses(rule: Mapping[str, Any]) -> bool:
    """Whether the rule's (first) pattern, as described, carries its StatusList."""
    patterns = rule.get("EventPattern", {}).get("EventPattern", [])
    pattern = patterns[0] if patterns else {}
    return pattern.get("StatusList", {}).get("StatusList") is not None
