"""What apply and destroy print while they work, and the line they end with.

- One line per step as it finishes, numbered against the plan's steps, a total fixed from the first line
  (`Plan.steps`: a replace that keeps the old object until the new one exists is two steps, the create and
  the delete; an interrupted create of a resource dropped from the stack is two, finishing it and deleting
  it): `[3/10] + nightly (ecsops:ScheduledInvocation): created t-... in 0.4 s`. A line the plan did not count
  (a resource with nothing to do, skipped because one it depends on failed) is printed without a number.
- Every ECSOPS_PROGRESS_INTERVAL seconds (default 10; 0: never) a step has been running, a line saying so:
  `... still creating nightly (ecsops:ScheduledInvocation), 20 s` — a quiet CI log is not a hung one.
- At the end, what was done by kind of change, and how long it took:
  `Apply complete: 1 created, 2 updated, 0 replaced, 1 deleted in 3.4 s.`
"""

from __future__ import annotations

import math
import os
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import TextIO

from ecsops.cli.render import Styler
from ecsops.cli.terminal import seconds
from ecsops.engine.apply import Event, Outcome
from ecsops.engine.plan import SYMBOLS, Action, Plan

INTERVAL_VARIABLE = "ECSOPS_PROGRESS_INTERVAL"
MAX_INTERVAL_S = 86_400.0  # a day: longer waits overflow the timer
DEFAULT_INTERVAL_S = 10.0
VERBS = {Action.CREATE: "created", Action.UPDATE: "updated", Action.REPLACE: "replaced", Action.DELETE: "deleted",
         Action.NOOP: "unchanged"}
DOING = {Action.CREATE: "creating", Action.UPDATE: "updating", Action.REPLACE: "replacing",
         Action.DELETE: "deleting", Action.NOOP: "checking"}


def interval_from_environment() -> float:
    """ECSOPS_PROGRESS_INTERVAL in seconds (default 10); 0, or a value that is no number, as said: 0 turns the
    still-running lines off, a bad value keeps the default."""
    try:
        value = float(os.environ.get(INTERVAL_VARIABLE, DEFAULT_INTERVAL_S))
    except ValueError:
        return DEFAULT_INTERVAL_S
    if not math.isfinite(value) or value < 0:
        return DEFAULT_INTERVAL_S
    return min(value, MAX_INTERVAL_S)


@dataclass
class _Running:
    type: str
    started: float
    next_report: float


class Progress:
    """The progress lines of one apply or destroy. Call `start(plan)` once the plan is approved, pass the
    object as the apply's `on_event`, and use it as a context manager around the apply: leaving it stops the
    still-running lines, however the apply ends."""

    def __init__(self, stream: TextIO | None = None, *, interval: float | None = None):
        self.stream = stream or sys.stdout
        self.style = Styler(self.stream)
        self.interval = interval_from_environment() if interval is None else interval
        self.total = 0
        self.finished = 0
        self.began: float | None = None
        self._budget: Counter[str] = Counter()   # steps the plan counts for each name, not printed yet
        self._running: dict[tuple[str, Action], _Running] = {}
        self._condition = threading.Condition()
        self._closed = False
        self._ticker: threading.Thread | None = None

    def start(self, planned: Plan) -> None:
        """The plan is approved: its steps are the total every line counts against, from the first."""
        with self._condition:
            self.total = planned.steps
            self._budget = Counter()
            for resource in planned.resources:
                if resource.action is not Action.NOOP:
                    self._budget[resource.name] += resource.steps
            self.began = time.monotonic()
            if self.interval > 0 and self._ticker is None and not self._closed:
                self._ticker = threading.Thread(target=self._report_running, name="ecsops-progress", daemon=True)
                self._ticker.start()

    def elapsed(self) -> float | None:
        """Seconds since `start`, None before it."""
        return None if self.began is None else time.monotonic() - self.began

    def __call__(self, event: Event) -> None:
        with self._condition:
            key, now = (event.name, event.action), time.monotonic()
            if event.status == "start":
                self._running[key] = _Running(event.type, now, now + self.interval)
                self._condition.notify()
                return
            running = self._running.pop(key, None)
            elapsed = now - running.started if running else 0.0
            symbol = SYMBOLS[event.action] if event.status != "failed" else "!"
            if event.status == "done":
                what = f"{VERBS[event.action]} {event.detail} in {seconds(elapsed)}"
            else:
                what = f"{event.status}: {event.detail}"
            line = f"{self._number(event.name)} {symbol} {event.name} ({event.type}): {what}"
            print(self.style(line, symbol), file=self.stream, flush=True)

    def _number(self, name: str) -> str:
        """`[k/N]` for a step the plan counts; blank, as wide, for one it does not."""
        if self._budget[name] > 0:
            self._budget[name] -= 1
            self.finished += 1
            return f"[{self.finished}/{self.total}]"
        return " " * len(f"[{self.total}/{self.total}]")

    def _report_running(self) -> None:
        """The ticker: a line for each step running past its next report time, until `close`."""
        with self._condition:
            while not self._closed:
                now = time.monotonic()
                for (name, action), running in self._running.items():
                    if running.next_report <= now:
                        print(f"... still {DOING[action]} {name} ({running.type}), {seconds(now - running.started)}",
                              file=self.stream, flush=True)
                        running.next_report += self.interval
                        if running.next_report <= now:  # the ticker fell behind: the next one an interval from now
                            running.next_report = now + self.interval
                due = min((running.next_report for running in self._running.values()), default=None)
                self._condition.wait(None if due is None else max(0.0, due - now))

    def close(self) -> None:
        with self._condition:
            self._closed = True
            self._condition.notify()
        if self._ticker is not None and self._ticker is not threading.current_thread():
            self._ticker.join(timeout=5)

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def done_by_action(planned: Plan, outcome: Outcome) -> Counter[Action]:
    """The plan's resources whose every step succeeded, by what the plan said of them (a replace counts once,
    as a replace, not also as the delete of its old object)."""
    failed = {failure.resource for failure in outcome.failures} | set(outcome.skipped)
    done = set(outcome.done)
    return Counter(resource.action for resource in planned.resources
                   if resource.action is not Action.NOOP and resource.name in done and resource.name not in failed)


def summary(planned: Plan, outcome: Outcome, verb: str, elapsed: float | None) -> str:
    """`Apply complete: 1 created, 2 updated, 0 replaced, 1 deleted in 3.4 s.` (a destroy only deletes: `Destroy
    complete: 3 deleted in 1.2 s.`); when something failed, `... incomplete: ...`, with what failed and what was
    skipped, and what to do."""
    counts = done_by_action(planned, outcome)
    actions = (Action.DELETE,) if verb == "Destroy" else (Action.CREATE, Action.UPDATE, Action.REPLACE,
                                                          Action.DELETE)
    parts = [f"{counts[action]} {VERBS[action]}" for action in actions]
    took = f" in {seconds(elapsed)}" if elapsed is not None else ""
    if outcome.ok:
        return f"{verb} complete: {', '.join(parts)}{took}."
    failed = {failure.resource for failure in outcome.failures}
    parts += [f"{len(failed)} failed", f"{len(outcome.skipped)} skipped"]
    return f"{verb} incomplete: {', '.join(parts)}{took}. Fix the errors and run it again."
