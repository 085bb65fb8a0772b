"""An apply killed with SIGKILL while creating, then run again, leaves exactly one object per resource."""

from __future__ import annotations

import signal
import textwrap
import time

from ecsops.engine.state import StateStore
from tests.support.cli import ecsops, running, write_stack
from tests.support.emulator import REGION, models

THREE = textwrap.indent(textwrap.dedent("""\
    one: {type: ecsops:Command, properties: {name: one, type: RunShellScript, content: "echo 1"}}
    two: {type: ecsops:Command, properties: {name: two, type: RunShellScript, content: "echo 2"}}
    three: {type: ecsops:Command, properties: {name: three, type: RunShellScript, content: "echo 3"}}
"""), "  ")


def wait_for(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def names(ecs) -> list[str]:
    answer = ecs.describe_commands(models.DescribeCommandsRequest(region_id=REGION, max_results=50)).body
    return sorted(command.name for command in answer.commands.command)


def test_killed_after_the_cloud_committed_a_create_the_next_apply_adopts_it(tmp_path, emulator, admin, ecs) -> None:
    stack = write_stack(tmp_path, THREE)
    # Replies to creates come late: the process dies after the cloud made them, before it heard so.
    admin.faults(replyDelayMs=5_000, actions=["CreateCommand"])
    with running("apply", "--yes", stack, "--endpoint", emulator.endpoint) as process:
        wait_for(lambda: any(e["action"] == "CreateCommand" for e in admin.writes()))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    made = names(ecs)
    assert made, "the kill came before any create was committed"
    pending = StateStore(tmp_path, "demo").load().pending
    assert set(made) <= set(pending)  # every create's intent was on disk before its call
    admin.clear_faults()
    rerun = ecsops("apply", "--yes", stack, "--endpoint", emulator.endpoint)
    assert rerun.code == 0, rerun.err
    assert names(ecs) == ["one", "three", "two"]
    state = StateStore(tmp_path, "demo").load()
    assert state.pending == {} and sorted(state.resources) == ["one", "three", "two"]
    assert ecsops("plan", "--detailed-exitcode", stack, "--endpoint", emulator.endpoint).code == 0


def test_killed_as_the_create_was_about_to_leave_it_happens_once(tmp_path, emulator, admin, ecs) -> None:
    stack = write_stack(tmp_path, THREE)
    with running("apply", "--yes", stack, "--endpoint", emulator.endpoint) as process:
        wait_for(lambda: StateStore(tmp_path, "demo").load().pending != {}, timeout=30)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    # Whether or not the request left before the kill, the next apply replays it with the same token.
    rerun = ecsops("apply", "--yes", stack, "--endpoint", emulator.endpoint)
    assert rerun.code == 0, rerun.err
    assert names(ecs) == ["one", "three", "two"]
    assert ecsops("plan", "--detailed-exitcode", stack, "--endpoint", emulator.endpoint).code == 0
