"""The one error type of ``ecsops.schedule``."""

from __future__ import annotations

#: The parts of a Frequency an error can point at.
FIELDS = frozenset(
    {
        "expression",
        "rate",
        "at",
        "second",
        "minute",
        "hour",
        "day",
        "month",
        "week",
        "year",
        "timezone",
        "interval",
    }
)


class ScheduleError(ValueError):
    """A Frequency that the service would refuse.

    ``field`` names the part at fault (see :data:`FIELDS`) so callers can map it onto an API
    error; ``reason`` is a sentence saying what is wrong and what is allowed. ``str(err)`` is
    ``"<field>: <reason>"``. ``relative_to_now`` marks the errors that only exist because of when the
    expression is judged (a past year, an ``at`` instant behind us, dates that all lie in the past): an
    expression accepted when a task was made may fail them later, and callers judging an existing task
    can ignore them.
    """

    def __init__(self, field: str, reason: str, *, relative_to_now: bool = False) -> None:
        if field not in FIELDS:
            raise ValueError(f"unknown schedule field {field!r}")
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
        self.relative_to_now = relative_to_now

    def __reduce__(self) -> tuple[type[ScheduleError], tuple[str, str], dict[str, bool]]:
        """Pickle by field and reason, so the error survives crossing a process boundary."""
        return (type(self), (self.field, self.reason), {"relative_to_now": self.relative_to_now})


def duration_text(seconds: float) -> str:
    """A duration for an error message, largest units first: ``"30 s"``, ``"1 h 30 min"``, ``"8 d"``."""
    remaining = round(seconds)
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60), ("s", 1)):
        count, remaining = divmod(remaining, size)
        if count:
            parts.append(f"{count} {unit}")
    return " ".join(parts) or "0 s"
