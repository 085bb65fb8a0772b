"""What the emulator holds, read through the official SDKs: the objects a stack's state must match exactly."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ecsops.cloud import operations as ops
from ecsops.cloud.backend import Backend, KeyPair
from ecsops.cloud.client import Cloud
from ecsops.engine.state import StackState
from ecsops.resources.event_alert_rule.lifecycle import list_rules
from tests.support.emulator import ACCESS_KEY_ID, ACCESS_KEY_SECRET, REGION

#: The kinds whose objects are made and deleted (the others are settings of things that always exist).
MADE = ("ecsops:Command", "ecsops:ScheduledInvocation", "ecsops:EventAlertRule", "ecsops:LicenseTask")
GONE = ("Stopped", "Stopping")


def sdk_cloud(endpoint: str) -> Cloud:
    return Cloud(Backend("endpoint", REGION, endpoint=endpoint, keys=KeyPair(ACCESS_KEY_ID, ACCESS_KEY_SECRET)),
                 rate=None)


def inventory(cloud: Cloud) -> dict[str, list[str]]:
    """The ids of every live object of each made kind (a stopped task is no longer live)."""
    commands = cloud.fetch_all(ops.DESCRIBE_COMMANDS, {}, ("Commands", "Command"))
    tasks = cloud.fetch_all(ops.DESCRIBE_INVOCATIONS, {}, ("Invocations", "Invocation"))
    licenses = cloud.fetch_all(ops.DESCRIBE_LICENSE_TASKS, {}, ("LicenseTasks", "LicenseTask"))
    return {
        "ecsops:Command": [command["CommandId"] for command in commands],
        "ecsops:ScheduledInvocation": [task["InvokeId"] for task in tasks if task["InvocationStatus"] not in GONE],
        "ecsops:EventAlertRule": [rule["Name"] for rule in list_rules(cloud)],
        "ecsops:LicenseTask": [task["LicenseTaskId"] for task in licenses],
    }


def mismatches(cloud: Cloud, state: StackState, declared: Counter[str]) -> dict[str, Any]:
    """How the cloud differs from `state` and the stack: per made kind, objects the state does not know
    (orphans or duplicates), ids the state records that the cloud lacks (lost), and a count that is not
    the declared one. Empty when the cloud holds exactly the declared objects."""
    held = inventory(cloud)
    found: dict[str, Any] = {}
    for type_ in MADE:
        recorded = sorted(entry.id for entry in state.resources.values() if entry.type == type_)
        live = sorted(held[type_])
        problems = {
            "unknown to the state": sorted(set(live) - set(recorded)),
            "lost": sorted(set(recorded) - set(live)),
            "duplicated ids": sorted(id_ for id_, count in Counter(live).items() if count > 1),
            "count": None if len(live) == declared[type_] else f"{len(live)} live, {declared[type_]} declared",
        }
        problems = {key: value for key, value in problems.items() if value}
        if problems:
            found[type_] = problems
    if state.pending or state.deposed:
        found["state"] = {"pending": sorted(state.pending), "deposed": [d.id for d in state.deposed]}
    return found
