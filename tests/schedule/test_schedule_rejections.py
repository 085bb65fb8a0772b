"""Frequencies the service refuses: each names the field at fault and says what is allowed."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from ecsops.schedule import ScheduleError, parse_frequency, parse_zone, validate_frequency

NOW = datetime(2022, 1, 1, tzinfo=timezone.utc)

# (id, expression, timeout, field, fragment of the reason)
REJECTED = [
    # rate
    ("rate shorter than 60 s", "rate(30s)", None, "rate", "shorter than 60 s"),
    ("rate of 59 s", "rate(59s)", None, "rate", "60 s to 7 days"),
    ("rate longer than 7 days", "rate(8d)", None, "rate", "longer than 7 days"),
    ("rate of 169 h", "rate(169h)", None, "rate", "7 days"),
    ("rate equal to the timeout", "rate(5m)", 300, "rate", "longer than the timeout of 5 min"),
    ("rate shorter than the timeout", "rate(5m)", 600, "rate", "timeout"),
    ("rate of zero", "rate(0m)", None, "rate", "zero interval"),
    ("rate without unit", "rate(5)", None, "rate", "rate(<n><unit>)"),
    ("rate with unknown unit", "rate(5x)", None, "rate", "unit s, m, h or d"),
    ("rate with fraction", "rate(1.5h)", None, "rate", "whole number"),
    ("rate without parentheses", "rate 5m", None, "rate", "not a rate"),
    # at
    ("at in the past", "at(2021-12-31 23:59:59)", None, "at", "not after now"),
    ("at exactly now", "at(2022-01-01 00:00:00)", None, "at", "not after now"),
    ("at in the past of its zone", "at(2022-01-01 07:59:59 Asia/Shanghai)", None, "at", "not after now"),
    ("at on an invalid date", "at(2022-02-30 10:00:00)", None, "at", "not a valid date"),
    ("at at hour 24", "at(2022-05-01 24:00:00)", None, "at", "not a valid date"),
    ("at without time", "at(2022-05-01)", None, "at", "yyyy-MM-dd HH:mm:ss"),
    ("at in a DST gap", "at(2022-03-13 02:30:00 America/New_York)", None, "at", "does not exist"),
    ("at with bad zone", "at(2022-05-01 10:00:00 Mars/Olympus)", None, "timezone", "unknown time zone"),
    ("at after year 9999 in UTC", "at(9999-12-31 23:59:59 GMT-14:00)", None, "at", "outside the years 0001-9999"),
    ("at after year 9999 in UTC, by a named zone", "at(9999-12-31 23:00:00 America/New_York)", None, "at",
     "outside the years 0001-9999"),
    ("at before year 1 in UTC", "at(0001-01-01 00:00:00 GMT+14:00)", None, "at", "outside the years 0001-9999"),
    # shape
    ("empty", "", None, "expression", "0 tokens"),
    ("unknown keyword", "every(5m)", None, "expression", "rate(...), at(...) or a cron expression"),
    ("five fields", "0 0 12 * *", None, "expression", "5 tokens"),
    ("nine tokens", "0 0 12 * * ? 2022 UTC extra", None, "expression", "9 tokens"),
    ("fields never meet", "0 0 12 30 2 ?", None, "expression", "never runs"),
    ("leap day in a common year", "0 0 12 29 2 ? 2023", None, "expression", "never runs"),
    # second / minute / hour
    ("second 60", "60 0 12 * * ?", None, "second", "60 is out of range; use 0-59"),
    ("second ?", "? 0 12 * * ?", None, "second", "only allowed, alone, in the day and week fields"),
    ("second step 0", "0/0 0 12 * * ?", None, "second", "step 0 is outside 1-60"),
    ("minute 60", "0 60 12 * * ?", None, "minute", "60 is out of range"),
    ("minute range backwards", "0 30-10 12 * * ?", None, "minute", "runs backwards"),
    ("minute empty item", "0 5,,10 12 * * ?", None, "minute", "not a value, range or step"),
    ("minute star range", "0 *-5 12 * * ?", None, "minute", "* cannot start a range"),
    ("hour 24", "0 0 24 * * ?", None, "hour", "24 is out of range; use 0-23"),
    ("hour name", "0 0 noon * * ?", None, "hour", "'noon' is not a valid number"),
    # day and week together
    ("day and week both set", "0 15 10 * * 3", None, "day", "exactly one of them must be ?"),
    ("day and week both ?", "0 15 10 ? * ?", None, "day", "both ?"),
    # day
    ("day 32", "0 0 12 32 * ?", None, "day", "32 is out of range; use 1-31"),
    ("day 0", "0 0 12 0 * ?", None, "day", "out of range"),
    ("L with offset", "0 15 10 L-3 * ?", None, "day", "cannot be combined with a list or range"),
    ("L in a list", "0 15 10 L,5 * ?", None, "day", "cannot be combined with a list or range"),
    ("W in a range", "0 15 10 1-5W * ?", None, "day", "cannot be combined with a list or range"),
    ("32W", "0 15 10 32W * ?", None, "day", "32 is out of range"),
    ("# in day", "0 15 10 1#2 * ?", None, "day", "not a value, range or step"),
    # month
    ("month 13", "0 0 12 * 13 ?", None, "month", "13 is out of range; use 1-12 or JAN-DEC"),
    ("month name unknown", "0 0 12 * FOO ?", None, "month", "'FOO' is not a valid name"),
    # week
    ("week 8", "0 0 12 ? * 8", None, "week", "8 is out of range; use 1-7 (1 = Monday) or MON-SUN"),
    ("week 0", "0 0 12 ? * 0", None, "week", "1-7 (1 = Monday)"),
    ("week name unknown", "0 0 12 ? * MONDAY", None, "week", "not a valid name"),
    ("week range wraps", "0 0 12 ? * FRI-MON", None, "week", "runs backwards"),
    ("sixth weekday of a month", "0 0 12 ? * 5#6", None, "week", "outside 1-5"),
    ("#0", "0 0 12 ? * 5#0", None, "week", "outside 1-5"),
    ("# with weekday 8", "0 0 12 ? * 8#1", None, "week", "8 is out of range"),
    ("nL in a list", "0 15 10 ? * 6L,2", None, "week", "cannot be combined with a list or range"),
    ("# in a list", "0 15 10 ? * 4#2,5#1", None, "week", "cannot be combined with a list or range"),
    ("W in week", "0 15 10 ? * 1W", None, "week", "not a valid name"),
    # year (now is 2022)
    ("year before now", "0 0 12 * * ? 2021", None, "year", "2021 is before the current year 2022"),
    ("past year in a list", "0 0 12 * * ? 2021,2023", None, "year", "2021 is before the current year"),
    ("range from a past year", "0 0 12 * * ? 2020-2023", None, "year", "2020 is before"),
    ("step from a past year", "0 0 12 * * ? 2020/2", None, "year", "2020 is before"),
    ("year after 2099", "0 0 12 * * ? 2100", None, "year", "use 2022-2099"),
    ("range past 2099", "0 0 12 * * ? 2022-2100", None, "year", "2100 is out of range"),
    ("year garbage", "0 0 12 * * ? 20x2", None, "year", "not a valid number"),
    ("zone where the year goes", "0 0 12 * * ? Asia/Shanghai UTC", None, "year", "not a value, range or step"),
    # zone
    ("unknown zone", "0 0 12 * * ? Mars/Olympus", None, "timezone", "unknown time zone 'Mars/Olympus'"),
    ("zone folder", "0 0 12 * * ? Asia", None, "timezone", "unknown time zone"),
    ("offset beyond 14 h", "0 0 12 * * ? GMT+15:00", None, "timezone", "more than 14 hours"),
    ("offset minutes 60", "0 0 12 * * ? GMT+8:60", None, "timezone", "minutes of an offset are 00-59"),
    ("offset without minutes", "0 0 12 * * ? GMT+8", None, "timezone", "GMT+8:00"),
    ("zone after year", "0 0 12 * * ? 2022 Nowhere", None, "timezone", "unknown time zone"),
    # interval
    ("every 5 seconds", "*/5 * * * * ?", None, "interval", "5 s apart; consecutive runs must be at least 10 s"),
    ("9 s across minutes", "0,51 * * * * ?", None, "interval", "9 s apart"),
    ("5 s only across midnight", "0,55 0,59 0,23 * * ?", None, "interval", "5 s apart"),
    ("cron closer than timeout", "0 * * * * ?", 61, "interval", "closer than the timeout of 1 min 1 s"),
    ("window closer than timeout", "0 0/30 9-17 * * ?", 3600, "interval", "30 min apart"),
    ("DST jump closer than timeout", "0 0 1,3 * * ? America/New_York", 5400, "interval", "1 h apart"),
]


@pytest.mark.parametrize(
    ("expression", "timeout", "field", "fragment"), [row[1:] for row in REJECTED], ids=[row[0] for row in REJECTED]
)
def test_rejected(expression: str, timeout: int | None, field: str, fragment: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        validate_frequency(expression, now=NOW, timeout=timeout)
    assert caught.value.field == field
    assert fragment in caught.value.reason
    assert str(caught.value) == f"{field}: {caught.value.reason}"


ACCEPTED_AT_THE_LIMIT = [
    ("rate of 60 s", "rate(60s)", None),
    ("rate of 7 days", "rate(7d)", None),
    ("rate of 168 h", "rate(168h)", None),
    ("rate just above the timeout", "rate(5m)", 299),
    ("cron every 10 s", "0/10 * * * * ?", None),
    ("cron equal to the timeout", "0 * * * * ?", 60),
    ("10 s only across midnight", "0,50 0,59 0,23 * * ?", 10),
    ("DST jump equal to the timeout", "0 0 1,3 * * ? America/New_York", 3600),
    ("same hours without DST", "0 0 1,3 * * ? UTC", 7200),
    ("single run, any timeout", "0 0 12 1 1 ? 2030", 10**6),
    ("at ignores the timeout", "at(2030-01-01 00:00:00)", 10**6),
    ("current year", "0 0 12 * * ? 2022", None),
    ("last year", "0 0 12 31 12 ? 2099", None),
]


@pytest.mark.parametrize(
    ("expression", "timeout"), [row[1:] for row in ACCEPTED_AT_THE_LIMIT], ids=[row[0] for row in ACCEPTED_AT_THE_LIMIT]
)
def test_accepted_at_the_limit(expression: str, timeout: int | None) -> None:
    assert validate_frequency(expression, now=NOW, timeout=timeout).expression == expression


def test_parse_leaves_interval_rules_to_validate() -> None:
    assert parse_frequency("*/5 * * * * ?", now=NOW).kind == "cron"
    assert parse_frequency("rate(30s)", now=NOW).kind == "rate"


def test_year_rule_follows_now() -> None:
    assert validate_frequency("0 0 12 * * ? 2023", now=NOW).kind == "cron"
    with pytest.raises(ScheduleError, match="year: 2023 is before the current year 2024"):
        validate_frequency("0 0 12 * * ? 2023", now=datetime(2024, 6, 1, tzinfo=timezone.utc))


def test_current_year_is_the_year_in_the_schedule_zone() -> None:
    # 2022-12-31T20:00Z is already 2023-01-01 04:00 in Shanghai.
    now = datetime(2022, 12, 31, 20, tzinfo=timezone.utc)
    assert validate_frequency("0 0 22 * * ? 2022 UTC", now=now).kind == "cron"
    with pytest.raises(ScheduleError) as caught:
        validate_frequency("0 0 22 * * ? 2022 Asia/Shanghai", now=now)
    assert caught.value.field == "year"


@pytest.mark.parametrize("text", ["Mars/Olympus", "", "GMT+8", "+08:00", "../etc/passwd", "asia/shanghai"])
def test_parse_zone_rejects(text: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_zone(text)
    assert caught.value.field == "timezone"


def test_naive_datetimes_are_programming_errors() -> None:
    with pytest.raises(TypeError, match="now must be an aware datetime"):
        parse_frequency("rate(5m)", now=datetime(2022, 1, 1))
    schedule = parse_frequency("0 0 12 * * ?", now=NOW)
    with pytest.raises(TypeError, match="after must be an aware datetime"):
        schedule.next_run(datetime(2022, 1, 1))
    with pytest.raises(TypeError, match="until must be an aware datetime"):
        list(schedule.iter_runs(NOW, datetime(2022, 1, 2)))


def test_misuse_raises_value_error() -> None:
    with pytest.raises(ValueError, match="timeout"):
        validate_frequency("rate(5m)", now=NOW, timeout=-1)
    with pytest.raises(ValueError, match="count"):
        parse_frequency("rate(5m)", now=NOW).next_runs(NOW, -1)
    with pytest.raises(ValueError, match="anchor"):
        parse_frequency("rate(5m)", now=NOW).matches(NOW)


def test_schedule_error_is_a_value_error_with_a_known_field() -> None:
    assert issubclass(ScheduleError, ValueError)
    with pytest.raises(ValueError, match="unknown schedule field"):
        ScheduleError("colour", "no such field")


def test_default_zone_does_not_apply_to_at() -> None:
    # 07:59:59 is still in the future in Shanghai, but an at without zone is UTC: past.
    with pytest.raises(ScheduleError) as caught:
        parse_frequency("at(2021-12-31 23:59:59)", now=NOW, default_zone=ZoneInfo("Asia/Shanghai"))
    assert caught.value.field == "at"


@pytest.mark.parametrize(
    ("expression", "relative"),
    [
        pytest.param("0 0 12 * * ? 2020", True, id="past-year"),
        pytest.param("at(2020-01-01 00:00:00)", True, id="past-at"),
        pytest.param("0 0 12 * * ? 2100", False, id="year-after-2099"),
        pytest.param("0 0 12 * * 3", False, id="day-and-week"),
        pytest.param("rate(30s)", False, id="rate-too-short"),
    ],
)
def test_errors_say_whether_they_depend_on_the_time_they_are_judged_at(expression, relative) -> None:
    with pytest.raises(ScheduleError) as raised:
        validate_frequency(expression, now=datetime(2026, 6, 1, tzinfo=timezone.utc))
    assert raised.value.relative_to_now is relative
