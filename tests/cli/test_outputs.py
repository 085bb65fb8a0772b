"""`ecsops output STACK [NAME] [--json] [--show-secrets]`: the stack's outputs from its state, with no API call;
secrets masked — those read from where they live shown on request, those the state keeps only as a digest
never — and the outputs printed at the end of every apply."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ecsops.engine.state import StateStore
from tests.support.cli import ecsops

CANARY = "canary-output-9c2b7e-not-to-be-seen"
STACK = textwrap.dedent("""\
    name: web
    region: cn-hangzhou
    config:
      owner: {type: string, default: sre}
      token: {type: string, secret: true, default: {secret: {env: ECSOPS_TEST_OUTPUT_TOKEN}}}
    resources:
      check:
        type: ecsops:Command
        properties:
          name: check
          type: RunShellScript
          content: echo {{token}}
          enableParameter: true
      nightly:
        type: ecsops:ScheduledInvocation
        properties:
          commandId: ${check.commandId}
          instanceIds: [i-demo-linux-1]
          frequency: rate(1h)
          parameters: {token: "${config.token}"}
    outputs:
      commandId: ${check.commandId}
      summary: "${check.name} of ${config.owner}"
      schedule: {task: "${nightly.invokeId}", runs: "${nightly.nextRuns}"}
      token: ${config.token}
      parameters: ${nightly.parameters}
    """)


@pytest.fixture
def stack(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("ECSOPS_TEST_OUTPUT_TOKEN", CANARY)
    path = tmp_path / "stack.yaml"
    path.write_text(STACK)
    return path


@pytest.fixture
def applied(stack, emulator) -> Path:
    done = ecsops("apply", "--yes", stack, "--endpoint", emulator.endpoint)
    assert done.code == 0, done.err
    return stack


def ids(stack: Path) -> tuple[str, str]:
    resources = StateStore(stack.parent, "web").load().resources
    return resources["check"].id, resources["nightly"].id


def test_apply_ends_with_the_outputs_secrets_masked(stack, emulator) -> None:
    done = ecsops("apply", "--yes", stack, "--endpoint", emulator.endpoint)
    assert done.code == 0, done.err
    command_id, _ = ids(stack)
    outputs = done.out.split("\nOutputs:\n", 1)[1].splitlines()
    assert outputs[:2] == [f"  commandId = {command_id}", "  summary = check of sre"]
    assert outputs[3:] == ["  token = (secret)", '  parameters = {"token": "(secret)"}']
    assert CANARY not in done.out + done.err


def test_output_prints_name_equals_value_lines_from_the_state_without_calling_the_cloud(applied, admin) -> None:
    command_id, invoke_id = ids(applied)
    mark = len(admin.requests())
    shown = ecsops("output", applied)
    assert shown.code == 0, shown.err
    lines = shown.out.splitlines()
    assert lines[:2] == [f"commandId = {command_id}", "summary = check of sre"]
    assert lines[2].startswith('schedule = {"task": "' + invoke_id + '", "runs": ')
    assert lines[3:] == ["token = (secret)", 'parameters = {"token": "(secret)"}']
    assert len(admin.requests()) == mark   # the state only


def test_output_json_is_one_object_of_every_output(applied) -> None:
    document = ecsops("output", "--json", applied).json()
    assert list(document) == ["commandId", "summary", "schedule", "token", "parameters"]
    assert document["schedule"]["task"] == ids(applied)[1] and len(document["schedule"]["runs"]) == 3
    assert document["token"] == "(secret)" and document["parameters"] == {"token": "(secret)"}


@pytest.mark.parametrize("argv, expected", [
    (["summary"], "check of sre\n"),
    (["summary", "--json"], '"check of sre"\n'),
    (["token"], "(secret)\n"),
], ids=["text as it is", "as JSON", "a secret masked"])
def test_output_name_prints_that_value_alone_for_scripts(applied, argv, expected) -> None:
    shown = ecsops("output", applied, *argv)
    assert (shown.code, shown.out) == (0, expected)


def test_show_secrets_reveals_what_is_read_from_where_it_lives_never_what_the_state_keeps_as_a_digest(
        applied) -> None:
    token = ecsops("output", applied, "token", "--show-secrets")
    assert (token.code, token.out) == (0, f"{CANARY}\n")
    everything = ecsops("output", applied, "--json", "--show-secrets")
    assert everything.json()["token"] == CANARY
    assert everything.json()["parameters"] == {"token": "(secret)"}   # the state holds its digest only
    assert "a secret the state keeps only as a digest cannot be shown" in everything.err
    state = (applied.parent / ".ecsops" / "web.state.json").read_text()
    assert CANARY not in state


def test_before_apply_outputs_are_known_after_apply_and_one_asked_for_is_an_error(stack) -> None:
    listed = ecsops("output", stack)
    assert listed.code == 0 and "commandId = (known after apply)" in listed.out.splitlines()
    assert ecsops("output", stack, "--json").json()["commandId"] is None
    refused = ecsops("output", stack, "commandId")
    assert refused.code == 1
    assert refused.err == ("error: output 'commandId' is not known yet: the state of stack web holds no 'check' "
                           "(apply the stack first)\n")


def test_an_output_the_stack_does_not_declare_is_an_error_listing_those_it_does(applied) -> None:
    refused = ecsops("output", applied, "commandid")
    assert refused.code == 1
    assert refused.err == ("error: the stack declares no output 'commandid' (outputs: commandId, summary, schedule, "
                           "token, parameters)\n")


def test_a_stack_without_outputs_says_so(tmp_path) -> None:
    path = tmp_path / "stack.yaml"
    path.write_text("name: bare\nregion: cn-hangzhou\nresources: {}\n")
    assert ecsops("output", path).out == "Stack bare declares no outputs.\n"
    assert ecsops("output", path, "--json").out == "{}\n"


def test_outputs_need_no_secret_they_do_not_show(applied, monkeypatch) -> None:
    """A pipeline reading the command's id need not have the token at hand; asking for the token then needs it."""
    monkeypatch.delenv("ECSOPS_TEST_OUTPUT_TOKEN")
    text = applied.read_text().replace("  token: ${config.token}\n", "")
    applied.write_text(text)
    assert ecsops("output", applied, "commandId").out == f"{ids(applied)[0]}\n"
    applied.write_text(STACK)
    refused = ecsops("output", applied, "token")
    assert refused.code == 1 and "the environment variable ECSOPS_TEST_OUTPUT_TOKEN is not set" in refused.err
