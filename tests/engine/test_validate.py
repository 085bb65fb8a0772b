"""Validation of declared values: every known problem named by field; unknown values tolerated."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import BaseModel, Field, model_validator

from ecsops.engine.kind import FieldError, Kind, Outputs, Spec
from ecsops.engine.policy import in_place
from ecsops.engine.scalars import STRICT_NUMBER, Flag
from ecsops.engine.validate import field_path, validate
from ecsops.engine.values import UNKNOWN, canonical, is_unknown
from tests.engine.widgets import WIDGET, NoCloud


def test_valid_values_come_back_normalised_with_defaults() -> None:
    validated = validate(WIDGET, {"label": "a", "size": 2.0})
    assert validated.ok and validated.spec is not None
    assert validated.declared == {"label": "a", "size": 2, "members": [], "token": "", "note": "", "zones": []}


@pytest.mark.parametrize(
    ("values", "field", "fragment"),
    [
        pytest.param({"label": ""}, "label", "at least 1 character", id="too-short"),
        pytest.param({"label": "a", "size": 0}, "size", "greater than or equal to 1", id="too-small"),
        pytest.param({}, "label", "is required", id="missing"),
        pytest.param({"label": "a", "colour": "red"}, "colour", "is not a field of this resource type", id="unknown"),
        pytest.param({"label": "a", "members": ["x", 3]}, "members[1]", "valid string", id="nested-path"),
    ],
)
def test_problems_name_their_field(values, field, fragment) -> None:
    [problem] = validate(WIDGET, values, resource="w").diagnostics
    assert (problem.resource, problem.field, problem.type) == ("w", field, "test:Widget")
    assert fragment in problem.message


def test_an_unknown_string_value_passes_string_checks() -> None:
    validated = validate(WIDGET, {"label": UNKNOWN[:20]})
    assert validated.ok


def test_an_unknown_value_in_a_non_string_field_is_checked_later_not_now() -> None:
    validated = validate(WIDGET, {"label": "a", "size": UNKNOWN, "members": ["x"]})
    assert validated.ok and validated.spec is None
    assert validated.declared["size"] == UNKNOWN and validated.declared["note"] == ""


def test_known_problems_are_still_reported_next_to_unknown_values() -> None:
    validated = validate(WIDGET, {"label": "", "size": UNKNOWN})
    assert [problem.field for problem in validated.diagnostics] == ["label"]


@pytest.mark.parametrize(
    ("loc", "path"),
    [(("tags", "env"), "tags.env"), (("targets", "webhooks", 0, "url"), "targets.webhooks[0].url"), ((), None)],
)
def test_field_paths_read_like_yaml(loc, path) -> None:
    assert field_path(loc) == path


def test_unknown_is_detected_inside_structures() -> None:
    assert is_unknown({"a": [f"x-{UNKNOWN}"]}) and not is_unknown({"a": ["x"]})


def test_canonical_form_ignores_key_order_integral_floats_and_unset_members() -> None:
    assert canonical({"b": 1.0, "a": [2]}) == canonical({"a": [2.0], "b": 1})
    assert canonical({"a": 1, "topic": None}) == canonical({"a": 1})
    assert canonical(None) != canonical("")


def test_the_unknown_marker_is_pulumis() -> None:
    from pulumi.runtime import rpc

    assert UNKNOWN == rpc.UNKNOWN


class Window(BaseModel):
    start: int = 0
    end: int = 0

    @model_validator(mode="after")
    def _ordered(self) -> "Window":
        if self.end < self.start:
            raise FieldError("end", "ends before it starts")
        return self


class ShiftSpec(Spec):
    hours: Annotated[int, in_place(), Field(ge=1, le=24), STRICT_NUMBER] = 8
    night: Annotated[Flag, in_place()] = False
    window: Annotated[Window, in_place()] = Window()
    note: Annotated[str, in_place()] = ""

    @model_validator(mode="after")
    def _night_needs_a_note(self) -> "ShiftSpec":
        if self.night and not self.note:
            raise FieldError("note", "a night shift needs a note")
        return self


SHIFT = Kind(type_name="test:Shift", spec=ShiftSpec, outputs=Outputs, lifecycle=NoCloud(), id_output="shiftId",
             summary="A shift (not registered).")


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        pytest.param({"night": True}, "note", "a night shift needs a note", id="model-rule-names-its-field"),
        pytest.param({"window": {"start": 5, "end": 1}}, "window.end", "ends before it starts",
                     id="nested-model-rule-under-its-parent"),
    ],
)
def test_rules_across_fields_name_the_field_they_blame(values, field, message) -> None:
    [problem] = validate(SHIFT, values, resource="s").diagnostics
    assert (problem.field, problem.message) == (field, message)


def test_a_rule_blaming_an_unknown_value_waits_for_it() -> None:
    assert validate(SHIFT, {"night": True, "note": UNKNOWN}).ok


@pytest.mark.parametrize(
    ("values", "field", "fragment"),
    [
        pytest.param({"hours": True}, "hours", "valid integer, not true", id="yaml-yes-is-no-number"),
        pytest.param({"hours": 0}, "hours", "greater than or equal to 1", id="bounds-still-hold"),
        pytest.param({"night": 1}, "night", "valid boolean", id="one-is-no-flag"),
        pytest.param({"night": "yes"}, "night", "valid boolean", id="text-is-no-flag"),
    ],
)
def test_yaml_coercions_are_refused(values, field, fragment) -> None:
    [problem] = validate(SHIFT, values).diagnostics
    assert problem.field == field and fragment in problem.message


def test_a_whole_float_is_still_a_number_as_pulumi_sends_numbers() -> None:
    assert validate(SHIFT, {"hours": 12.0}).declared["hours"] == 12


def test_number_bounds_stay_in_the_json_schema() -> None:
    hours = ShiftSpec.model_json_schema(by_alias=True)["properties"]["hours"]
    assert (hours["minimum"], hours["maximum"], hours["type"]) == (1, 24, "integer")
