"""Guarantees every schedule keeps, checked on samples of real runs, and the cost of searching."""

from __future__ import annotations

import pickle
import sys
from datetime import datetime, timedelta, timezone
from itertools import pairwise
from typing import Any, Callable, TypeVar

import pytest

from ecsops.schedule import Schedule, ScheduleError, parse_frequency, validate_frequency

T = TypeVar("T")

NOW = datetime(2022, 1, 1, tzinfo=timezone.utc)

# (id, expression, after, until): each window holds the closest pair of runs of its schedule.
SAMPLES = [
    ("every 10 s", "0/10 * * * * ?", "2022-01-01 23:50", "2022-01-02 00:10"),
    ("every 5 s", "*/5 * * * * ?", "2022-01-01 23:59", "2022-01-02 00:01"),
    ("half hours in a window", "0 0/30 9-17 * * ?", "2022-01-01 00:00", "2022-01-04 00:00"),
    ("two windows", "0 0/5 14,18 * * ? 2022", "2022-01-01 00:00", "2022-01-03 00:00"),
    ("March Wednesdays, odd years skipped", "0 10,44 14 ? 3 WED 2022/2", "2022-01-01 00:00", "2024-12-31 00:00"),
    ("last day", "0 15 10 L * ?", "2022-01-01 00:00", "2023-01-01 00:00"),
    ("last Saturday", "0 15 10 ? * 6L", "2022-01-01 00:00", "2023-01-01 00:00"),
    ("nearest weekday", "0 0 12 1W * ?", "2022-01-01 00:00", "2023-01-01 00:00"),
    ("5 s only across midnight", "0,55 0,59 0,23 * * ?", "2022-01-01 00:00", "2022-01-03 00:00"),
    ("odd days meet at a month end", "0,55 0,59 0,23 1/2 * ?", "2022-01-30 00:00", "2022-02-02 00:00"),
    ("odd days in April only", "0 0 0,23 1/2 4 ?", "2022-04-01 00:00", "2022-04-04 00:00"),
    ("Shanghai", "0 0 2 * * ? Asia/Shanghai", "2022-01-01 00:00", "2022-01-10 00:00"),
    ("New York, jump forward", "0 0 1,3 * * ? America/New_York", "2022-03-10 00:00", "2022-03-16 00:00"),
    ("New York, every 10 s", "0/10 * * * * ? America/New_York", "2022-03-13 06:50", "2022-03-13 07:10"),
    ("New York, fall back", "0 0/30 * * * ? America/New_York", "2022-11-06 04:00", "2022-11-06 08:00"),
    ("at", "at(2022-05-17 17:30:50 Asia/Shanghai)", "2022-01-01 00:00", "2023-01-01 00:00"),
]
IDS = [row[0] for row in SAMPLES]


def utc(text: str) -> datetime:
    """``"2022-01-01 00:00"`` -> an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def sample(expression: str, after: str, until: str) -> tuple[Schedule, list[datetime]]:
    """The schedule (interval rules not applied) and its runs in ``(after, until]``."""
    schedule = parse_frequency(expression, now=NOW)
    return schedule, list(schedule.iter_runs(utc(after), utc(until)))


@pytest.mark.parametrize(("expression", "after", "until"), [row[1:] for row in SAMPLES], ids=IDS)
def test_runs_are_utc_strictly_increasing_and_inside_the_window(expression: str, after: str, until: str) -> None:
    _, runs = sample(expression, after, until)
    assert runs
    assert all(run.tzinfo == timezone.utc for run in runs)
    assert all(earlier < later for earlier, later in pairwise(runs))
    assert utc(after) < runs[0] and runs[-1] <= utc(until)


@pytest.mark.parametrize(("expression", "after", "until"), [row[1:] for row in SAMPLES], ids=IDS)
def test_matches_every_run_and_nothing_in_between(expression: str, after: str, until: str) -> None:
    schedule, runs = sample(expression, after, until)
    assert all(schedule.matches(run) for run in runs)
    second = timedelta(seconds=1)
    assert not any(schedule.matches(run + second) for run in runs if run + second not in runs)


@pytest.mark.parametrize(("expression", "after", "until"), [row[1:] for row in SAMPLES], ids=IDS)
def test_next_run_agrees_with_iteration(expression: str, after: str, until: str) -> None:
    schedule, runs = sample(expression, after, until)
    assert [schedule.next_run(run) for run in runs[:-1]] == runs[1:]
    assert schedule.next_runs(utc(after), len(runs)) == runs


@pytest.mark.parametrize(("expression", "after", "until"), [row[1:] for row in SAMPLES], ids=IDS)
def test_min_interval_is_the_smallest_observed_gap(expression: str, after: str, until: str) -> None:
    schedule, runs = sample(expression, after, until)
    gaps = [later - earlier for earlier, later in pairwise(runs)]
    assert schedule.min_interval() == min(gaps, default=None)


def test_rate_properties() -> None:
    schedule = validate_frequency("rate(7m)", now=NOW)
    runs = schedule.next_runs(NOW, 50, anchor=NOW)
    assert all(later - earlier == timedelta(minutes=7) for earlier, later in pairwise(runs))
    assert all(schedule.matches(run, anchor=NOW) for run in runs)
    assert schedule.min_interval() == timedelta(minutes=7)


def python_calls(work: Callable[[], T]) -> tuple[T, int]:
    """`work()`'s result and how many Python functions it called: a measure of the work done that, unlike a
    time, is the same on every machine however fast or loaded (speed itself is measured in bench/)."""
    calls = 0

    def count(frame: Any, event: str, arg: Any) -> None:
        nonlocal calls
        calls += event == "call"

    sys.setprofile(count)
    try:
        result = work()
    finally:
        sys.setprofile(None)
    return result, calls


def test_far_run_is_found_without_walking_there() -> None:
    """70 years ahead in about a hundred calls (walking there day by day would take some 25,000 days)."""
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    run, calls = python_calls(lambda: validate_frequency("0 0 0 29 2 ? 2096", now=now).next_run(now))
    assert run == datetime(2096, 2, 29, tzinfo=timezone.utc)
    assert calls < 1_000


def test_a_day_of_runs_every_10_s_costs_a_few_calls_a_run() -> None:
    schedule = validate_frequency("0/10 * * * * ?", now=NOW)
    runs, calls = python_calls(lambda: list(schedule.iter_runs(NOW, NOW + timedelta(days=1))))
    assert len(runs) == 8640
    assert calls < 6 * len(runs)  # about 4 a run; walking second by second would cost 86,400 steps


def test_interval_rule_in_a_dst_zone_checks_no_run_by_run() -> None:
    """The interval rule for a schedule running every 10 s until 2099, judged without listing its runs."""
    _, calls = python_calls(lambda: validate_frequency("0/10 * * * * ? America/New_York", now=NOW))
    assert calls < 100_000  # about 22,000; its runs up to 2099 number some 240 million


# (id, expression, first instant, step, number of instants): a grid holding every run of its span.
GRIDS = [
    ("day rules, noon of each day", "0 0 12 LW * ?", "2022-01-01 12:00", timedelta(days=1), 3 * 365),
    ("nearest weekday", "0 0 12 15W * ?", "2022-01-01 12:00", timedelta(days=1), 3 * 365),
    ("nth weekday", "0 0 12 ? * 5#5", "2022-01-01 12:00", timedelta(days=1), 3 * 365),
    ("last weekday", "0 0 12 ? 2/3 7L", "2022-01-01 12:00", timedelta(days=1), 3 * 365),
    ("weekday list", "0 0 12 ? * TUE,SAT-SUN", "2022-01-01 12:00", timedelta(days=1), 365),
    ("years", "0 0 12 1 1 ? 2022/3", "2022-01-01 12:00", timedelta(days=1), 10 * 366),
    ("DST jump", "0/10 * 1-3 * * ? America/New_York", "2022-03-13 05:00", timedelta(seconds=1), 3 * 3600),
    ("DST fall", "5/20 0/7 * * * ? America/New_York", "2022-11-06 04:30", timedelta(seconds=1), 3 * 3600),
]


@pytest.mark.parametrize(
    ("expression", "first", "step", "count"), [row[1:] for row in GRIDS], ids=[row[0] for row in GRIDS]
)
def test_search_finds_every_matching_instant(expression: str, first: str, step: timedelta, count: int) -> None:
    schedule = parse_frequency(expression, now=NOW)
    grid = [utc(first) + index * step for index in range(count)]
    expected = [instant for instant in grid if schedule.matches(instant)]
    assert expected
    assert list(schedule.iter_runs(grid[0] - timedelta(seconds=1), grid[-1])) == expected


def test_schedule_error_survives_pickling() -> None:
    with pytest.raises(ScheduleError) as caught:
        validate_frequency("0 0 12 ? * 8", now=NOW)
    copy = pickle.loads(pickle.dumps(caught.value))
    assert (copy.field, copy.reason, str(copy)) == ("week", caught.value.reason, str(caught.value))
