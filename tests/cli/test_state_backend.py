"""A stack's state belongs to the backend it was applied on. Every command refuses it on another backend,
naming both — plan and drift included: read against another cloud, every object would look deleted (a
nightly drift pointed at the wrong endpoint would report everything gone), and nothing is written."""

from __future__ import annotations

import pytest

from ecsops.emulator.server import EmulatorServer
from tests.support.cli import ecsops, write_stack
from tests.support.emulator import Admin

STACK = "  check: {type: ecsops:Command, properties: {name: check, type: RunShellScript, content: uptime}}\n"


@pytest.mark.parametrize("command", [["plan"], ["drift"], ["apply", "--yes"], ["destroy", "--yes"]],
                         ids=lambda argv: argv[0])
def test_a_state_is_refused_on_another_backend(tmp_path, emulator, command) -> None:
    stack = write_stack(tmp_path, STACK)
    assert ecsops("apply", "--yes", stack, "--endpoint", emulator.endpoint).code == 0
    with EmulatorServer(tmp_path / "other.db") as other:
        refused = ecsops(command[0], stack, *command[1:], "--endpoint", other.endpoint)
        assert refused.code == 1, refused.out
        [line] = [line for line in refused.err.splitlines() if line.startswith("error:")]
        assert f"belongs to endpoint:{emulator.endpoint}, not endpoint:{other.endpoint}" in line
        assert [entry for entry in Admin(other.endpoint).requests() if entry["kind"] == "write"] == []
    assert ecsops("plan", "--detailed-exitcode", stack, "--endpoint", emulator.endpoint).code == 0
