"""Cron Frequencies: ``<sec> <min> <hour> <day> <month> <week> [<year>] [<zone>]``.

Runs are searched field by field (year, month, the day rule of the month, then the sorted times of
day), so finding a run years ahead or listing thousands of runs costs time in proportion to the
answer, never to the span of time crossed.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from functools import cached_property
from itertools import islice, pairwise

from ecsops.schedule.base import Schedule
from ecsops.schedule.days import DayRule
from ecsops.schedule.errors import ScheduleError, duration_text
from ecsops.schedule.fields import HOUR, MINUTE, MONTH, SECOND, parse_day, parse_values, parse_week, year_field
from ecsops.schedule.zones import forward_shifts, local_naive, parse_zone, require_aware, to_utc

MIN_CRON_GAP = timedelta(seconds=10)
_SHAPE = "a cron expression is <second> <minute> <hour> <day> <month> <week> [<year>] [<time zone>]"


@dataclass(frozen=True)
class CronSchedule(Schedule):
    """Runs at the wall-clock times of ``zone`` that every field selects.

    ``days`` is the rule of whichever of the day and week fields is not ``?``; ``years`` is explicit
    even when the year field is absent (the current year to 2099).
    """

    kind = "cron"
    expression: str
    zone: tzinfo
    seconds: tuple[int, ...]
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    days: DayRule
    months: tuple[int, ...]
    years: tuple[int, ...]

    @cached_property
    def _times_of_day(self) -> tuple[int, ...]:
        """The selected times of a day, as ascending seconds after midnight."""
        return tuple(3600 * h + 60 * m + s for h in self.hours for m in self.minutes for s in self.seconds)

    def _runs(self, after: datetime, anchor: datetime | None) -> Iterator[datetime]:
        """Real runs after ``after``: local times skipped by DST are dropped, ambiguous ones run once."""
        start = local_naive(after, self.zone).replace(microsecond=0)
        for local in self._local_runs(start):
            instant = to_utc(local, self.zone)
            if instant is not None and instant > after:
                yield instant

    def _local_runs(self, start: datetime) -> Iterator[datetime]:
        """Selected wall-clock times at or after the naive ``start``, ascending."""
        times = self._times_of_day
        for day in self._dates_from(start.date()):
            midnight = datetime.combine(day, time())
            skip = bisect_left(times, _seconds_of_day(start)) if day == start.date() else 0
            for seconds in islice(times, skip, None):
                yield midnight + timedelta(seconds=seconds)

    def _dates_from(self, first: date) -> Iterator[date]:
        """Selected dates on or after ``first``, ascending; ends with the last selected year."""
        for year in self.years[bisect_left(self.years, first.year) :]:
            for month in self.months:
                if (year, month) < (first.year, first.month):
                    continue
                for day in self.days.days_in(year, month):
                    candidate = date(year, month, day)
                    if candidate >= first:
                        yield candidate

    def _is_run_date(self, day: date) -> bool:
        """Whether the date is selected by the year, month and day fields."""
        return (
            day.year in self.years and day.month in self.months and day.day in self.days.days_in(day.year, day.month)
        )

    def _last_date_before(self, limit: date) -> date | None:
        """The latest selected date before ``limit``."""
        for year in reversed(self.years[: bisect_right(self.years, limit.year)]):
            for month in reversed(self.months):
                earlier = [day for day in self.days.days_in(year, month) if date(year, month, day) < limit]
                if earlier:
                    return date(year, month, earlier[-1])
        return None

    def _last_local_before(self, limit: datetime) -> datetime | None:
        """The latest selected wall-clock time before the naive ``limit``."""
        times = self._times_of_day
        if self._is_run_date(limit.date()):
            index = bisect_left(times, _seconds_of_day(limit))
            if index:
                return datetime.combine(limit.date(), time()) + timedelta(seconds=times[index - 1])
        previous = self._last_date_before(limit.date())
        return None if previous is None else datetime.combine(previous, time()) + timedelta(seconds=times[-1])

    def matches(self, instant: datetime, *, anchor: datetime | None = None) -> bool:
        """True iff ``instant`` is a run: every field selects its wall-clock reading, and that
        reading's first occurrence is ``instant`` (the repeat of an ambiguous hour is no run)."""
        local = local_naive(require_aware("instant", instant), self.zone)
        return (
            local.microsecond == 0
            and local.hour in self.hours
            and local.minute in self.minutes
            and local.second in self.seconds
            and self._is_run_date(local.date())
            and to_utc(local, self.zone) == instant
        )

    def min_interval(self) -> timedelta | None:
        """The exact smallest real gap between consecutive runs from the first to the last year."""
        return self._min_gap

    @cached_property
    def _min_gap(self) -> timedelta | None:
        """The least of the gaps within a day, across midnight, and across each clock jump forward."""
        gaps = [gap for gap in (self._intra_day_gap(), self._overnight_gap()) if gap is not None]
        return min([*gaps, *self._forward_shift_gaps()], default=None)

    def _intra_day_gap(self) -> timedelta | None:
        """Smallest gap between consecutive times of one day, from the field values alone.

        Consecutive times differ in the second (the closest seconds), or pass from the last second
        of one minute to the first of the next selected minute, or likewise across hours.
        """
        seconds, minutes, hours = self.seconds, self.minutes, self.hours
        second_span, minute_span = seconds[-1] - seconds[0], minutes[-1] - minutes[0]
        candidates = []
        if len(seconds) > 1:
            candidates.append(_closest(seconds))
        if len(minutes) > 1:
            candidates.append(60 * _closest(minutes) - second_span)
        if len(hours) > 1:
            candidates.append(3600 * _closest(hours) - 60 * minute_span - second_span)
        return timedelta(seconds=min(candidates)) if candidates else None

    def _overnight_gap(self) -> timedelta | None:
        """Gap from the last time of a run day to the first time of the closest next run day."""
        closest: int | None = None
        for earlier, later in pairwise(self._dates_from(date(self.years[0], 1, 1))):
            days = (later - earlier).days
            closest = days if closest is None else min(closest, days)
            if closest == 1:
                break
        if closest is None:
            return None
        times = self._times_of_day
        return timedelta(days=closest, seconds=times[0] - times[-1])

    def _forward_shift_gaps(self) -> Iterator[timedelta]:
        """For each forward clock jump, the real gap between the runs on either side of it.

        The wall clock skips the jump, so these runs are closer than their wall-clock readings say.
        """
        for shift, jump in forward_shifts(self.zone, self.years[0], self.years[-1]):
            landing = local_naive(shift, self.zone)
            after_jump = next(self._local_runs(landing), None)
            before_jump = self._last_local_before(landing - jump)
            later = None if after_jump is None else to_utc(after_jump, self.zone)
            earlier = None if before_jump is None else to_utc(before_jump, self.zone)
            if later is not None and earlier is not None:
                yield later - earlier

    def _check_interval(self, timeout: int | None) -> None:
        """Runs at least 10 s apart, and never closer than the timeout."""
        gap = self.min_interval()
        if gap is None:
            return
        text = duration_text(gap.total_seconds())
        if gap < MIN_CRON_GAP:
            raise ScheduleError("interval", f"runs can come {text} apart; consecutive runs must be at least 10 s apart")
        if timeout is not None and gap < timedelta(seconds=timeout):
            raise ScheduleError(
                "interval", f"runs can come {text} apart, closer than the timeout of {duration_text(timeout)}"
            )


def _seconds_of_day(moment: datetime) -> int:
    """Seconds since midnight of a wall-clock time."""
    return 3600 * moment.hour + 60 * moment.minute + moment.second


def _closest(values: Sequence[int]) -> int:
    """The smallest difference between neighbours of ascending ``values`` (at least two)."""
    return min(later - earlier for earlier, later in pairwise(values))


def parse_cron(expression: str, now: datetime, default_zone: tzinfo) -> CronSchedule:
    """The cron schedule written in ``expression`` (already stripped), as of ``now``.

    The optional 7th token is the year when it does not start with a letter, else the zone; the
    current year (of the year rule) is ``now``'s year in the schedule's zone. An expression whose
    fields never select a date from ``now`` on is rejected: it would never run.
    """
    tokens = expression.split()
    if not 6 <= len(tokens) <= 8:
        raise ScheduleError("expression", f"{expression!r} has {len(tokens)} tokens; {_SHAPE}")
    year_text, zone_text = _year_and_zone(tokens[6:])
    zone = default_zone if zone_text is None else parse_zone(zone_text)
    schedule = CronSchedule(
        expression=expression,
        zone=zone,
        seconds=parse_values(tokens[0], SECOND),
        minutes=parse_values(tokens[1], MINUTE),
        hours=parse_values(tokens[2], HOUR),
        days=_day_rule(tokens[3], tokens[5]),
        months=parse_values(tokens[4], MONTH),
        years=parse_values(year_text, year_field(local_naive(now, zone).year)),
    )
    if schedule.next_run(now) is None:
        raise ScheduleError("expression", f"{expression!r} never runs: no date from now on matches its fields",
                            relative_to_now=True)
    return schedule


def _year_and_zone(extra: list[str]) -> tuple[str, str | None]:
    """The year text (``*`` when absent) and zone text (None when absent) after the six fields."""
    if not extra:
        return "*", None
    if len(extra) == 2:
        return extra[0], extra[1]
    return ("*", extra[0]) if extra[0][0].isalpha() else (extra[0], None)


def _day_rule(day_text: str, week_text: str) -> DayRule:
    """The rule of the one field of day and week that is not ``?``."""
    day, week = parse_day(day_text), parse_week(week_text)
    if day is not None and week is not None:
        raise ScheduleError(
            "day", f"day {day_text!r} and week {week_text!r} are both set; exactly one of them must be ?"
        )
    rule = day if day is not None else week
    if rule is None:
        raise ScheduleError("day", "day and week are both ?; set exactly one of them and leave the other ?")
    return rule
