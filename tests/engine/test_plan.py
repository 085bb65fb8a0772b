"""The pure plan: actions and their reasons from stack, state and what the cloud holds; no backend."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ecsops.engine.apply import deletion_graph
from ecsops.engine.errors import EngineError
from ecsops.engine.kind import Observed
from ecsops.engine.plan import Action, plan
from ecsops.engine.stack import Stack, stack_from_document
from ecsops.engine.state import Deposed, PendingCreate, ResourceState, StackState
from ecsops.engine.values import UNKNOWN
from tests.engine.widgets import WIDGET, WidgetSpec

DEFAULTS = WidgetSpec(label="x").wire_values()


def stack(**resources: dict[str, Any]) -> Stack:
    return stack_from_document({"name": "demo", "region": "cn-hangzhou", "resources": {
        name: {"type": entry.pop("type", "test:Widget"), "properties": entry} for name, entry in resources.items()}},
        Path("stack.yaml"))


def applied(id_: str, *, dependencies: tuple[str, ...] = (), type_: str = "test:Widget", **values: Any) -> ResourceState:
    return ResourceState(type_, id_, {**DEFAULTS, **values}, {"widgetId": id_}, list(dependencies))


def seen(id_: str, **values: Any) -> Observed:
    return Observed(id_, {**DEFAULTS, **values}, {"widgetId": id_})


def actions(planned) -> dict[str, tuple[Action, str | None]]:
    return {resource.name: (resource.action, resource.reason) for resource in planned.resources}


def test_a_new_stack_creates_everything_in_dependency_order() -> None:
    planned = plan(stack(b={"label": "${a.widgetId}"}, a={"label": "x"}), StackState("demo"), {})
    assert [(r.name, r.action) for r in planned.resources] == [("a", Action.CREATE), ("b", Action.CREATE)]
    assert planned.resources[1].desired["label"] == UNKNOWN
    assert planned.has_changes and planned.count(Action.CREATE) == 2


def test_an_applied_stack_in_sync_plans_nothing() -> None:
    state = StackState("demo", resources={"a": applied("w-1", label="x")})
    planned = plan(stack(a={"label": "x"}), state, {"a": seen("w-1", label="x")})
    assert actions(planned) == {"a": (Action.NOOP, None)} and not planned.has_changes


def test_in_place_and_replace_changes_plan_update_and_replace() -> None:
    state = StackState("demo", resources={"a": applied("w-1", label="x"), "b": applied("w-2", label="y")})
    planned = plan(stack(a={"label": "x2"}, b={"label": "y", "size": 3}), state,
                   {"a": seen("w-1", label="x"), "b": seen("w-2", label="y")})
    assert actions(planned) == {"a": (Action.UPDATE, None), "b": (Action.REPLACE, None)}
    assert [c.field for c in planned.resources[1].changes] == ["size"]


def test_the_cloud_not_the_state_is_compared_with_the_stack() -> None:
    # Someone renamed the widget outside ecsops: the plan repairs it although the state says "x".
    state = StackState("demo", resources={"a": applied("w-1", label="x")})
    planned = plan(stack(a={"label": "x"}), state, {"a": seen("w-1", label="changed")})
    [resource] = planned.resources
    assert resource.action is Action.UPDATE and resource.changes[0].old == "changed"


def test_fields_the_cloud_cannot_report_are_compared_with_the_last_apply() -> None:
    state = StackState("demo", resources={"a": applied("w-1", label="x", note="kept")})
    observed = Observed("w-1", {key: value for key, value in {**DEFAULTS, "label": "x"}.items() if key != "note"},
                        {"widgetId": "w-1"})
    assert actions(plan(stack(a={"label": "x", "note": "kept"}), state, {"a": observed})) == {
        "a": (Action.NOOP, None)}


def test_an_object_gone_from_the_cloud_is_created_again() -> None:
    state = StackState("demo", resources={"a": applied("w-1", label="x")})
    assert actions(plan(stack(a={"label": "x"}), state, {"a": None})) == {
        "a": (Action.CREATE, "w-1 no longer exists in the cloud")}


def test_a_changed_type_replaces() -> None:
    state = StackState("demo", resources={"a": applied("g-1", type_="test:Gadget", label="x")})
    assert actions(plan(stack(a={"label": "x"}), state, {"a": seen("g-1", label="x")})) == {
        "a": (Action.REPLACE, "type changed from test:Gadget")}


def test_a_replaced_dependency_makes_its_referencing_fields_unknown() -> None:
    state = StackState("demo", resources={"a": applied("w-1", label="x"),
                                          "b": applied("w-2", label="w-1", dependencies=("a",))})
    planned = plan(stack(a={"label": "x", "size": 2}, b={"label": "${a.widgetId}"}), state,
                   {"a": seen("w-1", label="x"), "b": seen("w-2", label="w-1")})
    assert actions(planned) == {"a": (Action.REPLACE, None), "b": (Action.UPDATE, None)}
    assert planned.resources[1].changes[0].unknown


def test_a_kept_dependency_resolves_references_to_known_values() -> None:
    state = StackState("demo", resources={"a": applied("w-1", label="x"),
                                          "b": applied("w-2", label="w-1:x", dependencies=("a",))})
    planned = plan(stack(a={"label": "x"}, b={"label": "${a.widgetId}:${a.label}"}), state,
                   {"a": seen("w-1", label="x"), "b": seen("w-2", label="w-1:x")})
    assert actions(planned) == {"a": (Action.NOOP, None), "b": (Action.NOOP, None)}


def test_resources_dropped_from_the_stack_are_deleted_dependents_first() -> None:
    state = StackState("demo", resources={"a": applied("w-1"), "b": applied("w-2", dependencies=("a",)),
                                          "keep": applied("w-3", label="k")})
    planned = plan(stack(keep={"label": "k"}), state,
                   {"a": seen("w-1"), "b": None, "keep": seen("w-3", label="k")})
    assert [(r.name, r.action, r.reason) for r in planned.resources if r.action is Action.DELETE] == [
        ("b", Action.DELETE, "already gone from the cloud"), ("a", Action.DELETE, None)]


def test_deposed_objects_and_interrupted_creates_are_planned() -> None:
    state = StackState("demo", resources={}, pending={
        "a": PendingCreate("test:Widget", "tok", {"label": "x"}, "2026-01-01T00:00:00Z"),
        "gone": PendingCreate("test:Widget", "tok2", {"label": "y"}, "2026-01-01T00:00:00Z")},
        deposed=[Deposed("old", "test:Widget", "w-9", {"label": "o"})])
    planned = plan(stack(a={"label": "x"}), state, {})
    assert actions(planned) == {
        "a": (Action.CREATE, "resumes an interrupted create"),
        "gone": (Action.DELETE, "an interrupted create of a resource no longer in the stack"),
        "old": (Action.DELETE, "replaced earlier; its delete was not confirmed")}


def test_invalid_values_fail_the_whole_plan_naming_every_problem() -> None:
    with pytest.raises(EngineError) as raised:
        plan(stack(a={"label": ""}, b={"label": "ok", "size": 0, "colour": 1}), StackState("demo"), {})
    assert sorted((d.resource, d.field) for d in raised.value.diagnostics) == [
        ("a", "label"), ("b", "colour"), ("b", "size")]


def deleted_after(stack_: Stack, state: StackState) -> dict[str, list[str]]:
    """Each object to delete -> the objects whose deletes it waits for (by id)."""
    items, waits = deletion_graph(stack_, state)
    return {items[index][1].id: sorted(items[other][1].id for other in after) for index, after in waits.items()}


def test_deletes_go_before_what_the_deleted_objects_depended_on() -> None:
    # The invocation that used the old command stops before the old command goes (issue 3's order).
    state = StackState("demo", resources={"keep": applied("w-5")}, deposed=[
        Deposed("cmd", "test:Widget", "w-old-cmd", {}, []),
        Deposed("task", "test:Widget", "w-old-task", {}, ["cmd"])])
    assert deleted_after(stack(keep={"label": "x"}), state) == {"w-old-cmd": ["w-old-task"], "w-old-task": []}


def test_a_removed_dependent_is_deleted_before_a_deposed_dependency() -> None:
    state = StackState("demo", resources={"task": applied("w-task", dependencies=("cmd",)), "cmd": applied("w-new")},
                       deposed=[Deposed("cmd", "test:Widget", "w-old-cmd", {}, [])])
    assert deleted_after(stack(cmd={"label": "x"}), state) == {"w-old-cmd": ["w-task"], "w-task": []}


def test_the_spec_defaults_match_the_test_kind() -> None:
    assert WIDGET.fields["size"].reason == "a widget's size is fixed when it is made"
