"""License Manager's data: its tasks and their discovery rules (the tables `license_tasks` and `license_rules`
of store.py), and the world's instances as discovery reads them (`instances`).

Every function runs in the caller's transaction and does only what its name says: none checks a request
(the handlers of describe, rules and tasks do) or shapes an answer. Tasks come in creation order (`seq`),
rules in the order they were added (`position`).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any, Mapping


@dataclass(frozen=True)
class Task:
    """A license management task as stored."""

    id: str
    region: str
    name: str
    description: str
    license_type: str
    license_limit: int
    status: str
    creation_time: str


@dataclass(frozen=True)
class Rule:
    """A discovery rule: a product name and a version (`""`: every version)."""

    product: str
    version: str = ""

    def matches(self, installed: Mapping[str, Any]) -> bool:
        """True for an installed `{name, version}` of this product, of this version when the rule has one."""
        return installed.get("name") == self.product and self.version in ("", installed.get("version", ""))

    def __str__(self) -> str:
        return f"{self.product!r} version {self.version!r}" if self.version else f"{self.product!r} (any version)"


@dataclass(frozen=True)
class Instance:
    """An instance of the world as discovery sees it: its installed products are `{name, version}` objects."""

    id: str
    name: str
    cpu: int
    products: list[dict[str, Any]]


# --- tasks ----------------------------------------------------------------------------------------------


def _task(row: sqlite3.Row) -> Task:
    return Task(row["id"], row["region"], row["name"], row["description"], row["license_type"],
                row["license_limit"], row["status"], row["creation_time"])


def tasks_in(tx: sqlite3.Connection, region: str) -> list[Task]:
    """The region's tasks, in creation order."""
    return [_task(row) for row in tx.execute("SELECT * FROM license_tasks WHERE region = ? ORDER BY seq", (region,))]


def task_in(tx: sqlite3.Connection, region: str, task_id: str | None) -> Task | None:
    """The task `task_id` of `region`; None when there is none (a task of another region is none)."""
    row = tx.execute("SELECT * FROM license_tasks WHERE id = ? AND region = ?", (task_id, region)).fetchone()
    return None if row is None else _task(row)


def count_tasks(tx: sqlite3.Connection, region: str) -> int:
    (count,) = tx.execute("SELECT COUNT(*) FROM license_tasks WHERE region = ?", (region,)).fetchone()
    return int(count)


def insert_task(tx: sqlite3.Connection, task: Task) -> None:
    tx.execute(
        """INSERT INTO license_tasks (id, region, name, description, license_type, license_limit, status,
                                      creation_time)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        (task.id, task.region, task.name, task.description, task.license_type, task.license_limit, task.status,
         task.creation_time),
    )


def update_task(tx: sqlite3.Connection, task_id: str, *, description: str | None, license_limit: int | None) -> None:
    """Sets the description and the limit that are not None; with both None, writes nothing."""
    changes = {column: value for column, value in (("description", description), ("license_limit", license_limit))
               if value is not None}
    if changes:
        assignments = ", ".join(f"{column} = ?" for column in changes)
        tx.execute(f"UPDATE license_tasks SET {assignments} WHERE id = ?", (*changes.values(), task_id))


def set_task_status(tx: sqlite3.Connection, task_id: str, status: str) -> None:
    tx.execute("UPDATE license_tasks SET status = ? WHERE id = ?", (status, task_id))


def delete_task(tx: sqlite3.Connection, task_id: str) -> None:
    """Deletes the task; its rules go with it (ON DELETE CASCADE)."""
    tx.execute("DELETE FROM license_tasks WHERE id = ?", (task_id,))


# --- rules ----------------------------------------------------------------------------------------------


def rules_of(tx: sqlite3.Connection, task_id: str) -> list[Rule]:
    """A task's rules, in the order they were added."""
    return [Rule(row["product"], row["version"]) for row in tx.execute(
        "SELECT product, version FROM license_rules WHERE task_id = ? ORDER BY position", (task_id,))]


def append_rules(tx: sqlite3.Connection, task_id: str, rules: list[Rule], *, first_position: int) -> None:
    """Writes `rules` in order at positions `first_position`, `first_position + 1`, ..."""
    tx.executemany(
        "INSERT INTO license_rules (task_id, position, product, version) VALUES (?, ?, ?, ?)",
        [(task_id, position, rule.product, rule.version) for position, rule in enumerate(rules, start=first_position)],
    )


# --- the world's instances ------------------------------------------------------------------------------


def instances_in(tx: sqlite3.Connection, region: str) -> list[Instance]:
    """Every instance of the region, whatever its status, in creation order (the world's `seq`)."""
    return [Instance(row["id"], row["name"], row["cpu"], json.loads(row["products"]))
            for row in tx.execute("SELECT * FROM instances WHERE region = ? ORDER BY seq", (region,))]
