"""ecsops:EventAlertRule, what plan knows before any call: patterns, targets and their ids, advice."""

from __future__ import annotations

import pytest

from ecsops.engine.diff import Effect, diff
from ecsops.engine.validate import validate
from ecsops.resources.event_alert_rule import KIND
from ecsops.resources.event_alert_rule.catalog import documented
from ecsops.resources.event_alert_rule.lifecycle import target_request

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
    ],
)
def test_bad_input_is_named(changes, field, fragment) -> None:
    found = problems(**changes)
    assert any(named == field and fragment in message for named, message in found), found


def test_targets_without_ids_are_identified_by_type_and_position() -> None:
    values = validate(KIND, {**VALID, "targets": {"webhooks": [{"url": "https://a.example/"},
                                                               {"id": "named", "url": "https://b.example/"}],
                                                  "contacts": [{"group": "ops-oncall"}]}}).values
    assert [w["id"] for w in values["targets"]["webhooks"]] == ["webhook-1", "named"]
    assert values["targets"]["contacts"] == [{"id": "contact-1", "group": "ops-oncall", "level": 3}]


def test_only_the_name_replaces_a_rule() -> None:
    assert KIND.replace_fields() == {"name"}


def test_order_of_pattern_lists_and_of_targets_does_not_matter() -> None:
    old = validate(KIND, {**VALID, "eventPattern": {"levels": ["CRITICAL", "WARN"]},
                          "targets": {"webhooks": [{"id": "a", "url": "https://a.example/"},
                                                   {"id": "b", "url": "https://b.example/"}]}}).values
    new = validate(KIND, {**VALID, "eventPattern": {"levels": ["WARN", "CRITICAL"]},
                          "targets": {"webhooks": [{"id": "b", "url": "https://b.example/"},
                                                   {"id": "a", "url": "https://a.example/"}]}}).values
    assert diff(KIND, old, new) == ()


def test_a_changed_target_is_an_in_place_change() -> None:
    old = validate(KIND, VALID).values
    new = validate(KIND, {**VALID, "targets": {"webhooks": [{"id": "ops", "url": "https://other.example/"}]}}).values
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
    values = validate(KIND, {**VALID, "eventPattern": {"names": ["Instance:SystemMaintenance.Rebot"]}}).values
    [(field, message)] = KIND.advice(values)
    assert field == "eventPattern.names" and "'Instance:SystemMaintenance.Rebot' is not an event" in message


def test_targets_go_on_the_wire_as_cloudmonitor_parameters() -> None:
    values = validate(KIND, {**VALID, "targets": {
        "webhooks": [{"id": "h", "url": "https://a.example/", "method": "GET"}],
        "contacts": [{"group": "ops-oncall", "level": 4}],
        "mns": [{"region": "cn-hangzhou", "queue": "alerts"}]}}).values
    assert target_request(values["targets"]) == {
        "ContactParameters": [{"Id": "contact-1", "ContactGroupName": "ops-oncall", "Level": "4"}],
        "WebhookParameters": [{"Id": "h", "Url": "https://a.example/", "Method": "GET", "Protocol": "http"}],
        "MnsParameters": [{"Id": "mns-1", "Region": "cn-hangzhou", "Queue": "alerts"}],
    }
