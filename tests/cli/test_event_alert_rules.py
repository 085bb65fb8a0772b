"""Event alert rules end to end through `ecsops` and the emulator: the acceptance of issue 4."""

from __future__ import annotations

import textwrap

import pytest
from alibabacloud_cms20190101 import models as cms_models

from ecsops.engine.state import StateStore
from tests.support.cli import unplaced, write_stack
from tests.support.emulator import cms_client
from tests.support.webhooks import WebhookReceiver, deliveries


@pytest.fixture
def hook():
    with WebhookReceiver() as receiver:
        yield receiver


def rule(name: str, pattern: str, targets: str, extra: str = "") -> str:
    return textwrap.indent(textwrap.dedent(f"""\
        {name}:
          type: ecsops:EventAlertRule
          properties:
            name: {name}
            eventPattern: {pattern}
            targets: {targets}
        """) + extra, "  ")


def maintenance(url: str, **options: str) -> str:
    extra = "".join(f"    {key}: {value}\n" for key, value in options.items())
    return rule("critical-maintenance", "{eventTypes: [Maintenance], levels: [CRITICAL]}",
                f"{{webhooks: [{{id: ops, url: '{url}'}}], contacts: [{{group: ops-oncall}}]}}", extra)


def inject(admin, status: str = "Scheduled", not_before: str | None = "2026-11-21T01:00:00Z", **extra) -> dict:
    document = {"resourceId": "i-demo-linux-1", "eventType": "SystemMaintenance.Reboot", "status": status, **extra}
    if not_before:
        document["notBefore"] = not_before
    return admin.call("POST", "events", document)


def test_a_maintenance_event_reaches_the_webhook_in_each_state(tmp_path, cli, admin, hook) -> None:
    admin.set_clock("2026-11-21T00:00:00Z")
    applied = cli("apply", "--yes", write_stack(tmp_path, maintenance(hook.url)))
    assert applied.code == 0, applied.err
    inject(admin)
    [scheduled] = hook.wait_for(1)
    note = scheduled.json
    assert (scheduled.method, note["name"], note["level"]) == (
        "POST", "Instance:SystemMaintenance.Reboot:Scheduled", "CRITICAL")
    assert note["resourceId"] == "acs:ecs:cn-hangzhou:1234567890123456:instance/i-demo-linux-1"
    assert note["content"]["instanceId"] == "i-demo-linux-1" and note["content"]["eventType"] == \
        "SystemMaintenance.Reboot"
    records = deliveries(admin)
    assert sorted((r["targetType"], r["status"]) for r in records) == [("contact", "delivered"),
                                                                        ("webhook", "delivered")]
    admin.advance("2h")
    names = [request.json["name"] for request in hook.wait_for(3)]
    assert names == ["Instance:SystemMaintenance.Reboot:Scheduled", "Instance:SystemMaintenance.Reboot:Executing",
                     "Instance:SystemMaintenance.Reboot:Executed"]


@pytest.mark.parametrize(
    ("resources", "why"),
    [
        pytest.param("levels-warn", "the rule wants WARN events", id="level-mismatch"),
        pytest.param("disabled", "the rule is disabled", id="disabled"),
    ],
)
def test_rules_that_do_not_match_stay_silent(tmp_path, cli, admin, hook, resources, why) -> None:
    stack = maintenance(hook.url, enabled="false") if resources == "disabled" else rule(
        "warnings-only", "{eventTypes: [Maintenance], levels: [WARN]}", f"{{webhooks: [{{url: '{hook.url}'}}]}}")
    assert cli("apply", "--yes", write_stack(tmp_path, stack)).code == 0
    inject(admin)
    assert deliveries(admin) == [], why
    assert hook.received == []


def test_a_repeat_inside_the_silence_time_is_suppressed_and_recorded(tmp_path, cli, admin, hook) -> None:
    admin.set_clock("2026-11-21T00:00:00Z")
    assert cli("apply", "--yes", write_stack(tmp_path, maintenance(hook.url, silenceTime=3600))).code == 0
    inject(admin, not_before="2026-11-22T00:00:00Z")
    inject(admin, not_before="2026-11-23T00:00:00Z")
    records = deliveries(admin, rule="critical-maintenance")
    assert [r["status"] for r in records if r["targetType"] == "webhook"] == ["delivered", "suppressed"]
    assert len(hook.wait_for(1)) == 1


def test_a_removed_target_is_deleted_from_the_cloud(tmp_path, cli, admin, hook) -> None:
    stack = write_stack(tmp_path, maintenance(hook.url))
    cli("apply", "--yes", stack)
    stack.write_text(stack.read_text().replace(f"webhooks: [{{id: ops, url: '{hook.url}'}}], ", ""))
    planned = cli("plan", stack)
    assert "~ critical-maintenance" in planned.out
    assert f'        - targets.webhooks[ops]: {{"id": "ops", "url": "{hook.url}", "method": "POST"}}' in planned.out
    mark = admin.requests()[-1]["seq"]
    assert cli("apply", "--yes", stack).code == 0
    assert [e["action"] for e in admin.requests(since=mark, kind="write")] == ["DeleteEventRuleTargets"]
    targets = cms_client(admin.endpoint).describe_event_rule_target_list(
        cms_models.DescribeEventRuleTargetListRequest(rule_name="critical-maintenance")).body
    assert targets.webhook_parameters is None or targets.webhook_parameters.webhook_parameter == []
    assert [c.id for c in targets.contact_parameters.contact_parameter] == ["contact-1"]
    assert cli("plan", "--detailed-exitcode", stack).code == 0


def test_an_out_of_band_pattern_change_is_drift_that_apply_repairs_in_place(tmp_path, cli, admin, hook) -> None:
    stack = write_stack(tmp_path, maintenance(hook.url))
    cli("apply", "--yes", stack)
    cms_client(admin.endpoint).put_event_rule(cms_models.PutEventRuleRequest(
        rule_name="critical-maintenance", event_pattern=[cms_models.PutEventRuleRequestEventPattern(
            product="ecs", event_type_list=["Maintenance"], level_list=["WARN"])]))
    drift = cli("drift", stack)
    assert drift.code == 2 and "eventPattern: cloud" in drift.out and "(changed outside ecsops)" in drift.out
    mark = admin.requests()[-1]["seq"]
    repaired = cli("apply", "--yes", stack)
    assert repaired.code == 0 and "-/+ critical-maintenance" not in repaired.out
    assert '        ~ eventPattern.levels[0]: "WARN" -> "CRITICAL"' in repaired.out  # in place, path by path
    assert [e["action"] for e in admin.requests(since=mark, kind="write")] == ["PutEventRule"]
    assert cli("drift", stack).code == 0


@pytest.mark.parametrize(
    ("pattern", "targets", "field", "fragment"),
    [
        pytest.param("{levels: [SEVERE]}", "{}", "eventPattern.levels[0]", "'CRITICAL', 'WARN', 'INFO'",
                     id="unknown-level"),
        pytest.param("{eventTypes: [Maintenance]}", "{webhooks: [" + ", ".join(
            f"{{url: 'https://h.example/{n}'}}" for n in range(6)) + "]}", "targets.webhooks", "at most 5",
            id="six-webhooks"),
        pytest.param("{eventTypes: [Maintenance]}", "{webhooks: [{url: 'not a url'}]}", "targets.webhooks[0].url",
                     "is not an http or https URL", id="not-a-url"),
        pytest.param("{}", "{}", "eventPattern", "an empty pattern", id="empty-pattern"),
    ],
)
def test_bad_input_is_refused_by_plan_naming_the_field_with_no_write(tmp_path, cli, admin, pattern, targets, field,
                                                                     fragment) -> None:
    refused = cli("plan", write_stack(tmp_path, rule("bad", pattern, targets)))
    assert refused.code == 1
    assert f'error: resource "bad" (ecsops:EventAlertRule), field "{field}": ' in unplaced(refused.err)
    assert fragment in refused.err
    assert admin.writes() == []


def test_an_undocumented_event_name_is_a_warning(tmp_path, cli) -> None:
    planned = cli("plan", write_stack(tmp_path, rule(
        "typo", "{names: ['Instance:SystemMaintenance.Rebot']}", "{contacts: [{group: ops-oncall}]}")))
    assert planned.code == 0
    assert "warning: resource \"typo\" (ecsops:EventAlertRule), field \"eventPattern.names\"" in unplaced(planned.out)


def test_a_rule_made_elsewhere_is_not_taken_over_but_can_be_imported(tmp_path, cli, admin, hook) -> None:
    cms_client(admin.endpoint).put_event_rule(cms_models.PutEventRuleRequest(
        rule_name="critical-maintenance", event_pattern=[cms_models.PutEventRuleRequestEventPattern(
            product="ecs", event_type_list=["Maintenance"])]))
    stack = write_stack(tmp_path, maintenance(hook.url))
    refused = cli("plan", stack)
    assert refused.code == 1 and "critical-maintenance already exists and this stack does not manage it" in refused.err
    assert f"ecsops import {stack} critical-maintenance critical-maintenance" in refused.err
    assert cli("import", stack, "critical-maintenance", "critical-maintenance").code == 0
    assert cli("apply", "--yes", stack).code == 0
    assert cli("plan", "--detailed-exitcode", stack).code == 0


def test_renaming_replaces_and_destroy_deletes_rules_and_targets(tmp_path, cli, admin, hook) -> None:
    stack = write_stack(tmp_path, maintenance(hook.url))
    cli("apply", "--yes", stack)
    stack.write_text(stack.read_text().replace("name: critical-maintenance", "name: maintenance-v2"))
    assert "-/+ critical-maintenance" in cli("plan", stack).out
    assert cli("apply", "--yes", stack).code == 0
    assert StateStore(tmp_path, "demo").load().resources["critical-maintenance"].id == "maintenance-v2"
    assert cli("destroy", "--yes", stack).code == 0
    rules = cms_client(admin.endpoint).describe_event_rule_list(cms_models.DescribeEventRuleListRequest()).body
    assert rules.total == 0
