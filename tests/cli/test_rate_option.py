"""The client-side rate limit a user sets: `--rate R`, else $ECSOPS_RATE, else the default; 0 lifts it, and
a value that is not a rate is refused before anything is read or written."""

from __future__ import annotations

import pytest

from ecsops.cli import stack as stack_commands
from ecsops.cli.arguments import parser
from ecsops.cloud.ratelimit import DEFAULT_RATE
from tests.support.cli import ecsops, write_stack

STACK = "  check: {type: ecsops:Command, properties: {name: check, type: RunShellScript, content: uptime}}\n"


@pytest.mark.parametrize(("option", "environment", "expected"), [
    pytest.param([], None, DEFAULT_RATE, id="default"),
    pytest.param([], "12.5", 12.5, id="environment"),
    pytest.param(["--rate", "7"], "12.5", 7.0, id="option-over-environment"),
    pytest.param(["--rate", "0"], "12.5", None, id="option-zero-lifts-the-limit"),
    pytest.param([], "0", None, id="environment-zero-lifts-the-limit"),
])
def test_the_limit_reaches_the_client(tmp_path, emulator, monkeypatch, option, environment, expected) -> None:
    if environment is None:
        monkeypatch.delenv("ECSOPS_RATE", raising=False)
    else:
        monkeypatch.setenv("ECSOPS_RATE", environment)
    stack = write_stack(tmp_path, STACK)
    arguments = parser().parse_args(["apply", str(stack), "--endpoint", emulator.endpoint, *option])
    assert stack_commands.workspace(arguments).cloud.limiter.rate == expected


@pytest.mark.parametrize("bad", ["fast", "-1", "inf", "nan"])
def test_a_bad_option_is_refused_by_the_parser(tmp_path, emulator, admin, bad) -> None:
    stack = write_stack(tmp_path, STACK)
    before = len(admin.requests())
    result = ecsops("apply", "--yes", stack, "--endpoint", emulator.endpoint, f"--rate={bad}")
    assert result.code == 2 and "--rate" in result.err and "is not a rate" in result.err
    assert len(admin.requests()) == before


def test_a_bad_environment_value_is_an_error_naming_it(tmp_path, emulator, admin, monkeypatch) -> None:
    monkeypatch.setenv("ECSOPS_RATE", "lots")
    stack = write_stack(tmp_path, STACK)
    before = len(admin.requests())
    result = ecsops("apply", "--yes", stack, "--endpoint", emulator.endpoint)
    assert result.code == 1 and "ECSOPS_RATE='lots' is not a rate" in result.err
    assert len(admin.requests()) == before
