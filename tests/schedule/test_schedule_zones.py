"""Time zones of cron and at, the instance's default zone, and daylight saving time.

America/New_York in 2026: clocks jump from 02:00 EST to 03:00 EDT on Sunday 8 March (07:00Z) and
fall back from 02:00 EDT to 01:00 EST on Sunday 1 November (06:00Z).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import pytest

from ecsops.schedule import parse_frequency, parse_zone, validate_frequency

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
NEW_YORK = "America/New_York"


def utc(*texts: str) -> list[datetime]:
    """``"2026-11-21 18:00"`` -> aware UTC datetimes."""
    return [datetime.fromisoformat(text).replace(tzinfo=timezone.utc) for text in texts]


ZONES = [
    ("Asia/Shanghai", "0 0 2 * * ? Asia/Shanghai", "2026-11-21 18:00"),
    ("GMT+8:00", "0 0 2 * * ? GMT+8:00", "2026-11-21 18:00"),
    ("GMT+08:00", "0 0 2 * * ? GMT+08:00", "2026-11-21 18:00"),
    ("GMT-7:00", "0 0 2 * * ? GMT-7:00", "2026-11-21 09:00"),
    ("UTC", "0 0 2 * * ? UTC", "2026-11-22 02:00"),
    ("zone after a year", "0 0 2 * * ? 2026 Asia/Shanghai", "2026-11-21 18:00"),
]


@pytest.mark.parametrize(("expression", "expected"), [row[1:] for row in ZONES], ids=[row[0] for row in ZONES])
def test_cron_zone(expression: str, expected: str) -> None:
    # 2026-11-21T02:00Z: 10:00 in Shanghai (02:00 is past), 19:00 of the 20th at GMT-7.
    after = utc("2026-11-21 02:00")[0]
    assert validate_frequency(expression, now=NOW).next_run(after) == utc(expected)[0]


def test_shanghai_at_two_in_the_morning() -> None:
    schedule = validate_frequency("0 0 2 * * ? Asia/Shanghai", now=NOW)
    assert schedule.next_run(utc("2026-11-21 00:00")[0]) == utc("2026-11-21 18:00")[0]


@pytest.mark.parametrize(
    ("default_zone", "expected"),
    [(timezone.utc, "2026-11-22 02:00"), (ZoneInfo("Asia/Shanghai"), "2026-11-21 18:00")],
    ids=["UTC by default", "instance zone Asia/Shanghai"],
)
def test_default_zone_applies_without_zone(default_zone: tzinfo, expected: str) -> None:
    schedule = validate_frequency("0 0 2 * * ?", now=NOW, default_zone=default_zone)
    assert schedule.next_run(utc("2026-11-21 02:00")[0]) == utc(expected)[0]


def test_explicit_zone_wins_over_default_zone() -> None:
    schedule = validate_frequency("0 0 2 * * ? UTC", now=NOW, default_zone=ZoneInfo("Asia/Shanghai"))
    assert schedule.next_run(utc("2026-11-21 02:00")[0]) == utc("2026-11-22 02:00")[0]


@pytest.mark.parametrize(
    ("text", "offset"),
    [("GMT+8:00", 8 * 60), ("GMT+08:00", 8 * 60), ("GMT-7:00", -7 * 60), ("gmt+5:45", 5 * 60 + 45), ("UTC", 0)],
)
def test_fixed_offsets(text: str, offset: int) -> None:
    assert parse_zone(text).utcoffset(None) == timedelta(minutes=offset)


def test_iana_zone() -> None:
    assert parse_zone(" Asia/Shanghai ") == ZoneInfo("Asia/Shanghai")


def test_at_with_zone_and_default_utc() -> None:
    shanghai = parse_frequency("at(2026-05-17 17:30:50 Asia/Shanghai)", now=NOW)
    assert shanghai.next_runs(NOW) == [datetime(2026, 5, 17, 9, 30, 50, tzinfo=timezone.utc)]
    plain = parse_frequency("at(2026-05-17 17:30:50)", now=NOW, default_zone=ZoneInfo("Asia/Shanghai"))
    assert plain.next_run(NOW) == datetime(2026, 5, 17, 17, 30, 50, tzinfo=timezone.utc)


DST = [
    # 02:30 does not exist on 8 March: no run that day.
    (
        "gap skips the day",
        ("0 30 2 * * ?", "2026-03-07 00:00", 3),
        utc("2026-03-07 07:30", "2026-03-09 06:30", "2026-03-10 06:30"),
    ),
    # Every half hour: 02:00 and 02:30 are skipped, 01:30 EST -> 03:00 EDT.
    (
        "gap every half hour",
        ("0 0/30 * * * ?", "2026-03-08 05:45", 4),
        utc("2026-03-08 06:00", "2026-03-08 06:30", "2026-03-08 07:00", "2026-03-08 07:30"),
    ),
    # 01:30 happens twice on 1 November: the run is the first (EDT), once.
    (
        "overlap runs once",
        ("0 30 1 * * ?", "2026-10-31 00:00", 3),
        utc("2026-10-31 05:30", "2026-11-01 05:30", "2026-11-02 06:30"),
    ),
    # 01:00 and 01:30 EST repeat 01:00 and 01:30 EDT: no second run.
    (
        "overlap every half hour",
        ("0 0/30 * * * ?", "2026-11-01 04:45", 4),
        utc("2026-11-01 05:00", "2026-11-01 05:30", "2026-11-01 07:00", "2026-11-01 07:30"),
    ),
    # Starting inside the repeated hour (01:10 EST): the first 01:30 is already past.
    (
        "after inside the overlap",
        ("0 0/30 * * * ?", "2026-11-01 06:10", 2),
        utc("2026-11-01 07:00", "2026-11-01 07:30"),
    ),
]


@pytest.mark.parametrize(("query", "expected"), [row[1:] for row in DST], ids=[row[0] for row in DST])
def test_new_york_dst(query: tuple[str, str, int], expected: list[datetime]) -> None:
    expression, after, count = query
    schedule = validate_frequency(f"{expression} {NEW_YORK}", now=NOW)
    assert schedule.next_runs(utc(after)[0], count) == expected


def test_second_occurrence_of_an_ambiguous_time_is_no_run() -> None:
    schedule = validate_frequency(f"0 30 1 * * ? {NEW_YORK}", now=NOW)
    assert schedule.matches(utc("2026-11-01 05:30")[0])
    assert not schedule.matches(utc("2026-11-01 06:30")[0])


def test_forward_jump_shrinks_the_real_interval() -> None:
    # 01:00 EST -> 03:00 EDT on 8 March is one real hour.
    assert validate_frequency(f"0 0 1,3 * * ? {NEW_YORK}", now=NOW).min_interval() == timedelta(hours=1)
    assert validate_frequency("0 0 1,3 * * ? UTC", now=NOW).min_interval() == timedelta(hours=2)


def test_forward_jump_of_half_an_hour() -> None:
    # Lord Howe Island moves its clocks forward by 30 minutes: Monday to Monday can be 6 d 23 h 30 min.
    schedule = validate_frequency("0 0 0 ? * MON Australia/Lord_Howe", now=NOW)
    assert schedule.min_interval() == timedelta(days=7, minutes=-30)


def test_at_in_an_overlap_is_the_first_occurrence() -> None:
    schedule = parse_frequency(f"at(2026-11-01 01:30:00 {NEW_YORK})", now=NOW)
    assert schedule.next_run(NOW) == utc("2026-11-01 05:30")[0]
