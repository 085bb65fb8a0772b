"""Reading the cloud: the one step of plan and drift that does I/O, and it only reads.

Guarantee: nothing here writes. Reads of different resources run in parallel (bounded), and a failed read
becomes a diagnostic naming the resource rather than an exception from deep inside a thread.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Callable, Hashable, Mapping, TypeVar

from ecsops.cloud.errors import CloudError
from ecsops.engine import kind as kinds
from ecsops.engine import refs
from ecsops.engine.errors import Diagnostic, EngineError
from ecsops.engine.kind import Observed
from ecsops.engine.listing import ListingCache
from ecsops.engine.plan import Action, plan_resource
from ecsops.engine.stack import DeclaredResource, Stack
from ecsops.engine.state import ResourceState, StackState
from ecsops.engine.validate import Validated, validate
from ecsops.engine.values import UNKNOWN

if TYPE_CHECKING:
    from ecsops.cloud.client import Cloud

READ_WORKERS = 8
BATCH_MIN = 10
LOOKUP_TTL_S = 300.0  # a listing serves the checks of one plan, however long they take


def observe(state: StackState, cloud: "Cloud", *, batch: bool = True) -> dict[str, Observed | None]:
    """The current cloud object of every resource recorded in `state` (None when it is gone); EngineError
    naming every resource that could not be read (see `observe_entries`)."""
    results = observe_entries(state.resources, cloud, batch=batch)
    problems = [result for result in results.values() if isinstance(result, Diagnostic)]
    if problems:
        raise EngineError(problems)
    return {name: result for name, result in results.items() if not isinstance(result, Diagnostic)}


Key = TypeVar("Key", bound=Hashable)


def observe_entries(entries: Mapping[Key, ResourceState], cloud: "Cloud", *, batch: bool = True,
                    cache: ListingCache | None = None) -> dict[Key, Observed | None | Diagnostic]:
    """The current cloud object of each entry (None: gone), or a Diagnostic for an entry that could not be read.

    Entries may come from many stacks of one account (keys then name the stack too): they are read together,
    so one listing answers every stack. With `batch`, kinds that can read many objects at once do so when the
    entries hold at least their reader's `batch_min` of them (default `BATCH_MIN`: a listing costs pages; a
    few objects cost a call each); the rest are read one by one. Listings and single reads all run in
    parallel (bounded). Each object is read in the region its entry records: batches are per kind and region.
    `cache`: listings to share with later reads of the same run (the unmanaged objects' inventory).
    """
    groups: dict[tuple[str, str | None], list[tuple[Key, ResourceState]]] = {}
    for key, entry in entries.items():
        groups.setdefault((entry.type, entry.region), []).append((key, entry))
    jobs: list[Callable[[], dict[Key, Observed | None | Diagnostic]]] = []
    for (type_, region), members in groups.items():
        kind = kinds.get(type_)
        if batch and kind.batch_reader is not None and (
                len(members) >= getattr(kind.batch_reader, "batch_min", BATCH_MIN)):
            jobs.append(partial(_read_batch, kind, members, cloud.in_region(region), cache))
        else:
            jobs.extend(partial(_read_one, key, entry, cloud) for key, entry in members)
    results: dict[Key, Observed | None | Diagnostic] = {}
    with ThreadPoolExecutor(max_workers=READ_WORKERS) as pool:  # every listing and single read at once
        for found in pool.map(lambda job: job(), jobs):
            results.update(found)
    return results


def _read_one(key: Key, entry: ResourceState, cloud: "Cloud") -> dict[Key, Observed | None | Diagnostic]:
    kind = kinds.get(entry.type)
    try:
        return {key: kind.lifecycle.read(cloud.in_region(entry.region), entry.id, prior=entry.values)}
    except CloudError as error:
        return {key: Diagnostic(f"reading {entry.id} failed: {error}", resource=_name(key), type=kind.type_name)}


def _read_batch(kind: kinds.Kind, members: list[tuple[Key, ResourceState]], cloud: "Cloud",
                cache: ListingCache | None) -> dict[Key, Observed | None | Diagnostic]:
    reader = kind.batch_reader
    assert reader is not None
    try:
        found = reader.read_many(cloud, {entry.id: entry.values for _, entry in members}, cache=cache)
    except CloudError as error:
        return {key: Diagnostic(f"reading failed: {error}", resource=_name(key), type=kind.type_name)
                for key, _ in members}
    return {key: found.get(entry.id) for key, entry in members}


def _name(key: Hashable) -> str:
    """The resource a key names: the key itself, or its last part (`(stack, name)` in a run over many stacks)."""
    return str(key[-1]) if isinstance(key, tuple) else str(key)


@dataclass(frozen=True)
class Lookups:
    """What plan needs to know from the cloud about declared resources (reads only)."""

    existing: dict[str, Observed]        # objects already holding the identity of a resource to create
    problems: tuple[Diagnostic, ...]     # the kinds' cloud checks (see `Kind.cloud_checks`)


Question = tuple[DeclaredResource, Any]  # a resource the cloud is to be asked about, with its validated spec


@dataclass(frozen=True)
class _Answer:
    """What the cloud said about one resource: the object already holding its identity (if asked and found),
    the problems its kind's cloud checks found, or instead `failure` when the cloud could not be asked."""

    seen: Observed | None = None
    problems: tuple[Diagnostic, ...] = ()
    failure: Diagnostic | None = None


def look_up(stack: Stack, state: StackState, cloud: "Cloud",
            observed: Mapping[str, Observed | None] | None = None, *, cache: ListingCache | None = None) -> Lookups:
    """Asks the cloud what only it can say about the stack's resources, reading and never writing.

    `find_existing` is asked only for resources the state does not know (an interrupted create of ours is
    not a conflict); both questions only for resources whose values are complete without the cloud, and
    (given what the cloud holds, `observed`) only for resources the plan will write: one recorded, present
    and declared as recorded is left alone, so there is nothing to check. Questions go out in parallel.
    """
    asked = _questions(stack, state, observed)
    # `cache`: listings shared with the other stacks of a run (every kind asked about uses it)
    shared = _shared_listings(asked) if cache is None else {declared.type: cache for declared, _ in asked}
    ask = partial(_ask, cloud=cloud, state=state, shared=shared)
    with ThreadPoolExecutor(max_workers=READ_WORKERS) as pool:
        answers = list(pool.map(ask, asked))
    return _lookups(asked, answers)


def _questions(stack: Stack, state: StackState, observed: Mapping[str, Observed | None] | None) -> list[Question]:
    """The resources worth asking about, in stack order, each with its spec: those whose kind has a question
    (`find_existing` or `cloud_checks`), whose values are complete from the stack and the state's recorded
    values alone (a reference to what the cloud has yet to make leaves the spec unknown), and that the plan
    will not leave alone (`_settled`)."""
    attribute = partial(_recorded_attribute, state)
    asked: list[Question] = []
    for name, declared in stack.resources.items():
        kind = declared.kind
        if kind.find_existing is None and kind.cloud_checks is None:
            continue
        validated = validate(kind, refs.resolve(declared.properties, attribute), resource=name)
        if validated.spec is None or _settled(declared, validated, state, observed):
            continue
        asked.append((declared, validated.spec))
    return asked


def _recorded_attribute(state: StackState, reference: refs.Reference) -> Any:
    """The value `reference` names as the state records it (an output, else a value), or UNKNOWN when the
    state records no such resource or attribute."""
    entry = state.resources.get(reference.resource)
    return {**entry.values, **entry.outputs}.get(reference.attribute, UNKNOWN) if entry else UNKNOWN


def _shared_listings(asked: list[Question]) -> dict[str, ListingCache]:
    """A listing cache for each kind asked about at least BATCH_MIN times: its checks then share listings
    (one list call instead of a call each). Kinds asked about less often get none and read object by object."""
    asked_per_kind = Counter(declared.type for declared, _ in asked)
    return {type_: ListingCache(ttl_s=LOOKUP_TTL_S) for type_, count in asked_per_kind.items() if count >= BATCH_MIN}


def _ask(question: Question, *, cloud: "Cloud", state: StackState, shared: Mapping[str, ListingCache]) -> _Answer:
    """Asks the cloud both questions about one resource; a CloudError becomes the answer's `failure` (naming
    the resource) rather than escaping the worker thread. `find_existing` is asked only for a resource the
    state knows nothing of, neither as managed nor as an interrupted create."""
    declared, spec = question
    name, kind = declared.name, declared.kind
    try:
        seen = None
        regional = cloud.in_region(declared.region or None)  # its checks ask where it is to live
        if kind.find_existing is not None and name not in state.resources and name not in state.pending:
            seen = kind.find_existing(regional, spec)
        checked = kind.cloud_checks(regional, spec, cache=shared.get(kind.type_name)) if kind.cloud_checks else []
        problems = [Diagnostic(message, resource=name, field=field, type=kind.type_name) for field, message in checked]
    except CloudError as error:
        return _Answer(failure=Diagnostic(f"checking with the cloud failed: {error}", resource=name,
                                          type=kind.type_name))
    return _Answer(seen=seen, problems=tuple(problems))


def _lookups(asked: list[Question], answers: list[_Answer]) -> Lookups:
    """The answers gathered, in stack order. Raises EngineError naming every resource the cloud could not be
    asked about: a plan must not go on as though there were no conflict or problem."""
    failures = [answer.failure for answer in answers if answer.failure is not None]
    if failures:
        raise EngineError(failures)
    existing = {declared.name: answer.seen for (declared, _), answer in zip(asked, answers) if answer.seen is not None}
    problems = tuple(problem for answer in answers for problem in answer.problems)
    return Lookups(existing, problems)


def _settled(declared: DeclaredResource, validated: Validated, state: StackState,
             observed: Mapping[str, Observed | None] | None) -> bool:
    """Whether the plan will leave this resource alone (so the cloud has nothing to be asked about it)."""
    current = state.resources.get(declared.name)
    if observed is None or current is None or declared.name in state.pending:
        return False
    return plan_resource(declared, validated, current, observed.get(declared.name),
                         salt=state.salt).action is Action.NOOP
