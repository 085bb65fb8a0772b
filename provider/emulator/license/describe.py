"""The reads: DescribeLicenseTasks and DescribeLicenseTaskResources (docs/wire.md §5; the ECS guide 6.2).

Both answer from the world as it is now (discovery.py): consumed counts and resource lists are computed
at answer time, never stored. Reads change nothing. Paging: MaxResults 1 to 100 (default 10) and the
opaque NextToken of `service.page`; an empty NextToken means the last page.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from ecsops.emulator.errors import COMMON
from ecsops.emulator.license import models
from ecsops.emulator.license.discovery import usage
from ecsops.emulator.license.models import Rule, Task
from ecsops.emulator.license.product import PRODUCT, find_task, region
from ecsops.emulator.service import Context, page

PAGE_DEFAULT = 10
PAGE_LIMIT = 100
ID_LIMIT = 100
KINDS = ("Tracked", "Failed")


@PRODUCT.operation("DescribeLicenseTasks", writes=False)
def describe_license_tasks(ctx: Context) -> dict[str, Any]:
    """The region's tasks in creation order, only those of `LicenseTaskId.N` when given (unknown ids: none)."""
    region_id = region(ctx)
    wanted = set(ctx.params.strings("LicenseTaskId"))
    if len(wanted) > ID_LIMIT:
        raise COMMON.error("InvalidParameter", name="LicenseTaskId", reason=f"at most {ID_LIMIT} ids")
    tasks = [task for task in models.tasks_in(ctx.tx, region_id) if not wanted or task.id in wanted]
    chunk, paging = page(ctx, tasks, default_size=PAGE_DEFAULT, max_size=PAGE_LIMIT)
    return {"LicenseTasks": {"LicenseTask": [_task_view(ctx.tx, task) for task in chunk]}, **paging}


def _task_view(tx: sqlite3.Connection, task: Task) -> dict[str, Any]:
    found = usage(tx, task)
    return {
        "LicenseTaskId": task.id,
        "Name": task.name,
        "Description": task.description,
        "LicenseType": task.license_type,
        "LicenseLimit": task.license_limit,
        "Status": task.status,
        "DiscoveryRules": {"DiscoveryRule": [_rule_view(rule) for rule in models.rules_of(tx, task.id)]},
        "Consumed": found.consumed,
        "TrackedCount": len(found.tracked),
        "FailedCount": len(found.failed),
        "CreationTime": task.creation_time,
    }


def _rule_view(rule: Rule) -> dict[str, str]:
    return {"Product": rule.product, "Version": rule.version}


@PRODUCT.operation("DescribeLicenseTaskResources", writes=False)
def describe_license_task_resources(ctx: Context) -> dict[str, Any]:
    """The instances a task tracks (`Kind` Tracked, the default) or failed to track (`Failed`), in creation order."""
    task = find_task(ctx, region(ctx))
    kind = ctx.params.text("Kind") or KINDS[0]
    if kind not in KINDS:
        raise COMMON.error("InvalidParameter", name="Kind", reason=f"{kind!r} is not Tracked or Failed")
    found = usage(ctx.tx, task)
    resources = found.tracked if kind == "Tracked" else found.failed
    chunk, paging = page(ctx, list(resources), default_size=PAGE_DEFAULT, max_size=PAGE_LIMIT)
    return {"Resources": {"Resource": [resource.view() for resource in chunk]}, **paging}
