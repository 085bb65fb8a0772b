"""What every schedule kind offers, built on one primitive: the ordered runs after an instant."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from datetime import datetime, timedelta
from itertools import islice, takewhile
from typing import ClassVar

from ecsops.schedule.zones import require_aware


class Schedule(ABC):
    """A parsed Frequency: ``kind`` is ``"rate"``, ``"at"`` or ``"cron"``; ``expression`` the text.

    Guarantees shared by all kinds: runs are aware datetimes in UTC, strictly increasing, strictly
    after the ``after`` argument, and :meth:`matches` holds for each of them. ``anchor`` only
    matters to a rate (its runs are ``anchor + k * interval``, ``k >= 1``); the other kinds ignore it.
    """

    kind: ClassVar[str]
    expression: str

    @abstractmethod
    def _runs(self, after: datetime, anchor: datetime | None) -> Iterator[datetime]:
        """All runs strictly after the aware ``after``, in order (possibly without end)."""

    @abstractmethod
    def matches(self, instant: datetime, *, anchor: datetime | None = None) -> bool:
        """True iff a run happens at exactly ``instant`` (an aware datetime)."""

    @abstractmethod
    def min_interval(self) -> timedelta | None:
        """The smallest real-time gap between two consecutive runs; None with fewer than two runs."""

    @abstractmethod
    def _check_interval(self, timeout: int | None) -> None:
        """Raise :class:`ScheduleError` unless the runs are far enough apart for the service."""

    def iter_runs(
        self, after: datetime, until: datetime | None = None, *, anchor: datetime | None = None
    ) -> Iterator[datetime]:
        """Runs strictly after ``after`` and, when ``until`` is given, up to and including it."""
        runs = self._runs(require_aware("after", after), _aware_or_none("anchor", anchor))
        if until is None:
            return runs
        end = require_aware("until", until)
        return takewhile(lambda run: run <= end, runs)

    def next_run(self, after: datetime, *, anchor: datetime | None = None) -> datetime | None:
        """The first run strictly after ``after``; None when there is none."""
        return next(self.iter_runs(after, anchor=anchor), None)

    def next_runs(self, after: datetime, count: int = 3, *, anchor: datetime | None = None) -> list[datetime]:
        """The first ``count`` runs strictly after ``after`` (fewer when the schedule ends)."""
        if count < 0:
            raise ValueError(f"count must be >= 0, got {count}")
        return list(islice(self.iter_runs(after, anchor=anchor), count))


def _aware_or_none(name: str, value: datetime | None) -> datetime | None:
    """``value`` checked to be aware when given."""
    return None if value is None else require_aware(name, value)
