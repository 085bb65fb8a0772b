"""Event patterns of rules (PutEventRule `EventPattern.N`): checked when written, matched when routing.

A rule matches a notification when any of its patterns does. A pattern matches when every condition it
sets holds (an empty list, or one holding `*`, sets none):

- Product: the notification's product, case-insensitively (`ecs`); `*` matches any;
- EventTypeList: the event's CloudMonitor event type (StatusNotification, Exception, Maintenance);
- LevelList: the notification's level (CRITICAL, WARN, INFO);
- NameList: an entry equal to the full name (`Instance:SystemMaintenance.Reboot:Scheduled`) or to the name
  without its state (`Instance:SystemMaintenance.Reboot`, every state);
- StatusList: the event state of the name (a notification without states matches no StatusList);
- CustomFilters: a keyword (the SDK: "when the event content contains this keyword, an alert is triggered"):
  some value of the notification, at any depth, contains it as text, case-sensitively (field names do not
  count: `instanceId` matches no event for being a field of it);
- SQLFilter: see sqlfilter.py.

Described (DescribeEventRuleList), a pattern has the fields of the SDK's answer model: Product, the lists
EventTypeList, LevelList and NameList, SQLFilter, CustomFilters and KeywordFilter - not StatusList, which
the answer does not carry though PutEventRule takes it and routing honours it. KeywordFilter (keywords and
their relation, OR or NOT) cannot be set through PutEventRule, whose request has no such parameter: it is
described empty.
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
#: The lists DescribeEventRuleList reports (its answer model has no StatusList).
DESCRIBED_LISTS = ("EventTypeList", "LevelList", "NameList")


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
    pattern: dict[str, Any] = {"Product": product}
    for name in LISTS:
        pattern[name] = _values(f"{where}.{name}", raw.get(name), ALLOWED.get(name))
    sql = _single(f"{where}.SQLFilter", raw.get("SQLFilter"))
    if sql:
        try:
            sqlfilter.parse(sql)
        except sqlfilter.FilterError as error:
            raise failure("FilterNotSupported", name=f"{where}.SQLFilter {sql!r}", reason=str(error)) from None
    pattern["SQLFilter"] = sql
    pattern["CustomFilters"] = _single(f"{where}.CustomFilters", raw.get("CustomFilters"))
    return pattern


def _single(name: str, raw: Any) -> str:
    """A text parameter of a pattern; "" when left out."""
    if not isinstance(raw or "", str):
        raise invalid(name, "expected a single value")
    return str(raw or "")


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
    keyword = pattern.get("CustomFilters", "")  # patterns stored before keywords were taken have none
    if keyword and not _mentions(notification.body, keyword):
        return False
    return not pattern["SQLFilter"] or sqlfilter.matches(sqlfilter.parse(pattern["SQLFilter"]), notification.body)


def _mentions(value: Any, keyword: str) -> bool:
    """Whether some value in `value` (a notification, or a part of it) contains `keyword` as text."""
    if isinstance(value, dict):
        return any(_mentions(item, keyword) for item in value.values())
    if isinstance(value, list):
        return any(_mentions(item, keyword) for item in value)
    return value is not None and keyword in str(value)


def _named(wanted: list[str], notification: Notification) -> bool:
    """The full name is listed, or - for an event with states - the name without its state."""
    name = notification.name
    return name in wanted or (bool(notification.status) and name.rsplit(":", 1)[0] in wanted)
