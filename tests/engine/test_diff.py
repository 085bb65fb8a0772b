"""The pure diff: which fields changed and what each change costs, read from the field policy."""

from __future__ import annotations

import pytest

from ecsops.engine.diff import ADD_ONLY_REASON, Effect, FieldChange, diff, replaces
from ecsops.engine.values import UNKNOWN
from tests.engine.widgets import WIDGET

BASE = {"label": "a", "size": 1, "members": ["x"], "token": "t", "note": "", "zones": ["z1", "z2"]}


def changed(**new: object) -> tuple[FieldChange, ...]:
    return diff(WIDGET, BASE, {**BASE, **new})


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        pytest.param({}, (), id="nothing-changed"),
        pytest.param({"label": "b"}, (FieldChange("label", "a", "b", Effect.UPDATE),), id="in-place"),
        pytest.param({"size": 2}, (FieldChange("size", 1, 2, Effect.REPLACE, "a widget's size is fixed when it is made"),),
                     id="replace-with-reason"),
        pytest.param({"members": ["x", "y"]}, (FieldChange("members", ["x"], ["x", "y"], Effect.UPDATE, "adds items"),),
                     id="add-only-addition"),
        pytest.param({"members": []}, (FieldChange("members", ["x"], [], Effect.REPLACE, ADD_ONLY_REASON),),
                     id="add-only-removal"),
        pytest.param({"members": ["y"]}, (FieldChange("members", ["x"], ["y"], Effect.REPLACE, ADD_ONLY_REASON),),
                     id="add-only-change"),
        pytest.param({"zones": ["z2", "z1"]}, (), id="normaliser-ignores-order"),
        pytest.param({"size": 1.0}, (), id="one-equals-one-point-zero"),
        pytest.param({"label": UNKNOWN}, (FieldChange("label", "a", UNKNOWN, Effect.UPDATE, "known after apply"),),
                     id="unknown-in-place"),
        pytest.param({"size": UNKNOWN}, (FieldChange("size", 1, UNKNOWN, Effect.REPLACE, "known after apply"),),
                     id="unknown-replace"),
        pytest.param({"widgetId": "w-2"}, (), id="outputs-are-never-compared"),
    ],
)
def test_changes_follow_the_field_policy(new, expected) -> None:
    assert changed(**new) == expected


def test_changes_come_in_declaration_order_and_any_replace_replaces() -> None:
    changes = changed(zones=["z3"], size=5, label="c")
    assert [change.field for change in changes] == ["label", "size", "zones"]
    assert replaces(changes) and not replaces(changed(label="c"))


def test_a_missing_field_on_one_side_is_a_change() -> None:
    assert [c.field for c in diff(WIDGET, {"label": "a"}, {"label": "a", "note": "n"})] == ["note"]
