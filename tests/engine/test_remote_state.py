"""RemoteStateStore over a small object-store fake: the layout, replay order, and the cases the emulator cannot
stage on demand — a create-only put retried after its answer was lost, and objects pruned while being read.
(The real SDK path against the emulator's OSS is tested in tests/cli/test_remote_state.py.)"""

from __future__ import annotations

import pytest

from ecsops.cloud.objects import ObjectExists
from ecsops.engine.remote_state import RemoteStateError, RemoteStateStore
from ecsops.engine.state import LockError, ResourceState, StackState


class Objects:
    """A bucket in a dict, with OSS's create-only semantics."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    def put(self, key: str, data: bytes, *, create_only: bool = False) -> None:
        if create_only and key in self.data:
            raise ObjectExists(f"{key} already exists", "FileAlreadyExists")
        self.data[key] = data

    def get(self, key: str) -> bytes | None:
        return self.data.get(key)

    def delete(self, key: str) -> None:
        self.data.pop(key, None)

    def keys(self, prefix: str) -> list[str]:
        return sorted(key for key in self.data if key.startswith(prefix))

    def describe(self, key: str = "") -> str:
        return f"oss://fake/{key}"


class AnswerLost(Objects):
    """Every create-only put is made, then answered as if retried after a lost answer (FileAlreadyExists)."""

    def put(self, key: str, data: bytes, *, create_only: bool = False) -> None:
        super().put(key, data, create_only=create_only)
        if create_only:
            raise ObjectExists(f"{key} already exists", "FileAlreadyExists")


def entry(id_: str) -> ResourceState:
    return ResourceState("ecsops:Command", id_, {"name": id_}, {})


def journalled(objects: Objects) -> RemoteStateStore:
    """A store whose state is a snapshot plus two journal records (an apply in progress)."""
    store = RemoteStateStore(objects, "p/", "demo")
    state = store.load()
    store.save(state)
    for id_ in ("c-1", "c-2"):
        state.set_resource(id_, entry(id_))
        store.append(state.journal_record())
    return store


def test_load_replays_the_journal_over_the_newest_snapshot_in_order() -> None:
    objects = Objects()
    journalled(objects)
    assert sorted(objects.data) == ["p/demo/000000000001.json", "p/demo/000000000002.json",
                                    "p/demo/000000000003.json"]
    state = RemoteStateStore(objects, "p/", "demo").load()
    assert (sorted(state.resources), state.serial) == (["c-1", "c-2"], 3)


def test_a_snapshot_supersedes_the_journal_and_older_versions_are_pruned() -> None:
    objects = Objects()
    store = journalled(objects)
    state = store.load()
    for _ in range(3):
        store.save(state)
    assert sorted(objects.data) == ["p/demo/000000000006.json"]
    assert sorted(store.load().resources) == ["c-1", "c-2"]


def test_a_journal_record_and_a_snapshot_cannot_both_claim_a_version() -> None:
    """A run whose lock was broken while it still ran (state unlock of a slow, not dead, holder) and the run
    that took the lock both read version 1: whichever writes version 2 first wins, the other is refused —
    the slow run's create intent is never silently superseded by the other's snapshot."""
    objects = Objects()
    first = RemoteStateStore(objects, "p/", "demo")
    first.save(first.load())
    slow, taker = first.load(), RemoteStateStore(objects, "p/", "demo").load()
    slow.set_resource("c-1", entry("c-1"))
    first.append(slow.journal_record())  # version 2: the slow run's intent
    with pytest.raises(RemoteStateError, match=r"000000000002\.json was written by another run"):
        RemoteStateStore(objects, "p/", "demo").save(taker)
    assert sorted(RemoteStateStore(objects, "p/", "demo").load().resources) == ["c-1"]


def test_a_put_retried_after_its_answer_was_lost_is_not_a_conflict() -> None:
    objects = AnswerLost()
    store = RemoteStateStore(objects, "p/", "demo")
    state = store.load()
    store.save(state)
    state.set_resource("c-1", entry("c-1"))
    store.append(state.journal_record())
    with store.lock("apply"):
        assert "p/demo/lock.json" in objects.data
    assert RemoteStateStore(Objects(), "p/", "demo").load().resources == {}
    assert sorted(RemoteStateStore(objects, "p/", "demo").load().resources) == ["c-1"]


def test_another_writers_version_is_a_conflict_naming_the_object() -> None:
    objects = Objects()
    first, second = RemoteStateStore(objects, "p/", "demo"), RemoteStateStore(objects, "p/", "demo")
    mine, theirs = first.load(), second.load()
    second.save(theirs)
    with pytest.raises(RemoteStateError, match=r"oss://fake/p/demo/000000000001\.json was written by another"):
        first.save(mine)


def test_a_lock_of_another_run_is_not_taken_for_ours() -> None:
    objects = Objects()
    with RemoteStateStore(objects, "p/", "demo").lock("apply"):
        with pytest.raises(LockError, match="`ecsops apply`"):
            with RemoteStateStore(objects, "p/", "demo").lock("apply"):
                pass


def test_a_journal_pruned_while_being_read_is_read_again_from_the_newer_snapshot() -> None:
    objects = Objects()
    journalled(objects)

    class Pruning(Objects):
        """Serves `objects`; the first read finds its version pruned by a snapshot made meanwhile."""

        def __init__(self) -> None:
            self.data = objects.data
            self.pruned = False

        def get(self, key: str) -> bytes | None:
            if not key.endswith("lock.json") and not self.pruned:
                self.pruned = True
                elsewhere = RemoteStateStore(objects, "p/", "demo")
                elsewhere.save(elsewhere.load())  # another run's snapshot prunes the journal
                return None
            return super().get(key)

    reading = Pruning()
    state = RemoteStateStore(reading, "p/", "demo").load()
    assert reading.pruned and sorted(state.resources) == ["c-1", "c-2"] and state.serial == 4


def test_a_state_of_another_stack_is_refused() -> None:
    objects = Objects()
    other = RemoteStateStore(objects, "p/", "demo")
    state = StackState(stack="other")
    other.save(state)
    with pytest.raises(RemoteStateError, match="is not a version of the state of stack 'demo'"):
        RemoteStateStore(objects, "p/", "demo").load()
