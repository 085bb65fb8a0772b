"""References `${name.attribute}` and the order they impose."""

from __future__ import annotations

import pytest

from ecsops.engine.refs import CycleError, Reference, references, resolve, topological, whole_reference

VALUES = {Reference("cmd", "commandId"): "c-1", Reference("cmd", "parameterNames"): ["a", "b"],
          Reference("cmd", "timeout"): 60}


def lookup(reference: Reference) -> object:
    return VALUES[reference]


@pytest.mark.parametrize(
    ("value", "found"),
    [
        pytest.param("${cmd.commandId}", {Reference("cmd", "commandId")}, id="whole"),
        pytest.param({"a": ["x-${cmd.commandId}-${other.id}"]}, {Reference("cmd", "commandId"),
                                                                Reference("other", "id")}, id="nested"),
        pytest.param("echo ${HOME} $HOME", set(), id="shell-variables-are-text"),
        pytest.param("$${cmd.commandId}", set(), id="escaped"),
        pytest.param(42, set(), id="not-text"),
    ],
)
def test_references_are_found_anywhere(value, found) -> None:
    assert references(value) == found


@pytest.mark.parametrize(
    ("value", "reference"),
    [
        pytest.param("${cmd.commandId}", Reference("cmd", "commandId"), id="exactly-one"),
        pytest.param("c-${cmd.commandId}", None, id="inside-text"),
        pytest.param("${a.x}${b.y}", None, id="two"),
        pytest.param("$${cmd.commandId}", None, id="escaped"),
        pytest.param(["${cmd.commandId}"], None, id="not-text"),
    ],
)
def test_a_value_that_is_exactly_one_reference_is_recognised(value, reference) -> None:
    assert whole_reference(value) == reference


@pytest.mark.parametrize(
    ("value", "resolved"),
    [
        pytest.param("${cmd.commandId}", "c-1", id="whole-string"),
        pytest.param("${cmd.parameterNames}", ["a", "b"], id="whole-keeps-type-list"),
        pytest.param("${cmd.timeout}", 60, id="whole-keeps-type-int"),
        pytest.param("id=${cmd.commandId}!", "id=c-1!", id="interpolated"),
        pytest.param("t=${cmd.timeout}", "t=60", id="interpolated-number"),
        pytest.param("$${cmd.commandId} ${HOME}", "${cmd.commandId} ${HOME}", id="escape-and-shell"),
        pytest.param({"k": ["${cmd.commandId}"]}, {"k": ["c-1"]}, id="inside-structures"),
    ],
)
def test_references_resolve(value, resolved) -> None:
    assert resolve(value, lookup) == resolved


def test_order_puts_dependencies_first_and_keeps_declaration_order_otherwise() -> None:
    order = topological({"b": ["a"], "c": [], "a": [], "d": ["b", "c"]})
    assert order == ["c", "a", "b", "d"]


def test_a_cycle_is_named() -> None:
    with pytest.raises(CycleError) as raised:
        topological({"a": ["c"], "b": ["a"], "c": ["b"], "d": []})
    assert str(raised.value).startswith("references form a cycle: ")
    assert set(raised.value.cycle) == {"a", "b", "c"}


def test_a_self_reference_is_a_cycle() -> None:
    with pytest.raises(CycleError):
        topological({"a": ["a"]})


def test_long_chains_need_no_deep_recursion() -> None:
    chain = {f"r{i}": [f"r{i - 1}"] if i else [] for i in reversed(range(20_000))}
    order = topological(chain)
    assert order[0] == "r0" and order[-1] == "r19999"


def test_dependencies_outside_the_mapping_are_ignored() -> None:
    assert topological({"a": ["elsewhere"]}) == ["a"]
