"""Listings shared between reads: one list call answers the reads of many resources.

Kinds that can list their objects (all commands of a region, page by page) keep the raw listing in a
`ListingCache` when the caller gives one. The Pulumi provider gives a process-wide cache with a short
time to live, so the Read calls of a `pulumi refresh`, arriving one by one on the provider server's
threads, share one listing; the CLI gives none and always lists afresh. An object missing from a cached
listing may be newer than the listing: kinds then read it alone, so a cache never reports an object gone.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable, Hashable, Mapping


class ListingCache:
    """Raw listings by key, each kept `ttl_s` seconds; thread-safe; a key is fetched by one thread at a time."""

    def __init__(self, ttl_s: float = 5.0, clock: Callable[[], float] = time.monotonic):
        self.ttl_s = ttl_s
        self._clock = clock
        self._entries: dict[Hashable, tuple[float, Any]] = {}
        self._locks: dict[Hashable, threading.Lock] = {}
        self._guard = threading.Lock()

    def get_or_fetch(self, key: Hashable, fetch: Callable[[], Any]) -> Any:
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            entry = self._entries.get(key)
            if entry is not None and self._clock() - entry[0] < self.ttl_s:
                return entry[1]
            value = fetch()
            self._entries[key] = (self._clock(), value)
            return value

    def forget(self, prefix: Hashable) -> None:
        """Drops the listings whose key starts with `prefix` (after a write of that kind)."""
        with self._guard:
            for key in [key for key in self._entries if isinstance(key, tuple) and key[:1] == (prefix,)]:
                del self._entries[key]


def fetched(cache: ListingCache | None, key: Hashable, fetch: Callable[[], Any]) -> Any:
    return fetch() if cache is None else cache.get_or_fetch(key, fetch)


def answered(priors: Mapping[str, Any], listing: Mapping[str, Any], build: Callable[[Any, Any], Any],
             read_one: Callable[[str, Any], Any] | None) -> dict[str, Any]:
    """Answers each id from `listing` with `build(raw, prior)`; an id the listing lacks is gone, or, when
    the listing may be old (`read_one` given), read on its own."""
    found: dict[str, Any] = {}
    for id_, prior in priors.items():
        if id_ in listing:
            found[id_] = build(listing[id_], prior)
        else:
            found[id_] = read_one(id_, prior) if read_one is not None else None
    return found
