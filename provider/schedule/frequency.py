"""The two entry points: parse a Frequency, and validate it as the service would."""

from __future__ import annotations

import re
from datetime import datetime, tzinfo

from ecsops.schedule.at import parse_at
from ecsops.schedule.base import Schedule
from ecsops.schedule.cron import parse_cron
from ecsops.schedule.errors import ScheduleError
from ecsops.schedule.rate import parse_rate
from ecsops.schedule.zones import UTC, require_aware

_KEYWORD = re.compile(r"[A-Za-z]+")


def parse_frequency(expression: str, *, now: datetime, default_zone: tzinfo = UTC) -> Schedule:
    """The schedule written in ``expression``: ``rate(...)``, ``at(...)`` or a cron expression.

    Checks the syntax, the range of every field and the year rule (years from ``now``'s year to
    2099); an ``at`` must lie after ``now``. ``default_zone`` is the instance's zone, used by a cron
    expression without a zone (an ``at`` without a zone is in UTC). The interval rules are
    :func:`validate_frequency`'s. Raises :class:`ScheduleError`; a naive ``now`` raises TypeError.
    """
    require_aware("now", now)
    text = expression.strip()
    keyword = _KEYWORD.match(text)
    if keyword is None:
        return parse_cron(text, now, default_zone)
    word = keyword.group().lower()
    if word == "rate":
        return parse_rate(text)
    if word == "at":
        return parse_at(text, now)
    raise ScheduleError(
        "expression", f"{text!r} is not a Frequency; write rate(...), at(...) or a cron expression"
    )


def validate_frequency(
    expression: str, *, now: datetime, timeout: int | None = None, default_zone: tzinfo = UTC
) -> Schedule:
    """:func:`parse_frequency`, then the interval rules for a task that may run ``timeout`` seconds.

    A rate lies within 60 s to 7 days and is strictly longer than the timeout (field ``"rate"``);
    cron runs are at least 10 s apart and never closer than the timeout (field ``"interval"``),
    measured in real time, DST jumps included.
    """
    if timeout is not None and timeout < 0:
        raise ValueError(f"timeout must be >= 0 seconds, got {timeout}")
    schedule = parse_frequency(expression, now=now, default_zone=default_zone)
    schedule._check_interval(timeout)
    return schedule
