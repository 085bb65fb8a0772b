"""Bad stacks are refused by `plan` with exit 1, every bad resource and field named, and nothing written."""

from __future__ import annotations

import re
import textwrap

import pytest

from tests.support.cli import ecsops, unplaced, write_stack

INVALID = textwrap.indent(textwrap.dedent("""\
    zero-timeout:
      type: ecsops:Command
      properties: {name: a, type: RunShellScript, content: uptime, timeout: 0}
    many-parameters:
      type: ecsops:Command
      properties:
        name: b
        type: RunShellScript
        enableParameter: true
        content: "{{p0}} {{p1}} {{p2}} {{p3}} {{p4}} {{p5}} {{p6}} {{p7}} {{p8}} {{p9}} {{p10}} {{p11}} {{p12}} {{p13}} {{p14}} {{p15}} {{p16}} {{p17}} {{p18}} {{p19}} {{p20}}"
    python-type:
      type: ecsops:Command
      properties: {name: c, type: RunPythonScript, content: "print(1)"}
    twin:
      type: ecsops:Command
      properties: {name: d, type: RunShellScript, content: uptime}
    twin:
      type: ecsops:Command
      properties: {name: e, type: RunShellScript, content: uptime}
    dangling:
      type: ecsops:Command
      properties: {name: "${nowhere.commandId}", type: RunShellScript, content: uptime}
"""), "  ")


def test_every_bad_resource_and_field_is_named_in_one_run_and_nothing_is_written(tmp_path, emulator, admin) -> None:
    stack = write_stack(tmp_path, INVALID)
    refused = ecsops("plan", stack, "--endpoint", emulator.endpoint)
    assert refused.code == 1
    errors = unplaced(refused.err).splitlines()
    assert all(re.match(r"error: .*stack\.yaml:\d+:\d+: ", line) for line in refused.err.splitlines()), refused.err
    expected = [
        'error: resource "zero-timeout" (ecsops:Command), field "timeout": input should be greater than or equal to 1',
        'error: resource "many-parameters" (ecsops:Command), field "content": the content declares 21 parameters; '
        'a command takes at most 20',
        'error: resource "python-type" (ecsops:Command), field "type": input should be',
        'error: resource "twin": ',
        'error: resource "dangling" (ecsops:Command): dangling reference ${nowhere.commandId}',
    ]
    for start in expected:
        assert any(line.startswith(start) for line in errors), (start, errors)
    assert any("duplicate key 'twin'" in line for line in errors)
    assert admin.requests() == []  # refused before any call, even a read
    assert ecsops("apply", "--yes", stack, "--endpoint", emulator.endpoint).code == 1
    assert ecsops("drift", stack, "--endpoint", emulator.endpoint).code == 1
    assert admin.writes() == []


@pytest.mark.parametrize(
    ("resources", "fragment"),
    [
        pytest.param("  x:\n    type: ecsops:Nothing\n", "unknown resource type 'ecsops:Nothing'", id="unknown-type"),
        pytest.param("  x:\n    type: ecsops:Command\n    properties: {name: a, type: RunShellScript}\n",
                     'field "content": is required', id="missing-field"),
        pytest.param("  x:\n    type: ecsops:Command\n    properties: {name: a, type: RunShellScript, content: a, "
                     "timout: 5}\n", 'field "timout": is not a field of this resource type', id="typo"),
    ],
)
def test_more_bad_input_is_named(tmp_path, emulator, admin, resources, fragment) -> None:
    refused = ecsops("plan", write_stack(tmp_path, resources), "--endpoint", emulator.endpoint)
    assert refused.code == 1 and fragment in refused.err
    assert admin.writes() == []
