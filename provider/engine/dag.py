"""Running jobs in dependency order on a pool of threads: each job starts once every job it depends on
has finished, independent jobs run side by side, and ties start in the order given."""

from __future__ import annotations

import threading
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Callable, Generic, Hashable, Iterable, Mapping, TypeVar

Node = TypeVar("Node", bound=Hashable)
DEFAULT_WORKERS = 8  # jobs in flight at once unless the user says otherwise (`--parallelism`)


def run_in_order(nodes: Iterable[Node], dependencies: Mapping[Node, Iterable[Node]], job: Callable[[Node], None], *,
                 workers: int) -> None:
    """Runs `job(node)` for every node, each after its dependencies (those among `nodes`).

    Guarantees: a job never starts before one it depends on has returned; with `workers=1` the order is
    the given order (a topological one). A job that raises stops nothing else; the first exception is
    raised once everything has run. The dependencies must not form a cycle.
    """
    schedule = _schedule(list(nodes), dependencies)
    errors: list[BaseException] = []
    _run(schedule, _guarded(job, errors), max(1, workers))
    if any(schedule.waiting.values()):
        raise ValueError("the dependencies form a cycle")
    if errors:
        raise errors[0]


@dataclass
class _Schedule(Generic[Node]):
    """What is left to run. `waiting` holds each node's dependencies that have not finished yet, `dependents`
    who waits on each node, `ready` the nodes that wait on nothing and have not started, in given order."""

    position: dict[Node, int]             # each node's place in the given order: ties start by it
    waiting: dict[Node, set[Node]]
    dependents: dict[Node, list[Node]]
    ready: list[Node]


def _schedule(order: list[Node], dependencies: Mapping[Node, Iterable[Node]]) -> _Schedule[Node]:
    """The schedule before anything has run. A dependency on a node outside `order`, or on the node itself,
    is dropped: it could never finish first, so it would hold the node back for ever."""
    position = {node: index for index, node in enumerate(order)}
    waiting = {node: {d for d in dependencies.get(node, ()) if d in position and d != node} for node in order}
    dependents: dict[Node, list[Node]] = {node: [] for node in order}
    for node, needs in waiting.items():
        for need in needs:
            dependents[need].append(node)
    return _Schedule(position, waiting, dependents, [node for node in order if not waiting[node]])


def _guarded(job: Callable[[Node], None], errors: list[BaseException]) -> Callable[[Node], Node]:
    """`job` made safe to run on the pool: an exception it raises is kept in `errors` (in the order they
    happen) instead of escaping, so one failed job stops no other; the wrapper returns the node it ran."""
    lock = threading.Lock()

    def guarded(node: Node) -> Node:
        try:
            job(node)
        except BaseException as error:  # reported after every other job has run
            with lock:
                errors.append(error)
        return node

    return guarded


def _run(schedule: _Schedule[Node], job: Callable[[Node], Node], workers: int) -> None:
    """Starts ready nodes, the earliest first and at most `workers` at once, until none is ready or running.

    Guarantees: a node starts only once `waiting` holds nothing for it; on return every node that could run
    has run, and a node still waiting is part of (or behind) a cycle. `job` must not raise (see `_guarded`).
    """
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ecsops-apply") as pool:
        running: set[Future[Node]] = set()
        while schedule.ready or running:
            while schedule.ready and len(running) < workers:
                running.add(pool.submit(job, schedule.ready.pop(0)))
            done, running = wait(running, return_when=FIRST_COMPLETED)
            _finished(schedule, [future.result() for future in done])


def _finished(schedule: _Schedule[Node], finished: Iterable[Node]) -> None:
    """Records that `finished` have run: each dependent left waiting on nothing becomes ready. Dependents are
    released in the given order of what finished, and `ready` is kept in the given order, so with one worker
    the nodes run exactly in the given order."""
    for node in sorted(finished, key=schedule.position.__getitem__):
        for dependent in schedule.dependents[node]:
            schedule.waiting[dependent].discard(node)
            if not schedule.waiting[dependent]:
                schedule.ready.append(dependent)
    schedule.ready.sort(key=schedule.position.__getitem__)
