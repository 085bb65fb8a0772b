"""Stack state for YAML mode: what was applied, written atomically, guarded by a lock, with create intents.

Files, beside the stack: `.ecsops/<stack>.state.json` (a snapshot), `.ecsops/<stack>.journal` (changes
since the snapshot, while an apply runs) and `.ecsops/<stack>.lock`.

Guarantees:
- a save replaces the snapshot atomically (temporary file, fsync, rename): a crash leaves the old or the
  new state, never a torn one;
- during an apply each step appends one line to the journal and fsyncs it (a write the size of the step,
  not of the state: applying N resources costs O(N), not O(N^2)); loading replays the journal over the
  snapshot, ignoring a last line torn by a crash (its step had not been acknowledged, so the call it
  guards was never made); the apply ends with a snapshot, which empties the journal;
- only one process at a time holds the lock (an OS file lock, released by the kernel if the holder dies);
  a second one fails at once with a message naming the holder;
- before each create the intent (its ClientToken and the values sent) is saved; a later apply replays it
  with the same token, which the API answers with the object already made, so a crash between the call
  and the bookkeeping never leaves a duplicate (crossplane's "create pending" annotation);
- a write that fails — a full disk (ENOSPC, EFBIG, EDQUOT), an I/O error, a read-only folder — raises
  `StateWriteError` and leaves no partial line and no temporary file behind: what is on disk is exactly
  what was written before it, so no create is sent whose intent is not completely on disk.
"""

from __future__ import annotations

import errno
import fcntl
import getpass
import json
import os
import secrets
import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, ContextManager, Iterator, Protocol

STATE_VERSION = 1


@dataclass
class ResourceState:
    type: str
    id: str
    values: dict[str, Any]
    outputs: dict[str, Any]
    dependencies: list[str] = field(default_factory=list)
    #: made by a create that failed after making it (`kind.PartlyMade`): the next apply finishes it
    partial: bool = False
    #: the region the object lives in (None in states written before stacks spanned regions: the stack's,
    #: filled in when the state is loaded for a stack, engine.workspace)
    region: str | None = None


@dataclass
class PendingCreate:
    type: str
    token: str
    values: dict[str, Any]
    started: str
    dependencies: list[str] = field(default_factory=list)
    region: str | None = None  # where the create was sent (None: written before regions; the stack's)


@dataclass
class Deposed:
    """An object replaced (or dropped from the stack) whose delete has not been confirmed yet."""

    name: str
    type: str
    id: str
    values: dict[str, Any]
    dependencies: list[str] = field(default_factory=list)
    region: str | None = None  # where the object lives (None: written before regions; the stack's)


@dataclass
class StackState:
    """What a stack's apply knows. Changes made through the methods below are remembered (`touched`) so a
    journal line can say exactly what changed; direct changes need a full `StateStore.save`."""

    stack: str
    backend: str | None = None
    source: str | None = None  # the stack file that owns this state (engine.stack_files.source_name)
    salt: str = field(default_factory=lambda: secrets.token_hex(16))
    serial: int = 0
    resources: dict[str, ResourceState] = field(default_factory=dict)
    pending: dict[str, PendingCreate] = field(default_factory=dict)
    deposed: list[Deposed] = field(default_factory=list)
    touched: set[tuple[str, str]] = field(default_factory=set, repr=False, compare=False)

    def set_resource(self, name: str, entry: ResourceState) -> None:
        self.resources[name] = entry
        self.touched.add(("resources", name))

    def drop_resource(self, name: str) -> ResourceState | None:
        self.touched.add(("resources", name))
        return self.resources.pop(name, None)

    def set_pending(self, name: str, pending: PendingCreate) -> None:
        self.pending[name] = pending
        self.touched.add(("pending", name))

    def drop_pending(self, name: str) -> None:
        self.pending.pop(name, None)
        self.touched.add(("pending", name))

    def add_deposed(self, deposed: Deposed) -> None:
        self.deposed.append(deposed)
        self.touched.add(("deposed", ""))

    def remove_deposed(self, deposed: Deposed) -> None:
        self.deposed.remove(deposed)
        self.touched.add(("deposed", ""))

    def to_document(self) -> dict[str, Any]:
        return {"version": STATE_VERSION, "stack": self.stack, "backend": self.backend, "source": self.source,
                "salt": self.salt,
                "serial": self.serial, "resources": {name: asdict(entry) for name, entry in self.resources.items()},
                "pending": {name: asdict(entry) for name, entry in self.pending.items()},
                "deposed": [asdict(entry) for entry in self.deposed]}

    def journal_record(self) -> dict[str, Any]:
        """The touched entries as they are now (None: gone), with a new serial; forgets what was touched."""
        self.serial += 1
        record: dict[str, Any] = {"stack": self.stack, "serial": self.serial}
        for section, name in sorted(self.touched):
            if section == "deposed":
                record["deposed"] = [asdict(entry) for entry in self.deposed]
                continue
            entry = getattr(self, section).get(name)
            record.setdefault(section, {})[name] = None if entry is None else asdict(entry)
        self.touched.clear()
        return record

    def replay(self, record: dict[str, Any]) -> None:
        """Applies one journal record (a no-op for one the snapshot already holds)."""
        if record["serial"] <= self.serial:
            return
        for section, build in (("resources", ResourceState), ("pending", PendingCreate)):
            entries = getattr(self, section)
            for name, entry in record.get(section, {}).items():
                if entry is None:
                    entries.pop(name, None)
                else:
                    entries[name] = build(**entry)
        if "deposed" in record:
            self.deposed = [Deposed(**entry) for entry in record["deposed"]]
        self.serial = record["serial"]

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> "StackState":
        if not isinstance(document, dict):
            raise TypeError(f"a state is a JSON object, not a {type(document).__name__}")
        version = document.get("version")
        if version != STATE_VERSION:
            raise StateError(f"state file version {version!r} is not supported (expected {STATE_VERSION})")
        return cls(
            stack=document["stack"],
            backend=document.get("backend"),
            source=document.get("source"),
            salt=document["salt"],
            serial=document.get("serial", 0),
            resources={name: ResourceState(**entry) for name, entry in document.get("resources", {}).items()},
            pending={name: PendingCreate(**entry) for name, entry in document.get("pending", {}).items()},
            deposed=[Deposed(**entry) for entry in document.get("deposed", [])],
        )


class StateError(RuntimeError):
    pass


class StateWriteError(StateError):
    """The state could not be written (a full disk, an I/O error, a folder not writable)."""

    def __init__(self, path: Path, error: OSError):
        reason = error.strerror or str(error)
        super().__init__(
            f"cannot write {path}: {reason}. Nothing was sent that the state could not record; free space (or "
            f"make {path.parent} writable) and run the command again: it finishes what was started")
        self.path = path
        self.error = error


class LockError(StateError):
    """Another process holds the stack's lock; the message names it."""


def _described(error: Exception) -> str:
    """A parsing error as one short phrase (a KeyError's message is only the key)."""
    if isinstance(error, KeyError):
        return f"it lacks {error}"
    return str(error) or type(error).__name__


def now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Store(Protocol):
    """Where a stack's state is kept: a local folder (StateStore) or an object store (engine.remote_state).
    Both give the guarantees in this module's docstring."""

    def describe(self) -> str: ...
    def load(self) -> "StackState": ...
    def save(self, state: "StackState") -> None: ...
    def append(self, record: dict[str, Any]) -> None: ...
    def lock(self, command: str) -> ContextManager[None]: ...
    def unlock(self, lock_id: str) -> dict[str, Any]: ...


def lock_holder(command: str) -> dict[str, Any]:
    """Who takes a lock: an id (for `state unlock`), the user, host, process, command, time and — in CI — the
    job, so a blocked run can say exactly who holds it."""
    try:
        user = getpass.getuser()
    except Exception:  # no user name in some containers
        user = "?"
    job = next((os.environ[name] for name in CI_JOB_VARIABLES if os.environ.get(name)), None)
    holder = {"id": secrets.token_hex(8), "who": user, "host": socket.gethostname(), "pid": os.getpid(),
              "command": command, "since": now_iso()}
    if job:
        holder["job"] = job
    return holder


#: Variables naming the CI job that runs ecsops (GitLab, Jenkins, Buildkite, GitHub Actions).
CI_JOB_VARIABLES = ("CI_JOB_URL", "BUILD_URL", "BUILDKITE_BUILD_URL", "GITHUB_RUN_ID")


def holder_text(holder: dict[str, Any]) -> str:
    """A lock holder in one phrase: `alice@runner-7 (pid 42, `ecsops apply`, since ..., job ...)`."""
    job = f", job {holder['job']}" if holder.get("job") else ""
    return (f"{holder.get('who', '?')}@{holder.get('host', '?')} (pid {holder.get('pid', '?')}, "
            f"`ecsops {holder.get('command', '?')}`, since {holder.get('since', '?')}{job})")


class StateStore:
    """The state of one stack in a local folder: `<directory>/.ecsops/` by default (`in_folder` for another)."""

    def __init__(self, directory: Path, stack: str, *, folder: Path | None = None):
        self.directory = Path(folder) if folder is not None else Path(directory) / ".ecsops"
        self.stack = stack
        self.path = self.directory / f"{stack}.state.json"
        self.journal_path = self.directory / f"{stack}.journal"
        self.lock_path = self.directory / f"{stack}.lock"

    @classmethod
    def in_folder(cls, folder: Path, stack: str) -> "StateStore":
        return cls(folder, stack, folder=folder)

    def describe(self) -> str:
        """Where the state is, for messages."""
        return str(self.path)

    def load(self) -> StackState:
        """The saved state (snapshot, then the journal's changes), or an empty one for a stack never applied.
        Raises StateError naming the file (and line) for anything that is not a state ecsops wrote: another
        encoding, another JSON shape, a journal line that is not a record."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return StackState(stack=self.stack)
        except (OSError, UnicodeDecodeError) as error:
            raise StateError(f"state file {self.path} is not readable: {error}") from None
        try:
            state = StackState.from_document(json.loads(text))
            self._check_identity(state.stack, self.path)
            for number, record in enumerate(self._journal(), start=1):
                self._check_identity(record.get("stack", self.stack), self.journal_path, line=number)
                state.replay(record)
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise StateError(f"state file {self.path} is not readable: {_described(error)}") from None
        return state

    def _check_identity(self, stack: Any, path: Path, *, line: int | None = None) -> None:
        """A state (or journal line) of another stack — copied or written over this one's — is refused,
        never replayed: it would rename or orphan this stack's objects."""
        if stack != self.stack:
            where = f"{path} line {line}" if line else str(path)
            raise StateError(f"{where} belongs to stack {stack!r}, not to stack {self.stack!r}: restore this "
                             "stack's own state, or move the file aside to start over")

    def _journal(self) -> list[dict[str, Any]]:
        try:
            lines = self.journal_path.read_bytes().split(b"\n")
        except FileNotFoundError:
            return []
        except OSError as error:
            raise StateError(f"state journal {self.journal_path} is not readable: {error.strerror}") from None
        records = []
        for number, line in enumerate(lines[:-1], start=1):  # the part after the last newline is torn or ""
            try:
                record = json.loads(line.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                record = None
            if not isinstance(record, dict) or not isinstance(record.get("serial"), int):
                raise StateError(f"state journal {self.journal_path} line {number} is not readable: it is not a "
                                 "record ecsops wrote")
            records.append(record)
        return records

    def save(self, state: StackState) -> None:
        """Atomically replaces the snapshot (bumping the serial), then empties the journal it now includes.
        Raises StateWriteError, with the old snapshot and journal untouched, when the write fails."""
        self.write(json.dumps({**state.to_document(), "serial": state.serial + 1}, indent=1, sort_keys=True))
        state.serial += 1
        state.touched.clear()
        try:
            self.journal_path.unlink()
        except FileNotFoundError:
            pass
        except OSError as error:
            raise StateWriteError(self.journal_path, error) from None

    def append(self, record: dict[str, Any]) -> None:
        """Appends one record to the journal and waits until it is on disk. All or nothing: when the line
        cannot be written whole (a full disk writes part of it), the journal is cut back to where it was
        and StateWriteError is raised, so no torn line is left for a later line to follow."""
        line = (json.dumps(record, separators=(",", ":")) + "\n").encode()
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            created = not self.journal_path.exists()
            descriptor = os.open(self.journal_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        except OSError as error:
            raise StateWriteError(self.journal_path, error) from None
        try:
            size = os.fstat(descriptor).st_size
            try:
                _write_all(descriptor, line)
                os.fsync(descriptor)
            except OSError as error:
                _cut_back(descriptor, size)
                raise StateWriteError(self.journal_path, error) from None
        finally:
            os.close(descriptor)
        if created:
            _fsync_directory(self.directory)

    def write(self, text: str) -> None:
        """Atomically replaces the state file with `text`: temporary file, fsync, rename, fsync the folder.
        On failure the temporary file is removed and StateWriteError raised; the old file stays as it was."""
        temporary = self.path.with_suffix(f".tmp{os.getpid()}.{threading.get_ident()}")
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            with open(temporary, "w", opener=_private) as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)
            _fsync_directory(self.directory)
        except OSError as error:
            temporary.unlink(missing_ok=True)
            raise StateWriteError(self.path, error) from None

    @contextmanager
    def lock(self, command: str) -> Iterator[None]:
        """Holds the stack's lock for the block; raises LockError at once if another process holds it."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            handle = open(self.lock_path, "a+", opener=_private)
        except OSError as error:
            raise StateWriteError(self.lock_path, error) from None
        try:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise LockError(self._held_message(handle)) from None
            try:
                handle.seek(0)
                handle.truncate()
                json.dump(lock_holder(command), handle)
                handle.flush()
            except OSError as error:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
                raise StateWriteError(self.lock_path, error) from None
            try:
                yield
            finally:
                handle.seek(0)
                handle.truncate()
                handle.flush()
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        finally:
            handle.close()

    def _held_message(self, handle: Any) -> str:
        handle.seek(0)
        try:
            holder = json.loads(handle.read() or "{}")
        except json.JSONDecodeError:
            holder = {}
        return (f"stack {self.stack!r} is locked by {holder_text(holder)}; wait for it to finish (lock file "
                f"{self.lock_path}; a local lock is released by the system when its holder ends)")

    def unlock(self, lock_id: str) -> dict[str, Any]:
        """Local locks need no breaking: the kernel releases them when their holder dies. Raises LockError
        saying so (naming the holder while it still runs)."""
        try:
            with self.lock("state unlock"):
                pass
        except LockError as error:
            raise LockError(f"{error}: it is still running, so it cannot be unlocked") from None
        raise LockError(f"stack {self.stack!r} is not locked (a local lock ends with the process that held it)")


class GroupSaver:
    """Journals one state changed by many threads: each asks that its change be on disk before it goes on
    (`flush`); one journal line covers every change made before it began (group commit), so N threads
    waiting at once cost one fsync, not N.

    Changes are made under `lock`, through `StackState`'s methods, and counted with `changed()` before
    their lock is released. `snapshot()` writes the whole state and empties the journal.

    Once a journal line cannot be written (`failed`), every later `flush` raises at once without writing:
    the changes that line carried are not on disk, so no step may go on as if they were.

    Where a write costs a round trip (remote state), the writer lingers — up to the store's `linger_s` —
    until every step in flight (`active()`) waits on a flush, so one write carries the whole batch of
    concurrent steps: N steps in flight cost one write per phase (intent, result), not N.
    """

    def __init__(self, store: Store, state: StackState, lock: threading.Lock, *,
                 active: Callable[[], int] = lambda: 1):
        self.store, self.state, self.lock = store, state, lock
        self.linger_s = float(getattr(store, "linger_s", 0.0))
        self._active = active
        self._condition = threading.Condition()
        self._changes = 0
        self._saved = 0
        self._writing = False
        self._waiting = 0
        self.failed: StateError | None = None

    def step_ended(self) -> None:
        """A step in flight has ended: a lingering writer need not wait for it."""
        with self._condition:
            self._condition.notify_all()

    def changed(self) -> int:
        """Counts a change just made (call it holding `lock`); returns its number for `flush`."""
        self._changes += 1
        return self._changes

    def flush(self, change: int) -> None:
        """Returns once change number `change` is on disk."""
        with self._condition:
            self._waiting += 1
            self._condition.notify_all()
        try:
            self._flush(change)
        finally:
            with self._condition:
                self._waiting -= 1

    def _flush(self, change: int) -> None:
        while True:
            with self._condition:
                while self._writing and self._saved < change:
                    self._condition.wait()
                if self._saved >= change:
                    return
                if self.failed is not None:
                    raise self.failed
                self._writing = True
                self._linger()
            covered = 0
            try:
                with self.lock:
                    covered = self._changes
                    record = self.state.journal_record()
                self.store.append(record)
            except StateError as error:
                covered = 0
                self.failed = error
                raise
            except BaseException:
                covered = 0
                raise
            finally:
                with self._condition:
                    self._writing = False
                    self._saved = max(self._saved, covered)
                    self._condition.notify_all()

    def _linger(self) -> None:
        """Waits (holding `_condition`, which `wait` releases) until every step in flight waits on a flush,
        or `linger_s` has passed."""
        deadline = time.monotonic() + self.linger_s
        while self._waiting < self._active():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            self._condition.wait(remaining)

    def snapshot(self) -> None:
        """Writes the whole state and empties the journal (at the start and end of an apply)."""
        with self.lock:
            self.store.save(self.state)
            self._saved = self._changes


def _private(path: str, flags: int) -> int:
    """Opens a file only its owner may read or write (0600): states hold secrets' digests and ids."""
    return os.open(path, flags, 0o600)


def _write_all(descriptor: int, data: bytes) -> None:
    """Writes every byte of `data` (os.write may write fewer: a nearly full disk); raises OSError if it cannot."""
    view = memoryview(data)
    while view:
        written = os.write(descriptor, view)
        if written == 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        view = view[written:]


def _cut_back(descriptor: int, size: int) -> None:
    """Cuts the file back to `size` bytes, dropping a partly written line (best effort: shrinking needs no
    space, but the device may be failing)."""
    try:
        os.ftruncate(descriptor, size)
        os.fsync(descriptor)
    except OSError:
        pass


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
