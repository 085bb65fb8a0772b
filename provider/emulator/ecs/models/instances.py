"""ECS's data about the world's instances: the instances as ECS reads them (`instances`), the hosts maintenance
moved them to (`instance_hosts`), their maintenance attributes (`maintenance_attributes`) and the repairs under
way (`maintenance_executions`), the tags of ECS resources (`tags`), the region's Cloud Assistant settings
(`assistant_settings`), system events as DescribeInstanceHistoryEvents reads them (`system_events`, through
ecsops.emulator.events.models), and the delivery destinations the settings are checked against (`buckets`,
`log_projects`, `logstores`).

Every function runs in the caller's transaction and does only what its name says: none checks a request (the
handlers of ecs.instances, ecs.events, ecs.maintenance, ecs.maintenance_actions, ecs.assistant_settings and
ecs.tagging do) or shapes an answer. Instances come in the order the world gave them (`seq`), system events
newest first. Timestamps are API timestamps (`2026-11-21T02:00:00Z`), compared as text.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from ecsops.emulator import world
from ecsops.emulator.events import models as event_models

#: Maintenance actions (`ActionOnMaintenance`); AutoRecover is the platform default.
AUTO_RECOVER, STOP, AUTO_REDEPLOY = "AutoRecover", "Stop", "AutoRedeploy"
#: Windows are written in China Standard Time, whatever the region.
CHINA = timezone(timedelta(hours=8))
#: ResourceType of the tag API -> the table holding that resource.
TAGGABLE_TABLES = {"command": "commands", "instance": "instances", "invocation": "invocations"}


# --- instances ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Instance:
    """An instance as ECS answers it and Cloud Assistant reads it; `details_json` and `products_json` are the
    stored JSON texts, `agent` whether the Cloud Assistant agent runs on it and `agent_version` its version."""

    id: str
    region: str
    name: str
    status: str
    os_type: str
    cpu: int
    memory: int
    local_disk: bool
    creation_time: str
    start_time: str
    details_json: str
    products_json: str
    agent: bool
    agent_version: str

    def details(self) -> dict[str, Any]:
        """The stored details (placement, type, image, network, billing: world.Instance.details); for a row
        stored before they were (an older database), derived as a world document of its fields would derive
        them."""
        stored: dict[str, Any] = json.loads(self.details_json)
        if stored:
            return stored
        return world.Instance.model_validate({
            "id": self.id, "region": self.region, "osType": self.os_type, "cpu": self.cpu,
            "memory": self.memory, "localDisk": self.local_disk, "products": json.loads(self.products_json),
        }).details()


def _instance(row: sqlite3.Row) -> Instance:
    return Instance(row["id"], row["region"], row["name"], row["status"], row["os_type"], row["cpu"],
                    row["memory"], bool(row["local_disk"]), row["creation_time"], row["start_time"],
                    row["details"], row["products"], bool(row["agent"]), row["agent_version"])


def region_instances(tx: sqlite3.Connection, region: str) -> list[Instance]:
    """The region's instances, in the order the world gave them."""
    rows = tx.execute("SELECT * FROM instances WHERE region = ? ORDER BY seq", (region,))
    return [_instance(row) for row in rows]


def instance_in_region(tx: sqlite3.Connection, region: str, instance_id: str) -> Instance | None:
    """The instance `instance_id` of `region`; None when there is none (an instance of another region is none)."""
    row = tx.execute("SELECT * FROM instances WHERE id = ? AND region = ?", (instance_id, region)).fetchone()
    return None if row is None else _instance(row)


def _row_by_id(tx: sqlite3.Connection, instance_id: str) -> Any:
    """The row of the instance `instance_id` (None: there is none)."""
    return tx.execute("SELECT * FROM instances WHERE id = ?", (instance_id,)).fetchone()


def find_instance(tx: sqlite3.Connection, instance_id: str) -> Instance | None:
    """The instance `instance_id`, of any region; None when there is none (released: a task's target)."""
    row = _row_by_id(tx, instance_id)
    return None if row is None else _instance(row)


def instance_by_id(tx: sqlite3.Connection, instance_id: str) -> Instance:
    """The instance `instance_id`, which exists (a system event's instance)."""
    return _instance(_row_by_id(tx, instance_id))


def instance_status(tx: sqlite3.Connection, instance_id: str) -> str:
    """The status of the instance `instance_id`, which exists."""
    (status,) = tx.execute("SELECT status FROM instances WHERE id = ?", (instance_id,)).fetchone()
    return str(status)


def move_to_host(tx: sqlite3.Connection, instance_id: str, host_id: str) -> None:
    """The instance now runs on `host_id`; the data on its local disks stayed on the host it left."""
    tx.execute(
        """INSERT INTO instance_hosts (instance_id, host_id, local_data_lost) VALUES (?, ?, 1)
           ON CONFLICT (instance_id) DO UPDATE SET host_id = excluded.host_id, local_data_lost = 1""",
        (instance_id, host_id))


# --- maintenance attributes and executions -------------------------------------------------------------


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
    """An instance's maintenance attributes; the defaults are the platform's (AutoRecover, no notice, no window)."""

    action: str = AUTO_RECOVER
    notify: bool = False
    window: Window | None = None


@dataclass(frozen=True)
class Execution:
    """A repair under way: the action read when its event started executing, and the status to restore."""

    event_id: str
    instance_id: str
    action: str
    prior_status: str


def maintenance_attributes(tx: sqlite3.Connection, instance_id: str) -> Attributes:
    """The instance's attributes now (the platform default when never modified)."""
    row = tx.execute("SELECT * FROM maintenance_attributes WHERE instance_id = ?", (instance_id,)).fetchone()
    if row is None:
        return Attributes()
    window = Window(row["window_start"], row["window_end"]) if row["window_start"] else None
    return Attributes(row["action"], bool(row["notify"]), window)


def store_maintenance_attributes(tx: sqlite3.Connection, instance_id: str, attributes: Attributes) -> None:
    """The instance's attributes become `attributes` (no window: stored as "" to "")."""
    window = attributes.window
    tx.execute(
        """INSERT INTO maintenance_attributes (instance_id, action, notify, window_start, window_end)
           VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (instance_id) DO UPDATE SET action = excluded.action, notify = excluded.notify,
               window_start = excluded.window_start, window_end = excluded.window_end""",
        (instance_id, attributes.action, int(attributes.notify), window.start if window else "",
         window.end if window else ""),
    )


def start_execution(tx: sqlite3.Connection, execution: Execution, started: str) -> None:
    """Records the repair of `execution` as started at `started`."""
    tx.execute(
        """INSERT INTO maintenance_executions (event_id, instance_id, action, prior_status, started)
           VALUES (?, ?, ?, ?, ?)""",
        (execution.event_id, execution.instance_id, execution.action, execution.prior_status, started))


def unfinished_execution(tx: sqlite3.Connection, event_id: str) -> Execution | None:
    """The repair of the event `event_id` when it is under way (started, not finished); else None."""
    row = tx.execute("SELECT * FROM maintenance_executions WHERE event_id = ? AND finished IS NULL",
                     (event_id,)).fetchone()
    return None if row is None else Execution(row["event_id"], row["instance_id"], row["action"], row["prior_status"])


def finish_execution(tx: sqlite3.Connection, event_id: str, finished: str) -> None:
    """Records the repair of the event `event_id` as finished at `finished`."""
    tx.execute("UPDATE maintenance_executions SET finished = ? WHERE event_id = ?", (finished, event_id))


# --- tags -----------------------------------------------------------------------------------------------


def taggable_exists(tx: sqlite3.Connection, resource_type: str, resource_id: str, region: str) -> bool:
    """Whether `region` holds the resource `resource_id` of `resource_type` (a key of TAGGABLE_TABLES)."""
    table = TAGGABLE_TABLES[resource_type]
    found = tx.execute(f"SELECT 1 FROM {table} WHERE id = ? AND region = ?", (resource_id, region)).fetchone()
    return found is not None


def replace_tags(tx: sqlite3.Connection, resource_type: str, resource_id: str, tags: dict[str, str]) -> None:
    """The resource's tags become `tags` (none: every tag removed)."""
    tx.execute("DELETE FROM tags WHERE resource_type = ? AND resource_id = ?", (resource_type, resource_id))
    tx.executemany(
        "INSERT INTO tags (resource_type, resource_id, key, value) VALUES (?, ?, ?, ?)",
        [(resource_type, resource_id, key, value) for key, value in tags.items()],
    )


# --- Cloud Assistant settings and the destinations they deliver to --------------------------------------


@dataclass(frozen=True)
class AssistantSettings:
    """A setting type's stored configurations: the OSS and Log Service fields as last modified."""

    oss: dict[str, Any]
    sls: dict[str, Any]


def assistant_settings(tx: sqlite3.Connection, region: str, setting_type: str) -> AssistantSettings | None:
    """The stored settings of the region and type; None when never modified."""
    row = tx.execute("SELECT oss, sls FROM assistant_settings WHERE region = ? AND setting_type = ?",
                     (region, setting_type)).fetchone()
    return None if row is None else AssistantSettings(json.loads(row["oss"]), json.loads(row["sls"]))


def store_assistant_settings(tx: sqlite3.Connection, region: str, setting_type: str,
                             settings: AssistantSettings) -> None:
    """The settings of the region and type become `settings`."""
    tx.execute(
        """INSERT INTO assistant_settings (region, setting_type, oss, sls) VALUES (?, ?, ?, ?)
           ON CONFLICT (region, setting_type) DO UPDATE SET oss = excluded.oss, sls = excluded.sls""",
        (region, setting_type, json.dumps(settings.oss), json.dumps(settings.sls)))


def bucket_region(tx: sqlite3.Connection, bucket: str) -> str | None:
    """The region of the OSS bucket `bucket`; None when there is no such bucket."""
    row = tx.execute("SELECT region FROM buckets WHERE name = ?", (bucket,)).fetchone()
    return None if row is None else str(row["region"])


def log_project_region(tx: sqlite3.Connection, project: str) -> str | None:
    """The region of the Log Service project `project`; None when there is no such project."""
    row = tx.execute("SELECT region FROM log_projects WHERE name = ?", (project,)).fetchone()
    return None if row is None else str(row["region"])


def logstore_exists(tx: sqlite3.Connection, project: str, logstore: str) -> bool:
    """Whether the Log Service project `project` has the logstore `logstore`."""
    return tx.execute("SELECT 1 FROM logstores WHERE project = ? AND name = ?",
                      (project, logstore)).fetchone() is not None


# --- system events, as DescribeInstanceHistoryEvents reads them -----------------------------------------


@dataclass(frozen=True)
class SystemEvent:
    """A system event as DescribeInstanceHistoryEvents lists it; `not_before` is None for an event without one,
    `finish_time` (`execute_finish`) None until the event finishes executing."""

    id: str
    resource_type: str
    resource_id: str
    event_type: str
    status: str
    reason: str
    publish_time: str
    not_before: str | None
    finish_time: str | None


def region_events(tx: sqlite3.Connection, region: str, resource_type: str) -> list[SystemEvent]:
    """The events of the region's resources of `resource_type`, newest first."""
    return [
        SystemEvent(row["id"], row["resource_type"], row["resource_id"], row["event_type"], row["status"],
                    row["reason"], row["publish_time"], row["not_before"], row["execute_finish"])
        for row in event_models.region_events(tx, region, resource_type)
    ]
