"""The pure rules behind invocations: run, instance and task statuses (the guide's priority table), their
legacy spellings, placeholder rendering and the simulated execution of a script. No server needed."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from ecsops.emulator.ecs.execution import render, simulate, truncate
from ecsops.emulator.ecs.invocation_status import (
    instance_status,
    legacy_instance_status,
    legacy_task_status,
    run_status,
    task_status,
)

T0 = datetime(2026, 11, 21, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        pytest.param(-1, "Pending", id="before-start"),
        pytest.param(0, "Running", id="at-start"),
        pytest.param(29, "Running", id="before-finish"),
        pytest.param(30, "Failed", id="at-finish"),
    ],
)
def test_a_run_is_running_between_start_and_finish_then_its_outcome(offset, expected) -> None:
    assert run_status(T0 + timedelta(seconds=offset), T0, T0 + timedelta(seconds=30), "Failed") == expected


@pytest.mark.parametrize(
    ("stopped", "latest_run", "has_future", "expected"),
    [
        pytest.param(True, "Running", True, "Stopped", id="stopped-wins"),
        pytest.param(False, "Running", True, "Running", id="run-in-progress"),
        pytest.param(False, "Success", True, "Scheduled", id="between-scheduled-runs"),
        pytest.param(False, None, True, "Scheduled", id="before-the-first-scheduled-run"),
        pytest.param(False, "Timeout", False, "Timeout", id="ended-with-the-latest-run"),
        pytest.param(False, None, False, "Pending", id="nothing-yet"),
    ],
)
def test_instance_status(stopped, latest_run, has_future, expected) -> None:
    assert instance_status(stopped=stopped, latest_run=latest_run, has_future=has_future) == expected


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        pytest.param(["Running", "Stopping", "Failed"], "Running", id="any-running"),
        pytest.param(["Stopping", "Stopped", "Success"], "Stopping", id="any-stopping"),
        pytest.param(["Stopped", "Stopped"], "Stopped", id="all-stopped"),
        pytest.param(["Scheduled", "Stopped", "Failed"], "Scheduled", id="any-scheduled"),
        pytest.param(["Pending", "Success"], "Pending", id="any-pending"),
        pytest.param(["Failed", "Timeout"], "Failed", id="only-failures"),
        pytest.param(["Failed", "Stopped"], "Failed", id="failures-and-stopped"),
        pytest.param(["Success", "Success"], "Success", id="only-successes"),
        pytest.param(["Success", "Stopped"], "Success", id="successes-and-stopped"),
        pytest.param(["Success", "Timeout", "Stopped"], "PartialFailed", id="failures-and-successes"),
    ],
)
def test_task_status_follows_the_priority_table(statuses, expected) -> None:
    assert task_status(statuses) == expected


@pytest.mark.parametrize(
    ("status", "task", "instance"),
    [
        pytest.param("Success", "Finished", "Finished", id="success"),
        pytest.param("Scheduled", "Running", "Running", id="scheduled"),
        pytest.param("Timeout", "Timeout", "Failed", id="timeout"),
        pytest.param("PartialFailed", "PartialFailed", "PartialFailed", id="partial-failed"),
        pytest.param("Stopped", "Stopped", "Stopped", id="stopped"),
    ],
)
def test_legacy_spellings(status, task, instance) -> None:
    assert (legacy_task_status(status), legacy_instance_status(status)) == (task, instance)


def test_render_fills_parameters_case_insensitively_and_keeps_parameter_store_references() -> None:
    content = "{{ Name }} {{name}} {{ACS::InstanceId}} {{oos:x}} {{oos-secret:y}} {{unknown}}"
    assert render(content, {"name": "Jack"}, {"ACS::InstanceId": "i-1"}) == (
        "Jack Jack i-1 {{oos:x}} {{oos-secret:y}} {{unknown}}")


@pytest.mark.parametrize(
    ("script", "timeout", "output", "exit_code", "duration", "timed_out"),
    [
        pytest.param("echo hi", 60, "hi\n", 0, 1.0, False, id="minimum-one-second"),
        pytest.param("echo \"a b\"\necho 'c'\necho \"d'", 60, "a b\nc\n\"d'\n", 0, 1.0, False,
                     id="one-level-of-matching-quotes"),
        pytest.param("sleep 5\nsleep 2.5", 60, "", 0, 7.5, False, id="sleeps-add-up"),
        pytest.param("echo x\nexit 7\necho never", 60, "x\n", 7, 1.0, False, id="exit-ends"),
        pytest.param("exit /b 2", 60, "", 2, 1.0, False, id="batch-exit"),
        pytest.param("echo a\nsleep 11\necho b", 10, "a\n", -1, 10.0, True, id="cut-off-at-the-timeout"),
        pytest.param("ls -l\nsleep soon", 60, "", 0, 1.0, False, id="other-lines-do-nothing"),
    ],
)
def test_simulate(script, timeout, output, exit_code, duration, timed_out) -> None:
    result = simulate(script, timeout)
    assert (result.output, result.exit_code, result.duration, result.timed_out) == (
        output, exit_code, duration, timed_out)


@pytest.mark.parametrize(
    ("text", "limit", "kept", "dropped"),
    [
        pytest.param("abc", 3, "abc", 0, id="fits"),
        pytest.param("abcdef", 4, "abcd", 2, id="cut"),
        pytest.param("aé", 2, "a", 2, id="never-splits-a-character"),
    ],
)
def test_truncate(text, limit, kept, dropped) -> None:
    assert truncate(text, limit) == (kept, dropped)
