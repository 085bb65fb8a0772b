"""What kinds add to a plan: rules for new objects only, rules across resources, previews of outputs, and
objects that exist but are defunct."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Any

import pytest

from ecsops.engine.errors import EngineError
from ecsops.engine.kind import Kind, Observed, Outputs, Spec, register
from ecsops.engine.plan import Action, plan
from ecsops.engine.policy import in_place, replace
from ecsops.engine.stack import stack_from_document
from ecsops.engine.state import ResourceState, StackState
from tests.engine.widgets import NoCloud

NOW = datetime(2026, 11, 21, tzinfo=timezone.utc)


class AlarmSpec(Spec):
    at: Annotated[str, replace()]
    partner: Annotated[str, in_place()] = ""
    secret_note: Annotated[Any, in_place()] = ""


class AlarmOutputs(Outputs):
    alarm_id: str


def at_lies_ahead(spec: AlarmSpec, now: datetime) -> list[tuple[str | None, str]]:
    return [] if spec.at > now.isoformat() else [("at", f"{spec.at} is not after now")]


def partner_exists(properties, values, neighbours, *, region) -> list[tuple[str | None, str]]:
    partner = values.get("partner")
    if partner == "the-region":  # what the check is told about where the stack lives
        return [("partner", f"the stack is in {region}")]
    return [] if not partner or partner in neighbours else [("partner", f"no resource {partner!r} in the stack")]


ALARM = register(Kind(type_name="test:Alarm", spec=AlarmSpec, outputs=AlarmOutputs, lifecycle=NoCloud(),
                      id_output="alarmId", summary="An alarm.", creation_checks=at_lies_ahead,
                      stack_checks=partner_exists, preview=lambda values, now: {"ringsAt": values["at"]}))


def stack(**resources: dict[str, Any]):
    return stack_from_document({"name": "demo", "region": "cn-hangzhou", "resources": {
        name: {"type": "test:Alarm", "properties": properties} for name, properties in resources.items()}},
        Path("stack.yaml"))


def applied(id_: str, **values: Any) -> ResourceState:
    return ResourceState("test:Alarm", id_, {"partner": "", "secret_note": "", **values}, {"alarmId": id_})


def test_rules_for_new_objects_stop_a_create() -> None:
    with pytest.raises(EngineError) as raised:
        plan(stack(a={"at": "2026-01-01"}), StackState("demo"), {}, now=NOW)
    [problem] = raised.value.diagnostics
    assert (problem.resource, problem.field, problem.message) == ("a", "at", "2026-01-01 is not after now")


def test_rules_for_new_objects_do_not_touch_an_existing_one() -> None:
    state = StackState("demo", resources={"a": applied("al-1", at="2026-01-01")})
    seen = {"a": Observed("al-1", {"at": "2026-01-01", "partner": "", "secretNote": ""}, {"alarmId": "al-1"})}
    assert plan(stack(a={"at": "2026-01-01"}), state, seen, now=NOW).resources[0].action is Action.NOOP


def test_rules_across_resources_name_the_resource_and_field() -> None:
    with pytest.raises(EngineError) as raised:
        plan(stack(a={"at": "2027-01-01", "partner": "b"}), StackState("demo"), {}, now=NOW)
    [problem] = raised.value.diagnostics
    assert (problem.resource, problem.field) == ("a", "partner")
    assert plan(stack(a={"at": "2027-01-01", "partner": "b"}, b={"at": "2027-01-02"}),
                StackState("demo"), {}, now=NOW).has_changes


def test_rules_across_resources_know_the_stack_region() -> None:
    with pytest.raises(EngineError) as raised:
        plan(stack(a={"at": "2027-01-01", "partner": "the-region"}), StackState("demo"), {}, now=NOW)
    [problem] = raised.value.diagnostics
    assert (problem.field, problem.message) == ("partner", "the stack is in cn-hangzhou")


def test_a_new_object_shows_its_preview() -> None:
    [resource] = plan(stack(a={"at": "2027-01-01"}), StackState("demo"), {}, now=NOW).resources
    assert resource.preview == {"ringsAt": "2027-01-01"}


def test_a_defunct_object_is_made_anew_with_the_reason() -> None:
    state = StackState("demo", resources={"a": applied("al-1", at="2027-01-01")})
    seen = {"a": Observed("al-1", {"at": "2027-01-01"}, {"alarmId": "al-1"}, defunct="al-1 was stopped by hand")}
    [resource] = plan(stack(a={"at": "2027-01-01"}), state, seen, now=NOW).resources
    assert (resource.action, resource.reason) == (Action.CREATE, "al-1 was stopped by hand")


def test_plans_never_hold_a_secret_in_plain() -> None:
    [resource] = plan(stack(a={"at": "2027-01-01", "secretNote": {"secret": "hunter2"}}),
                      StackState("demo"), {}, now=NOW).resources
    assert "hunter2" not in repr(resource)


def test_a_secret_read_back_in_plain_matches_its_declaration() -> None:
    state = StackState("demo", salt="s", resources={"a": applied("al-1", at="2027-01-01")})
    state.resources["a"].values["secretNote"] = {"secret": "hunter2"}
    seen = {"a": Observed("al-1", {"at": "2027-01-01", "partner": "", "secretNote": "hunter2"}, {"alarmId": "al-1"})}
    [resource] = plan(stack(a={"at": "2027-01-01", "secretNote": {"secret": "hunter2"}}), state, seen,
                      now=NOW).resources
    assert resource.action is Action.NOOP
    [changed] = plan(stack(a={"at": "2027-01-01", "secretNote": {"secret": "hunter3"}}), state, seen,
                     now=NOW).resources
    assert changed.action is Action.UPDATE and "hunter" not in repr(changed)
