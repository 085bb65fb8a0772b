"""Fault injection: latency, throttling, server errors, replies lost after the change was committed, a
server-side rate limit, and writes held until released.

The configuration lives in the database (meta key `faults`) so every process sharing it injects the same
faults. Draws come from a random generator seeded with the configured seed, so a run against one
emulator is reproducible: the same sequence of requests meets the same sequence of faults.

The rate limit (`maxRate` calls per second, for benchmarks) is a token bucket holding up to one second of
calls (at least one), checked before the random draw like a gateway in front of the service: a call over
the rate is answered `Throttling.User` with the wait until the next token as `x-acs-retry-after`, takes no
token and no draw. It counts the calls `actions` selects (all when empty). The bucket lives in the
emulator process: processes sharing a database each have their own, so together they admit up to
`maxRate` per process. Any change of the settings refills it.

A hold (`holdWrites`) makes write calls (of `actions`, when given) wait until the settings no longer ask
for a hold — so a test can stop a client in the middle of its work, at a point it chooses by count rather
than by time, on any machine, and release it with one admin call (or kill the client there). The first
`holdAfter` writes pass; each later one is held, before anything of it is done (`holdPhase: before`) or
once its change is committed, before the reply (`after`). A held call polls the shared settings, so a
release made through any process sharing the database frees it; it goes on by itself after `holdMaxMs`,
so a test that dies while holding never leaves a server stuck. Writes are counted per process.
"""

from __future__ import annotations

import math
from collections import Counter
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Literal

from pydantic import BaseModel, ConfigDict, Field

Outcome = Literal["ok", "throttle", "error", "drop"]
HOLD_POLL_S = 0.02


class FaultConfig(BaseModel):
    """What `POST /_emulator/faults` accepts (rates are probabilities per API call)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    seed: int = 0
    latency_ms: float = Field(0, ge=0, alias="latencyMs")
    throttle_rate: float = Field(0, ge=0, le=1, alias="throttleRate")
    error_rate: float = Field(0, ge=0, le=1, alias="errorRate")
    drop_rate: float = Field(0, ge=0, le=1, alias="dropRate")
    retry_after_ms: int = Field(200, ge=1, alias="retryAfterMs")
    #: Wait this long after committing a call of `actions` before replying (a window to kill the client in).
    reply_delay_ms: float = Field(0, ge=0, alias="replyDelayMs")
    #: Calls per second this process admits (0: no limit); faster calls are throttled (see above).
    max_rate: float = Field(0, ge=0, alias="maxRate")
    #: Only these actions meet faults (all when empty); latency applies to every action.
    actions: list[str] = []
    #: Write calls (of `actions`, when given) wait until this is set back to false (see the module's text).
    hold_writes: bool = Field(False, alias="holdWrites")
    #: How many write calls pass before the hold takes the next ones.
    hold_after: int = Field(0, ge=0, alias="holdAfter")
    #: Where a write is held: before anything of it is done, or after its change is committed (before replying).
    hold_phase: Literal["before", "after"] = Field("before", alias="holdPhase")
    #: The longest a call is held (then it goes on as if released).
    hold_max_ms: int = Field(120_000, ge=0, alias="holdMaxMs")
    #: Set anew by every change of the settings: the random sequence restarts from the seed.
    generation: int = 0


@dataclass(frozen=True)
class Decision:
    latency_s: float = 0.0
    outcome: Outcome = "ok"
    retry_after_ms: int = 0
    reply_delay_s: float = 0.0


@dataclass
class TokenBucket:
    """`rate` tokens a second, holding at most one second's worth (at least one); starts full."""

    rate: float
    tokens: float = field(init=False)
    stamp: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.tokens = self.capacity

    @property
    def capacity(self) -> float:
        return max(1.0, self.rate)

    def take(self, now: float) -> float:
        """Takes a token and returns 0, or takes none and returns the seconds until one is there."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


@dataclass
class Injector:
    """Draws one decision per API call from the configured rates and the rate limit; thread-safe."""

    _lock: threading.Lock = field(default_factory=threading.Lock)
    _config: dict[str, Any] | None = None
    _rng: random.Random = field(default_factory=random.Random)
    _bucket: TokenBucket | None = None
    #: What this process injected since the settings last changed (`GET /_emulator/faults` shows it).
    injected: Counter[str] = field(default_factory=Counter)
    #: Calls of this process being held right now (see `hold`), and writes counted for `holdAfter`.
    holding: int = 0
    writes_seen: int = 0

    def decide(self, config: FaultConfig, action: str) -> Decision:
        latency = config.latency_ms / 1000
        if config.actions and action not in config.actions:
            return Decision(latency_s=latency)
        with self._lock:
            if self._config != config.model_dump():
                self._config = config.model_dump()
                self._rng = random.Random(config.seed)
                self._bucket = TokenBucket(config.max_rate) if config.max_rate else None
                self.injected = Counter()
                self.writes_seen = 0
            wait_s = self._bucket.take(time.monotonic()) if self._bucket else 0.0
            if wait_s:
                self.injected["rate-limited"] += 1
                return Decision(latency_s=latency, outcome="throttle", retry_after_ms=math.ceil(wait_s * 1000))
            draw = self._rng.random()
            outcome: Outcome = "ok"
            for name, rate in (("throttle", config.throttle_rate), ("error", config.error_rate),
                               ("drop", config.drop_rate)):
                if draw < rate:
                    outcome = name  # type: ignore[assignment]
                    break
                draw -= rate
            self.injected[outcome] += 1
        return Decision(latency_s=latency, outcome=outcome, retry_after_ms=config.retry_after_ms,
                        reply_delay_s=config.reply_delay_ms / 1000)

    def holds(self, config: FaultConfig, action: str, *, writes: bool) -> bool:
        """Whether the settings hold this call (a write of `actions` past the first `holdAfter`); counts it.
        Call after `decide`, which starts the count afresh when the settings change."""
        if not (config.hold_writes and writes and (not config.actions or action in config.actions)):
            return False
        with self._lock:
            self.writes_seen += 1
            return self.writes_seen > config.hold_after

    def hold(self, config: FaultConfig, still_held: Callable[[], bool]) -> None:
        """Holds the calling thread while `still_held()` (which reads the shared settings) says so, at most
        `holdMaxMs`; `holding` counts the calls waiting here."""
        with self._lock:
            self.holding += 1
            self.injected["held"] += 1
        try:
            deadline = time.monotonic() + config.hold_max_ms / 1000
            while time.monotonic() < deadline and still_held():
                time.sleep(HOLD_POLL_S)
        finally:
            with self._lock:
                self.holding -= 1


def as_document(config: FaultConfig) -> dict[str, Any]:
    return config.model_dump(by_alias=True)
