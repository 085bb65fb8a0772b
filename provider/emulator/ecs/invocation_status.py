"""The status rules of Cloud Assistant invocations, as pure functions (the ECS guide "Execution states").

Three levels: a *run* (one execution on one instance), an *instance* of a task (its latest run, or what
is still to come), and the *task* (all its instances, by the guide's priority table). Each level has a
current status (`InvocationStatus`) and a legacy spelling (`InvokeStatus`, `InstanceInvokeStatus`,
`InvokeRecordStatus`). Nothing here reads the database or the clock: statuses are computed from the
stored outcome and the instant asked about, so they move on as the clock does.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

#: Run and instance statuses that mean "did not succeed".
FAILURES = frozenset({"Failed", "Timeout", "Error", "Invalid", "Aborted", "Cancelled", "Terminated"})


def run_status(now: datetime, start: datetime, finish: datetime, outcome: str) -> str:
    """A run is Pending before its start, Running until its finish, then its stored outcome."""
    if now < start:
        return "Pending"
    if now < finish:
        return "Running"
    return outcome


def instance_status(*, stopped: bool, latest_run: str | None, has_future: bool) -> str:
    """The status of a task on one instance.

    Stopped wins; then a run in progress; then, while more runs are to come (a schedule or a restart),
    Scheduled; else the latest run's status, or Pending when there has been none.
    """
    if stopped:
        return "Stopped"
    if latest_run == "Running":
        return "Running"
    if has_future:
        return "Scheduled"
    return latest_run or "Pending"


def task_status(instance_statuses: Iterable[str]) -> str:
    """The overall status of a task from its instances' statuses (the guide's priority table).

    Running > Stopping > Stopped (all instances) > Scheduled > Pending > Failed (only failures besides
    Stopped) > Success (only successes besides Stopped) > PartialFailed (both).
    """
    statuses = set(instance_statuses)
    for leading in ("Running", "Stopping"):
        if leading in statuses:
            return leading
    if statuses == {"Stopped"}:
        return "Stopped"
    for waiting in ("Scheduled", "Pending"):
        if waiting in statuses:
            return waiting
    ended = statuses - {"Stopped"}
    failed = bool(ended & FAILURES)
    succeeded = "Success" in ended
    if failed and succeeded:
        return "PartialFailed"
    return "Failed" if failed else "Success"


def legacy_task_status(status: str) -> str:
    """`InvokeStatus`: Success is spelt Finished, and a scheduled task counts as Running (the guide:
    "the overall execution state is always Running unless you stop the command")."""
    return {"Success": "Finished", "Scheduled": "Running"}.get(status, status)


def legacy_instance_status(status: str) -> str:
    """`InstanceInvokeStatus` / `InvokeRecordStatus`: Finished, Failed, Running, Stopped or Pending."""
    if status in FAILURES:
        return "Failed"
    return {"Success": "Finished", "Scheduled": "Running"}.get(status, status)
