"""One state per stack file: two stack files that would share a state are an error naming both.

A state is found by its stack's `name:` at its location, so two files with the same name and the same place
would silently share (and fight over) one state. Two checks, both before anything is read from the cloud:

- siblings: another YAML stack file in the same folder declaring the same name and the same `state:`;
- environments: with `--env`, a state is named `<name>.<env>` (engine.config), so a sibling named literally
  `<name>.<env>`, or one named `<name>` with an environment file of that environment, would share it too; and
  a stack named `<a>.<b>` run without an environment shares the state of a sibling `<a>` run with `--env <b>`;
- the owner: a state records the stack file that last wrote it (`source`: its path from the repository root,
  the same on every runner's clone; without a repository, its absolute path). A state recorded for another file
  that still exists and declares the same name is refused; a recorded file that is gone means the stack file
  was moved or renamed, and the state follows it.

The siblings' top-level keys are read with a line scan, not a YAML parse, once per file and run: a folder of
large stacks costs a read of each, not a load.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ecsops.engine.config import environment_names
from ecsops.engine.errors import EngineError
from ecsops.engine.stack import Stack

TOP_LEVEL_TEXT = re.compile(r"^(name|state|resources):[ \t]*(.*?)[ \t]*(?:#.*)?$", re.MULTILINE)


def repository_root(path: Path) -> Path | None:
    """The nearest folder above `path` that holds a `.git` (a clone), or None."""
    for folder in Path(path).resolve().parents:
        if (folder / ".git").exists():
            return folder
    return None


def source_name(stack_path: Path) -> str:
    """How a state names the stack file that owns it: its path from the repository root (the same in every
    runner's clone), else its absolute path."""
    path = Path(stack_path).resolve()
    root = repository_root(path)
    return path.relative_to(root).as_posix() if root is not None else str(path)


def top_level(path: Path) -> dict[str, str] | None:
    """The `name` and `state` a YAML file declares at its top level (None: not a stack, or unreadable).

    Remembered per file while it is unchanged (same size and modification time): a run over a folder of N
    stacks checks each against its N siblings, and must not read N x N files."""
    try:
        status = path.stat()
    except OSError:  # gone, unreadable, or a symlink loop
        return None
    key = (os.path.abspath(path), status.st_mtime_ns, status.st_size)
    if key not in _SCANNED:
        _SCANNED[key] = _scanned(path)
    return _SCANNED[key]


_SCANNED: dict[tuple[str, int, int], dict[str, str] | None] = {}


def _scanned(path: Path) -> dict[str, str] | None:
    try:
        text = path.read_text(encoding="utf-8").removeprefix("\ufeff")  # a byte-order mark, as editors write
    except (OSError, UnicodeDecodeError):
        return None
    found: dict[str, str] = {}
    for key, value in TOP_LEVEL_TEXT.findall(text):
        found.setdefault(key, value.strip("'\""))
    return found if "name" in found and "resources" in found else None


def check_single_owner(stack: Stack, recorded: str | None, where: str) -> None:
    """Raises EngineError naming both files when another stack file shares this stack's state at `where`."""
    mine = Path(stack.path).resolve()
    for sibling in _siblings(mine):
        declared = top_level(sibling)
        if declared and declared.get("state") == stack.state and _sibling_shares(stack, sibling, declared["name"]):
            raise EngineError.single(_shared(stack, sibling, where))
    if recorded is None or recorded == source_name(mine):
        return
    root = repository_root(mine)
    owner = root / recorded if root is not None else Path(recorded)
    declared = top_level(owner) if owner.is_file() and owner.resolve() != mine else None
    if declared and _wrote(declared["name"], stack.state_name):
        raise EngineError.single(_shared(stack, owner, where))


def _siblings(mine: Path) -> list[Path]:
    """The other YAML files beside the stack file `mine` (resolved: a name tells them apart; a symlink to it is
    not another file)."""
    return [sibling for sibling in sorted(mine.parent.glob("*.y*ml"))
            if sibling.suffix in (".yaml", ".yml") and sibling.name != mine.name
            and not (sibling.is_symlink() and sibling.resolve() == mine)]


def _wrote(owner: str, state_name: str) -> bool:
    """Whether a stack file declaring `owner` writes a state named `state_name`: as its name, or its name and an
    environment (`<name>.<env>`)."""
    return state_name == owner or state_name.startswith(owner + ".")


def _sibling_shares(stack: Stack, sibling: Path, name: str) -> bool:
    """Whether the stack file `sibling`, declaring `name`, can be run so that its state is this stack's."""
    if name in (stack.name, stack.state_name):  # run as this one is (same environment, or none), or without one
        return True
    base, _, environment = stack.state_name.rpartition(".")
    return bool(base) and base == name and environment in environment_names(sibling)


def _shared(stack: Stack, other: Path, where: str) -> str:
    return (f"stack files {stack.path} and {other} both declare stack {stack.state_name!r} with its state at "
            f"{where}: they would share one state and undo each other's work; give one of them another name: (or its "
            "own state:)")
