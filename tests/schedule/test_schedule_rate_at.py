"""rate: a fixed cadence from an anchor; at: one run."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from ecsops.schedule import parse_frequency, validate_frequency

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
T = datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)


def test_rate_runs_one_interval_after_the_anchor() -> None:
    schedule = validate_frequency("rate(5m)", now=NOW)
    assert schedule.next_runs(T, 3, anchor=T) == [
        datetime(2026, 3, 1, 8, 5, tzinfo=timezone.utc),
        datetime(2026, 3, 1, 8, 10, tzinfo=timezone.utc),
        datetime(2026, 3, 1, 8, 15, tzinfo=timezone.utc),
    ]


def test_rate_runs_twelve_times_an_hour() -> None:
    runs = list(validate_frequency("rate(5m)", now=NOW).iter_runs(T, T + timedelta(hours=1), anchor=T))
    assert len(runs) == 12
    assert runs[-1] == datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)


def test_rate_keeps_its_cadence_from_the_anchor() -> None:
    schedule = validate_frequency("rate(5m)", now=NOW)
    assert schedule.next_run(T + timedelta(minutes=7), anchor=T) == datetime(2026, 3, 1, 8, 10, tzinfo=timezone.utc)
    assert schedule.next_run(T + timedelta(minutes=10), anchor=T) == datetime(2026, 3, 1, 8, 15, tzinfo=timezone.utc)
    assert schedule.next_run(T - timedelta(days=1), anchor=T) == datetime(2026, 3, 1, 8, 5, tzinfo=timezone.utc)


def test_rate_without_anchor_starts_at_after() -> None:
    assert validate_frequency("rate(2h)", now=NOW).next_run(T) == datetime(2026, 3, 1, 10, 0, tzinfo=timezone.utc)


def test_rate_runs_are_returned_in_utc() -> None:
    anchor = datetime(2026, 3, 1, 16, 0, tzinfo=timezone(timedelta(hours=8)))
    run = validate_frequency("rate(1d)", now=NOW).next_run(anchor, anchor=anchor)
    assert run is not None
    assert run.tzinfo == timezone.utc
    assert run == datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("expression", "interval"),
    [("rate(60s)", timedelta(minutes=1)), ("rate(90m)", timedelta(minutes=90)), ("RATE(3H)", timedelta(hours=3))],
    ids=["seconds", "minutes", "upper case"],
)
def test_rate_units(expression: str, interval: timedelta) -> None:
    schedule = validate_frequency(expression, now=NOW)
    assert schedule.kind == "rate"
    assert schedule.min_interval() == interval


def test_rate_matches_beats_of_its_anchor_only() -> None:
    schedule = validate_frequency("rate(5m)", now=NOW)
    assert schedule.matches(T + timedelta(minutes=10), anchor=T)
    assert not schedule.matches(T + timedelta(minutes=11), anchor=T)
    assert not schedule.matches(T, anchor=T)


def test_at_runs_once() -> None:
    schedule = validate_frequency(" at(2026-05-17 17:30:50) ", now=NOW)
    run = datetime(2026, 5, 17, 17, 30, 50, tzinfo=timezone.utc)
    assert schedule.kind == "at"
    assert schedule.expression == "at(2026-05-17 17:30:50)"
    assert schedule.next_runs(NOW, 3) == [run]
    assert schedule.next_run(run) is None
    assert list(schedule.iter_runs(NOW, run - timedelta(seconds=1))) == []
    assert schedule.matches(run)
    assert not schedule.matches(run + timedelta(seconds=1))
    assert schedule.min_interval() is None


def test_parse_reports_kind_and_expression() -> None:
    assert [parse_frequency(text, now=NOW).kind for text in ("rate(5m)", "at(2027-01-01 00:00:00)", "0 0 0 * * ?")] == [
        "rate",
        "at",
        "cron",
    ]
