"""How changes read: nested values path by path (targets by id), scripts as diffs, secrets never shown."""

from __future__ import annotations

import io

import ecsops.resources  # noqa: F401  (registers the kinds, whose normalisers order what a plan shows)
from ecsops.cli.changes import field_lines, field_paths
from ecsops.cli.render import masked, plan_text
from ecsops.engine.diff import Effect, FieldChange
from ecsops.engine.plan import Action, Plan, ResourcePlan
from ecsops.engine.values import UNKNOWN


def test_nested_changes_read_path_by_path_with_targets_told_by_id() -> None:
    before = {"webhooks": [{"id": "ops", "url": "https://a"}, {"id": "old", "url": "https://x"}], "contacts": []}
    after = {"webhooks": [{"id": "ops", "url": "https://b"}], "contacts": [{"id": "contact-1", "group": "oncall"}]}
    paths = field_paths("ecsops:EventAlertRule", "targets", before, after)
    assert field_lines("targets", paths, "") == [
        "      targets:",
        '        - targets.webhooks[old]: {"id": "old", "url": "https://x"}',
        '        ~ targets.webhooks[ops].url: "https://a" -> "https://b"',
        '        + targets.contacts[contact-1]: {"id": "contact-1", "group": "oncall"}',
    ]


def test_secrets_are_masked_at_any_depth() -> None:
    assert masked({"a": [{"secret": "x"}], "b": {"secret": "hmac-sha256:00"}}) == {"a": ["(secret)"], "b": "(secret)"}


def render(*resources: ResourcePlan) -> str:
    return plan_text(Plan("demo", resources), "the emulator", io.StringIO())


def test_a_plan_shows_scripts_as_diffs_and_unknowns_by_name() -> None:
    text = render(
        ResourcePlan("cmd", "ecsops:Command", Action.REPLACE, "c-1", changes=(FieldChange(
            "content", "echo 1\necho 2\n", "echo 1\necho 3\n", Effect.REPLACE, "it cannot change"),)),
        ResourcePlan("task", "ecsops:ScheduledInvocation", Action.REPLACE, "t-1", changes=(FieldChange(
            "commandId", "c-1", UNKNOWN, Effect.REPLACE, "known after apply"),),
            preview={"nextRuns": ["2026-11-22T18:00:00Z"]}))
    assert "-/+ cmd  ecsops:Command  c-1" in text
    assert "      content:   # forces replacement: it cannot change" in text
    assert "        -echo 2" in text and "        +echo 3" in text
    assert 'commandId: "c-1" -> (known after apply)   # forces replacement' in text
    assert 'nextRuns (after apply): ["2026-11-22T18:00:00Z"]' in text
    assert "Plan: 0 to create, 0 to update, 2 to replace, 0 to delete." in text


def test_a_created_resource_hides_its_secret_values() -> None:
    text = render(ResourcePlan("task", "ecsops:ScheduledInvocation", Action.CREATE, desired={
        "parameters": {"token": {"secret": "hmac-sha256:abc"}, "mount": "/"}}))
    assert 'parameters: {"token": "(secret)", "mount": "/"}' in text and "hmac" not in text
