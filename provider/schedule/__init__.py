"""Schedules of Cloud Assistant invocations: the ``Frequency`` of a timed command, parsed and checked.

A Frequency is one of (docs/wire.md §4, the ECS guide "4.4.1" and "4.8"):

* ``rate(<n><s|m|h|d>)`` - a fixed cadence; the first run is one interval after creation (the
  *anchor*), then ``anchor + k * interval``. Valid from 60 s to 7 days, longer than the timeout.
* ``at(yyyy-MM-dd HH:mm:ss [zone])`` - one run; the zone defaults to UTC; must lie after now.
* ``<sec> <min> <hour> <day> <month> <week> [<year>] [<zone>]`` - cron, with week 1 = Monday ...
  7 = Sunday; exactly one of day and week is ``?``; years from the current year to 2099 (a step such as
  ``*/2`` counts from 1970, as in Quartz: the even years, whenever it is read); without a
  zone, the instance's zone (``default_zone``). Runs at least 10 s apart and not closer than the
  timeout.

Zones are IANA names (``Asia/Shanghai``), fixed offsets (``GMT+8:00``, ``GMT-7:00``) or ``UTC``.

Daylight saving time: schedules are wall-clock times of their zone. A wall-clock time that does not
exist (the clocks jump over it) has no run that day; an ambiguous one (the clocks repeat it) runs
once, at its first occurrence. ``min_interval`` and the interval rule measure real time, so a run
pair brought closer by a forward jump counts.

Everything here is pure: no I/O besides the zone database, no clock - "now" is always an argument;
every datetime argument must be aware, and every datetime returned is aware and in UTC.
"""

from ecsops.schedule.at import AtSchedule
from ecsops.schedule.base import Schedule
from ecsops.schedule.cron import CronSchedule
from ecsops.schedule.errors import ScheduleError
from ecsops.schedule.frequency import parse_frequency, validate_frequency
from ecsops.schedule.rate import RateSchedule
from ecsops.schedule.zones import parse_zone

__all__ = [
    "AtSchedule",
    "CronSchedule",
    "RateSchedule",
    "Schedule",
    "ScheduleError",
    "parse_frequency",
    "parse_zone",
    "validate_frequency",
]
