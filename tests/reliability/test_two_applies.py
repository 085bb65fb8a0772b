"""Two `ecsops apply` processes on one stack: the second fails at once, naming the process that holds the
lock, and writes nothing (no object is made twice); the first finishes undisturbed."""

from __future__ import annotations

import time
from collections import Counter

from ecsops.engine.state import StateStore
from tests.support.cli import ecsops, ecsops_process, write_stack
from tests.support.inventory import mismatches, sdk_cloud

STACK = "".join(
    f"  c{n}: {{type: ecsops:Command, properties: {{name: c{n}, type: RunShellScript, content: 'echo {n}'}}}}\n"
    for n in range(12))


def test_a_second_apply_while_one_runs_fails_fast_naming_the_holder(tmp_path, emulator, admin) -> None:
    stack = write_stack(tmp_path, STACK)
    admin.faults(latencyMs=300)  # the first apply takes a few seconds
    first = ecsops_process("apply", "--yes", "--parallelism", "2", stack, "--endpoint", emulator.endpoint)
    try:
        deadline = time.monotonic() + 30
        while not admin.requests(kind="write"):
            assert time.monotonic() < deadline and first.poll() is None, "the first apply never wrote"
            time.sleep(0.02)
        started = time.monotonic()
        second = ecsops_process("apply", "--yes", stack, "--endpoint", emulator.endpoint)
        _, err = second.communicate(timeout=30)
        waited = time.monotonic() - started
        assert second.returncode == 1
        assert f"stack 'demo' is locked by pid {first.pid} on " in err and "(`ecsops apply`, since " in err
        assert first.poll() is None, "the first apply was not running any more: the test proves nothing"
        assert waited < 5, f"the second apply took {waited:.1f} s to give up"
        out, err = first.communicate(timeout=60)
    finally:
        if first.poll() is None:
            first.kill()
            first.communicate()
    assert first.returncode == 0, err
    admin.clear_faults()
    assert ecsops("plan", "--detailed-exitcode", stack, "--endpoint", emulator.endpoint).code == 0
    state = StateStore(tmp_path, "demo").load()
    assert len(state.resources) == 12
    assert mismatches(sdk_cloud(emulator.endpoint), state, Counter({"ecsops:Command": 12})) == {}
