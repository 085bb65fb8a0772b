"""Every row of the examples table of the ECS guide "4.8. Cron expression", as of 2022-01-01T00:00:00Z.

The expected runs were worked out by hand from a calendar (2022-01-01 is a Saturday) and are
written out literally: they state what the table's description says, not what the code computes.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from ecsops.schedule import validate_frequency

NOW = datetime(2022, 1, 1, tzinfo=timezone.utc)


def utc(*texts: str) -> list[datetime]:
    """``"2022-01-01 10:15"`` -> aware UTC datetimes."""
    return [datetime.fromisoformat(text).replace(tzinfo=timezone.utc) for text in texts]


EXAMPLES = [
    # 10:15 every day.
    ("0 15 10 ? * *", utc("2022-01-01 10:15", "2022-01-02 10:15", "2022-01-03 10:15")),
    ("0 15 10 * * ?", utc("2022-01-01 10:15", "2022-01-02 10:15", "2022-01-03 10:15")),
    # 12:00 every day.
    ("0 0 12 * * ?", utc("2022-01-01 12:00", "2022-01-02 12:00", "2022-01-03 12:00")),
    # 10:00, 14:00 and 16:00 every day.
    ("0 0 10,14,16 * * ?", utc("2022-01-01 10:00", "2022-01-01 14:00", "2022-01-01 16:00")),
    # Every half hour between 09:00 and 17:00.
    ("0 0/30 9-17 * * ?", utc("2022-01-01 09:00", "2022-01-01 09:30", "2022-01-01 10:00")),
    # Every minute between 14:00 and 14:59.
    ("0 * 14 * * ?", utc("2022-01-01 14:00", "2022-01-01 14:01", "2022-01-01 14:02")),
    # Every minute between 14:00 and 14:05.
    ("0 0-5 14 * * ?", utc("2022-01-01 14:00", "2022-01-01 14:01", "2022-01-01 14:02")),
    # Every 5 minutes between 14:00 and 14:55.
    ("0 0/5 14 * * ?", utc("2022-01-01 14:00", "2022-01-01 14:05", "2022-01-01 14:10")),
    # Every 5 minutes between 14:00 and 14:55 and between 18:00 and 18:55.
    ("0 0/5 14,18 * * ?", utc("2022-01-01 14:00", "2022-01-01 14:05", "2022-01-01 14:10")),
    # 12:00 every Wednesday: January 2022's Wednesdays are the 5th, 12th, 19th.
    ("0 0 12 ? * WED", utc("2022-01-05 12:00", "2022-01-12 12:00", "2022-01-19 12:00")),
    # 10:15 on the 15th of every month.
    ("0 15 10 15 * ?", utc("2022-01-15 10:15", "2022-02-15 10:15", "2022-03-15 10:15")),
    # 10:15 on the last day of every month (2022 is not a leap year).
    ("0 15 10 L * ?", utc("2022-01-31 10:15", "2022-02-28 10:15", "2022-03-31 10:15")),
    # 10:15 on the last Saturday of every month.
    ("0 15 10 ? * 6L", utc("2022-01-29 10:15", "2022-02-26 10:15", "2022-03-26 10:15")),
    # 10:15 on the third Saturday of every month.
    ("0 15 10 ? * 6#3", utc("2022-01-15 10:15", "2022-02-19 10:15", "2022-03-19 10:15")),
    # 14:10 and 14:44 every Wednesday in March (2022-03-02 is the first).
    ("0 10,44 14 ? 3 WED", utc("2022-03-02 14:10", "2022-03-02 14:44", "2022-03-09 14:10")),
    # 10:15 every day in 2022.
    ("0 15 10 ? * * 2022", utc("2022-01-01 10:15", "2022-01-02 10:15", "2022-01-03 10:15")),
    # 10:15 every day every year.
    ("0 15 10 ? * * *", utc("2022-01-01 10:15", "2022-01-02 10:15", "2022-01-03 10:15")),
    # Every 5 minutes 14:00-14:55 and 18:00-18:55 every day in 2022.
    ("0 0/5 14,18 * * ? 2022", utc("2022-01-01 14:00", "2022-01-01 14:05", "2022-01-01 14:10")),
    # 10:15 on the third Saturday of every month, 2022 to 2023.
    ("0 15 10 ? * 6#3 2022,2023", utc("2022-01-15 10:15", "2022-02-19 10:15", "2022-03-19 10:15")),
    # Every half hour 09:00-17:30 every day, 2022 to 2025.
    ("0 0/30 9-17 * * ? 2022-2025", utc("2022-01-01 09:00", "2022-01-01 09:30", "2022-01-01 10:00")),
    # 14:10 and 14:44 every Wednesday in March, every 2 years from 2022.
    ("0 10,44 14 ? 3 WED 2022/2", utc("2022-03-02 14:10", "2022-03-02 14:44", "2022-03-09 14:10")),
]


def test_the_table_has_all_21_rows() -> None:
    assert len(EXAMPLES) == 21


@pytest.mark.parametrize(("expression", "expected"), EXAMPLES, ids=[row[0] for row in EXAMPLES])
def test_example_is_accepted_and_runs_as_described(expression: str, expected: list[datetime]) -> None:
    schedule = validate_frequency(expression, now=NOW)
    assert schedule.kind == "cron"
    assert schedule.expression == expression
    assert schedule.next_runs(NOW, 3) == expected


WINDOW_EDGES = [
    # The last run of a window, then the first of the next window or day.
    ("0 0-5 14 * * ?", "2022-01-01 14:04:30", utc("2022-01-01 14:05", "2022-01-02 14:00")),
    ("0 * 14 * * ?", "2022-01-01 14:58:30", utc("2022-01-01 14:59", "2022-01-02 14:00")),
    ("0 0/5 14 * * ?", "2022-01-01 14:50:00", utc("2022-01-01 14:55", "2022-01-02 14:00")),
    ("0 0/5 14,18 * * ?", "2022-01-01 14:50:00", utc("2022-01-01 14:55", "2022-01-01 18:00")),
    ("0 0/30 9-17 * * ?", "2022-01-01 17:00:00", utc("2022-01-01 17:30", "2022-01-02 09:00")),
    ("0 0 10,14,16 * * ?", "2022-01-01 14:00:00", utc("2022-01-01 16:00", "2022-01-02 10:00")),
    # The year field ends or skips years.
    ("0 15 10 ? * * 2022", "2022-12-30 12:00:00", utc("2022-12-31 10:15")),
    ("0 15 10 ? * 6#3 2022,2023", "2023-12-01 00:00:00", utc("2023-12-16 10:15")),
    ("0 0/30 9-17 * * ? 2022-2025", "2025-12-31 17:00:00", utc("2025-12-31 17:30")),
    ("0 10,44 14 ? 3 WED 2022/2", "2022-03-31 00:00:00", utc("2024-03-06 14:10", "2024-03-06 14:44")),
]


@pytest.mark.parametrize(
    ("expression", "after", "expected"), WINDOW_EDGES, ids=[f"{row[0]} after {row[1]}" for row in WINDOW_EDGES]
)
def test_example_window_edges(expression: str, after: str, expected: list[datetime]) -> None:
    schedule = validate_frequency(expression, now=NOW)
    assert schedule.next_runs(utc(after)[0], 2) == expected
