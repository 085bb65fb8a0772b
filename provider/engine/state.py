"""Stack state for YAML mode: what was applied, written atomically, guarded by a lock, with create intents.

Files, beside the stack: `.ecsops/<stack>.state.json` and `.ecsops/<stack>.lock`.

Guarantees:
- a save replaces the file atomically (temporary file, fsync, rename): a crash leaves the old or the new
  state, never a torn one;
- only one process at a time holds the lock (an OS file lock, released by the kernel if the holder dies);
  a second one fails at once with a message naming the holder;
- before each create the intent (its ClientToken and the values sent) is saved; a later apply replays it
  with the same token, which the API answers with the object already made, so a crash between the call
  and the bookkeeping never leaves a duplicate (crossplane's "create pending" annotation).
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import socket
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

STATE_VERSION = 1


@dataclass
class ResourceState:
    type: str
    id: str
    values: dict[str, Any]
    outputs: dict[str, Any]
    dependencies: list[str] = field(default_factory=list)


@dataclass
class PendingCreate:
    type: str
    token: str
    values: dict[str, Any]
    started: str
    dependencies: list[str] = field(default_factory=list)


@dataclass
class Deposed:
    """An object replaced (or dropped from the stack) whose delete has not been confirmed yet."""

    name: str
    type: str
    id: str
    values: dict[str, Any]
    dependencies: list[str] = field(default_factory=list)


@dataclass
class StackState:
    stack: str
    backend: str | None = None
    salt: str = field(default_factory=lambda: secrets.token_hex(16))
    serial: int = 0
    resources: dict[str, ResourceState] = field(default_factory=dict)
    pending: dict[str, PendingCreate] = field(default_factory=dict)
    deposed: list[Deposed] = field(default_factory=list)

    def to_document(self) -> dict[str, Any]:
        return {"version": STATE_VERSION, **asdict(self)}

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> "StackState":
        version = document.get("version")
        if version != STATE_VERSION:
            raise StateError(f"state file version {version!r} is not supported (expected {STATE_VERSION})")
        return cls(
            stack=document["stack"],
            backend=document.get("backend"),
            salt=document["salt"],
            serial=document.get("serial", 0),
            resources={name: ResourceState(**entry) for name, entry in document.get("resources", {}).items()},
            pending={name: PendingCreate(**entry) for name, entry in document.get("pending", {}).items()},
            deposed=[Deposed(**entry) for entry in document.get("deposed", [])],
        )


class StateError(RuntimeError):
    pass


class LockError(StateError):
    """Another process holds the stack's lock; the message names it."""


def now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class StateStore:
    """The state of one stack in `<directory>/.ecsops/`."""

    def __init__(self, directory: Path, stack: str):
        self.directory = Path(directory) / ".ecsops"
        self.stack = stack
        self.path = self.directory / f"{stack}.state.json"
        self.lock_path = self.directory / f"{stack}.lock"

    def load(self) -> StackState:
        """The saved state, or an empty one for a stack never applied."""
        try:
            text = self.path.read_text()
        except FileNotFoundError:
            return StackState(stack=self.stack)
        try:
            return StackState.from_document(json.loads(text))
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise StateError(f"state file {self.path} is not readable: {error}") from None

    def save(self, state: StackState) -> None:
        """Atomically replaces the state file (and bumps the serial)."""
        state.serial += 1
        self.directory.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(f".tmp{os.getpid()}")
        with open(temporary, "w") as handle:
            json.dump(state.to_document(), handle, indent=1, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)
        _fsync_directory(self.directory)

    @contextmanager
    def lock(self, command: str) -> Iterator[None]:
        """Holds the stack's lock for the block; raises LockError at once if another process holds it."""
        self.directory.mkdir(parents=True, exist_ok=True)
        handle = open(self.lock_path, "a+")
        try:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise LockError(self._held_message(handle)) from None
            handle.seek(0)
            handle.truncate()
            json.dump({"pid": os.getpid(), "host": socket.gethostname(), "command": command,
                       "since": now_iso()}, handle)
            handle.flush()
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
        who = (f"pid {holder.get('pid', '?')} on {holder.get('host', '?')} "
               f"(`ecsops {holder.get('command', '?')}`, since {holder.get('since', '?')})")
        return f"stack {self.stack!r} is locked by {who}; wait for it to finish (lock file {self.lock_path})"


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
