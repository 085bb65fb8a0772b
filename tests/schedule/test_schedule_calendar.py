"""Day, week and year fields on real calendars, as of 2022-01-01T00:00:00Z (a Saturday), in UTC.

Expected dates were read off a calendar by hand.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from ecsops.schedule import validate_frequency

NOW = datetime(2022, 1, 1, tzinfo=timezone.utc)


def utc(*texts: str) -> list[datetime]:
    """``"2022-01-03 12:00"`` -> aware UTC datetimes."""
    return [datetime.fromisoformat(text).replace(tzinfo=timezone.utc) for text in texts]


def runs(expression: str, count: int = 3, after: str | None = None) -> list[datetime]:
    """The first ``count`` runs after ``after`` (default NOW) of an expression validated at NOW."""
    start = NOW if after is None else utc(after)[0]
    return validate_frequency(expression, now=NOW).next_runs(start, count)


WEEK = [
    ("1 is Monday", "0 0 12 ? * 1", utc("2022-01-03 12:00", "2022-01-10 12:00", "2022-01-17 12:00")),
    ("7 is Sunday", "0 0 12 ? * 7", utc("2022-01-02 12:00", "2022-01-09 12:00", "2022-01-16 12:00")),
    ("6 is Saturday", "0 0 12 ? * 6", utc("2022-01-01 12:00", "2022-01-08 12:00", "2022-01-15 12:00")),
    ("MON", "0 0 12 ? * MON", utc("2022-01-03 12:00", "2022-01-10 12:00", "2022-01-17 12:00")),
    ("names ignore case", "0 0 12 ? * sun", utc("2022-01-02 12:00", "2022-01-09 12:00", "2022-01-16 12:00")),
    ("MON-FRI", "0 0 12 ? * MON-FRI", utc("2022-01-03 12:00", "2022-01-04 12:00", "2022-01-05 12:00")),
    ("1-5", "0 0 12 ? * 1-5", utc("2022-01-03 12:00", "2022-01-04 12:00", "2022-01-05 12:00")),
    ("SAT,SUN", "0 0 12 ? * SAT,SUN", utc("2022-01-01 12:00", "2022-01-02 12:00", "2022-01-08 12:00")),
    ("1/3 is Mon Thu Sun", "0 0 12 ? * 1/3", utc("2022-01-02 12:00", "2022-01-03 12:00", "2022-01-06 12:00")),
    ("L alone is Sunday", "0 0 12 ? * L", utc("2022-01-02 12:00", "2022-01-09 12:00", "2022-01-16 12:00")),
    ("* is every day", "0 0 12 ? * *", utc("2022-01-01 12:00", "2022-01-02 12:00", "2022-01-03 12:00")),
    ("month names", "0 0 12 ? mar-apr wed", utc("2022-03-02 12:00", "2022-03-09 12:00", "2022-03-16 12:00")),
]


@pytest.mark.parametrize(("expression", "expected"), [row[1:] for row in WEEK], ids=[row[0] for row in WEEK])
def test_week_numbering(expression: str, expected: list[datetime]) -> None:
    assert runs(expression) == expected


LAST_AND_NTH = [
    ("6L last Saturday", "0 0 12 ? * 6L", utc("2022-01-29 12:00", "2022-02-26 12:00", "2022-03-26 12:00")),
    ("7L last Sunday", "0 0 12 ? * 7L", utc("2022-01-30 12:00", "2022-02-27 12:00", "2022-03-27 12:00")),
    ("SATL", "0 0 12 ? * satL", utc("2022-01-29 12:00", "2022-02-26 12:00", "2022-03-26 12:00")),
    ("4#2 second Thursday", "0 0 12 ? * 4#2", utc("2022-01-13 12:00", "2022-02-10 12:00", "2022-03-10 12:00")),
    ("1#1 first Monday", "0 0 12 ? * 1#1", utc("2022-01-03 12:00", "2022-02-07 12:00", "2022-03-07 12:00")),
    ("7#1 first Sunday", "0 0 12 ? * SUN#1", utc("2022-01-02 12:00", "2022-02-06 12:00", "2022-03-06 12:00")),
    ("5#5 skips months", "0 0 12 ? * 5#5", utc("2022-04-29 12:00", "2022-07-29 12:00", "2022-09-30 12:00")),
    ("L in a leap year", "0 0 12 L 2 ?", utc("2022-02-28 12:00", "2023-02-28 12:00", "2024-02-29 12:00")),
]


@pytest.mark.parametrize(
    ("expression", "expected"), [row[1:] for row in LAST_AND_NTH], ids=[row[0] for row in LAST_AND_NTH]
)
def test_last_and_nth_weekday(expression: str, expected: list[datetime]) -> None:
    assert runs(expression) == expected


NEAREST_WEEKDAY = [
    # 2022-01-01 is a Saturday: moving back would leave the month, so Monday the 3rd.
    ("1W on a Saturday", "0 0 12 1W * ?", None, utc("2022-01-03 12:00", "2022-02-01 12:00", "2022-03-01 12:00")),
    # 2022-05-01 is a Sunday: Monday the 2nd.
    ("1W on a Sunday", "0 0 12 1W 5 ?", None, utc("2022-05-02 12:00")),
    # 2022-01-15 is a Saturday: Friday the 14th.
    ("15W on a Saturday", "0 0 12 15W 1 ?", None, utc("2022-01-14 12:00")),
    # 2022-12-31 is a Saturday: Friday the 30th.
    ("31W on a Saturday", "0 0 12 31W 12 ?", None, utc("2022-12-30 12:00")),
    # 2023-04-30 is a Sunday and April has no 31st: back to Friday the 28th.
    ("30W on the last Sunday", "0 0 12 30W 4 ? 2023", None, utc("2023-04-28 12:00")),
    # Months without a 31st are skipped, as for plain 31.
    ("31W skips short months", "0 0 12 31W * ?", None, utc("2022-01-31 12:00", "2022-03-31 12:00", "2022-05-31 12:00")),
    # 2022-04-30 is a Saturday, 2022-07-31 a Sunday: both fall back to Friday the 29th.
    ("LW", "0 0 12 LW * ?", "2022-04-01 00:00", utc("2022-04-29 12:00", "2022-05-31 12:00", "2022-06-30 12:00")),
    ("LW on a Sunday", "0 0 12 LW 7 ?", None, utc("2022-07-29 12:00")),
    ("lw ignores case", "0 0 12 lw 4 ? 2022", None, utc("2022-04-29 12:00")),
]


@pytest.mark.parametrize(
    ("expression", "after", "expected"), [row[1:] for row in NEAREST_WEEKDAY], ids=[row[0] for row in NEAREST_WEEKDAY]
)
def test_nearest_weekday(expression: str, after: str | None, expected: list[datetime]) -> None:
    assert runs(expression, count=len(expected), after=after) == expected


DAYS_OF_MONTH = [
    ("31 skips short months", "0 0 12 31 * ?", utc("2022-01-31 12:00", "2022-03-31 12:00", "2022-05-31 12:00")),
    ("day list", "0 0 12 1,15 * ?", utc("2022-01-01 12:00", "2022-01-15 12:00", "2022-02-01 12:00")),
    ("day step", "0 0 12 10/10 * ?", utc("2022-01-10 12:00", "2022-01-20 12:00", "2022-01-30 12:00")),
    ("leading zeros", "00 05 08 01 01 ?", utc("2022-01-01 08:05", "2023-01-01 08:05", "2024-01-01 08:05")),
]


@pytest.mark.parametrize(
    ("expression", "expected"), [row[1:] for row in DAYS_OF_MONTH], ids=[row[0] for row in DAYS_OF_MONTH]
)
def test_days_of_month(expression: str, expected: list[datetime]) -> None:
    assert runs(expression) == expected


YEARS = [
    ("step", "0 0 12 1 1 ? 2022/2", 3, utc("2022-01-01 12:00", "2024-01-01 12:00", "2026-01-01 12:00")),
    ("star step counts from 1970", "0 0 12 1 1 ? */10", 3, utc("2030-01-01 12:00", "2040-01-01 12:00",
                                                                "2050-01-01 12:00")),
    ("list ends", "0 0 12 1 1 ? 2023,2025", 3, utc("2023-01-01 12:00", "2025-01-01 12:00")),
    ("range ends", "0 0 12 1 1 ? 2022-2024", 5, utc("2022-01-01 12:00", "2023-01-01 12:00", "2024-01-01 12:00")),
    ("2099 is the last", "0 0 12 31 12 ? 2099", 3, utc("2099-12-31 12:00")),
    ("no year ends in 2099", "0 0 12 31 12 ?", 3, utc("2022-12-31 12:00", "2023-12-31 12:00", "2024-12-31 12:00")),
]


@pytest.mark.parametrize(("expression", "count", "expected"), [row[1:] for row in YEARS], ids=[row[0] for row in YEARS])
def test_years(expression: str, count: int, expected: list[datetime]) -> None:
    assert runs(expression, count=count) == expected


@pytest.mark.parametrize("judged", ["2026-06-01 00:00", "2026-12-31 23:59", "2027-01-01 00:01", "2027-07-01 00:00"])
def test_a_year_step_selects_the_same_years_whenever_it_is_read(judged: str) -> None:
    """Quartz and cronexpr anchor `*/n` at 1970: `*/2` is the even years, whether read in 2026 or 2027, so
    a task's next runs never move because the clock crossed a new year."""
    [now] = utc(judged)
    schedule = validate_frequency("0 0 0 1 1 ? */2 UTC", now=now)
    assert schedule.next_runs(utc("2027-01-01 00:00")[0], 3) == utc("2028-01-01 00:00", "2030-01-01 00:00",
                                                                     "2032-01-01 00:00")


def test_schedule_without_year_ends_after_2099() -> None:
    schedule = validate_frequency("0 0 12 31 12 ?", now=NOW)
    assert schedule.next_runs(utc("2098-12-31 12:00")[0], 3) == utc("2099-12-31 12:00")


def test_exhausted_years_give_no_run() -> None:
    schedule = validate_frequency("0 15 10 ? * * 2022", now=NOW)
    assert schedule.next_run(utc("2022-12-31 10:15")[0]) is None
    assert schedule.next_runs(utc("2022-12-31 10:15")[0]) == []
    assert list(schedule.iter_runs(utc("2023-01-01 00:00")[0])) == []
