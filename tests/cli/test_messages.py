"""Messages that help: a misspelt name says what was probably meant, every error about the stack says where it
is written (`error: FILE:LINE:COLUMN: ...`), and a warning is printed as a warning, never as an error."""

from __future__ import annotations

import textwrap

import pytest

from tests.support.cli import ecsops, unplaced, write_stack

CHECK = "  check: {type: ecsops:Command, properties: {name: check, type: RunShellScript, content: uptime}}\n"
TASK = ("  nightly:\n    type: ecsops:ScheduledInvocation\n    properties: {commandId: '${check.commandId}', "
        "instanceIds: [i-demo-linux-1], frequency: rate(1h)}\n")


def command(properties: str, type_: str = "ecsops:Command") -> str:
    return f"  r:\n    type: {type_}\n    properties: {{{properties}}}\n"


def rule(pattern: str, targets: str = "{contacts: [{group: ops-oncall}]}") -> str:
    return (f"  r:\n    type: ecsops:EventAlertRule\n    properties: {{name: r, eventPattern: {pattern}, "
            f"targets: {targets}}}\n")


MISSPELT = [
    pytest.param(command("name: a, type: RunShellScript, contnet: uptime"),
                 'field "contnet": is not a field of this resource type', "content", id="field"),
    pytest.param(command("name: a, type: RunShellScript, content: '{{x}}', enableParameters: true"),
                 'field "enableParameters": is not a field of this resource type', "enableParameter",
                 id="field-plural"),
    pytest.param(CHECK + TASK.replace("commandId:", "commandid:"),
                 'field "commandid": is not a field of this resource type', "commandId", id="field-in-other-case"),
    pytest.param(rule("{eventTypes: [Maintenance]}", "{webhooks: [{uri: 'https://hooks.example.com/x'}]}"),
                 'field "targets.webhooks[0].uri": is not a field of this resource type', "url", id="nested-field"),
    pytest.param(command("name: a, type: RunShellScript, content: uptime", type_="ecsops:Comand"),
                 "unknown resource type 'ecsops:Comand' (known types: ecsops:Command, ", "ecsops:Command", id="kind"),
    pytest.param(command("name: a, type: RunShellScript, content: uptime", type_="ecsops:command"),
                 "unknown resource type 'ecsops:command'", "ecsops:Command", id="kind-in-other-case"),
    pytest.param(command("name: a, type: RunShelScript, content: uptime"),
                 'field "type": input should be \'RunShellScript\', \'RunBatScript\' or \'RunPowerShellScript\'',
                 "RunShellScript", id="enum-value"),
    pytest.param(rule("{levels: [critical]}"),
                 'field "eventPattern.levels[0]": input should be \'CRITICAL\', \'WARN\', \'INFO\' or \'*\'',
                 "CRITICAL", id="enum-value-in-a-list"),
    pytest.param(command("name: a, type: RunShellScript, content: uptime").replace("properties:", "propertis:"),
                 "unknown key 'propertis' (expected: type, properties, options)", "properties", id="resource-key"),
    pytest.param(CHECK + TASK.replace("${check.", "${chek."),
                 "the stack declares no resource 'chek'", "check", id="referenced-resource"),
    pytest.param(CHECK + TASK.replace("check.commandId", "check.commandid"),
                 "has no attribute 'commandid' (has: commandId, ", "commandId", id="referenced-attribute"),
]


@pytest.mark.parametrize(("resources", "fragment", "meant"), MISSPELT)
def test_a_misspelt_name_is_refused_saying_what_was_meant(tmp_path, emulator, admin, resources, fragment,
                                                          meant) -> None:
    refused = ecsops("plan", write_stack(tmp_path, resources), "--endpoint", emulator.endpoint)
    assert refused.code == 1
    errors = [line for line in refused.err.splitlines() if line.startswith("error: ") and fragment in line]
    assert len(errors) == 1, refused.err
    assert errors[0].endswith(f": did you mean {meant!r}?"), errors[0]
    assert admin.writes() == []


def test_a_misspelt_top_level_key_says_what_was_meant(tmp_path, emulator) -> None:
    stack = write_stack(tmp_path, CHECK)
    stack.write_text(stack.read_text().replace("region:", "regoin:"))
    refused = ecsops("plan", stack, "--endpoint", emulator.endpoint)
    assert refused.code == 1
    assert f"error: {stack}:2:1: unknown top-level key 'regoin' (expected: " in refused.err
    assert "did you mean 'region'?" in refused.err


def test_a_name_like_nothing_known_gets_no_wild_guess(tmp_path, emulator) -> None:
    refused = ecsops("plan", write_stack(tmp_path, command("name: a, type: RunShellScript, content: x, zzz: 1")),
                     "--endpoint", emulator.endpoint)
    assert refused.code == 1
    [line] = [line for line in refused.err.splitlines() if 'field "zzz"' in line]
    assert line.endswith('field "zzz": is not a field of this resource type')


def test_a_misspelt_event_name_is_a_warning_saying_what_was_meant(tmp_path, emulator) -> None:
    planned = ecsops("plan", write_stack(tmp_path, rule("{names: ['Instance:SystemMaintenance.Rebot']}")),
                     "--endpoint", emulator.endpoint)
    assert planned.code == 0, planned.err
    [warning] = [line for line in planned.out.splitlines() if line.startswith("warning: ")]
    assert warning.endswith("'Instance:SystemMaintenance.Rebot' is not an event the ECS documentation lists (states: "
                            "Inquiring, Scheduled, Executing, Executed, Avoided, Failed, Canceled): did you mean "
                            "'Instance:SystemMaintenance.Reboot'?")


# -- where: file:line:column ------------------------------------------------------------------------------

PLACED = textwrap.dedent("""\
    name: demo
    region: cn-hangzhou
    base: &base
      type: RunShellScript
      timeout: 0
    resources:
      zero:
        type: ecsops:Command
        properties:
          name: zero
          type: RunShellScript
          content: uptime
          timeout: 0
      kind:
        type: ecsops:Comand
        properties: {name: kind}
      missing:
        type: ecsops:Command
        properties:
          name: missing
          type: RunShellScript
      listed:
        type: ecsops:EventAlertRule
        properties:
          name: listed
          eventPattern:
            levels:
              - CRITICAL
              - warn
          targets: {contacts: [{group: ops-oncall}]}
      merged:
        type: ecsops:Command
        properties: {<<: *base, name: merged, content: uptime}
""")

WHERE = [
    pytest.param(13, 7, 'resource "zero" (ecsops:Command), field "timeout": input should be greater', id="field"),
    pytest.param(15, 5, 'resource "kind", field "type": unknown resource type', id="kind"),
    pytest.param(19, 5, 'resource "missing" (ecsops:Command), field "content": is required',
                 id="missing-field-at-its-mapping"),
    pytest.param(29, 13, 'resource "listed" (ecsops:EventAlertRule), field "eventPattern.levels[1]": ',
                 id="list-item"),
    pytest.param(5, 3, 'resource "merged" (ecsops:Command), field "timeout": ', id="merged-from-an-anchor"),
    pytest.param(3, 1, "unknown top-level key 'base'", id="top-level-key"),
]


@pytest.mark.parametrize(("line", "column", "fragment"), WHERE)
def test_every_error_about_the_stack_says_where_it_is_written(tmp_path, emulator, line, column, fragment) -> None:
    stack = tmp_path / "stack.yaml"
    stack.write_text(PLACED)
    refused = ecsops("plan", stack, "--endpoint", emulator.endpoint)
    assert refused.code == 1
    assert f"error: {stack}:{line}:{column}: {fragment}" in refused.err, refused.err
    assert all(text.startswith(f"error: {stack}:") for text in refused.err.splitlines()), refused.err


def test_an_error_met_while_applying_points_at_its_resource(tmp_path, emulator, admin) -> None:
    stack = write_stack(tmp_path, CHECK)
    admin.world({"quotas": {"max-axt-command-count": 0}})
    failed = ecsops("apply", "--yes", stack, "--endpoint", emulator.endpoint)
    assert failed.code == 1
    assert f'error: {stack}:4:3: resource "check" (ecsops:Command): CreateCommand:' in failed.err


# -- warnings are warnings --------------------------------------------------------------------------------


def test_a_warning_beside_errors_is_still_printed_as_a_warning(tmp_path, emulator) -> None:
    resources = rule("{names: ['Instance:SystemMaintenance.Rebot']}") + command(
        "name: a, type: RunShellScript, content: uptime, timeout: 0").replace("  r:", "  zero:")
    refused = ecsops("plan", write_stack(tmp_path, resources), "--endpoint", emulator.endpoint)
    assert refused.code == 1
    lines = unplaced(refused.err).splitlines()
    assert [line.split(":")[0] for line in lines] == ["warning", "error"], lines
    assert lines[0].startswith('warning: resource "r" (ecsops:EventAlertRule), field "eventPattern.names": ')
    assert lines[1].startswith('error: resource "zero" (ecsops:Command), field "timeout": ')
