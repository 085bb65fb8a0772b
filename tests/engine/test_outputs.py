"""Outputs: declared with references to resources' fields and outputs (checked when the stack loads) and
computed from what the state recorded — unknown until applied, and a secret the state keeps only as a
digest never turned back into text."""

from __future__ import annotations

from pathlib import Path

import pytest

import tests.engine.widgets  # noqa: F401  (registers test:Widget)
from ecsops.engine.errors import EngineError
from ecsops.engine.outputs import evaluate
from ecsops.engine.stack import load_stack
from ecsops.engine.state import ResourceState, StackState
from ecsops.engine.values import UNKNOWN, is_digest, protect

STACK = """\
name: demo
region: cn-hangzhou
config:
  owner: {type: string, default: sre}
  token: {type: string, secret: true, default: placeholder}
resources:
  w:
    type: test:Widget
    properties: {label: plain, members: [a, {secret: hidden}], token: t}
outputs:
  id: ${w.widgetId}
  label: ${w.label}
  summary: "${w.label} of ${config.owner} ($${literal.text})"
  nested: {ids: ["${w.widgetId}"], owner: "${config.owner}"}
  members: ${w.members}
  builtFromSecret: "members: ${w.members}"
  wholeSecretField: ${w.token}
  configSecret: ${config.token}
"""


def stack_in(tmp_path: Path, text: str = STACK):
    path = tmp_path / "stack.yaml"
    path.write_text(text)
    return load_stack(path)


def applied(salt: str = "salt") -> StackState:
    values = protect({"label": "plain", "members": ["a", {"secret": "hidden"}], "token": "t"}, salt)
    return StackState(stack="demo", salt=salt, resources={
        "w": ResourceState("test:Widget", "w-1", values, {"widgetId": "w-1"})})


def test_outputs_are_computed_from_what_the_state_recorded(tmp_path) -> None:
    stack = stack_in(tmp_path)
    assert stack.problems == ()
    values = evaluate(stack.outputs, applied())
    assert {name: values[name] for name in ("id", "label", "summary", "nested")} == {
        "id": "w-1", "label": "plain", "summary": "plain of sre (${literal.text})",
        "nested": {"ids": ["w-1"], "owner": "sre"}}


def test_before_apply_an_output_of_a_resource_is_unknown(tmp_path) -> None:
    values = evaluate(stack_in(tmp_path).outputs, StackState(stack="demo"))
    assert values["id"] == UNKNOWN and values["nested"] == {"ids": [UNKNOWN], "owner": "sre"}


@pytest.mark.parametrize("name", ["members", "builtFromSecret", "wholeSecretField"],
                         ids=["a value holding a secret", "a text built from one", "a field secret as a whole"])
def test_a_secret_the_state_holds_stays_a_digest_in_an_output(tmp_path, name) -> None:
    value = evaluate(stack_in(tmp_path).outputs, applied())[name]
    secrets = [value["secret"]] if name != "members" else [value[1]["secret"]]
    assert all(is_digest(secret) for secret in secrets), value
    assert "hidden" not in str(value) and "'t'" not in str(value)


def test_a_secret_config_value_is_held_in_clear_as_a_secret(tmp_path) -> None:
    assert evaluate(stack_in(tmp_path).outputs, applied())["configSecret"] == {"secret": "placeholder"}


BAD_OUTPUTS = {
    "a reference to no resource": ("  id: ${nowhere.widgetId}\n", 'field "outputs.id"',
                                   "dangling reference ${nowhere.widgetId}: the stack declares no resource 'nowhere'"),
    "an attribute the resource lacks": ("  id: ${w.colour}\n", 'field "outputs.id"',
                                        "reference ${w.colour}: resource 'w' has no attribute 'colour' (has: "),
    "an undeclared config value": ("  id: {owner: '${config.ownr}'}\n", 'field "outputs.id.owner"',
                                   "${config.ownr}: the stack declares no config value 'ownr' (did you mean 'owner'?"),
    "a name that is not one": ("  2nd: x\n", 'field "outputs"', "output name '2nd' is not valid"),
}


@pytest.mark.parametrize("output, field, expected", BAD_OUTPUTS.values(), ids=BAD_OUTPUTS)
def test_each_bad_output_is_one_error_naming_it_and_where_it_is_written(tmp_path, output, field, expected) -> None:
    stack = stack_in(tmp_path, STACK[:STACK.index("outputs:")] + "outputs:\n" + output)
    with pytest.raises(EngineError) as raised:
        stack.require_valid()
    [problem] = [diagnostic.report() for diagnostic in raised.value.diagnostics]
    assert problem.startswith(f"error: {tmp_path}/stack.yaml:11:") and f"{field}: {expected}" in problem, problem


def test_outputs_must_be_a_mapping(tmp_path) -> None:
    stack = stack_in(tmp_path, STACK[:STACK.index("outputs:")] + "outputs: [id]\n")
    assert [str(problem) for problem in stack.problems] == ['field "outputs": outputs must be a mapping of names to '
                                                            "values"]
