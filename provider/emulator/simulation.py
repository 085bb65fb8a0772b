"""Work that comes due as the clock moves: the runs of scheduled invocations, the delivery of finished runs'
records, and the state changes of system events (with what they do to instances and who is notified).

Nothing runs in the background. Every API request, and every change of the clock through the admin API,
first calls `catch_up(tx, now)` inside its own transaction: each registered step materialises what became
due up to `now`. Because that happens under the database's write lock, two processes sharing one database
file can never both perform the same due work, and what a request sees is always caught up.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Callable

Step = Callable[[sqlite3.Connection, datetime], None]

#: The order catch-up steps run in, stated here rather than left to the order modules happen to be imported in:
#: system events first (an event may stop or restart an instance, which the runs due after it must see), then
#: the runs of scheduled invocations, then the delivery of the records of runs that finished (including runs
#: this catch-up just made).
PHASES = ("events", "runs", "deliveries")

_STEPS: dict[str, list[Step]] = {phase: [] for phase in PHASES}


def step(phase: str) -> Callable[[Step], Step]:
    """Registers a catch-up step in `phase` (one of PHASES; products do this at import). Within a phase, steps
    run in registration order."""
    if phase not in _STEPS:
        raise ValueError(f"unknown catch-up phase {phase!r}: one of {', '.join(PHASES)}")

    def register(function: Step) -> Step:
        if function not in _STEPS[phase]:
            _STEPS[phase].append(function)
        return function

    return register


def steps() -> list[Step]:
    """Every registered step, in the order catch_up runs them."""
    return [function for phase in PHASES for function in _STEPS[phase]]


def catch_up(tx: sqlite3.Connection, now: datetime) -> None:
    """Runs every step, phase by phase (PHASES); each must be idempotent for the same `now`."""
    for function in steps():
        function(tx, now)
