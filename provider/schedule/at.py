"""``at(yyyy-MM-dd HH:mm:ss [zone])``: a single run at a wall-clock time (UTC when no zone)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from ecsops.schedule.base import Schedule
from ecsops.schedule.errors import ScheduleError
from ecsops.schedule.zones import UTC, parse_zone, require_aware, to_utc

_AT = re.compile(r"at\(\s*(\d{4})-(\d{2})-(\d{2})\s+(\d{2}):(\d{2}):(\d{2})(?:\s+(\S+))?\s*\)", re.IGNORECASE)
_SYNTAX = "write at(yyyy-MM-dd HH:mm:ss [zone]), e.g. at(2022-05-17 17:30:50 Asia/Shanghai)"


@dataclass(frozen=True)
class AtSchedule(Schedule):
    """One run at ``instant`` (aware, UTC)."""

    kind = "at"
    expression: str
    instant: datetime

    def _runs(self, after: datetime, anchor: datetime | None) -> Iterator[datetime]:
        """The single run, if it is still ahead of ``after``."""
        if self.instant > after:
            yield self.instant

    def matches(self, instant: datetime, *, anchor: datetime | None = None) -> bool:
        """True iff ``instant`` is the run."""
        return require_aware("instant", instant) == self.instant

    def min_interval(self) -> None:
        """None: a single run has no interval."""
        return None

    def _check_interval(self, timeout: int | None) -> None:
        """Nothing to check: a single run cannot be too close to another."""


def parse_at(expression: str, now: datetime) -> AtSchedule:
    """The run written in ``expression`` (already stripped), which must lie after ``now``.

    A wall-clock time skipped by a DST change is rejected; an ambiguous one means its first
    occurrence.
    """
    found = _AT.fullmatch(expression)
    if not found:
        raise ScheduleError("at", f"{expression!r} is not a point in time; {_SYNTAX}")
    *parts, zone_name = found.groups()
    year, month, day, hour, minute, second = (int(part) for part in parts)
    try:
        local = datetime(year, month, day, hour, minute, second)
    except ValueError:
        written = "{}-{}-{} {}:{}:{}".format(*parts)
        raise ScheduleError("at", f"{written} is not a valid date and time") from None
    zone = UTC if zone_name is None else parse_zone(zone_name)
    try:
        instant = to_utc(local, zone)
    except OverflowError:  # year 1 east of UTC, or year 9999 west of it: before or after any instant
        raise ScheduleError("at", f"{local} {zone} lies outside the years 0001-9999 in UTC") from None
    if instant is None:
        raise ScheduleError("at", f"{local} does not exist in {zone} (the clocks skip it for daylight saving time)")
    if instant <= now:
        raise ScheduleError("at", f"{local} {zone} is not after now ({now.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC)",
                            relative_to_now=True)
    return AtSchedule(expression, instant)

