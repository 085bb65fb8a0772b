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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from ecsops.engine.errors import Diagnostic, EngineError
from ecsops.engine.stack_files import source_name, top_level

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
        return shard_of(source_name(stack_path), self.count) == self.index

    def document(self) -> dict[str, int]:
        return {"index": self.index, "count": self.count}


def shard_of(source: str, count: int) -> int:
    """The shard (1..count) of a stack file, by its path from the repository root (the same on every clone)."""
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


@dataclass(frozen=True)
class Discovery:
    """The stack files a run covers (sorted by path, each once) and the ignore files of the folders searched."""

    stacks: tuple[Path, ...]
    ignore_files: tuple[Path, ...] = ()
    folders: tuple[Path, ...] = field(default=())

    def sharded(self, shard: Shard | None) -> "Discovery":
        if shard is None:
            return self
        return Discovery(tuple(path for path in self.stacks if shard.covers(path)), self.ignore_files, self.folders)


def discover(paths: Sequence[str | Path]) -> Discovery:
    """The stack files `paths` name (see the module docstring); EngineError naming every path that names none."""
    stacks: dict[Path, None] = {}
    folders: dict[Path, None] = {}
    problems: list[Diagnostic] = []
    for given in paths:
        found = _expanded(str(given))
        if not found:
            what = "matches no file" if GLOB_CHARACTERS.search(str(given)) else "no such file or folder"
            problems.append(Diagnostic(f"{given}: {what}"))
        for path in found:
            if path.is_dir():
                folders[path] = None
                stacks.update(dict.fromkeys(_stacks_under(path)))
            elif path.is_file():
                stacks[path] = None
            else:
                problems.append(Diagnostic(f"{path}: no such file or folder"))
    if problems:
        raise EngineError(problems)
    ignores = [folder / IGNORE_FILE for folder in _all_folders(folders) if (folder / IGNORE_FILE).is_file()]
    return Discovery(tuple(sorted(stacks, key=_sort_key)), tuple(dict.fromkeys(ignores)), tuple(folders))


def _expanded(given: str) -> list[Path]:
    if not GLOB_CHARACTERS.search(given):
        return [Path(given)] if os.path.lexists(given) else []
    return [Path(match) for match in sorted(glob.glob(given, recursive=True))]


def _stacks_under(folder: Path) -> Iterable[Path]:
    """Every stack file below `folder`, hidden folders skipped, in a stable order."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(name for name in dirs if not name.startswith("."))
        for name in sorted(files):
            path = Path(root) / name
            if path.suffix in STACK_SUFFIXES and not name.startswith(".") and top_level(path) is not None:
                yield path


def _all_folders(roots: Iterable[Path]) -> Iterable[Path]:
    """The folders searched: each root and every folder below it that is not hidden."""
    for root in roots:
        for folder, dirs, _ in os.walk(root):
            dirs[:] = sorted(name for name in dirs if not name.startswith("."))
            yield Path(folder)


def _sort_key(path: Path) -> str:
    return path.as_posix()
