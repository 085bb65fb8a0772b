"""What a task discovers and counts, computed from the world at the moment of asking (the ECS guide 6.2).

Nothing here is stored, so counts are never stale: an instance added, changed (products, vCPUs, status)
or moved by a world merge shows in the next answer. Reading never changes anything.

The rules, for an Activated task:
- it looks at every instance of its region, whatever its status: a license is held by an installed
  product, not by a running machine, so a Stopped instance still counts;
- an instance is matched when one of its installed products matches one of the task's rules; it is
  counted once however many of its products or rules match, and reported with the first of its installed
  products that matched;
- it counts 1 per instance (`Instance`) or the instance's vCPUs (`vCPU`), in the order instances were
  created (the world's `seq`);
- an instance is tracked when the running total of what the matched instances before it and itself
  count stays within the limit. The total only grows, so once one instance does not fit, it and every
  matched instance after it fail, even a smaller one: the answer does not depend on sizes further down
  the list, and each failure's reason states the total that broke the limit.
A Deactivated task keeps its configuration and discovers nothing: it consumes 0, tracks and fails none.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from typing import Any

from ecsops.emulator.license import models
from ecsops.emulator.license.models import Instance, Rule, Task
from ecsops.emulator.license.product import ACTIVATED

INSTANCE, VCPU = "Instance", "vCPU"


@dataclass(frozen=True)
class Resource:
    """One matched instance: what it counts, and why it failed when it did (else `reason` is empty)."""

    instance_id: str
    name: str
    cpu: int
    product: str
    version: str
    counted: int
    reason: str = ""

    def view(self) -> dict[str, Any]:
        return {"InstanceId": self.instance_id, "InstanceName": self.name, "Cpu": self.cpu,
                "Product": self.product, "Version": self.version, "Counted": self.counted, "Reason": self.reason}


@dataclass(frozen=True)
class Usage:
    tracked: tuple[Resource, ...] = ()
    failed: tuple[Resource, ...] = ()

    @property
    def consumed(self) -> int:
        return sum(resource.counted for resource in self.tracked)


def usage(tx: sqlite3.Connection, task: Task) -> Usage:
    """The task's tracked and failed instances as the world stands now."""
    if task.status != ACTIVATED:
        return Usage()
    rules = models.rules_of(tx, task.id)
    limit = task.license_limit
    tracked: list[Resource] = []
    failed: list[Resource] = []
    total = 0
    for instance in models.instances_in(tx, task.region):
        installed = _matched_product(instance, rules)
        if installed is None:
            continue
        counted = 1 if task.license_type == INSTANCE else instance.cpu
        total += counted
        resource = Resource(instance.id, instance.name, instance.cpu, installed["name"], installed.get("version", ""),
                            counted)
        if total <= limit:
            tracked.append(resource)
        else:
            failed.append(_failure(resource, task.license_type, limit, total))
    return Usage(tuple(tracked), tuple(failed))


def _matched_product(instance: Instance, rules: list[Rule]) -> dict[str, Any] | None:
    """The first installed product of `instance` that one of `rules` matches."""
    for installed in instance.products:
        if any(rule.matches(installed) for rule in rules):
            return installed
    return None


def _failure(resource: Resource, license_type: str, limit: int, total: int) -> Resource:
    unit = "instance" if license_type == INSTANCE else "vCPU"
    plural = "" if limit == 1 else "s"
    return replace(resource, reason=f"the license limit of {limit} {unit}{plural} is reached: "
                                    f"{resource.counted} more would make {total}")
