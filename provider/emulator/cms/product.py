"""The CloudMonitor product (API version 2019-01-01): operations register themselves on `PRODUCT`.

Every answer carries CloudMonitor's envelope: `Code` ("200"), `Success` (true), `Message` ("") besides
`RequestId` (see errors.py for the answers with `Success: false`) - but for DescribeEventRuleTargetList,
whose answer model has no `Success`: its answers carry `Code` and `Message` only (`listing`).

Regions: the official SDK never sends `RegionId` to CloudMonitor (the service is reached through one
central endpoint), so a rule made through it is account-wide and hears events of every region. A call
that does send `RegionId` works on that region's own rules, which hear only that region's events. Each
call sees the rules of its *scope*: the region it names, or `""` (account-wide) when it names none.
"""

from __future__ import annotations

from typing import Any

from ecsops.emulator import world
from ecsops.emulator.errors import COMMON
from ecsops.emulator.service import Context, Product

PRODUCT = Product(name="cms", version="2019-01-01")

#: The scope of calls that name no region: account-wide rules.
ACCOUNT_WIDE = ""


def answer(**fields: Any) -> dict[str, Any]:
    """A successful answer: the envelope plus the operation's own fields."""
    return {"Code": "200", "Success": True, "Message": "", **fields}


def listing(**fields: Any) -> dict[str, Any]:
    """A successful answer of an operation whose answer model has no `Success`: `Code`, `Message` and its own
    fields."""
    return {"Code": "200", "Message": "", **fields}


def scope(ctx: Context) -> str:
    """The rules this call works on: those of its `RegionId`, or the account-wide ones."""
    region = ctx.params.text("RegionId")
    if region is None or region == "":
        return ACCOUNT_WIDE
    if region not in world.regions(ctx.tx):
        raise COMMON.error("InvalidRegionId.NotFound", region=region)
    return region
