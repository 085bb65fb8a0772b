"""Validation of declared values: every known problem named by field; unknown values tolerated."""

from __future__ import annotations

import pytest

from ecsops.engine.validate import field_path, validate
from ecsops.engine.values import UNKNOWN, canonical, is_unknown
from tests.engine.widgets import WIDGET


def test_valid_values_come_back_normalised_with_defaults() -> None:
    validated = validate(WIDGET, {"label": "a", "size": 2.0})
    assert validated.ok and validated.spec is not None
    assert validated.values == {"label": "a", "size": 2, "members": [], "token": "", "note": "", "zones": []}


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
    assert validated.values["size"] == UNKNOWN and validated.values["note"] == ""


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
