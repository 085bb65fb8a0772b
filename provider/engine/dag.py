"""Running jobs in dependency order on a pool of threads: each job starts once every job it depends on
has finished, independent jobs run side by side, and ties start in the order given."""

from __future__ import annotations

import threading
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Callable, Hashable, Iterable, Mapping, TypeVar

Node = TypeVar("Node", bound=Hashable)
DEFAULT_WORKERS = 8  # jobs in flight at once unless the user says otherwise (`--parallelism`)


def run_in_order(nodes: Iterable[Node], dependencies: Mapping[Node, Iterable[Node]], job: Callable[[Node], None], *,
                 workers: int) -> None:
    """Runs `job(node)` for every node, each after its dependencies (those among `nodes`).

    Guarantees: a job never starts before one it depends on has returned; with `workers=1` the order is
    the given order (a topological one). A job that raises stops nothing else; the first exception is
    raised once everything has run. The dependencies must not form a cycle.
    """
    order = list(nodes)
    position = {node: index for index, node in enumerate(order)}
    waiting = {node: {d for d in dependencies.get(node, ()) if d in position and d != node} for node in order}
    dependents: dict[Node, list[Node]] = {node: [] for node in order}
    for node, needs in waiting.items():
        for need in needs:
            dependents[need].append(node)
    ready = [node for node in order if not waiting[node]]
    errors: list[BaseException] = []
    lock = threading.Lock()

    def guarded(node: Node) -> Node:
        try:
            job(node)
        except BaseException as error:  # reported after every other job has run
            with lock:
                errors.append(error)
        return node

    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="ecsops-apply") as pool:
        running: set[Future[Node]] = set()
        while ready or running:
            while ready and len(running) < max(1, workers):
                running.add(pool.submit(guarded, ready.pop(0)))
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: position[f.result()]):
                for dependent in dependents[future.result()]:
                    waiting[dependent].discard(future.result())
                    if not waiting[dependent]:
                        ready.append(dependent)
            ready.sort(key=position.__getitem__)
    if len(position) and any(waiting[node] for node in order):
        raise ValueError("the dependencies form a cycle")
    if errors:
        raise errors[0]
