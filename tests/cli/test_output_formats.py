"""`--format text|json|markdown` on plan, drift and show, `--json` its alias; under JSON stdout always parses —
a failure too is JSON there, `{"errors": [...]}` (stderr keeps its `error:` lines), with the usual exit codes."""

from __future__ import annotations

import json

import pytest

from tests.support.cli import ecsops, write_stack

GOOD = "  check: {type: ecsops:Command, properties: {name: check, type: RunShellScript, content: uptime}}\n"
BAD = ("  zero: {type: ecsops:Command, properties: {name: zero, type: RunShellScript, content: uptime, timeout: 0}}\n"
       "  dangling: {type: ecsops:Command, properties: {name: '${nowhere.commandId}', type: RunShellScript, "
       "content: uptime}}\n")
KEYS = {"severity", "resource", "type", "field", "message"}


@pytest.mark.parametrize(("command", "named"), [
    pytest.param("plan", {"zero", "dangling"}, id="plan"),
    pytest.param("drift", {"dangling"}, id="drift"),  # drift checks the stack's shape, not each value
])
@pytest.mark.parametrize("as_json", [pytest.param(("--json",), id="json-flag"),
                                     pytest.param(("--format", "json"), id="format-json")])
def test_a_bad_stack_under_json_is_json_errors_on_stdout(cli, tmp_path, command, named, as_json) -> None:
    failed = cli(command, write_stack(tmp_path, BAD), *as_json)
    assert failed.code == 1
    errors = failed.json()["errors"]
    assert all(KEYS <= set(error) and error["severity"] == "error" for error in errors)
    assert {error["resource"] for error in errors} == named
    by_resource = {error["resource"]: error for error in errors}
    assert "nowhere" in by_resource["dangling"]["message"] and by_resource["dangling"]["type"] == "ecsops:Command"
    if "zero" in named:
        assert by_resource["zero"]["field"] == "timeout"
        assert by_resource["zero"]["message"] == "input should be greater than or equal to 1"
    assert len([line for line in failed.err.splitlines() if line.startswith("error: ")]) == len(errors)


@pytest.mark.parametrize(("argv", "fragment"), [
    pytest.param(("plan", "MISSING"), "cannot read", id="missing-stack"),
    pytest.param(("show", "NOT_A_PLAN"), "is not a plan file", id="not-a-plan-file"),
])
def test_any_failure_under_json_is_json_on_stdout(cli, tmp_path, argv, fragment) -> None:
    (tmp_path / "not-a.plan").write_text("{broken")
    paths = {"MISSING": tmp_path / "missing.yaml", "NOT_A_PLAN": tmp_path / "not-a.plan"}
    run = cli if argv[0] == "plan" else ecsops  # show reads a file: no endpoint to give
    failed = run(*[paths.get(word, word) for word in argv], "--json")
    assert failed.code == 1
    [error] = failed.json()["errors"]
    assert KEYS <= set(error) and fragment in error["message"] and error["message"] in failed.err


def test_text_and_markdown_failures_leave_stdout_to_the_output(cli, tmp_path) -> None:
    for output in ("text", "markdown"):
        failed = cli("plan", write_stack(tmp_path, BAD), "--format", output)
        assert failed.code == 1 and failed.out == "" and 'resource "zero"' in failed.err


def test_json_is_an_alias_of_format_json_and_the_two_do_not_mix(cli, tmp_path) -> None:
    stack = write_stack(tmp_path, GOOD)
    alias, named = cli("plan", stack, "--json"), cli("plan", stack, "--format", "json")
    assert alias.code == named.code == 0 and json.loads(alias.out) == json.loads(named.out)
    assert cli("plan", stack, "--format", "text").out.startswith("Stack demo on ")
    mixed = cli("plan", stack, "--json", "--format", "markdown")
    assert mixed.code == 2 and "not allowed with argument --json" in mixed.err
