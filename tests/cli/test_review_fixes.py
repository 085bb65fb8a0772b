"""Edge cases found in review of the GitOps loop: a comment that stays within GitHub's limit even when its table
alone would not, texts differing only in line ends, false and 0 shown for new objects, and errors that keep
`--json` stdout parseable — plus inputs that once reached an internal error."""

from __future__ import annotations

import json

import pytest

import ecsops.resources  # noqa: F401  (registers the kinds whose defaults are read)
from ecsops.cli.changes import looks_alike, shown_on_create
from ecsops.cli.markdown import LIMIT, plan_markdown
from ecsops.cli.progress import DEFAULT_INTERVAL_S, MAX_INTERVAL_S, interval_from_environment
from tests.support.cli import ecsops, write_stack


def plan_of(count: int, name_length: int) -> dict:
    resources = [{"name": f"r{index:05d}".ljust(name_length, "x"), "type": "ecsops:Command", "id": None,
                  "action": "create", "reason": None, "changes": [], "preview": {}} for index in range(count)]
    return {"stack": "big", "backend": {"kind": "emulator", "embedded": True, "region": "cn-hangzhou"},
            "changes": True, "summary": {"create": count, "update": 0, "replace": 0, "delete": 0, "no-op": 0},
            "resources": resources, "warnings": []}


def test_a_table_longer_than_a_comment_is_cut_saying_how_many_rows_are_left_out() -> None:
    markdown = plan_markdown(plan_of(2_000, 120))
    assert len(markdown) <= LIMIT
    assert markdown.splitlines()[2].startswith("**Plan:** 2000 to create")  # the summary is whole
    assert "more resources not listed: the comment limit is 65,536 characters" in markdown


@pytest.mark.parametrize(("old", "new", "alike"), [
    pytest.param("one\ntwo", "one\ntwo\n", True, id="trailing-newline"),
    pytest.param("one\ntwo", "one\r\ntwo", True, id="crlf"),
    pytest.param("one \ntwo", "one\ntwo", True, id="trailing-space"),
    pytest.param("one\ntwo", "one\nthree", False, id="a-real-line-change"),
    pytest.param("same", "same", False, id="equal"),
])
def test_texts_that_would_look_equal_as_blocks_are_told_apart(old, new, alike) -> None:
    assert looks_alike(old, new) is alike


@pytest.mark.parametrize(("field", "value", "shown"), [
    pytest.param("enabled", False, True, id="false-not-the-default-is-shown"),
    pytest.param("silenceTime", 0, True, id="zero-not-the-default-is-shown"),
    pytest.param("enabled", True, True, id="true-is-shown"),
    pytest.param("description", "", False, id="empty-text-is-not"),
    pytest.param("targets", {}, False, id="empty-map-is-not"),
])
def test_a_new_objects_false_and_zero_are_shown_unless_they_are_the_default(field, value, shown) -> None:
    assert shown_on_create("ecsops:EventAlertRule", field, value) is shown
    assert shown_on_create("ecsops:Command", "enableParameter", False) is False  # the default: no line


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("inf", DEFAULT_INTERVAL_S, id="infinite"), pytest.param("nan", DEFAULT_INTERVAL_S, id="nan"),
    pytest.param("1e10", MAX_INTERVAL_S, id="capped"), pytest.param("2", 2.0, id="given"),
])
def test_the_still_running_interval_is_a_finite_number(monkeypatch, text, expected) -> None:
    monkeypatch.setenv("ECSOPS_PROGRESS_INTERVAL", text)
    assert interval_from_environment() == expected


@pytest.mark.parametrize(("stack", "environment", "fragment"), [
    pytest.param("config: {x: {type: [list]}}\n", None, "type must be one of", id="config-type-not-text"),
    pytest.param("config: {token: {type: string, secret: true}}\n", 'config:\n  token: {secret: {file: "a\\0b"}}\n',
                 "not a file name (it holds a NUL character)", id="secret-file-name-with-nul"),
])
def test_odd_inputs_are_errors_and_json_stdout_parses(tmp_path, emulator, stack, environment, fragment) -> None:
    path = write_stack(tmp_path, "")
    path.write_text(path.read_text().replace("resources:\n", stack + "resources: {}\n"))
    argv = []
    if environment is not None:
        (tmp_path / "stack.prod.yaml").write_text(environment)
        argv = ["--env", "prod"]
    refused = ecsops("plan", "--json", path, "--endpoint", emulator.endpoint, *argv)
    assert refused.code == 1 and "internal error" not in refused.err
    assert json.loads(refused.out)["errors"] and fragment in refused.err


def test_a_bug_under_json_still_writes_json(tmp_path, emulator, monkeypatch) -> None:
    from ecsops.engine import workspace

    def broken(self):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(workspace.Workspace, "plan_to_save", broken)
    failed = ecsops("plan", "--json", write_stack(tmp_path, ""), "--endpoint", emulator.endpoint)
    assert failed.code == 1 and "internal error (ZeroDivisionError: a bug)" in failed.err
    [error] = json.loads(failed.out)["errors"]
    assert "internal error (ZeroDivisionError: a bug)" in error["message"]
