"""Reading the cloud: the one step of plan and drift that does I/O, and it only reads.

Guarantee: nothing here writes. Reads of different resources run in parallel (bounded), and a failed read
becomes a diagnostic naming the resource rather than an exception from deep inside a thread.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from ecsops.cloud.errors import CloudError
from ecsops.engine import kind as kinds
from ecsops.engine.errors import Diagnostic, EngineError
from ecsops.engine.kind import Observed
from ecsops.engine.state import ResourceState, StackState

if TYPE_CHECKING:
    from ecsops.cloud.client import Cloud

READ_WORKERS = 8


def observe(state: StackState, cloud: "Cloud") -> dict[str, Observed | None]:
    """The current cloud object of every resource recorded in `state` (None when it is gone)."""

    def read(item: tuple[str, ResourceState]) -> tuple[str, Observed | None | Diagnostic]:
        name, entry = item
        kind = kinds.get(entry.type)
        try:
            return name, kind.lifecycle.read(cloud, entry.id, prior=entry.values)
        except CloudError as error:
            return name, Diagnostic(f"reading {entry.id} failed: {error}", resource=name, type=kind.type)

    with ThreadPoolExecutor(max_workers=READ_WORKERS) as pool:
        results = dict(pool.map(read, state.resources.items()))
    problems = [result for result in results.values() if isinstance(result, Diagnostic)]
    if problems:
        raise EngineError(problems)
    return {name: result for name, result in results.items() if not isinstance(result, Diagnostic)}
