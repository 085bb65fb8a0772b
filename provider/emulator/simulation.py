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

_STEPS: list[Step] = []


def step(function: Step) -> Step:
    """Registers a catch-up step (products do this at import)."""
    _STEPS.append(function)
    return function


def catch_up(tx: sqlite3.Connection, now: datetime) -> None:
    """Runs every step in registration order; each must be idempotent for the same `now`."""
    for function in _STEPS:
        function(tx, now)
