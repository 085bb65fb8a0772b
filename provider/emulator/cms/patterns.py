"""Event patterns of rules (PutEventRule `EventPattern.N`): checked when written, matched when routing.

A rule matches a notification when any of its patterns does. A pattern matches when every condition it
sets holds (an empty list, or one holding `*`, sets none):

- Product: the notification's product, case-insensitively (`ecs`); `*` matches any;
- EventTypeList: the event's CloudMonitor event type (StatusNotification, Exception, Maintenance);
- LevelList: the notification's level (CRITICAL, WARN, INFO);
- NameList: an entry equal to the full name (`Instance:SystemMaintenance.Reboot:Scheduled`) or to the name
  without its state (`Instance:SystemMaintenance.Reboot`, every state);
- StatusList: the event state of the name (a notification without states matches no StatusList);
- SQLFilter: see sqlfilter.py.
"""

from __future__ import annotations

from typing import Any

from ecsops.emulator.cms import sqlfilter
from ecsops.emulator.cms.errors import failure, invalid
from ecsops.emulator.errors import COMMON
from ecsops.emulator.events import types
from ecsops.emulator.events.notifications import Notification

LIST_LIMIT = 50
ANY = "*"
ALLOWED = {
    "EventTypeList": (*types.CATEGORIES, ANY),
    "LevelList": (*types.LEVELS, ANY),
    "StatusList": (*types.STATES, ANY),
}
LISTS = ("EventTypeList", "LevelList", "NameList", "StatusList")


def validate(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The patterns as stored and described; MissingParameter or a Failure naming the bad entry."""
    if not raw:
        raise COMMON.error("MissingParameter", name="EventPattern")
    if len(raw) > LIST_LIMIT:
        raise invalid("EventPattern", f"{len(raw)} patterns were given; the limit is {LIST_LIMIT}")
    return [_pattern(index, pattern) for index, pattern in enumerate(raw, start=1)]


def matches(patterns: list[dict[str, Any]], notification: Notification) -> bool:
    return any(_matches(pattern, notification) for pattern in patterns)


def _pattern(index: int, raw: dict[str, Any]) -> dict[str, Any]:
    where = f"EventPattern.{index}"
    product = raw.get("Product")
    if not isinstance(product, str) or not product:
        raise COMMON.error("MissingParameter", name=f"{where}.Product")
    if raw.get("CustomFilters"):
        raise failure("FilterNotSupported", name=f"{where}.CustomFilters", reason="keyword filters are not emulated")
    pattern: dict[str, Any] = {"Product": product}
    for name in LISTS:
        pattern[name] = _values(f"{where}.{name}", raw.get(name), ALLOWED.get(name))
    sql = raw.get("SQLFilter") or ""
    if not isinstance(sql, str):
        raise invalid(f"{where}.SQLFilter", "expected a single value")
    if sql:
        try:
            sqlfilter.parse(sql)
        except sqlfilter.FilterError as error:
            raise failure("FilterNotSupported", name=f"{where}.SQLFilter {sql!r}", reason=str(error)) from None
    pattern["SQLFilter"] = sql
    return pattern


def _values(name: str, raw: Any, allowed: tuple[str, ...] | None) -> list[str]:
    values = [raw] if isinstance(raw, str) else list(raw or [])
    if not all(isinstance(value, str) and value for value in values):
        raise invalid(name, "expected a list of non-empty values")
    if len(values) > LIST_LIMIT:
        raise invalid(name, f"{len(values)} values were given; the limit is {LIST_LIMIT}")
    for value in values:
        if allowed is not None and value not in allowed:
            raise invalid(name, f"{value!r} is not one of {', '.join(allowed)}")
    return values


def _matches(pattern: dict[str, Any], notification: Notification) -> bool:
    product = pattern["Product"]
    if product != ANY and product.lower() != str(notification.body["product"]).lower():
        return False
    checks = (
        ("EventTypeList", lambda wanted: notification.category in wanted),
        ("LevelList", lambda wanted: notification.level in wanted),
        ("NameList", lambda wanted: _named(wanted, notification)),
        ("StatusList", lambda wanted: notification.status in wanted),
    )
    for field, holds in checks:
        wanted = pattern[field]
        if wanted and ANY not in wanted and not holds(wanted):
            return False
    return not pattern["SQLFilter"] or sqlfilter.matches(sqlfilter.parse(pattern["SQLFilter"]), notification.body)


def _named(wanted: list[str], notification: Notification) -> bool:
    """The full name is listed, or - for an event with states - the name without its state."""
    name = notification.name
    return name in wanted or (bool(notification.status) and name.rsplit(":", 1)[0] in wanted)
