"""The License Manager product (API version 2022-07-07): operations register themselves on `PRODUCT`.

License Manager has no public API in any SDK or reference (docs/wire.md §5): ecsops defines this RPC product only
in its emulator, after the console of the ECS guide "6". The service is offered in three regions; every
operation requires `RegionId` and answers any other region with `InvalidRegionId.NotSupported`, whatever
regions the world knows. A task is found only in its own region: elsewhere it does not exist.
"""

from __future__ import annotations

from ecsops.emulator.license import models
from ecsops.emulator.license.errors import CODES
from ecsops.emulator.service import Context, Product

PRODUCT = Product(name="license", version="2022-07-07")

#: Seed 003 6.1: China (Hangzhou), US (Silicon Valley), US (Virginia).
REGIONS = ("cn-hangzhou", "us-west-1", "us-east-1")
ACTIVATED, DEACTIVATED = "Activated", "Deactivated"


def region(ctx: Context) -> str:
    """The request's `RegionId`: required, and one of the regions License Manager is offered in."""
    value = ctx.params.text("RegionId", required=True)
    assert value is not None
    if value not in REGIONS:
        raise CODES.error("InvalidRegionId.NotSupported", region=value, supported=", ".join(REGIONS))
    return value


def find_task(ctx: Context, region_id: str) -> models.Task:
    """The task named by the required `LicenseTaskId`, or `InvalidLicenseTaskId.NotFound`."""
    task_id = ctx.params.text("LicenseTaskId", required=True)
    task = models.task_in(ctx.tx, region_id, task_id)
    if task is None:
        raise CODES.error("InvalidLicenseTaskId.NotFound", id=task_id, region=region_id)
    return task
