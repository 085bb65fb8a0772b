"""References between resources: `${name.attribute}` (Pulumi YAML's syntax), and the order they impose.

A reference is `${` + a resource name + `.` + an attribute + `}`. Shell variables such as `${HOME}` have no
dot and stay text, so command content needs no escaping; `$${...}` is a literal `${...}`. A value that is
exactly one reference takes the referenced value's type; references inside longer text are interpolated.
"""

from __future__ import annotations

import heapq
import json
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

_TOKEN = re.compile(r"\$\$\{|\$\{([A-Za-z][A-Za-z0-9_-]*)\.([A-Za-z][A-Za-z0-9_]*)\}")


@dataclass(frozen=True, order=True)
class Reference:
    resource: str
    attribute: str

    def __str__(self) -> str:
        return f"${{{self.resource}.{self.attribute}}}"


def references(value: Any) -> set[Reference]:
    """Every reference anywhere inside `value` (strings, lists, mappings)."""
    found: set[Reference] = set()
    for text in _strings(value):
        if "${" not in text:  # most strings: no regex needed
            continue
        for match in _TOKEN.finditer(text):
            if match.group(1):
                found.add(Reference(match.group(1), match.group(2)))
    return found


def whole_reference(value: Any) -> Reference | None:
    """The reference `value` is exactly (`${name.attribute}` and nothing else), or None.

    Such a value takes the referenced value itself, so rules about what a field may refer to (a command id
    must come from a command) can be judged on the raw value before anything is known.
    """
    whole = _TOKEN.fullmatch(value) if isinstance(value, str) else None
    return Reference(whole.group(1), whole.group(2)) if whole and whole.group(1) else None


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def resolve(value: Any, lookup: Callable[[Reference], Any]) -> Any:
    """`value` with every reference replaced by `lookup(reference)`; escapes `$${` become `${`."""
    if isinstance(value, str):
        return _resolve_text(value, lookup)
    if isinstance(value, Mapping):
        return {key: resolve(item, lookup) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [resolve(item, lookup) for item in value]
    return value


def _resolve_text(text: str, lookup: Callable[[Reference], Any]) -> Any:
    if "${" not in text:
        return text
    whole = whole_reference(text)
    if whole is not None:
        return lookup(whole)

    def substitute(match: re.Match[str]) -> str:
        if not match.group(1):
            return "${"
        resolved = lookup(Reference(match.group(1), match.group(2)))
        return resolved if isinstance(resolved, str) else json.dumps(resolved)

    return _TOKEN.sub(substitute, text)


def substitute(value: Any, prefix: str, replace: Callable[[Reference, bool], Any]) -> Any:
    """`value` with only the references `${prefix.NAME}` replaced: a string that is exactly one of them by
    `replace(reference, True)` itself, one inside a longer text by the text of `replace(reference, False)`
    (JSON for other than text). Every other reference, and every `$${` escape, stays as written, for
    `resolve` to read later. Mappings and lists are walked; anything else is returned as it is."""
    if isinstance(value, str):
        return _substitute_text(value, prefix, replace)
    if isinstance(value, Mapping):
        return {key: substitute(item, prefix, replace) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [substitute(item, prefix, replace) for item in value]
    return value


def _substitute_text(text: str, prefix: str, replace: Callable[[Reference, bool], Any]) -> Any:
    if "${" not in text:
        return text
    whole = whole_reference(text)
    if whole is not None and whole.resource == prefix:
        return replace(whole, True)

    def substituted(match: re.Match[str]) -> str:
        if match.group(1) != prefix:
            return match.group(0)
        resolved = replace(Reference(match.group(1), match.group(2)), False)
        return resolved if isinstance(resolved, str) else json.dumps(resolved)

    return _TOKEN.sub(substituted, text)


class CycleError(ValueError):
    def __init__(self, cycle: list[str]):
        self.cycle = cycle
        super().__init__("references form a cycle: " + " -> ".join(cycle))


def topological(dependencies: Mapping[str, Iterable[str]]) -> list[str]:
    """Names ordered so that each comes after what it depends on; ties keep the mapping's order.

    Iterative (Kahn's algorithm), so long chains need no deep recursion. Raises CycleError naming one
    cycle. Dependencies on names outside the mapping are ignored.
    """
    position = {name: index for index, name in enumerate(dependencies)}
    needs = {name: {d for d in deps if d in position and d != name} for name, deps in dependencies.items()}
    _refuse_self_loops(dependencies)
    ordered = _kahn(position, needs)
    if len(ordered) < len(position):
        raise CycleError(_a_cycle({name: deps for name, deps in needs.items() if deps}))
    return ordered


def _refuse_self_loops(dependencies: Mapping[str, Iterable[str]]) -> None:
    """Raises CycleError for the first name that depends on itself: the shortest cycle, reported as such
    (`needs` leaves such a dependency out, so the walk in `_a_cycle` would never find it)."""
    self_loops = [name for name, deps in dependencies.items() if name in set(deps)]
    if self_loops:
        raise CycleError([self_loops[0], self_loops[0]])


def _kahn(position: Mapping[str, int], needs: dict[str, set[str]]) -> list[str]:
    """The names of `needs` that can be ordered, each after its needs, ties by `position` (lowest first).

    Consumes `needs`: a name's set loses each dependency as it is ordered, so on return the names still
    needing something are exactly those no order can satisfy (in a cycle or behind one).
    """
    dependents = _dependents(needs)
    ready = [(position[name], name) for name, deps in needs.items() if not deps]
    heapq.heapify(ready)
    ordered: list[str] = []
    while ready:
        _, name = heapq.heappop(ready)
        ordered.append(name)
        for dependent in dependents[name]:
            needs[dependent].discard(name)
            if not needs[dependent]:
                heapq.heappush(ready, (position[dependent], dependent))
    return ordered


def _dependents(needs: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """Who depends on each name (every name of `needs` has an entry, empty when nothing depends on it)."""
    dependents: dict[str, list[str]] = {name: [] for name in needs}
    for name, deps in needs.items():
        for dependency in deps:
            dependents[dependency].append(name)
    return dependents


def _a_cycle(blocked: Mapping[str, set[str]]) -> list[str]:
    """Walks from any blocked name along unresolved dependencies until a name repeats."""
    name = next(iter(blocked))
    path: list[str] = []
    while name not in path:
        path.append(name)
        name = sorted(blocked[name])[0]
    return path[path.index(name):] + [name]
