"""Which days of a given month a cron expression's day or week field selects.

Weekdays are numbered as the service numbers them, which is also ISO 8601: 1 = Monday ... 7 = Sunday.
Each rule answers per month, so a search can jump from month to month without visiting days.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from typing import Protocol

SATURDAY, SUNDAY = 6, 7


class DayRule(Protocol):
    """The days a rule selects in one month."""

    def days_in(self, year: int, month: int) -> tuple[int, ...]:
        """The selected days of ``year``-``month``, ascending (empty when none)."""
        ...


def _length(year: int, month: int) -> int:
    """The number of days in the month."""
    return calendar.monthrange(year, month)[1]


def _weekday(year: int, month: int, day: int) -> int:
    """The weekday of a date, 1 = Monday ... 7 = Sunday."""
    return calendar.weekday(year, month, day) + 1


@dataclass(frozen=True)
class MonthDays:
    """Explicit days of the month (``*``, lists, ranges, steps); days a month lacks are skipped."""

    days: tuple[int, ...]

    def days_in(self, year: int, month: int) -> tuple[int, ...]:
        length = _length(year, month)
        return tuple(day for day in self.days if day <= length)


@dataclass(frozen=True)
class LastDay:
    """``L`` in the day field: the last day of the month."""

    def days_in(self, year: int, month: int) -> tuple[int, ...]:
        return (_length(year, month),)


@dataclass(frozen=True)
class LastWorkday:
    """``LW``: the last Monday-to-Friday day of the month."""

    def days_in(self, year: int, month: int) -> tuple[int, ...]:
        last = _length(year, month)
        weekday = _weekday(year, month, last)
        return (last - max(0, weekday - 5),)


@dataclass(frozen=True)
class NearestWorkday:
    """``nW``: the Monday-to-Friday day nearest to day ``n``, never leaving the month.

    Saturday moves back to Friday unless that leaves the month (``1W`` -> Monday the 3rd); Sunday
    moves on to Monday unless that leaves the month (then back to Friday). A month without day
    ``n`` (``31W`` in April) has no run, as ``31`` alone has none.
    """

    day: int

    def days_in(self, year: int, month: int) -> tuple[int, ...]:
        length = _length(year, month)
        if self.day > length:
            return ()
        weekday = _weekday(year, month, self.day)
        if weekday == SATURDAY:
            return (self.day - 1,) if self.day > 1 else (self.day + 2,)
        if weekday == SUNDAY:
            return (self.day + 1,) if self.day < length else (self.day - 2,)
        return (self.day,)


@dataclass(frozen=True)
class Weekdays:
    """Week field values (``*``, lists, ranges, steps, names): every such weekday of the month."""

    weekdays: frozenset[int]

    def days_in(self, year: int, month: int) -> tuple[int, ...]:
        first = _weekday(year, month, 1)
        return tuple(
            day for day in range(1, _length(year, month) + 1) if (first + day - 2) % 7 + 1 in self.weekdays
        )


@dataclass(frozen=True)
class LastWeekdayOf:
    """``nL`` in the week field: the last weekday ``n`` of the month (``6L`` = last Saturday)."""

    weekday: int

    def days_in(self, year: int, month: int) -> tuple[int, ...]:
        last = _length(year, month)
        return (last - (_weekday(year, month, last) - self.weekday) % 7,)


@dataclass(frozen=True)
class NthWeekdayOf:
    """``n#k`` in the week field: the ``k``-th weekday ``n`` of the month (``4#2`` = second Thursday).

    Months without a ``k``-th such weekday (a fifth Friday, say) have no run.
    """

    weekday: int
    nth: int

    def days_in(self, year: int, month: int) -> tuple[int, ...]:
        first = 1 + (self.weekday - _weekday(year, month, 1)) % 7
        day = first + 7 * (self.nth - 1)
        return (day,) if day <= _length(year, month) else ()
