"""``rate(<n><s|m|h|d>)``: a fixed cadence that starts one interval after creation."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from ecsops.schedule.base import Schedule
from ecsops.schedule.errors import ScheduleError, duration_text
from ecsops.schedule.zones import UTC, require_aware

MIN_RATE = timedelta(seconds=60)
MAX_RATE = timedelta(days=7)

_RATE = re.compile(r"rate\(\s*(\d{1,9})\s*([smhd])\s*\)", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_SYNTAX = "write rate(<n><unit>) with a whole number n and a unit s, m, h or d, e.g. rate(5m)"


@dataclass(frozen=True)
class RateSchedule(Schedule):
    """Runs at ``anchor + k * interval`` for ``k >= 1``; the anchor is the creation instant."""

    kind = "rate"
    expression: str
    interval: timedelta

    def _runs(self, after: datetime, anchor: datetime | None) -> Iterator[datetime]:
        """The cadence from ``anchor`` (``after`` when None), starting at the first beat past ``after``."""
        origin = after if anchor is None else anchor
        beats = max(1, (after - origin) // self.interval + 1)
        run = (origin + beats * self.interval).astimezone(UTC)
        while True:
            yield run
            run += self.interval

    def matches(self, instant: datetime, *, anchor: datetime | None = None) -> bool:
        """True iff ``instant`` is a beat after ``anchor``; a rate cannot be matched without one."""
        if anchor is None:
            raise ValueError("a rate schedule only matches relative to its anchor; pass anchor=")
        elapsed = require_aware("instant", instant) - require_aware("anchor", anchor)
        return elapsed > timedelta(0) and elapsed % self.interval == timedelta(0)

    def min_interval(self) -> timedelta:
        """The interval itself: the cadence never varies."""
        return self.interval

    def _check_interval(self, timeout: int | None) -> None:
        """60 s <= interval <= 7 days, and strictly longer than the timeout."""
        length = duration_text(self.interval.total_seconds())
        if self.interval < MIN_RATE:
            raise ScheduleError("rate", f"an interval of {length} is shorter than 60 s; use 60 s to 7 days")
        if self.interval > MAX_RATE:
            raise ScheduleError("rate", f"an interval of {length} is longer than 7 days; use 60 s to 7 days")
        if timeout is not None and self.interval <= timedelta(seconds=timeout):
            raise ScheduleError(
                "rate", f"the interval of {length} must be longer than the timeout of {duration_text(timeout)}"
            )


def parse_rate(expression: str) -> RateSchedule:
    """The rate written in ``expression`` (already stripped); only the syntax is checked here."""
    found = _RATE.fullmatch(expression)
    if not found:
        raise ScheduleError("rate", f"{expression!r} is not a rate; {_SYNTAX}")
    count, unit = int(found.group(1)), found.group(2).lower()
    if count == 0:
        raise ScheduleError("rate", f"{expression!r} has a zero interval; {_SYNTAX}")
    return RateSchedule(expression, timedelta(seconds=count * _UNIT_SECONDS[unit]))
