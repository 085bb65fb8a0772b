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
