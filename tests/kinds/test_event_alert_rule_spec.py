"""ecsops:EventAlertRule, what plan knows before any call: patterns, targets and their ids, advice."""

from __future__ import annotations

import pytest

from ecsops.engine.diff import Effect, diff
from ecsops.engine.kind import Neighbour
from ecsops.engine.validate import validate
from ecsops.engine.values import UNKNOWN
from ecsops.resources.event_alert_rule import KIND, stack_checks
from ecsops.resources.event_alert_rule.catalog import documented
from ecsops.resources.event_alert_rule.lifecycle import target_request
from tests.support.kinds import replacing

VALID = {"name": "maintenance-alerts",
         "eventPattern": {"eventTypes": ["Maintenance"], "levels": ["CRITICAL"]},
         "targets": {"webhooks": [{"id": "ops", "url": "https://hooks.example.com/ecs"}]}}


def problems(**changes: object) -> list[tuple[str | None, str]]:
    return [(d.field, d.message) for d in validate(KIND, {**VALID, **changes}, resource="r").diagnostics]


def webhooks(count: int) -> dict:
    return {"webhooks": [{"url": f"https://hooks.example.com/{n}"} for n in range(count)]}


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        pytest.param({"eventPattern": {"levels": ["SEVERE"]}}, "eventPattern.levels[0]", "'CRITICAL', 'WARN', 'INFO'",
                     id="unknown-level"),
        pytest.param({"eventPattern": {"eventTypes": ["Outage"]}}, "eventPattern.eventTypes[0]", "'Maintenance'",
                     id="unknown-event-type"),
        pytest.param({"eventPattern": {"statuses": ["Done"]}}, "eventPattern.statuses[0]", "'Executed'",
                     id="unknown-state"),
        pytest.param({"eventPattern": {}}, "eventPattern", "an empty pattern", id="empty-pattern"),
        pytest.param({"eventPattern": {"names": ["SystemMaintenance Reboot"]}}, "eventPattern.names",
                     "is not an event name", id="malformed-name"),
        pytest.param({"targets": webhooks(6)}, "targets.webhooks", "at most 5 items", id="six-webhooks"),
        pytest.param({"targets": {"webhooks": [{"url": "hooks.example.com/x"}]}}, "targets.webhooks[0].url",
                     "is not an http or https URL", id="not-a-url"),
        pytest.param({"targets": {"webhooks": [{"url": "ftp://example.com/x"}]}}, "targets.webhooks[0].url",
                     "is not an http or https URL", id="ftp-url"),
        pytest.param({"targets": {"webhooks": [{"url": "https://a.example/", "method": "PUT"}]}},
                     "targets.webhooks[0].method", "'POST' or 'GET'", id="bad-method"),
        pytest.param({"targets": {"contacts": [{"group": "ops", "level": 1}]}}, "targets.contacts[0].level",
                     "2, 3 or 4", id="bad-contact-level"),
        pytest.param({"targets": {"mns": [{"region": "cn-hangzhou"}]}}, "targets.mns[0]", "exactly one of queue and topic",
                     id="mns-without-queue"),
        pytest.param({"targets": {"webhooks": [{"id": "x", "url": "https://a.example/"}],
                                  "contacts": [{"id": "x", "group": "ops"}]}}, "targets", "unique", id="duplicate-ids"),
        pytest.param({"name": "has space"}, "name", "1-64 letters", id="bad-rule-name"),
        pytest.param({"silenceTime": -1}, "silenceTime", "greater than or equal to 0", id="negative-silence"),
        pytest.param({"silenceTime": True}, "silenceTime", "valid integer, not true", id="silence-yes"),
        pytest.param({"enabled": "no"}, "enabled", "valid boolean", id="enabled-text"),
        pytest.param({"targets": {"mns": [{"region": "cn-hangzhou", "queue": ""}]}}, "targets.mns[0].queue",
                     "at least 1 character", id="mns-empty-queue"),
        pytest.param({"targets": {"mns": [{"region": "Hangzhou", "topic": "t"}]}}, "targets.mns[0].region",
                     "'Hangzhou' is not a region id", id="mns-city-region"),
        pytest.param({"targets": {"functions": [{"region": "CN-HANGZHOU", "service": "s", "function": "f"}]}},
                     "targets.functions[0].region", "is not a region id", id="function-uppercase-region"),
        pytest.param({"targets": {"logstores": [{"region": "cn-hangzhou", "project": "Ops", "logstore": "events"}]}},
                     "targets.logstores[0].project", "is not a Log Service project name", id="project-uppercase"),
        pytest.param({"targets": {"logstores": [{"region": "cn-hangzhou", "project": "ops", "logstore": "e"}]}},
                     "targets.logstores[0].logstore", "is not a logstore name", id="logstore-too-short"),
        pytest.param({"targets": {"webhooks": [{"url": "https://a.example:99999/"}]}}, "targets.webhooks[0].url",
                     "port must be a number from 1 to 65535", id="port-out-of-range"),
        pytest.param({"targets": {"webhooks": [{"url": "https://a.example:0/"}]}}, "targets.webhooks[0].url",
                     "port must be a number from 1 to 65535", id="port-zero"),
        pytest.param({"eventPattern": {"levels": ["WARN", "CRITICAL", "WARN"]}}, "eventPattern.levels",
                     "'WARN' listed more than once", id="level-twice"),
        pytest.param({"eventPattern": {"eventTypes": ["*", "*"]}}, "eventPattern.eventTypes",
                     "listed more than once", id="event-type-twice"),
    ],
)
def test_bad_input_is_named(changes, field, fragment) -> None:
    found = problems(**changes)
    assert any(named == field and fragment in message for named, message in found), found


def test_a_webhook_may_name_its_port() -> None:
    assert problems(targets={"webhooks": [{"url": "https://hooks.example.com:8443/ecs"}]}) == []


def neighbour(name: str, rule_name: str, type_: str = KIND.type_name) -> Neighbour:
    return Neighbour(name, type_, validate(KIND, {**VALID, "name": rule_name}).declared)


@pytest.mark.parametrize(
    ("neighbours", "expected"),
    [
        pytest.param([neighbour("other", "maintenance-alerts")],
                     [("name", "the rule 'maintenance-alerts' is also declared by 'other': rule names identify rules "
                               "account-wide, so each may be declared once")], id="same-name"),
        pytest.param([neighbour("other", "other-alerts")], [], id="other-name"),
        pytest.param([neighbour("other", "maintenance-alerts", "ecsops:Command")], [], id="another-kind"),
    ],
)
def test_a_rule_name_is_declared_once_per_stack(neighbours, expected) -> None:
    values = validate(KIND, VALID).declared
    assert stack_checks(VALID, values, {n.name: n for n in neighbours}, region="us-east-1") == expected


def test_an_unknown_rule_name_is_judged_once_known() -> None:
    values = {**validate(KIND, VALID).declared, "name": UNKNOWN}
    assert stack_checks(VALID, values, {"other": neighbour("other", UNKNOWN)}, region="cn-hangzhou") == []


def test_targets_without_ids_are_identified_by_type_and_position() -> None:
    values = validate(KIND, {**VALID, "targets": {"webhooks": [{"url": "https://a.example/"},
                                                               {"id": "named", "url": "https://b.example/"}],
                                                  "contacts": [{"group": "ops-oncall"}]}}).declared
    assert [w["id"] for w in values["targets"]["webhooks"]] == ["webhook-1", "named"]
    assert values["targets"]["contacts"] == [{"id": "contact-1", "group": "ops-oncall", "level": 3}]


def test_only_the_name_replaces_a_rule() -> None:
    assert replacing(KIND) == {"name"}


def test_order_of_pattern_lists_and_of_targets_does_not_matter() -> None:
    old = validate(KIND, {**VALID, "eventPattern": {"levels": ["CRITICAL", "WARN"]},
                          "targets": {"webhooks": [{"id": "a", "url": "https://a.example/"},
                                                   {"id": "b", "url": "https://b.example/"}]}}).declared
    new = validate(KIND, {**VALID, "eventPattern": {"levels": ["WARN", "CRITICAL"]},
                          "targets": {"webhooks": [{"id": "b", "url": "https://b.example/"},
                                                   {"id": "a", "url": "https://a.example/"}]}}).declared
    assert diff(KIND, old, new) == ()


def test_a_changed_target_is_an_in_place_change() -> None:
    old = validate(KIND, VALID).declared
    new = validate(KIND, {**VALID, "targets": {"webhooks": [{"id": "ops", "url": "https://other.example/"}]}}).declared
    [change] = diff(KIND, old, new)
    assert (change.field, change.effect) == ("targets", Effect.UPDATE)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("Instance:SystemMaintenance.Reboot", True, id="event"),
        pytest.param("Instance:SystemMaintenance.Reboot:Executed", True, id="event-and-state"),
        pytest.param("Instance:SystemFailure.Reboot:Scheduled", False, id="state-it-never-has"),
        pytest.param("Instance:StateChange", True, id="stateless"),
        pytest.param("Instance:SystemMaintenance.Rebot", False, id="typo"),
    ],
)
def test_documented_event_names(name, expected) -> None:
    assert documented(name) is expected


def test_undocumented_names_are_advice_not_errors() -> None:
    values = validate(KIND, {**VALID, "eventPattern": {"names": ["Instance:SystemMaintenance.Rebot"]}}).declared
    [(field, message)] = KIND.advice(values)
    assert field == "eventPattern.names" and "'Instance:SystemMaintenance.Rebot' is not an event" in message


def test_targets_go_on_the_wire_as_cloudmonitor_parameters() -> None:
    values = validate(KIND, {**VALID, "targets": {
        "webhooks": [{"id": "h", "url": "https://a.example/", "method": "GET"}],
        "contacts": [{"group": "ops-oncall", "level": 4}],
        "mns": [{"region": "cn-hangzhou", "queue": "alerts"}]}}).declared
    assert target_request(values["targets"]) == {
        "ContactParameters": [{"Id": "contact-1", "ContactGroupName": "ops-oncall", "Level": "4"}],
        "WebhookParameters": [{"Id": "h", "Url": "https://a.example/", "Method": "GET", "Protocol": "http"}],
        "MnsParameters": [{"Id": "mns-1", "Region": "cn-hangzhou", "Queue": "alerts"}],
    }
