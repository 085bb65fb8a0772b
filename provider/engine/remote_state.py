"""Stack state in an object store (OSS), shared by every runner: versions, a journal and a lock as objects.

Layout under `PREFIX<stack>/`:

- `<serial>.json` — one object per version of the state (serial zero-padded, so keys sort by version): either
  a snapshot (`"kind": "snapshot"`, the whole state) or a journal record (`"kind": "journal"`, what one group
  of steps changed). Snapshots and journal records share one sequence of versions and one key per version;
- `lock.json` — the lock: who holds it (id, user, host, pid, command, time, CI job).

Every object is written create-only (`x-oss-forbid-overwrite`): exactly one writer can claim a version, so a
write extends only the version it read — no lost update, even without the lock (a writer whose lock was broken
while it still ran fails at its next write instead of erasing the other's) — and the lock is a real mutual
exclusion across machines. Guarantees, as for local state (engine.state):

- loading reads back from the newest version to the newest snapshot and replays the journal records after it,
  in order;
- apply journals each group of changes as one object before the calls they guard are sent (GroupSaver: the
  steps in flight together share one write, so N concurrent creates cost one PUT, not N). The intents of
  creates (their ClientTokens) are thus durable in the bucket, not on the runner: a runner killed mid-apply,
  its disk lost, is finished by the next apply anywhere, with no duplicate;
- a snapshot ends each apply; every older version is removed afterwards (best effort: leftovers are ignored
  by loading and removed by the next snapshot);
- a lock left by a dead runner is broken only on purpose (`ecsops state unlock STACK LOCK_ID`), never by age.
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, Iterator, Protocol

from ecsops.cloud.objects import ObjectExists, ObjectStoreError
from ecsops.engine.state import (LockError, StackState, StateError, holder_text, lock_holder)

#: How long a journal write may wait for the other steps in flight to join it (engine.state.GroupSaver).
LINGER_S = 0.25
VERSION = re.compile(r"(\d{12})\.json\Z")
SNAPSHOT, JOURNAL = "snapshot", "journal"


class Objects(Protocol):
    """What remote state needs of an object store (ecsops.cloud.objects.OssObjects)."""

    def put(self, key: str, data: bytes, *, create_only: bool = False) -> None: ...
    def get(self, key: str) -> bytes | None: ...
    def delete(self, key: str) -> None: ...
    def keys(self, prefix: str) -> list[str]: ...
    def describe(self, key: str = "") -> str: ...


class RemoteStateError(StateError):
    """The remote state could not be read or written; the message names the object and the cause."""


class _Vanished(Exception):
    """An object listed a moment ago is gone (pruned by a newer snapshot): read again."""


ATTEMPTS = 3
PRUNE_WORKERS = 8


class RemoteStateStore:
    """The state of one stack under `prefix` in `objects`: the same load / save / append / lock as the
    local StateStore, so apply, plan and the state commands use either alike."""

    def __init__(self, objects: Objects, prefix: str, stack: str, *,
                 unlock_command: str = "ecsops state unlock STACK LOCK_ID"):
        self.objects = objects
        self.unlock_command = unlock_command  # printed to a blocked run, LOCK_ID replaced by the holder's id
        self.stack = stack
        self.folder = f"{prefix}{stack}/"
        self.lock_key = f"{self.folder}lock.json"
        self.path = objects.describe(self.folder)
        self.linger_s = LINGER_S

    def describe(self) -> str:
        return self.path

    def load(self) -> StackState:
        """The newest snapshot with the journal after it, or an empty state for a stack never applied. An
        apply elsewhere may remove what it superseded while this reads: then the read starts over (a newer
        snapshot holds what vanished)."""
        for _ in range(ATTEMPTS - 1):
            try:
                return self._load_once()
            except _Vanished:
                continue
        try:
            return self._load_once()
        except _Vanished as vanished:
            raise RemoteStateError(f"{vanished} vanished while being read, {ATTEMPTS} times: another run keeps "
                                   "rewriting the state; run the command again") from None

    def _load_once(self) -> StackState:
        records: list[dict[str, Any]] = []
        state = StackState(stack=self.stack)
        for serial in reversed(self._versions()):  # back to the newest snapshot; none: a state never saved
            document = self._read(self._key(serial))
            if document is None:
                raise _Vanished(self.objects.describe(self._key(serial)))
            if not isinstance(document, dict) or document.get("stack", self.stack) != self.stack:
                raise RemoteStateError(f"{self.objects.describe(self._key(serial))} is not a version of the state "
                                       f"of stack {self.stack!r}")
            if document.get("kind") == SNAPSHOT:
                state = self._snapshot(serial, document)
                break
            records.append(document)
        for record in reversed(records):
            state.replay(record)
        return state

    def _snapshot(self, serial: int, document: dict[str, Any]) -> StackState:
        try:
            return StackState.from_document(document)
        except (ValueError, KeyError, TypeError) as error:
            raise RemoteStateError(f"state {self.objects.describe(self._key(serial))} is not readable: "
                                   f"{error}") from None

    def save(self, state: StackState) -> None:
        """Writes the next version (serial + 1), a snapshot, create-only: refused if another run wrote that
        version since this state was read. Then removes every older version."""
        serial = state.serial + 1
        document = {**state.to_document(), "serial": serial, "kind": SNAPSHOT}
        self._create(self._key(serial), json.dumps(document, indent=1, sort_keys=True).encode())
        state.serial = serial
        state.touched.clear()
        self._prune(serial)

    def append(self, record: dict[str, Any]) -> None:
        """Writes one journal record as the version its serial names, create-only (refused if taken)."""
        self._create(self._key(record["serial"]), json.dumps({**record, "kind": JOURNAL},
                                                             separators=(",", ":")).encode())

    @contextmanager
    def lock(self, command: str) -> Iterator[None]:
        """Holds the stack's lock (an object created only if absent) for the block; raises LockError at
        once, naming the holder and the command that breaks a dead holder's lock, if another run holds it."""
        holder = lock_holder(command)
        data = json.dumps(holder).encode()
        try:
            self.objects.put(self.lock_key, data, create_only=True)
        except ObjectExists:
            if not self._is(self.lock_key, data):  # else: our own put, retried after its answer was lost
                raise LockError(self._held_message()) from None
        except ObjectStoreError as error:
            raise RemoteStateError(f"cannot lock stack {self.stack!r}: {error}") from None
        try:
            yield
        finally:
            self._release(holder["id"])

    def unlock(self, lock_id: str) -> dict[str, Any]:
        """Breaks the lock if `lock_id` is its id (a dead holder's); returns the holder it removed."""
        holder = self._holder()
        if holder is None:
            raise LockError(f"stack {self.stack!r} is not locked")
        if holder.get("id") != lock_id:
            raise LockError(f"stack {self.stack!r} is locked by {holder_text(holder)} with lock id "
                            f"{holder.get('id')!r}, not {lock_id!r}: nothing was unlocked")
        self._delete(self.lock_key)
        return holder

    # -- internals --------------------------------------------------------------------------------------

    def _key(self, serial: int) -> str:
        return f"{self.folder}{serial:012d}.json"

    def _versions(self) -> list[int]:
        """The versions present, in order."""
        try:
            keys = self.objects.keys(self.folder)
        except ObjectStoreError as error:
            raise RemoteStateError(f"cannot read the state of stack {self.stack!r}: {error}") from None
        return sorted(int(match.group(1)) for key in keys if (match := VERSION.match(key[len(self.folder):])))

    def _read(self, key: str) -> Any:
        try:
            data = self.objects.get(key)
        except ObjectStoreError as error:
            raise RemoteStateError(f"cannot read the state of stack {self.stack!r}: {error}") from None
        if data is None:
            return None
        try:
            return json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise RemoteStateError(f"{self.objects.describe(key)} is not readable: {error}") from None

    def _create(self, key: str, data: bytes) -> None:
        """Creates `key`, refusing to overwrite a version another run wrote. A put retried after its answer
        was lost meets its own object: that is success, not a conflict."""
        try:
            self.objects.put(key, data, create_only=True)
        except ObjectExists:
            if self._is(key, data):
                return
            raise RemoteStateError(
                f"the state of stack {self.stack!r} changed since it was read ({self.objects.describe(key)} was "
                "written by another run): nothing was overwritten; run the command again") from None
        except ObjectStoreError as error:
            raise RemoteStateError(f"cannot write the state of stack {self.stack!r}: {error}. Nothing was sent "
                                   "that the state could not record; run the command again: it finishes what "
                                   "was started") from None

    def _is(self, key: str, data: bytes) -> bool:
        """Whether `key` holds exactly `data` (the holder and time in a lock make it unique to its writer)."""
        try:
            return self.objects.get(key) == data
        except ObjectStoreError:
            return False

    def _prune(self, newest: int) -> None:
        """Best effort: what the snapshot `newest` supersedes, deleted PRUNE_WORKERS at a time (an apply of
        1,000 resources leaves some 250 journal objects). A failure here loses nothing."""
        try:
            superseded = [self._key(serial) for serial in self._versions() if serial < newest]
        except StateError:
            return
        with ThreadPoolExecutor(max_workers=PRUNE_WORKERS, thread_name_prefix="ecsops-prune") as pool:
            list(pool.map(self._forget, superseded))

    def _forget(self, key: str) -> None:
        try:
            self.objects.delete(key)
        except ObjectStoreError:
            pass

    def _holder(self) -> dict[str, Any] | None:
        holder = self._read(self.lock_key)
        return holder if isinstance(holder, dict) or holder is None else {}

    def _held_message(self) -> str:
        holder = self._holder() or {}
        unlock = self.unlock_command.replace("LOCK_ID", str(holder.get("id", "?")))
        return (f"stack {self.stack!r} is locked by {holder_text(holder)} (lock {self.objects.describe(self.lock_key)}"
                f"); wait for it to finish — if that run is dead, break its lock with `{unlock}`")

    def _release(self, lock_id: str) -> None:
        """Removes the lock if it is still ours (an operator may have broken it meanwhile)."""
        try:
            holder = self._holder()
            if holder is not None and holder.get("id") == lock_id:
                self.objects.delete(self.lock_key)
        except (ObjectStoreError, StateError):
            pass

    def _delete(self, key: str) -> None:
        try:
            self.objects.delete(key)
        except ObjectStoreError as error:
            raise RemoteStateError(f"cannot remove {self.objects.describe(key)}: {error}") from None
