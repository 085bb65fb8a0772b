"""Instance maintenance attributes: ModifyInstanceMaintenanceAttributes and DescribeInstanceMaintenanceAttributes
(docs/wire.md §2; the ECS guide "2.6.1").

Each instance has one set of attributes: the action taken when the platform repairs its host
(`ActionOnMaintenance`: AutoRecover, Stop, AutoRedeploy), whether it is asked first (`NotifyOnMaintenance`),
and one daily window in UTC+8 in which scheduled maintenance may start (`MaintenanceWindow.1`). What they do
is in `maintenance_actions`.

Guarantees:
- an instance nobody modified has the platform default: AutoRecover, no notice, no window;
- a Modify sets only what it is given (action, notice and window independently); a window of "" to ""
  clears the window, as the ecsops kind sends it;
- AutoRedeploy is offered only to instances with local disks;
- every instance and value is checked before anything is written, so a refused Modify changes nothing.

Errors: 400 MissingParameter (no InstanceId); 403 InvalidParameter (action, notice, window, paging),
InstanceIdLimitExceeded (more than 100 ids); 404 InvalidInstanceId.NotFound (not an instance of the region).
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import replace
from typing import Any

from ecsops.emulator.ecs.errors import MAINTENANCE_CODES as CODES
from ecsops.emulator.ecs.models.instances import (
    AUTO_RECOVER,
    AUTO_REDEPLOY,
    STOP,
    Instance,
    Window,
    instance_in_region,
    maintenance_attributes,
    region_instances,
    store_maintenance_attributes,
)
from ecsops.emulator.ecs.product import PRODUCT
from ecsops.emulator.service import Context

ACTIONS = (AUTO_RECOVER, STOP, AUTO_REDEPLOY)
INSTANCE_LIMIT = 100
PAGE_LIMIT = 100
DEFAULT_PAGE_SIZE = 10
_TIME_OF_DAY = re.compile(r"^([01]\d|2[0-3]):([0-5]\d):([0-5]\d)\Z")


def supported_actions(instance: Instance) -> list[str]:
    """AutoRedeploy needs local disks: the data on them does not move with the instance."""
    return list(ACTIONS) if instance.local_disk else [AUTO_RECOVER, STOP]


@PRODUCT.operation("ModifyInstanceMaintenanceAttributes", writes=True)
def modify_instance_maintenance_attributes(ctx: Context) -> dict[str, Any]:
    region = ctx.region()
    instances = _instances(ctx, region)
    if not instances:
        raise CODES.error("MissingParameter", name="InstanceId")
    action = _action(ctx, instances)
    notify = _notify(ctx)
    window_given = ctx.params.has("MaintenanceWindow")
    window = _window(ctx) if window_given else None
    for instance in instances:
        current = maintenance_attributes(ctx.tx, instance.id)
        changed = replace(current, action=action or current.action,
                          notify=current.notify if notify is None else notify,
                          window=window if window_given else current.window)
        store_maintenance_attributes(ctx.tx, instance.id, changed)
    return {}


@PRODUCT.operation("DescribeInstanceMaintenanceAttributes", writes=False)
def describe_instance_maintenance_attributes(ctx: Context) -> dict[str, Any]:
    """The attributes of the instances asked for (in the order asked), else of every instance of the region."""
    region = ctx.region()
    instances = _instances(ctx, region) or region_instances(ctx.tx, region)
    number = _page_field(ctx, "PageNumber", 1, None)
    size = _page_field(ctx, "PageSize", DEFAULT_PAGE_SIZE, PAGE_LIMIT)
    chunk = instances[(number - 1) * size:number * size]
    return {
        "MaintenanceAttributes": {"MaintenanceAttribute": [_view(ctx.tx, instance) for instance in chunk]},
        "TotalCount": len(instances), "PageNumber": number, "PageSize": size,
    }


def _instances(ctx: Context, region: str) -> list[Instance]:
    """The instances of `InstanceId.N` (duplicates once), each an instance of the region; [] when none given."""
    ids = list(dict.fromkeys(ctx.params.strings("InstanceId")))
    if len(ids) > INSTANCE_LIMIT:
        raise CODES.error("InstanceIdLimitExceeded", count=len(ids), limit=INSTANCE_LIMIT)
    found = []
    for instance_id in ids:
        instance = instance_in_region(ctx.tx, region, instance_id)
        if instance is None:
            raise CODES.error("InvalidInstanceId.NotFound", id=instance_id, region=region)
        found.append(instance)
    return found


def _action(ctx: Context, instances: list[Instance]) -> str | None:
    action = ctx.params.text("ActionOnMaintenance")
    if not action:
        return None
    if action not in ACTIONS:
        raise CODES.error("InvalidParameter", name="ActionOnMaintenance",
                          reason=f"{action!r} is not one of {', '.join(ACTIONS)}")
    for instance in instances:
        if action not in supported_actions(instance):
            raise CODES.error("InvalidParameter", name="ActionOnMaintenance",
                              reason=f"the instance {instance.id} has no local disks, so it cannot be {action}")
    return action


def _notify(ctx: Context) -> bool | None:
    value = ctx.params.text("NotifyOnMaintenance")
    if not value:
        return None
    if value.lower() not in ("true", "false"):
        raise CODES.error("InvalidParameter", name="NotifyOnMaintenance", reason=f"{value!r} is not true or false")
    return value.lower() == "true"


def _window(ctx: Context) -> Window | None:
    """The one window given: None when it is "" to "" (cleared); refused unless on the hour, 1-23 hours long."""
    windows = ctx.params.objects("MaintenanceWindow")
    if len(windows) != 1:
        raise CODES.error("InvalidParameter", name="MaintenanceWindow",
                          reason=f"an instance has one window, {len(windows)} were given")
    start, end = (str(windows[0].get(name) or "") for name in ("StartTime", "EndTime"))
    if not start and not end:
        return None
    if not start or not end:
        raise CODES.error("InvalidParameter", name="MaintenanceWindow.1",
                          reason="give both StartTime and EndTime (or both empty to clear the window)")
    window = Window(_time_of_day("StartTime", start), _time_of_day("EndTime", end))
    if window.hours == 0:
        raise CODES.error("InvalidParameter", name="MaintenanceWindow.1",
                          reason=f"{start} to {end} lasts 24 hours; a window lasts 1 to 23 hours")
    return window


def _time_of_day(name: str, value: str) -> str:
    match = _TIME_OF_DAY.match(value)
    if match is None:
        raise CODES.error("InvalidParameter", name=f"MaintenanceWindow.1.{name}",
                          reason=f"{value!r} is not a time of day HH:mm:ss (00:00:00 to 23:00:00, UTC+8)")
    if match.group(2) != "00" or match.group(3) != "00":
        raise CODES.error("InvalidParameter", name=f"MaintenanceWindow.1.{name}",
                          reason=f"{value} is not on the hour: minutes and seconds must be 00")
    return value


def _page_field(ctx: Context, name: str, default: int, limit: int | None) -> int:
    value = ctx.params.integer(name, default=default)
    assert value is not None
    if value < 1 or (limit is not None and value > limit):
        reason = f"must be between 1 and {limit}" if limit else "must be 1 or more"
        raise CODES.error("InvalidParameter", name=name, reason=reason)
    return value


def _view(tx: sqlite3.Connection, instance: Instance) -> dict[str, Any]:
    current = maintenance_attributes(tx, instance.id)
    windows = [{"StartTime": current.window.start, "EndTime": current.window.end}] if current.window else []
    return {
        "InstanceId": instance.id,
        "NotifyOnMaintenance": current.notify,
        "MaintenanceWindows": {"MaintenanceWindow": windows},
        "ActionOnMaintenance": {
            "Value": current.action,
            "DefaultValue": AUTO_RECOVER,
            "SupportedValues": {"SupportedValue": supported_actions(instance)},
        },
    }
