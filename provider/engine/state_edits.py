"""Edits of a stack's state that never touch the cloud: what `ecsops state list | show | rm | mv` and the
import check do. Each function is pure over a `StackState` — it reads or changes the object given, reads
no file and calls no API — and checks everything before it changes anything, so a refused edit leaves the
state exactly as it was. Changes are made directly, not through the journaled methods: the caller saves
the whole state (`StateStore.save`) once.

A name may stand for up to three kinds of entry: the object it manages, an interrupted create (its intent,
finished by the next apply) and objects replaced or dropped whose delete was not confirmed (deposed, deleted
by the next apply). `forget` and `rename` treat them together: they are all the resource's.
"""

from __future__ import annotations

import difflib
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Literal

from ecsops.engine.errors import Diagnostic, EngineError
from ecsops.engine.stack import NAME
from ecsops.engine.state import Deposed, PendingCreate, ResourceState, StackState

Status = Literal["managed", "pending-create", "deposed"]

#: How each status reads in a message.
DESCRIBED: dict[Status, str] = {
    "managed": "managed",
    "pending-create": "an interrupted create, finished by the next apply",
    "deposed": "replaced or dropped, its delete not confirmed: the next apply deletes it",
}


@dataclass(frozen=True)
class Entry:
    """One object (or create intent) the state holds under `name`. `id` is None for a create intent."""

    name: str
    type: str
    id: str | None
    status: Status
    values: dict[str, Any]
    outputs: dict[str, Any]
    dependencies: tuple[str, ...]


def entries(state: StackState) -> list[Entry]:
    """Everything the state holds: managed objects, then interrupted creates, then deposed objects."""
    held = [_managed(name, entry) for name, entry in state.resources.items()]
    held += [_pending(name, pending) for name, pending in state.pending.items()]
    held += [_deposed(deposed) for deposed in state.deposed]
    return held


def names(state: StackState) -> list[str]:
    """The names the state holds anything under, each once, in `entries` order."""
    return list(dict.fromkeys(entry.name for entry in entries(state)))


def under(state: StackState, name: str) -> list[Entry]:
    """Every entry under `name`, the one it stands for first (see `entry`). Raises EngineError (with the
    closest names) when the state holds nothing under `name`."""
    held = [item for item in entries(state) if item.name == name]
    if not held:
        raise EngineError([unknown(state, name)])
    return held


def entry(state: StackState, name: str) -> Entry:
    """The entry `name` stands for: its managed object, else its create intent, else its first deposed
    object. Raises EngineError (with the closest names) when the state holds nothing under `name`."""
    return under(state, name)[0]


def unknown(state: StackState, name: str) -> Diagnostic:
    """`stack X manages no resource 'NAME'`, with the names closest to it, if any."""
    message = f"stack {state.stack} manages no resource {name!r}"
    known = names(state)
    close = difflib.get_close_matches(name, known, n=3) or [other for other in known if other.startswith(name)][:3]
    if close:
        message += f": did you mean {_alternatives(close)}?"
    elif not known:
        message += " (its state is empty)"
    return Diagnostic(message)


def forget(state: StackState, forgotten: Iterable[str]) -> list[Entry]:
    """Drops every entry under each name from the state (the objects stay in the cloud, unmanaged); returns
    what was dropped. Raises EngineError, changing nothing, when a name is not in the state."""
    wanted = list(dict.fromkeys(forgotten))
    problems = [unknown(state, name) for name in wanted if name not in names(state)]
    if problems:
        raise EngineError(problems)
    dropped = [item for item in entries(state) if item.name in wanted]
    for name in wanted:
        state.resources.pop(name, None)
        state.pending.pop(name, None)
    state.deposed = [deposed for deposed in state.deposed if deposed.name not in wanted]
    return dropped


def rename(state: StackState, old: str, new: str) -> list[Entry]:
    """Moves every entry under `old` to `new` and renames `old` in every entry's dependencies (they record
    names); returns the moved entries as they are now. Raises EngineError, changing nothing, when `old` is
    not in the state, when `new` already is (nothing is ever merged) or is not a resource name."""
    _check_rename(state, old, new)
    _move_entries(state, old, new)
    _rename_dependencies(state, old, new)
    return [item for item in entries(state) if item.name == new]


def _check_rename(state: StackState, old: str, new: str) -> None:
    """Raises EngineError when `old` may not become `new`; reads the state and never changes it, so a
    refused rename leaves it exactly as it was."""
    if old not in names(state):
        raise EngineError([unknown(state, old)])
    if not NAME.match(new):
        raise EngineError.single(
            f"is not a valid resource name for stack {state.stack}: start with a letter; then letters, digits, "
            "'_' and '-' (at most 128 characters)", resource=new)
    if new in names(state):
        taken = entry(state, new)
        held = taken.id if taken.status == "managed" else DESCRIBED[taken.status]
        raise EngineError.single(
            f"stack {state.stack} already manages it ({held}): `state mv` never merges two resources; choose "
            f"another name, or forget this one first with `ecsops state rm`", resource=new, type=taken.type)


def _move_entries(state: StackState, old: str, new: str) -> None:
    """Files the managed object, the create intent and the deposed objects of `old` under `new`. The
    mappings keep their order (`new` takes `old`'s place), so listings and applies keep theirs."""
    state.resources = {(new if name == old else name): item for name, item in state.resources.items()}
    state.pending = {(new if name == old else name): item for name, item in state.pending.items()}
    for deposed in state.deposed:
        if deposed.name == old:
            deposed.name = new


def _rename_dependencies(state: StackState, old: str, new: str) -> None:
    """Every recorded dependency on `old` (of a managed object, a create intent or a deposed object) names
    `new` instead, so the order of deletes and creates the state implies is unchanged."""
    recording: list[ResourceState | PendingCreate | Deposed] = [
        *state.resources.values(), *state.pending.values(), *state.deposed]
    for dependent in recording:
        dependent.dependencies = [new if dependency == old else dependency for dependency in dependent.dependencies]


def dependents(state: StackState, name: str) -> list[str]:
    """The names of the other entries that record a dependency on `name`, each once."""
    return list(dict.fromkeys(item.name for item in entries(state)
                              if item.name != name and name in item.dependencies))


def holder(state: StackState, type_: str, id_: str) -> Entry | None:
    """The entry that holds the object `id_` of kind `type_` — managed, or deposed (to be deleted) — if any."""
    for item in entries(state):
        if item.type == type_ and item.id == id_:
            return item
    return None


def import_refusal(state: StackState, stack_path: Path, name: str, type_: str, id_: str) -> EngineError | None:
    """Why the object `id_` may not be imported as `name`: another name of the stack already holds it (two
    names managing one object: the next apply would delete it under the name the stack no longer declares).
    None when it may."""
    held = holder(state, type_, id_)
    if held is None or (held.name == name and held.status == "managed"):
        return None
    if held.status == "deposed":
        message = (f"{id_} is an object of \"{held.name}\" that stack {state.stack} is to delete (replaced or "
                   "dropped, its delete not confirmed): it cannot be imported")
    else:
        command = shlex.join(["ecsops", "state", "mv", str(stack_path), held.name, name])
        message = f"{id_} is already managed as \"{held.name}\": to rename {held.name}, run `{command}`"
    return EngineError.single(message, resource=name, type=type_)


def _managed(name: str, entry_: ResourceState) -> Entry:
    return Entry(name, entry_.type, entry_.id, "managed", entry_.values, entry_.outputs, tuple(entry_.dependencies))


def _pending(name: str, pending: PendingCreate) -> Entry:
    return Entry(name, pending.type, None, "pending-create", pending.values, {}, tuple(pending.dependencies))


def _deposed(deposed: Deposed) -> Entry:
    return Entry(deposed.name, deposed.type, deposed.id, "deposed", deposed.values, {}, tuple(deposed.dependencies))


def _alternatives(candidates: list[str]) -> str:
    quoted = [repr(candidate) for candidate in candidates]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + f" or {quoted[-1]}"
