"""Reading the cloud: the one step of plan and drift that does I/O, and it only reads.

Guarantee: nothing here writes. Reads of different resources run in parallel (bounded), and a failed read
becomes a diagnostic naming the resource rather than an exception from deep inside a thread.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ecsops.cloud.errors import CloudError
from ecsops.engine import kind as kinds
from ecsops.engine import refs
from ecsops.engine.errors import Diagnostic, EngineError
from ecsops.engine.kind import Observed
from ecsops.engine.stack import Stack
from ecsops.engine.state import ResourceState, StackState
from ecsops.engine.validate import validate
from ecsops.engine.values import UNKNOWN

if TYPE_CHECKING:
    from ecsops.cloud.client import Cloud

READ_WORKERS = 8
BATCH_MIN = 10


def observe(state: StackState, cloud: "Cloud", *, batch: bool = True) -> dict[str, Observed | None]:
    """The current cloud object of every resource recorded in `state` (None when it is gone).

    With `batch`, kinds that can read many objects at once do so when the state holds at least
    `BATCH_MIN` of them (a listing costs pages; a few objects cost a call each); the rest are read one
    by one, in parallel.
    """
    groups: dict[str, list[tuple[str, ResourceState]]] = {}
    for name, entry in state.resources.items():
        groups.setdefault(entry.type, []).append((name, entry))
    results: dict[str, Observed | None | Diagnostic] = {}
    singles: list[tuple[str, ResourceState]] = []
    for type_, entries in groups.items():
        kind = kinds.get(type_)
        if batch and kind.batch_reader is not None and len(entries) >= BATCH_MIN:
            results.update(_read_batch(kind, entries, cloud))
        else:
            singles.extend(entries)

    def read(item: tuple[str, ResourceState]) -> tuple[str, Observed | None | Diagnostic]:
        name, entry = item
        kind = kinds.get(entry.type)
        try:
            return name, kind.lifecycle.read(cloud, entry.id, prior=entry.values)
        except CloudError as error:
            return name, Diagnostic(f"reading {entry.id} failed: {error}", resource=name, type=kind.type)

    with ThreadPoolExecutor(max_workers=READ_WORKERS) as pool:
        results.update(pool.map(read, singles))
    problems = [result for result in results.values() if isinstance(result, Diagnostic)]
    if problems:
        raise EngineError(problems)
    return {name: result for name, result in results.items() if not isinstance(result, Diagnostic)}


def _read_batch(kind: kinds.Kind, entries: list[tuple[str, ResourceState]],
                cloud: "Cloud") -> dict[str, Observed | None | Diagnostic]:
    reader = kind.batch_reader
    assert reader is not None
    try:
        found = reader.read_many(cloud, {entry.id: entry.values for _, entry in entries})
    except CloudError as error:
        return {name: Diagnostic(f"reading failed: {error}", resource=name, type=kind.type) for name, _ in entries}
    return {name: found.get(entry.id) for name, entry in entries}


@dataclass(frozen=True)
class Lookups:
    """What plan needs to know from the cloud about declared resources (reads only)."""

    existing: dict[str, Observed]        # objects already holding the identity of a resource to create
    problems: tuple[Diagnostic, ...]     # the kinds' cloud checks (see `Kind.cloud_checks`)


def look_up(stack: Stack, state: StackState, cloud: "Cloud") -> Lookups:
    """Asks the cloud what only it can say about the stack's resources, reading and never writing.

    `find_existing` is asked only for resources the state does not know (an interrupted create of ours is
    not a conflict); both questions only for resources whose values are complete without the cloud.
    """
    def attribute(reference: refs.Reference) -> Any:
        entry = state.resources.get(reference.resource)
        return {**entry.values, **entry.outputs}.get(reference.attribute, UNKNOWN) if entry else UNKNOWN

    existing: dict[str, Observed] = {}
    problems: list[Diagnostic] = []
    for name, declared in stack.resources.items():
        kind = declared.kind
        if kind.find_existing is None and kind.cloud_checks is None:
            continue
        validated = validate(kind, refs.resolve(declared.properties, attribute), resource=name)
        if validated.spec is None:
            continue
        try:
            if kind.find_existing is not None and name not in state.resources and name not in state.pending:
                seen = kind.find_existing(cloud, validated.spec)
                if seen is not None:
                    existing[name] = seen
            if kind.cloud_checks is not None:
                problems += [Diagnostic(message, resource=name, field=field, type=kind.type)
                             for field, message in kind.cloud_checks(cloud, validated.spec)]
        except CloudError as error:
            raise EngineError.single(f"checking with the cloud failed: {error}", resource=name,
                                     type=declared.type) from None
    return Lookups(existing, tuple(problems))
