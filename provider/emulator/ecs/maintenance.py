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
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any

from ecsops.emulator.ecs.errors import MAINTENANCE_CODES as CODES
from ecsops.emulator.ecs.product import PRODUCT
from ecsops.emulator.service import Context

AUTO_RECOVER, STOP, AUTO_REDEPLOY = "AutoRecover", "Stop", "AutoRedeploy"
ACTIONS = (AUTO_RECOVER, STOP, AUTO_REDEPLOY)
INSTANCE_LIMIT = 100
PAGE_LIMIT = 100
DEFAULT_PAGE_SIZE = 10
#: Windows are written in China Standard Time, whatever the region.
CHINA = timezone(timedelta(hours=8))
_TIME_OF_DAY = re.compile(r"^([01]\d|2[0-3]):([0-5]\d):([0-5]\d)\Z")


@dataclass(frozen=True)
class Window:
    """A daily window from `start` to `end` (`HH:00:00`, UTC+8); it may wrap past midnight."""

    start: str
    end: str

    @property
    def hours(self) -> int:
        return (int(self.end[:2]) - int(self.start[:2])) % 24

    def next_opening(self, instant: datetime) -> datetime:
        """`instant` when it lies inside an occurrence of the window, else the start of the next one."""
        local = instant.astimezone(CHINA)
        opened = local.replace(hour=int(self.start[:2]), minute=0, second=0, microsecond=0)
        if opened > local:
            opened -= timedelta(days=1)
        if local < opened + timedelta(hours=self.hours):
            return instant
        return (opened + timedelta(days=1)).astimezone(timezone.utc)


@dataclass(frozen=True)
class Attributes:
    action: str = AUTO_RECOVER
    notify: bool = False
    window: Window | None = None


def attributes(tx: sqlite3.Connection, instance_id: str) -> Attributes:
    """The instance's attributes now (the platform default when never modified)."""
    row = tx.execute("SELECT * FROM maintenance_attributes WHERE instance_id = ?", (instance_id,)).fetchone()
    if row is None:
        return Attributes()
    window = Window(row["window_start"], row["window_end"]) if row["window_start"] else None
    return Attributes(row["action"], bool(row["notify"]), window)


def supported_actions(instance: sqlite3.Row) -> list[str]:
    """AutoRedeploy needs local disks: the data on them does not move with the instance."""
    return list(ACTIONS) if instance["local_disk"] else [AUTO_RECOVER, STOP]


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
        current = attributes(ctx.tx, instance["id"])
        changed = replace(current, action=action or current.action,
                          notify=current.notify if notify is None else notify,
                          window=window if window_given else current.window)
        _store(ctx.tx, instance["id"], changed)
    return {}


@PRODUCT.operation("DescribeInstanceMaintenanceAttributes", writes=False)
def describe_instance_maintenance_attributes(ctx: Context) -> dict[str, Any]:
    """The attributes of the instances asked for (in the order asked), else of every instance of the region."""
    region = ctx.region()
    instances = _instances(ctx, region) or ctx.tx.execute(
        "SELECT * FROM instances WHERE region = ? ORDER BY seq", (region,)).fetchall()
    number = _page_field(ctx, "PageNumber", 1, None)
    size = _page_field(ctx, "PageSize", DEFAULT_PAGE_SIZE, PAGE_LIMIT)
    chunk = instances[(number - 1) * size:number * size]
    return {
        "MaintenanceAttributes": {"MaintenanceAttribute": [_view(ctx.tx, instance) for instance in chunk]},
        "TotalCount": len(instances), "PageNumber": number, "PageSize": size,
    }


def _instances(ctx: Context, region: str) -> list[sqlite3.Row]:
    """The instances of `InstanceId.N` (duplicates once), each an instance of the region; [] when none given."""
    ids = list(dict.fromkeys(ctx.params.strings("InstanceId")))
    if len(ids) > INSTANCE_LIMIT:
        raise CODES.error("InstanceIdLimitExceeded", count=len(ids), limit=INSTANCE_LIMIT)
    found = []
    for instance_id in ids:
        row = ctx.tx.execute("SELECT * FROM instances WHERE id = ? AND region = ?", (instance_id, region)).fetchone()
        if row is None:
            raise CODES.error("InvalidInstanceId.NotFound", id=instance_id, region=region)
        found.append(row)
    return found


def _action(ctx: Context, instances: list[sqlite3.Row]) -> str | None:
    action = ctx.params.text("ActionOnMaintenance")
    if not action:
        return None
    if action not in ACTIONS:
        raise CODES.error("InvalidParameter", name="ActionOnMaintenance",
                          reason=f"{action!r} is not one of {', '.join(ACTIONS)}")
    for instance in instances:
        if action not in supported_actions(instance):
            raise CODES.error("InvalidParameter", name="ActionOnMaintenance",
                              reason=f"the instance {instance['id']} has no local disks, so it cannot be {action}")
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


def _store(tx: sqlite3.Connection, instance_id: str, changed: Attributes) -> None:
    window = changed.window
    tx.execute(
        """INSERT INTO maintenance_attributes (instance_id, action, notify, window_start, window_end)
           VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (instance_id) DO UPDATE SET action = excluded.action, notify = excluded.notify,
               window_start = excluded.window_start, window_end = excluded.window_end""",
        (instance_id, changed.action, int(changed.notify), window.start if window else "",
         window.end if window else ""),
    )


def _view(tx: sqlite3.Connection, instance: sqlite3.Row) -> dict[str, Any]:
    current = attributes(tx, instance["id"])
    windows = [{"StartTime": current.window.start, "EndTime": current.window.end}] if current.window else []
    return {
        "InstanceId": instance["id"],
        "NotifyOnMaintenance": current.notify,
        "MaintenanceWindows": {"MaintenanceWindow": windows},
        "ActionOnMaintenance": {
            "Value": current.action,
            "DefaultValue": AUTO_RECOVER,
            "SupportedValues": {"SupportedValue": supported_actions(instance)},
        },
    }
