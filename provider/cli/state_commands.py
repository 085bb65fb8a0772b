"""`ecsops state list | show | rm | mv`: read and edit what a stack's state manages, never the cloud.

`list` and `show` only read the state; `rm` and `mv` hold the stack's lock, load, edit (engine.state_edits:
every check before any change) and save once. None of them starts a backend or makes an API call. The state
is reached through `state_store(arguments)` alone — the one place that decides where it lives — and only
through the store's `load`, `save` and `lock`.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import ecsops.resources  # noqa: F401  (registers every kind: which of their fields are secret)
from ecsops.cli import render
from ecsops.cli.stack import EXIT_OK, environment, reported_errors, settings_of, state_location, unlock_command
from ecsops.cloud.backend import select
from ecsops.engine import kind as kinds, state_edits
from ecsops.engine.errors import EngineError
from ecsops.engine.stack import Stack, load_stack
from ecsops.engine.state import StateStore, Store, holder_text
from ecsops.engine.state_location import open_store
from ecsops.engine.state_edits import DESCRIBED, Entry
from ecsops.engine.values import is_digest

#: How `state list` marks an entry that is not a plain managed object.
MARKS = {"managed": "", "pending-create": "(pending create: the next apply finishes it)",
         "deposed": "(deposed: the next apply deletes it)"}


def state_store(arguments: argparse.Namespace) -> Store:
    """The store holding the state of the stack `arguments.stack` names, where --state, ECSOPS_STATE or the
    stack's state: key put it (default: beside the stack file). A local state starts no backend; a remote
    one selects the backend for its credentials (and, on an emulator, its endpoint), but calls no API but
    the object store's. Raises EngineError when the stack file cannot be read or names no valid stack."""
    stack = load_stack(arguments.stack, environment(arguments))
    naming = [problem for problem in stack.problems if problem.resource is None and problem.field == "name"]
    if naming:
        raise EngineError(naming)
    return store_of(arguments, stack)


def store_of(arguments: argparse.Namespace, stack: Stack) -> Store:
    """The store of `stack`'s state (of its environment, if it has one), as `state_store` finds it."""
    location = state_location(arguments, stack)
    if location.scheme == "local":
        assert location.folder is not None
        return StateStore.in_folder(location.folder, stack.state_name)
    return open_store(location, stack.state_name, select(settings_of(arguments, stack)), stack.region,
                      unlock_command=unlock_command(arguments))


# -- list, show -----------------------------------------------------------------------------------------


def run_list(arguments: argparse.Namespace) -> int:
    with reported_errors():
        state = state_store(arguments).load()
    held = state_edits.entries(state)
    if arguments.json:
        render.write_json([{"name": item.name, "type": item.type, "id": item.id, "status": item.status}
                     for item in held], sys.stdout)
        return EXIT_OK
    if not held:
        print(f"Stack {state.stack}: its state manages no resources.")
        return EXIT_OK
    rows = [(item.name, item.type, item.id or "-", MARKS[item.status]) for item in held]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    for row in rows:
        print("  ".join([*(cell.ljust(width) for cell, width in zip(row, widths)), row[3]]).rstrip())
    return EXIT_OK


def run_show(arguments: argparse.Namespace) -> int:
    with reported_errors():
        state = state_store(arguments).load()
        item, *others = state_edits.under(state, arguments.name)
    secrets = _secret_fields(item.type)
    values = {field: _hidden(render.shown(field, value, secrets)) for field, value in item.values.items()}
    outputs = {field: _hidden(render.shown(field, value, secrets)) for field, value in item.outputs.items()}
    if arguments.json:
        render.write_json({"name": item.name, "type": item.type, "id": item.id, "status": item.status,
                     "values": values, "outputs": outputs, "dependencies": list(item.dependencies)}, sys.stdout)
        return EXIT_OK
    lines = [f"{item.name}  {item.type}  {item.id or '-'}" + (f"  {MARKS[item.status]}" if MARKS[item.status] else "")]
    for title, fields in (("values", values), ("outputs", outputs)):
        lines.append(f"  {title}:" + ("" if fields else " (none)"))
        for field, value in fields.items():
            lines.extend(_field_lines(field, value))
    if item.dependencies:
        lines.append(f"  dependencies: {', '.join(item.dependencies)}")
    for other in others:
        lines.append(f"  also under this name: {other.id or '-'} ({DESCRIBED[other.status]})")
    print("\n".join(lines))
    return EXIT_OK


def _secret_fields(type_: str) -> frozenset[str]:
    try:
        return kinds.get(type_).secret_fields()
    except kinds.UnknownKind:
        return frozenset()


def _hidden(value: Any) -> Any:
    """`value` (already masked) with any digest left — a secret stored outside {secret: ...} — masked too:
    neither a secret nor its digest is ever printed."""
    if is_digest(value):
        return render.SECRET
    if isinstance(value, dict):
        return {key: _hidden(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_hidden(item) for item in value]
    return value


def _field_lines(field: str, value: Any) -> list[str]:
    """`field: value` under a section; a multi-line text (a script) as an indented block."""
    if isinstance(value, str) and "\n" in value.rstrip("\n"):
        return [f"    {field}: |", *(f"      {line}" for line in value.rstrip("\n").splitlines())]
    return [f"    {field}: {render.inline(value)}"]


# -- rm, mv ---------------------------------------------------------------------------------------------


def run_rm(arguments: argparse.Namespace) -> int:
    with reported_errors():
        store = state_store(arguments)
        with store.lock("state rm"):
            state = store.load()
            forgotten = state_edits.forget(state, arguments.names)
            store.save(state)
    for item in forgotten:
        print(f"Forgot {item.name} ({_described(item)}).")
    print(f"Nothing was deleted: the objects stay in the cloud, no longer managed by stack {state.stack}. If the "
          "stack still declares them, the next apply creates new ones (`ecsops import` adopts an object again).")
    return EXIT_OK


def run_mv(arguments: argparse.Namespace) -> int:
    with reported_errors():
        store = state_store(arguments)
        with store.lock("state mv"):
            state = store.load()
            dependents = state_edits.dependents(state, arguments.old)
            moved = state_edits.rename(state, arguments.old, arguments.new)
            store.save(state)
    for item in moved:
        print(f"Moved {arguments.old} to {item.name} ({_described(item)}).")
    if dependents:
        print(f"Dependencies renamed in: {', '.join(dependents)}.")
    print(f"Nothing in the cloud changed. Declare {arguments.new} in the stack in place of {arguments.old}: "
          "`ecsops plan` then shows no change for it.")
    return EXIT_OK


def _described(item: Entry) -> str:
    if item.status == "pending-create":
        return f"{item.type}, an interrupted create"
    return f"{item.type} {item.id}" + (", deposed" if item.status == "deposed" else "")


# -- unlock ---------------------------------------------------------------------------------------------


def run_unlock(arguments: argparse.Namespace) -> int:
    """Breaks a dead holder's lock: only the lock with that id (printed by the run it blocked)."""
    with reported_errors():
        holder = state_store(arguments).unlock(arguments.lock_id)
    print(f"Unlocked stack state: removed the lock {arguments.lock_id} of {holder_text(holder)}. If that run was "
          "killed mid-apply, the next apply finishes what it started.")
    return EXIT_OK
