"""Time zones of a Frequency and the local-time arithmetic every schedule kind shares.

A local time is turned into an instant with :func:`to_utc`, which implements the DST policy of the
package: a local time that does not exist (spring-forward gap) has no instant, an ambiguous one
(fall-back overlap) is its first occurrence (``fold=0``).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ecsops.schedule.errors import ScheduleError

UTC = timezone.utc

_ALLOWED = "use an IANA name such as Asia/Shanghai, a fixed offset such as GMT+8:00 or GMT-7:00, or UTC"
_MAX_OFFSET = timedelta(hours=14)
_FIXED = re.compile(r"(?:GMT|UTC)([+-])(\d{1,2}):(\d{2})", re.IGNORECASE)
_IANA = re.compile(r"[A-Za-z][A-Za-z0-9_+-]*(?:/[A-Za-z0-9_+-]+)*")
# Scan step when looking for offset changes: shorter than any real gap between two transitions.
_SCAN_STEP = timedelta(days=7)


def parse_zone(text: str) -> tzinfo:
    """The zone named by ``text``: ``UTC`` (or ``GMT``); a fixed offset ``GMT+8:00``, ``GMT+08:00``,
    ``GMT-7:00`` (``UTC+8:00`` alike, at most 14 hours); or an IANA name, case-sensitive as in the
    tz database.

    Raises :class:`ScheduleError` with field ``"timezone"`` for anything else.
    """
    name = text.strip()
    if name.upper() in ("UTC", "GMT"):
        return UTC
    fixed = _FIXED.fullmatch(name)
    if fixed:
        return _fixed_offset(name, *fixed.groups())
    if _IANA.fullmatch(name):
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    raise ScheduleError("timezone", f"unknown time zone {name!r}; {_ALLOWED}")


def _fixed_offset(name: str, sign: str, hours: str, minutes: str) -> timezone:
    """A ``GMT±H:MM`` zone, named in the canonical two-digit form."""
    if int(minutes) > 59:
        raise ScheduleError("timezone", f"{name!r} has {minutes} minutes; minutes of an offset are 00-59")
    offset = timedelta(hours=int(hours), minutes=int(minutes))
    if offset > _MAX_OFFSET:
        raise ScheduleError("timezone", f"{name!r} is more than 14 hours from UTC; {_ALLOWED}")
    signed = -offset if sign == "-" else offset
    return timezone(signed, f"GMT{sign}{int(hours):02d}:{minutes}")


def require_aware(name: str, value: datetime) -> datetime:
    """``value`` itself; a naive datetime is a programming error, so it raises :class:`TypeError`."""
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise TypeError(f"{name} must be an aware datetime, got {value!r}")
    return value


def local_naive(instant: datetime, zone: tzinfo) -> datetime:
    """The wall-clock reading of ``instant`` in ``zone``, without zone and fold."""
    return instant.astimezone(zone).replace(tzinfo=None, fold=0)


def to_utc(local: datetime, zone: tzinfo) -> datetime | None:
    """The instant (aware, UTC) at which the clocks of ``zone`` read ``local``.

    None when ``local`` falls in a DST gap; the first occurrence when it is ambiguous. Fixed-offset
    zones take a short path: they have neither.
    """
    instant = local.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if isinstance(zone, timezone) or local_naive(instant, zone) == local:
        return instant
    return None


def forward_shifts(zone: tzinfo, first_year: int, last_year: int) -> list[tuple[datetime, timedelta]]:
    """Every instant in ``[first_year, last_year]`` at which ``zone``'s offset grows, with the jump.

    These are the only places where two consecutive runs can be closer in real time than on the
    wall clock (the clock skips forward); a backward shift only ever widens gaps.
    """
    if isinstance(zone, timezone):
        return []
    moment = datetime(first_year, 1, 1, tzinfo=UTC) - _SCAN_STEP
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC) + _SCAN_STEP
    shifts: list[tuple[datetime, timedelta]] = []
    before = _offset(zone, moment)
    while moment < end:
        later = moment + _SCAN_STEP
        after = _offset(zone, later)
        if after > before:
            shifts.append((_change_instant(zone, moment, later, before), after - before))
        moment, before = later, after
    return shifts


def _offset(zone: tzinfo, instant: datetime) -> timedelta:
    """The UTC offset of ``zone`` at ``instant``."""
    offset = instant.astimezone(zone).utcoffset()
    assert offset is not None  # astimezone always yields an aware datetime
    return offset


def _change_instant(zone: tzinfo, low: datetime, high: datetime, before: timedelta) -> datetime:
    """The first whole second in ``(low, high]`` at which the offset is no longer ``before``."""
    one = timedelta(seconds=1)
    while high - low > one:
        middle = low + (high - low) // 2
        middle = middle.replace(microsecond=0)
        if _offset(zone, middle) == before:
            low = middle
        else:
            high = middle
    return high
