"""Where a problem is written in its stack file: `file:line:column` for every diagnostic about the stack.

A diagnostic names a resource and a field (`resource "x", field "targets.webhooks[0].url"`), a top-level field
(`field "region"`), or — for a problem that names no field, such as an unknown key — its place in the document
(`Diagnostic.where`). `located` turns that into the line and column where the field's key (or the list item) is
written: through merge keys (`<<: *base`) to where the merged value is written, and, for a field that is
missing, to the mapping it belongs in (`properties:`), else to the resource's name.

The file is read and composed again (YAML nodes keep their marks; nothing is constructed, so aliases cost
nothing) only when there is a problem to place: a stack without problems pays nothing for this.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Container, Iterable, Sequence

import yaml

from ecsops.engine.errors import Diagnostic

if TYPE_CHECKING:
    from ecsops.engine.stack import Stack

MERGE_TAG = "tag:yaml.org,2002:merge"
Position = tuple[int, int]   # line, column (1-based)
Part = str | int
PATH_PART = re.compile(r"\[(\d+)\]|([^.\[\]]+)")


def located(stack: "Stack", diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """`diagnostics`, each about the stack placed where it is written in the stack file (those already placed,
    and those not about anything written in it, unchanged)."""
    diagnostics = list(diagnostics)
    if all(diagnostic.file is not None for diagnostic in diagnostics):
        return diagnostics
    source = SourceMap.of(stack.path)
    return [source.locate(diagnostic, stack.resources) if diagnostic.file is None else diagnostic
            for diagnostic in diagnostics]


def field_parts(field: str) -> tuple[Part, ...]:
    """`targets.webhooks[0].url` -> ("targets", "webhooks", 0, "url") (the inverse of `validate.field_path`)."""
    return tuple(int(index) if index else name for index, name in PATH_PART.findall(field))


class SourceMap:
    """A stack file's YAML nodes, to find where a part of it is written."""

    def __init__(self, file: str, root: yaml.Node | None):
        self.file = file
        self.root = root

    @staticmethod
    def of(path: Path) -> "SourceMap":
        """The map of the file at `path` as it is now (the last few are kept while the file is unchanged)."""
        try:
            stat = os.stat(path)
        except OSError:
            return SourceMap(str(path), None)
        return _composed(str(path), stat.st_mtime_ns, stat.st_size)

    @staticmethod
    def parse(file: str, text: str) -> "SourceMap":
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        try:
            return SourceMap(file, yaml.compose(text, Loader=loader))
        except (yaml.YAMLError, RecursionError):  # not YAML: its syntax error says where itself
            return SourceMap(file, None)

    def locate(self, diagnostic: Diagnostic, declared: Container[str]) -> Diagnostic:
        """`diagnostic` with the file, line and column of what it is about; unchanged when that is not written
        in the file (a resource only the state still holds)."""
        position = self.position(diagnostic, declared)
        if position is None:
            return diagnostic
        line, column = position
        return replace(diagnostic, file=self.file, line=line, column=column)

    def position(self, diagnostic: Diagnostic, declared: Container[str]) -> Position | None:
        if not isinstance(self.root, yaml.MappingNode):  # empty, or not a mapping: the document's start
            return (1, 1) if diagnostic.resource is None else None
        if diagnostic.where is not None:
            return self._deepest([diagnostic.where])
        if diagnostic.resource is not None:
            return self._resource_position(diagnostic.resource, diagnostic.field, diagnostic.resource in declared)
        if diagnostic.field is not None:  # a top-level field; missing: the document's start
            return self._deepest([field_parts(diagnostic.field)]) or (1, 1)
        return None

    def _resource_position(self, name: str, field: str | None, declared: bool) -> Position | None:
        """A resource's field: in its properties (for a resource with a kind) or its own keys (`type`,
        `options.dependsOn`), whichever has it; a field not written there: the deepest part of its path that
        is (`properties:` for a missing property); no field: the resource's name."""
        entry: tuple[Part, ...] = ("resources", name)
        if self._chain(entry)[1] is None:
            return None
        if field is None:
            return self._deepest([entry])
        parts = field_parts(field)
        properties, own = (*entry, "properties", *parts), (*entry, *parts)
        return self._deepest([properties, own] if declared else [own, properties])

    def _deepest(self, paths: Sequence[tuple[Part, ...]]) -> Position | None:
        """Where the first of `paths` written in full is; else the longest part of one that is written."""
        best: tuple[int, Position | None] = (-1, None)
        for path in paths:
            found, _ = self._chain(path)
            if len(found) == len(path) and found:
                return found[-1]
            if found and len(found) > best[0]:
                best = (len(found), found[-1])
        return best[1]

    def _chain(self, path: tuple[Part, ...]) -> tuple[list[Position], yaml.Node | None]:
        """The position of each part of `path` as far as the document has it, and the node it ends at (None
        when not all of it is there)."""
        node: yaml.Node | None = self.root
        found: list[Position] = []
        for part in path:
            step = _child(node, part) if node is not None else None
            if step is None:
                return found, None
            mark, node = step
            found.append((mark.line + 1, mark.column + 1))
        return found, node


@lru_cache(maxsize=4)
def _composed(file: str, mtime_ns: int, size: int) -> SourceMap:
    try:
        text = Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return SourceMap(file, None)
    return SourceMap.parse(file, text)


def _child(node: yaml.Node, part: Part) -> tuple[Any, yaml.Node] | None:
    """(where `part` is written, its value) in a mapping (its key) or a list (its item)."""
    if isinstance(node, yaml.SequenceNode):
        if isinstance(part, int) and 0 <= part < len(node.value):
            item = node.value[part]
            return item.start_mark, item
        return None
    if isinstance(node, yaml.MappingNode):
        pair = _pair(node, str(part), set())
        return (pair[0].start_mark, pair[1]) if pair else None
    return None


def _pair(node: yaml.MappingNode, key: str, seen: set[int]) -> tuple[yaml.Node, yaml.Node] | None:
    """The key and value nodes of `key` in `node`, as the loader resolves it: the mapping's own key first (its
    first occurrence), then what its merge keys bring in, in order."""
    seen.add(id(node))
    for key_node, value_node in node.value:
        if key_node.tag != MERGE_TAG and isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return key_node, value_node
    for key_node, value_node in node.value:
        if key_node.tag != MERGE_TAG:
            continue
        sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
        for source in sources:
            if isinstance(source, yaml.MappingNode) and id(source) not in seen:
                found = _pair(source, key, seen)
                if found:
                    return found
    return None
