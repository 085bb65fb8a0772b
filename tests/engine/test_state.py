"""Stack state: atomic saves, a lock that names its holder, and readable failures."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from ecsops.engine.state import LockError, PendingCreate, ResourceState, StackState, StateError, StateStore


def test_a_stack_never_applied_has_an_empty_state(tmp_path) -> None:
    state = StateStore(tmp_path, "demo").load()
    assert (state.stack, state.resources, state.pending, state.deposed) == ("demo", {}, {}, [])


def test_state_round_trips_and_bumps_its_serial(tmp_path) -> None:
    store = StateStore(tmp_path, "demo")
    state = StackState("demo", backend="endpoint:x", resources={"a": ResourceState("t", "id-1", {"k": 1}, {"o": 2})},
                       pending={"b": PendingCreate("t", "tok", {"k": 2}, "2026-01-01T00:00:00Z")})
    store.save(state)
    store.save(state)
    loaded = store.load()
    assert loaded == state and loaded.serial == 2
    assert [p.name for p in (tmp_path / ".ecsops").iterdir()] == ["demo.state.json"]


def test_a_state_of_another_version_is_refused(tmp_path) -> None:
    store = StateStore(tmp_path, "demo")
    store.save(StackState("demo"))
    document = json.loads(store.path.read_text())
    store.path.write_text(json.dumps({**document, "version": 99}))
    with pytest.raises(StateError, match="version 99 is not supported"):
        store.load()


def test_a_torn_state_file_is_a_clear_error(tmp_path) -> None:
    store = StateStore(tmp_path, "demo")
    store.directory.mkdir()
    store.path.write_text('{"version": 1, "stack"')
    with pytest.raises(StateError, match="not readable"):
        store.load()


HOLD_LOCK = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from ecsops.engine.state import StateStore
    with StateStore(Path(sys.argv[1]), "demo").lock("apply"):
        print("held", flush=True)
        time.sleep(30)
""")


def test_a_second_holder_fails_at_once_naming_the_first(tmp_path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(LockError) as raised:
            with StateStore(tmp_path, "demo").lock("apply"):
                pass
        message = str(raised.value)
        assert f"pid {holder.pid}" in message and "`ecsops apply`" in message and "locked" in message
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    with StateStore(tmp_path, "demo").lock("apply"):  # the kernel released the dead holder's lock
        pass


# -- the journal: a step's write is the size of the step -----------------------------------------------


def journaled(tmp_path, changes: int = 40, workers: int = 8) -> tuple[StateStore, StackState]:
    """A snapshot, then `changes` steps by `workers` threads through a GroupSaver, never snapshotted again
    (as if the process died right after its last step)."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from ecsops.engine.state import Deposed, GroupSaver

    store = StateStore(tmp_path, "demo")
    state = StackState(stack="demo", backend="emulator")
    state.set_resource("kept", ResourceState("t", "id-kept", {"a": 1}, {}))
    lock = threading.Lock()
    saver = GroupSaver(store, state, lock)
    saver.snapshot()

    def step(index: int) -> None:
        name = f"r{index}"
        with lock:
            state.set_pending(name, PendingCreate("t", f"token-{index}", {"n": index}, "now"))
            change = saver.changed()
        saver.flush(change)
        with lock:
            state.drop_pending(name)
            if index % 5 == 0:
                state.add_deposed(Deposed(name, "t", f"old-{index}", {}))
            else:
                state.set_resource(name, ResourceState("t", f"id-{index}", {"n": index}, {"out": index}))
            change = saver.changed()
        saver.flush(change)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(step, range(changes)))
    return store, state


def test_steps_are_journaled_and_a_load_replays_them_over_the_snapshot(tmp_path) -> None:
    store, state = journaled(tmp_path)
    lines = store.journal_path.read_text().splitlines()
    assert 0 < len(lines) <= 80  # one line per group of steps written at once
    loaded = store.load()
    assert loaded.resources == state.resources and loaded.pending == {} and loaded.pending == state.pending
    assert sorted(d.id for d in loaded.deposed) == sorted(d.id for d in state.deposed)
    assert loaded.serial == state.serial


def test_a_line_torn_by_a_crash_is_a_step_that_never_happened(tmp_path) -> None:
    store, state = journaled(tmp_path, changes=3, workers=1)
    with open(store.journal_path, "a") as journal:
        journal.write('{"serial": 999, "resources": {"kept": nu')
    assert store.load().resources == state.resources


def test_a_damaged_line_before_the_last_is_a_clear_error(tmp_path) -> None:
    store, _ = journaled(tmp_path, changes=3, workers=1)
    lines = store.journal_path.read_text().splitlines()
    store.journal_path.write_text("\n".join([lines[0], "{garbage", *lines[1:]]) + "\n")
    with pytest.raises(StateError, match=r"journal .* line 2 is not readable"):
        store.load()


def test_a_snapshot_empties_the_journal_and_a_left_over_journal_is_not_replayed_twice(tmp_path) -> None:
    store, state = journaled(tmp_path, changes=5, workers=2)
    left_over = store.journal_path.read_text()
    store.save(state)
    assert not store.journal_path.exists()
    store.journal_path.write_text(left_over)  # a crash between the snapshot's rename and the journal's removal
    loaded = store.load()
    assert loaded.resources == state.resources and loaded.serial == state.serial
