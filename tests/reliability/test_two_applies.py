"""Two `ecsops apply` processes on one stack: the second fails at once, naming the process that holds the
lock, and writes nothing (no object is made twice); the first finishes undisturbed.

The first apply is held inside its run by the emulator (`holdWrites`: its first write waits until the test
releases it), so the second one meets the lock for certain, however fast or loaded the machine is."""

from __future__ import annotations

from collections import Counter

from ecsops.engine.state import StateStore
from tests.support.cli import ecsops, running, wait_until, write_stack
from tests.support.inventory import mismatches, sdk_cloud

STACK = "".join(
    f"  c{n}: {{type: ecsops:Command, properties: {{name: c{n}, type: RunShellScript, content: 'echo {n}'}}}}\n"
    for n in range(12))


def test_a_second_apply_while_one_runs_fails_fast_naming_the_holder(tmp_path, emulator, admin) -> None:
    stack = write_stack(tmp_path, STACK)
    admin.faults(holdWrites=True)
    with running("apply", "--yes", "--parallelism", "2", stack, "--endpoint", emulator.endpoint) as first:
        wait_until(lambda: admin.holding() > 0 or first.poll() is not None, "the first apply's write was held")
        assert first.poll() is None, first.communicate()
        with running("apply", "--yes", stack, "--endpoint", emulator.endpoint) as second:
            _, err = second.communicate(timeout=60)
        assert second.returncode == 1, err
        assert "stack 'demo' is locked by " in err and f"(pid {first.pid}, `ecsops apply`, since " in err
        # The first apply was still held in the middle of its run: the second gave up without waiting for it.
        assert admin.holding() > 0 and first.poll() is None
        assert admin.writes() == [], "a held write was carried out, or the second apply wrote"
        admin.clear_faults()
        out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert ecsops("plan", "--detailed-exitcode", stack, "--endpoint", emulator.endpoint).code == 0
    state = StateStore(tmp_path, "demo").load()
    assert len(state.resources) == 12
    assert mismatches(sdk_cloud(emulator.endpoint), state, Counter({"ecsops:Command": 12})) == {}
