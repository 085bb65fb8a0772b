"""The core's models: the queries of what every product shares — listings with tag filters, tags, ClientToken
answers, the request log, signature nonces — so that no handler, and no module above this one, writes SQL.

(The world's tables have their queries in world.py, the store's bookkeeping in store.py, each product's in its
own `models` module.)
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any


class Listing:
    """A filtered listing of one table, built as SQL so that a page reads only its own rows.

    `Listing("commands", "seq").where("region = ?", region).tagged("command", wanted)`; then `window(tx)`
    is a sequence `page` can cut (its length a COUNT, a slice a LIMIT/OFFSET query), and `rows(tx)` every
    row, for filters SQL cannot express. Guarantee: both see the rows `where` and `tagged` select, in order.
    """

    def __init__(self, table: str, order: str):
        self.table, self.order = table, order
        self.clauses: list[str] = []
        self.arguments: list[Any] = []

    def where(self, clause: str, *arguments: Any) -> "Listing":
        self.clauses.append(clause)
        self.arguments.extend(arguments)
        return self

    def tagged(self, resource_type: str, wanted: list[dict[str, Any]]) -> "Listing":
        """Only rows carrying every `Tag.N.Key` (and `Tag.N.Value`, when given), as `matches_tags` decides."""
        for tag in wanted:
            value = " AND t.value = ?" if "Value" in tag else ""
            self.where(f"EXISTS (SELECT 1 FROM tags t WHERE t.resource_type = ? AND t.resource_id = {self.table}.id "
                       f"AND t.key = ?{value})", resource_type, tag.get("Key"), *([tag["Value"]] if value else []))
        return self

    def select(self, tx: sqlite3.Connection, what: str = "*", tail: str = "", *tail_arguments: Any) -> sqlite3.Cursor:
        """`SELECT what FROM table WHERE ... tail` with the filters' arguments, then `tail_arguments`."""
        where = f" WHERE {' AND '.join(self.clauses)}" if self.clauses else ""
        return tx.execute(f"SELECT {what} FROM {self.table}{where}{tail}", [*self.arguments, *tail_arguments])

    def rows(self, tx: sqlite3.Connection) -> list[sqlite3.Row]:
        return self.select(tx, "*", f" ORDER BY {self.order}").fetchall()

    def window(self, tx: sqlite3.Connection) -> "_Window":
        return _Window(tx, self)


class _Window:
    """The rows of a `Listing`, fetched a slice at a time."""

    def __init__(self, tx: sqlite3.Connection, listing: Listing):
        self.tx, self.listing = tx, listing
        self._count: int | None = None

    def __len__(self) -> int:
        if self._count is None:
            self._count = int(self.listing.select(self.tx, "COUNT(*)").fetchone()[0])
        return self._count

    def __getitem__(self, window: slice) -> list[sqlite3.Row]:
        start, stop, _ = window.indices(len(self))
        return self.listing.select(self.tx, "*", f" ORDER BY {self.listing.order} LIMIT ? OFFSET ?",
                                   max(0, stop - start), start).fetchall()




def tags_of(tx: sqlite3.Connection, resource_type: str, resource_id: str) -> dict[str, str]:
    return {row["key"]: row["value"] for row in tx.execute(
        "SELECT key, value FROM tags WHERE resource_type = ? AND resource_id = ? ORDER BY key",
        (resource_type, resource_id))}




@dataclass(frozen=True)
class Answer:
    """What a create answered, kept under its ClientToken: its parameters' fingerprint and the answer."""

    fingerprint: str
    response: Any


def idempotent_answer(tx: sqlite3.Connection, action: str, region: str, token: str) -> Answer | None:
    row = tx.execute("SELECT fingerprint, response FROM idempotency WHERE action = ? AND region = ? AND token = ?",
                     (action, region, token)).fetchone()
    return Answer(row["fingerprint"], json.loads(row["response"])) if row is not None else None


def remember_answer(tx: sqlite3.Connection, action: str, region: str, token: str, fingerprint: str, body: Any,
                    created: str) -> None:
    tx.execute(
        "INSERT INTO idempotency (action, region, token, fingerprint, response, created) VALUES (?, ?, ?, ?, ?, ?)",
        (action, region, token, fingerprint, json.dumps(body), created))


def log_request(tx: sqlite3.Connection, *, time: str, product: str, action: str, kind: str, params: str,
                status: int, code: str | None, request_id: str) -> None:
    tx.execute("""INSERT INTO request_log (time, product, action, kind, params, status, code, request_id)
                  VALUES (?, ?, ?, ?, ?, ?, ?, ?)""", (time, product, action, kind, params, status, code, request_id))


def logged_requests(tx: sqlite3.Connection, since: int, filters: dict[str, str]) -> list[sqlite3.Row]:
    """The request log after `since`, in order; `filters`: action, kind, product (each optional)."""
    query = "SELECT * FROM request_log WHERE seq > ?"
    values: list[Any] = [since]
    for name in ("action", "kind", "product"):
        if filters.get(name):
            query += f" AND {name} = ?"
            values.append(filters[name])
    return tx.execute(query + " ORDER BY seq", values).fetchall()


def clear_request_log(tx: sqlite3.Connection) -> None:
    tx.execute("DELETE FROM request_log")


def forget_nonces_before(tx: sqlite3.Connection, seen: float) -> None:
    tx.execute("DELETE FROM signature_nonces WHERE seen < ?", (seen,))


def remember_nonce(tx: sqlite3.Connection, nonce: str, seen: float) -> bool:
    """Records a nonce; False when it is already recorded (a replay)."""
    try:
        tx.execute("INSERT INTO signature_nonces (nonce, seen) VALUES (?, ?)", (nonce, seen))
    except sqlite3.IntegrityError:
        return False
    return True


def wipe(tx: sqlite3.Connection) -> None:
    """Empties every table (the admin reset; the world is seeded again after)."""
    tables = [row["name"] for row in tx.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    for table in tables:
        tx.execute(f"DELETE FROM {table}")
