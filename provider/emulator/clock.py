"""The emulator's clock: real time by default, or a virtual instant that tests set and advance.

The clock lives in the database (meta key `clock`), so every process sharing the file reads the same time.
A virtual clock stands still until it is set or advanced; nothing in the emulator sleeps on it.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime, timedelta, timezone

from ecsops.emulator.store import get_meta, set_meta

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*\Z")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def now(tx: sqlite3.Connection) -> datetime:
    """The current instant (aware, UTC): the virtual one when set, else the machine's."""
    state = get_meta(tx, "clock", {"mode": "real"})
    if state["mode"] == "virtual":
        return datetime.fromisoformat(state["now"])
    return datetime.now(timezone.utc).replace(microsecond=0)


def describe(tx: sqlite3.Connection) -> dict[str, str]:
    state = get_meta(tx, "clock", {"mode": "real"})
    return {"mode": state["mode"], "now": iso(now(tx))}


def set_virtual(tx: sqlite3.Connection, instant: datetime) -> None:
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=timezone.utc)
    set_meta(tx, "clock", {"mode": "virtual", "now": instant.astimezone(timezone.utc).isoformat()})


def advance(tx: sqlite3.Connection, seconds: float) -> None:
    """Moves the clock forward; a real clock becomes virtual, starting from the real now."""
    if seconds < 0:
        raise ValueError("the clock only moves forward")
    set_virtual(tx, now(tx) + timedelta(seconds=seconds))


def use_real(tx: sqlite3.Connection) -> None:
    set_meta(tx, "clock", {"mode": "real"})


def parse_duration(text: str | int | float) -> float:
    """Seconds in `90`, `90s`, `90m`, `2h`, `1d`; raises ValueError otherwise."""
    if isinstance(text, (int, float)):
        return float(text)
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a duration: use seconds or a number with s, m, h or d")
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def iso(instant: datetime) -> str:
    """The API's time format: `2026-11-21T02:00:00Z`."""
    return instant.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
