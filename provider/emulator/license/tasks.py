"""License management tasks: CreateLicenseTask, ModifyLicenseTask, ActivateLicenseTask, DeactivateLicenseTask,
DeleteLicenseTask (docs/wire.md §5; the ECS guide 6.1, 6.3).

- Name: 2 to 128 ASCII letters, digits, `.`, `_`, `-` and `:`, starting with a letter (so never with a
  digit, a special character, `http://` or `https://`). Names need not be unique: a task is known by its
  id, as a command is. The name and the license type are fixed at creation.
- Description: optional; when given, 2 to 256 characters. An empty value means none on create, and clears
  it on modify.
- LicenseType `Instance` or `vCPU` (exact case); LicenseLimit 1 to 100000, changeable.
- At least one discovery rule on create (rules.py).
- At most 25 tasks per region; ClientToken makes a create safe to repeat (service.idempotent).
- A new task is Activated; activating an Activated task or deactivating a Deactivated one succeeds and
  changes nothing.

Every value is checked before anything is written, so a refused request changes nothing.
"""

from __future__ import annotations

import re
from typing import Any

from ecsops.emulator.license import models
from ecsops.emulator.license.discovery import INSTANCE, VCPU
from ecsops.emulator.license.errors import CODES
from ecsops.emulator.license.product import ACTIVATED, DEACTIVATED, PRODUCT, find_task, region
from ecsops.emulator.license.rules import add_rules, requested
from ecsops.emulator.service import Context, idempotent, new_id

TASK_QUOTA = 25
LIMIT_MAXIMUM = 100_000
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9._:-]{1,127}$")
DESCRIPTION_LENGTH = (2, 256)


@PRODUCT.operation("CreateLicenseTask", writes=True)
def create_license_task(ctx: Context) -> dict[str, Any]:
    region_id = region(ctx)
    return idempotent(ctx, ctx.params.text("ClientToken"), lambda: _create(ctx, region_id))


def _create(ctx: Context, region_id: str) -> dict[str, Any]:
    params = ctx.params
    name = params.text("Name", required=True)
    assert name is not None
    if not _NAME.match(name):
        raise CODES.error("InvalidName.Malformed")
    description = _description(ctx)
    license_type = params.text("LicenseType", required=True)
    if license_type not in (INSTANCE, VCPU):
        raise CODES.error("InvalidLicenseType.NotFound", type=license_type)
    limit = _limit(ctx, required=True)
    assert limit is not None
    rules = requested(ctx)
    if models.count_tasks(ctx.tx, region_id) >= TASK_QUOTA:
        raise CODES.error("LicenseTask.ExceedQuota", region=region_id, quota=TASK_QUOTA)
    task_id = new_id("lt", region_id)
    models.insert_task(ctx.tx, models.Task(task_id, region_id, name, description or "", license_type, limit,
                                           ACTIVATED, ctx.timestamp))
    add_rules(ctx.tx, task_id, rules)
    return {"LicenseTaskId": task_id}


def _description(ctx: Context) -> str | None:
    """The `Description` given (None when absent), `""` or 2 to 256 characters."""
    description = ctx.params.text("Description")
    low, high = DESCRIPTION_LENGTH
    if description and not low <= len(description) <= high:
        raise CODES.error("InvalidDescription.Malformed")
    return description


def _limit(ctx: Context, *, required: bool) -> int | None:
    limit = ctx.params.integer("LicenseLimit", required=required)
    if limit is not None and not 1 <= limit <= LIMIT_MAXIMUM:
        raise CODES.error("InvalidLicenseLimit.OutOfRange", limit=limit, maximum=LIMIT_MAXIMUM)
    return limit


@PRODUCT.operation("ModifyLicenseTask", writes=True)
def modify_license_task(ctx: Context) -> dict[str, Any]:
    """Sets the description and the limit it is given, each independently; the rest stays."""
    task = find_task(ctx, region(ctx))
    description = _description(ctx)
    models.update_task(ctx.tx, task.id, description=description, license_limit=_limit(ctx, required=False))
    return {}


@PRODUCT.operation("ActivateLicenseTask", writes=True)
def activate_license_task(ctx: Context) -> dict[str, Any]:
    models.set_task_status(ctx.tx, find_task(ctx, region(ctx)).id, ACTIVATED)
    return {}


@PRODUCT.operation("DeactivateLicenseTask", writes=True)
def deactivate_license_task(ctx: Context) -> dict[str, Any]:
    models.set_task_status(ctx.tx, find_task(ctx, region(ctx)).id, DEACTIVATED)
    return {}


@PRODUCT.operation("DeleteLicenseTask", writes=True)
def delete_license_task(ctx: Context) -> dict[str, Any]:
    """Deletes the task and its rules; deleting it again is `InvalidLicenseTaskId.NotFound`."""
    task = find_task(ctx, region(ctx))
    models.delete_task(ctx.tx, task.id)
    return {}
