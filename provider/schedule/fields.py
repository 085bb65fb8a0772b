"""The grammar of one cron field, as in the ECS guide "4.8. Cron expression".

Every field takes ``*``, lists ``a,b``, ranges ``a-b`` and steps ``a/n``, ``a-b/n``, ``*/n``;
names are case-insensitive. Ranges go upwards (no wrap-around such as ``FRI-MON``), and a step lies
between 1 and the number of values of the field. The day field adds ``?``, ``L``, ``LW`` and ``nW``;
the week field adds ``?``, ``L``, ``nL`` and ``n#k``. ``L``, ``W`` and ``#`` stand alone: the
source forbids combining them with a list or range.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ecsops.schedule.days import (
    DayRule,
    LastDay,
    LastWeekdayOf,
    LastWorkday,
    MonthDays,
    NearestWorkday,
    NthWeekdayOf,
    Weekdays,
)
from ecsops.schedule.errors import ScheduleError

FIRST_YEAR = 1970  # the year field's lowest value: `*/n` counts from it, as Quartz and cronexpr do
LAST_YEAR = 2099

_ITEM = re.compile(r"(\*|[0-9A-Za-z]+)(?:-([0-9A-Za-z]+))?(?:/([0-9]+))?")
_NEAREST = re.compile(r"([0-9]+)W")
_LAST_OF = re.compile(r"([0-9A-Z]+)L")
_NTH = re.compile(r"([0-9A-Z]+)#([0-9]+)")
_MAX_DIGITS = 4


@dataclass(frozen=True)
class Field:
    """One field's name, value range, names and the sentence listing what it allows.

    ``earliest`` (the year field only): the first value a schedule may name or run in. Values from ``low``
    up to it lie in the past: written, they are refused as such; reached by ``*`` or a step, they only
    anchor the step and are left out.
    """

    name: str
    low: int
    high: int
    allowed: str
    names: Mapping[str, int] = field(default_factory=dict)
    earliest: int | None = None


def _names(*words: str) -> dict[str, int]:
    """``{"JAN": 1, "FEB": 2, ...}`` from the words in order."""
    return {word: number for number, word in enumerate(words, start=1)}


SECOND = Field("second", 0, 59, "use 0-59, with * , - /")
MINUTE = Field("minute", 0, 59, "use 0-59, with * , - /")
HOUR = Field("hour", 0, 23, "use 0-23, with * , - /")
DAY = Field("day", 1, 31, "use 1-31, with * , - / ? L W")
MONTH = Field(
    "month",
    1,
    12,
    "use 1-12 or JAN-DEC, with * , - /",
    _names("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"),
)
WEEK = Field(
    "week",
    1,
    7,
    "use 1-7 (1 = Monday) or MON-SUN, with * , - / ? L #",
    _names("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"),
)


def year_field(current_year: int) -> Field:
    """The year field as of ``current_year``: runs from it to 2099, steps counted from 1970 — so ``*/2`` is
    the even years whatever year it is read in, and a task's runs never move when a new year begins."""
    return Field("year", FIRST_YEAR, LAST_YEAR, f"use {current_year}-{LAST_YEAR}, with * , - /",
                 earliest=current_year)


def parse_values(text: str, spec: Field) -> tuple[int, ...]:
    """The values a plain field (``*``, lists, ranges, steps) selects, ascending and distinct (for the
    year field, only those from ``earliest`` on)."""
    if "?" in text:
        raise ScheduleError(spec.name, f"{text!r}: ? is only allowed, alone, in the day and week fields")
    values: set[int] = set()
    for item in text.split(","):
        values.update(_item_values(item, spec))
    return tuple(sorted(value for value in values if spec.earliest is None or value >= spec.earliest))


def _item_values(item: str, spec: Field) -> range:
    """The values of one list item: ``*``, ``a``, ``a-b``, optionally followed by ``/step``."""
    found = _ITEM.fullmatch(item)
    if not found:
        raise ScheduleError(spec.name, f"{item!r} is not a value, range or step; {spec.allowed}")
    start, end, step = found.groups()
    if start == "*":
        if end is not None:
            raise ScheduleError(spec.name, f"{item!r}: * cannot start a range; {spec.allowed}")
        low, high = spec.low, spec.high
    else:
        low = _value(start, spec)
        high = _value(end, spec) if end is not None else (spec.high if step is not None else low)
        if low > high:
            raise ScheduleError(spec.name, f"{item!r} runs backwards; a range goes from low to high, {spec.allowed}")
    return range(low, high + 1, 1 if step is None else _step(step, spec))


def _value(token: str, spec: Field) -> int:
    """A number or (case-insensitive) name of the field, checked against its range."""
    if not token.isdigit():
        number = spec.names.get(token.upper())
        if number is None:
            kind = "name" if spec.names else "number"
            raise ScheduleError(spec.name, f"{token!r} is not a valid {kind}; {spec.allowed}")
        return number
    number = int(token) if len(token) <= _MAX_DIGITS else spec.high + 1
    if spec.earliest is not None and number < spec.earliest:
        raise ScheduleError(spec.name, f"{token} is before the current year {spec.earliest}; {spec.allowed}",
                            relative_to_now=True)
    if not spec.low <= number <= spec.high:
        raise ScheduleError(spec.name, f"{token} is out of range; {spec.allowed}")
    return number


def _step(token: str, spec: Field) -> int:
    """An increment between 1 and the number of values of the field."""
    span = spec.high - spec.low + 1
    step = int(token) if len(token) <= _MAX_DIGITS else span + 1
    if not 1 <= step <= span:
        raise ScheduleError(spec.name, f"the step {token} is outside 1-{span}; {spec.allowed}")
    return step


def parse_day(text: str) -> DayRule | None:
    """The day field: None for ``?``, else the rule selecting days of the month."""
    upper = text.upper()
    if upper == "?":
        return None
    if upper == "L":
        return LastDay()
    if upper == "LW":
        return LastWorkday()
    nearest = _NEAREST.fullmatch(upper)
    if nearest:
        return NearestWorkday(_value(nearest.group(1), DAY))
    if "L" in upper or "W" in upper:
        raise ScheduleError(
            "day", f"{text!r}: L, LW and nW (e.g. 15W) stand alone and cannot be combined with a list or range"
        )
    return MonthDays(parse_values(text, DAY))


def parse_week(text: str) -> DayRule | None:
    """The week field: None for ``?``, else the rule selecting days of the month.

    ``L`` alone is the last day of the week, 7 (Sunday), in the service's numbering.
    """
    upper = text.upper()
    if upper == "?":
        return None
    if upper == "L":
        return Weekdays(frozenset({WEEK.high}))
    last_of = _LAST_OF.fullmatch(upper)
    if last_of:
        return LastWeekdayOf(_value(last_of.group(1), WEEK))
    nth = _NTH.fullmatch(upper)
    if nth:
        return NthWeekdayOf(_value(nth.group(1), WEEK), _nth(nth.group(2), text))
    if "L" in upper or "#" in upper:
        raise ScheduleError(
            "week", f"{text!r}: L, nL and n#k (e.g. 6L, 4#2) stand alone and cannot be combined with a list or range"
        )
    return Weekdays(frozenset(parse_values(text, WEEK)))


def _nth(token: str, text: str) -> int:
    """The ``k`` of ``n#k``: a month has at most five of any weekday."""
    if len(token) > 1 or not 1 <= int(token) <= 5:
        raise ScheduleError("week", f"{text!r}: the k of n#k is {token}, outside 1-5 (no month has more)")
    return int(token)
