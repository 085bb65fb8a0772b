"""Which stack files a run over many stacks covers: paths, folders and globs, then this worker's shard.

`ecsops drift stacks/ teams/*/prod.yaml` covers every stack file found: a file named is taken as it is (the
loader says what is wrong with it); a folder is searched recursively for `*.yaml` / `*.yml` files that are
stacks (a top-level `name:` and `resources:`; environment files and other YAML are passed over), skipping
hidden folders (`.git`, `.ecsops`); a glob (`*`, `?`, `[`; `**` crosses folders) is expanded and each match
taken as a file or folder. A path that does not exist, or a glob that matches nothing, is an error: a typo in
a nightly job must not turn into a green run over no stacks.

`.ecsopsignore` files in the folders searched (docs/drift.md) are collected for `drift --unmanaged`.

Shards: `--shard I/N` (I from 1 to N, as Playwright and Jest number them) keeps the stacks whose path from
the repository root hashes to I. The hash is SHA-256, so every worker of a CI matrix or a Kubernetes Indexed
Job, each on its own clone, agrees on the split without talking to the others, and every stack lands in
exactly one shard.
"""

from __future__ import annotations

import glob
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from ecsops.engine.errors import Diagnostic, EngineError
from ecsops.engine.stack_files import repository_root, source_name, top_level

IGNORE_FILE = ".ecsopsignore"
STACK_SUFFIXES = (".yaml", ".yml")
GLOB_CHARACTERS = re.compile(r"[*?\[]")
SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


@dataclass(frozen=True)
class Shard:
    """The `index`-th of `count` shares of a fleet (1-based)."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> "Shard":
        """`I/N` with 1 <= I <= N; ValueError saying what is expected otherwise."""
        match = SHARD.match(text)
        if not match:
            raise ValueError(f"{text!r} is not a shard: expected I/N, e.g. 2/8 (I from 1 to N)")
        index, count = int(match.group(1)), int(match.group(2))
        if count < 1 or not 1 <= index <= count:
            raise ValueError(f"{text!r} is not a shard: I must be from 1 to N, and N at least 1")
        return cls(index, count)

    def covers(self, stack_path: Path) -> bool:
        return shard_of(shard_key(stack_path), self.count) == self.index

    def document(self) -> dict[str, int]:
        return {"index": self.index, "count": self.count}


def shard_key(stack_path: Path) -> str:
    """What a stack's shard is computed from: its path from the repository root (the same on every clone); out
    of a repository, its path from the working folder (the same for every worker that runs from the same place),
    else its absolute path."""
    path = Path(stack_path)
    if repository_root(path) is not None:
        return source_name(path)
    absolute = path.absolute()
    return absolute.relative_to(Path.cwd()).as_posix() if absolute.is_relative_to(Path.cwd()) else absolute.as_posix()


def shard_of(source: str, count: int) -> int:
    """The shard (1..count) of a stack file, by its path from the repository root (the same on every clone)."""
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


@dataclass(frozen=True)
class Discovery:
    """The stack files a run covers (sorted by path, each once) and the ignore files that apply to them."""

    stacks: tuple[Path, ...]
    ignore_files: tuple[Path, ...] = ()

    def sharded(self, shard: Shard | None) -> "Discovery":
        if shard is None:
            return self
        return Discovery(tuple(path for path in self.stacks if shard.covers(path)), self.ignore_files)


def discover(paths: Sequence[str | Path]) -> Discovery:
    """The stack files `paths` name (see the module docstring); EngineError naming every path that names no stack.
    A file reached twice (named and found in a folder, through a symlink) is taken once."""
    stacks: dict[Path, Path] = {}   # resolved -> as found
    folders: list[Path] = []
    problems: list[Diagnostic] = []
    for given in paths:
        found, searched = _stacks_of(str(given))
        if not found:
            problems.append(Diagnostic(f"{given}: {_nothing(str(given), searched)}"))
        folders.extend(searched)
        for path in found:
            stacks.setdefault(_resolved(path), path)
    if problems:
        raise EngineError(problems)
    chosen = sorted(stacks.values(), key=_sort_key)
    return Discovery(tuple(chosen), tuple(_ignore_files(folders, chosen)))


def _stacks_of(given: str) -> tuple[list[Path], list[Path]]:
    """The stack files one path names, and the folders it searched. A file that exists is taken as named,
    whatever characters its name has; else a glob's matches are filtered as a folder's files are."""
    if os.path.lexists(given) or not GLOB_CHARACTERS.search(given):
        path = Path(given)
        if path.is_dir():
            return list(_stacks_under(path)), [path]
        return ([path] if path.is_file() else []), []
    found: list[Path] = []
    folders: list[Path] = []
    fixed = len(_fixed_prefix(given))
    for match in sorted(glob.glob(given, recursive=True)):
        path = Path(match)
        if _through_symlink(path, fixed):
            continue  # as a folder's search, a glob does not follow symlinked folders (a link to `..` loops)
        if path.is_dir():
            found.extend(_stacks_under(path))
            folders.append(path)
        elif is_stack_file(path):
            found.append(path)
    return found, folders


def _fixed_prefix(pattern: str) -> tuple[str, ...]:
    """The leading parts of a glob without glob characters (they name folders as the user wrote them)."""
    parts = Path(pattern).parts
    for index, part in enumerate(parts):
        if GLOB_CHARACTERS.search(part):
            return parts[:index]
    return parts


def _through_symlink(path: Path, fixed: int) -> bool:
    """Whether a glob's match goes through a symlinked folder after the pattern's fixed prefix."""
    parts = path.parts
    return any(Path(*parts[:index]).is_symlink() for index in range(max(fixed, 1) + 1, len(parts)))


def _nothing(given: str, searched: list[Path]) -> str:
    if searched:
        return "no stack files found (a stack is a .yaml or .yml file with a top-level name: and resources:)"
    if os.path.lexists(given):
        return "not a file or a folder"
    return "matches no stack file" if GLOB_CHARACTERS.search(given) else "no such file or folder"


def is_stack_file(path: Path) -> bool:
    """A YAML file with a top-level `name:` and `resources:` — or one that cannot be read or scanned (a byte
    that is not UTF-8): taken, so the loader says what is wrong, rather than passed over in silence."""
    if path.suffix not in STACK_SUFFIXES or path.name.startswith("."):
        return False
    try:
        path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return True
    return top_level(path) is not None


def _stacks_under(folder: Path) -> Iterable[Path]:
    """Every stack file below `folder`, hidden folders skipped, symlinked folders not followed (no loops), in a
    stable order."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(name for name in dirs if not name.startswith("."))
        for name in sorted(files):
            if is_stack_file(Path(root) / name):
                yield Path(root) / name


def _ignore_files(folders: Iterable[Path], stacks: Iterable[Path]) -> list[Path]:
    """The `.ecsopsignore` files that apply: in every folder searched and below it, and in each stack's folder
    and the folders above it up to the repository root (a stack named by a glob keeps its team's rules)."""
    candidates: dict[Path, None] = {}
    for root in folders:
        for walked, dirs, _ in os.walk(root):
            dirs[:] = sorted(name for name in dirs if not name.startswith("."))
            candidates[Path(walked)] = None
    for stack in stacks:
        candidates.update(dict.fromkeys(_up_to_root(Path(stack).parent)))
    found: dict[Path, Path] = {}
    for folder in candidates:
        if (folder / IGNORE_FILE).is_file():
            found.setdefault(_resolved(folder / IGNORE_FILE), folder / IGNORE_FILE)
    return sorted(found.values(), key=_sort_key)


def _up_to_root(folder: Path) -> list[Path]:
    """`folder` and the folders above it up to the repository root (without one: `folder` alone)."""
    root = repository_root(folder / "x")
    if root is None:
        return [folder]
    chain = [folder]
    for parent in folder.resolve().parents:
        if not parent.is_relative_to(root):
            break
        chain.append(parent)
    return chain


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop: keep the path as found
        return path.absolute()


def _sort_key(path: Path) -> str:
    return path.as_posix()
