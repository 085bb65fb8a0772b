"""The instances of the world and the account's quotas: DescribeInstances, DescribeAccountAttributes."""

from __future__ import annotations

import sqlite3
from typing import Any

from ecsops.emulator import world
from ecsops.emulator.ecs.errors import CODES
from ecsops.emulator.ecs.product import PRODUCT
from ecsops.emulator.service import Context, matches_tags, page, tag_list, tags_of

INSTANCE_STATUSES = ("Pending", "Running", "Starting", "Stopping", "Stopped")
INSTANCE_IDS_LIMIT = 100
ACCOUNT_ATTRIBUTES = ("max-axt-command-count", "max-axt-invocation-daily")


@PRODUCT.operation("DescribeInstances", writes=False)
def describe_instances(ctx: Context) -> dict[str, Any]:
    region = ctx.region()
    wanted_ids = _instance_ids(ctx)
    status = ctx.params.text("Status")
    if status and status not in INSTANCE_STATUSES:
        raise CODES.error("InvalidStatus.ValueNotSupported", status=status)
    tags = ctx.params.objects("Tag")
    rows = [
        row for row in ctx.tx.execute("SELECT * FROM instances WHERE region = ? ORDER BY seq", (region,))
        if (wanted_ids is None or row["id"] in wanted_ids)
        and (not status or row["status"] == status)
        and matches_tags(ctx.tx, "instance", row["id"], tags)
    ]
    chunk, paging = page(ctx, rows, max_size=100)
    return {"Instances": {"Instance": [instance_view(ctx.tx, row) for row in chunk]}, **paging}


def _instance_ids(ctx: Context) -> set[str] | None:
    ids = ctx.params.json("InstanceIds")
    if ids is None:
        return None
    if not isinstance(ids, list) or len(ids) > INSTANCE_IDS_LIMIT or not all(isinstance(i, str) for i in ids):
        raise CODES.error("InvalidInstanceIds.Malformed", limit=INSTANCE_IDS_LIMIT)
    return set(ids)


def instance_view(tx: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    return {
        "InstanceId": row["id"],
        "InstanceName": row["name"],
        "Status": row["status"],
        "OSType": row["os_type"],
        "RegionId": row["region"],
        "Cpu": row["cpu"],
        "Memory": row["memory"],
        "LocalStorageAmount": 1 if row["local_disk"] else 0,
        "CreationTime": row["creation_time"],
        "Tags": tag_list(tags_of(tx, "instance", row["id"])),
    }


@PRODUCT.operation("DescribeAccountAttributes", writes=False)
def describe_account_attributes(ctx: Context) -> dict[str, Any]:
    """The Cloud Assistant quotas; other attribute names are not emulated and answer nothing."""
    ctx.region()
    asked = ctx.params.strings("AttributeName") or list(ACCOUNT_ATTRIBUTES)
    items = [
        {"AttributeName": name,
         "AttributeValues": {"ValueItem": [{"Value": str(world.quota(ctx.tx, name)), "Count": 1}]}}
        for name in asked
        if name in ACCOUNT_ATTRIBUTES
    ]
    return {"AccountAttributeItems": {"AccountAttributeItem": items}}
