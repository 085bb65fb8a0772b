"""ecsops:LicenseTask, what plan knows before any call: names, descriptions, limits, regions, rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecsops.engine.diff import Effect, diff
from ecsops.engine.errors import EngineError
from ecsops.engine.plan import plan
from ecsops.engine.stack import stack_from_document
from ecsops.engine.state import StackState
from ecsops.engine.validate import validate
from ecsops.resources.license_task import KIND, RULES_REASON

VALID = {"name": "windows-server", "description": "Windows Server datacenter licenses", "licenseType": "vCPU",
         "limit": 6, "discoveryRules": [{"product": "Windows Server"}]}


def problems(**changes: object) -> list[tuple[str | None, str]]:
    return [(d.field, d.message) for d in validate(KIND, {**VALID, **changes}, resource="t").diagnostics]


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        pytest.param({"region": "cn-beijing"}, "region", "available in cn-hangzhou, us-west-1, us-east-1 only",
                     id="region-not-served"),
        pytest.param({"name": "2022-licenses"}, "name", "starting with a letter", id="name-starts-with-digit"),
        pytest.param({"name": "http://licenses"}, "name", "may not start with http://", id="name-is-a-url"),
        pytest.param({"name": "_licenses"}, "name", "starting with a letter", id="name-starts-with-special"),
        pytest.param({"name": "x"}, "name", "2-128", id="name-too-short"),
        pytest.param({"description": "x"}, "description", "at least 2 characters", id="one-character-description"),
        pytest.param({"limit": 0}, "limit", "greater than or equal to 1", id="limit-zero"),
        pytest.param({"limit": 100_001}, "limit", "less than or equal to 100000", id="limit-too-big"),
        pytest.param({"licenseType": "Core"}, "licenseType", "'Instance' or 'vCPU'", id="unknown-type"),
        pytest.param({"discoveryRules": []}, "discoveryRules", "at least 1 item", id="no-rules"),
        pytest.param({"discoveryRules": [{"product": "A"}, {"product": "A"}]}, "discoveryRules", "given twice",
                     id="duplicate-rule"),
    ],
)
def test_bad_input_is_named(changes, field, fragment) -> None:
    found = problems(**changes)
    assert any(named == field and fragment in message for named, message in found), found


@pytest.mark.parametrize(
    ("change", "effect", "reason"),
    [
        pytest.param({"discoveryRules": [{"product": "Windows Server"}, {"product": "SQL Server"}]}, Effect.UPDATE,
                     "adds items", id="rule-added"),
        pytest.param({"discoveryRules": [{"product": "SQL Server"}]}, Effect.REPLACE, RULES_REASON, id="rule-removed"),
        pytest.param({"discoveryRules": [{"product": "Windows Server", "version": "2019"}]}, Effect.REPLACE,
                     RULES_REASON, id="rule-changed"),
        pytest.param({"name": "renamed"}, Effect.REPLACE, "a task's name cannot be changed", id="renamed"),
        pytest.param({"limit": 8}, Effect.UPDATE, None, id="limit-in-place"),
        pytest.param({"active": False}, Effect.UPDATE, None, id="deactivated-in-place"),
    ],
)
def test_changes_are_in_place_or_replace_with_the_reason(change, effect, reason) -> None:
    old = validate(KIND, VALID).declared
    [found] = diff(KIND, old, validate(KIND, {**VALID, **change}).declared)
    assert (found.effect, found.reason) == (effect, reason)


def test_a_26th_task_in_a_region_is_refused_by_the_stack_alone() -> None:
    resources = {f"t{n}": {"type": "ecsops:LicenseTask", "properties": {**VALID, "name": f"task-{n}"}}
                 for n in range(26)}
    stack = stack_from_document({"name": "demo", "region": "cn-hangzhou", "resources": resources}, Path("s.yaml"))
    with pytest.raises(EngineError) as raised:
        plan(stack, StackState("demo"), {})
    assert {(d.field, d.message) for d in raised.value.diagnostics} == {
        ("region", "the stack declares 26 license tasks in cn-hangzhou; a region holds at most 25")}
    del resources["t25"]
    stack = stack_from_document({"name": "demo", "region": "cn-hangzhou", "resources": resources}, Path("s.yaml"))
    assert plan(stack, StackState("demo"), {}).has_changes


def test_tasks_are_counted_by_the_region_they_will_be_in() -> None:
    """A task naming no region is in the stack's: with one naming it, they are 26 in one region."""
    resources = {f"t{n}": {"type": "ecsops:LicenseTask", "properties": {
        **VALID, "name": f"task-{n}", **({"region": "cn-hangzhou"} if n % 2 else {})}} for n in range(26)}
    stack = stack_from_document({"name": "demo", "region": "cn-hangzhou", "resources": resources}, Path("s.yaml"))
    with pytest.raises(EngineError) as raised:
        plan(stack, StackState("demo"), {})
    assert {d.message for d in raised.value.diagnostics} == {
        "the stack declares 26 license tasks in cn-hangzhou; a region holds at most 25"}
    elsewhere = stack_from_document({"name": "demo", "region": "us-west-1", "resources": resources}, Path("s.yaml"))
    assert plan(elsewhere, StackState("demo"), {}).has_changes  # 13 in us-west-1, 13 in cn-hangzhou


def test_an_empty_version_means_any_version_as_a_missing_one_does() -> None:
    """License Manager reads `Version: ""` as every version and reports it as no version: declared as `""`,
    a rule must equal its read-back, or every plan would replace the task."""
    empty = validate(KIND, {**VALID, "discoveryRules": [{"product": "Windows Server", "version": ""}]}).declared
    assert empty["discoveryRules"] == [{"product": "Windows Server", "version": None}]
    assert diff(KIND, validate(KIND, VALID).declared, empty) == ()
    twice = problems(discoveryRules=[{"product": "Windows Server"}, {"product": "Windows Server", "version": ""}])
    assert twice == [("discoveryRules", "a discovery rule is given twice")]
