"""The subset of CloudMonitor's SQL event filter the emulator evaluates (EventPattern.N.SQLFilter).

Supported: terms `key = 'value'` and `key like 'pattern'` (`%` any run of characters, `_` one
character), joined by `and` / `or` (`and` binds tighter; keywords in any case). A key is a field of the
notification (`name`, `level`, `regionId`...) or a dotted path into it (`content.instanceId`). Values are
compared as text, case-sensitively; a key the notification lacks matches nothing.

Anything else - parentheses, `not`, `!=`, `<`, `in`, numbers without quotes, quotes inside a value - is
refused when the rule is written (`parse` raises FilterError naming it), never silently ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_TOKEN = re.compile(r"\s*(?:(?P<text>'[^']*')|(?P<equals>=)|(?P<word>[A-Za-z_][A-Za-z0-9_.]*)|(?P<other>\S+))")
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\Z")
_KEYWORDS = {"and", "or", "like"}
SUPPORTED = "use key = 'value' or key like '%value%', joined by and / or"


class FilterError(ValueError):
    """A filter outside the supported subset; the message names the offending part."""


@dataclass(frozen=True)
class Term:
    key: str
    operator: str  # "=" or "like"
    value: str

    def matches(self, notification: dict[str, Any]) -> bool:
        found = _lookup(notification, self.key)
        if found is None:
            return False
        if self.operator == "=":
            return str(found) == self.value
        return _like(self.value).fullmatch(str(found)) is not None


#: Alternatives (or) of conjunctions (and) of terms.
Filter = tuple[tuple[Term, ...], ...]


def parse(text: str) -> Filter:
    """The filter in `text`; FilterError for anything outside the supported subset."""
    tokens = _tokens(text)
    alternatives: list[tuple[Term, ...]] = []
    terms: list[Term] = []
    position = 0
    while True:
        terms.append(_term(tokens[position:position + 3]))
        position += 3
        if position == len(tokens):
            alternatives.append(tuple(terms))
            return tuple(alternatives)
        joiner = tokens[position].lower()
        if joiner not in ("and", "or") or position + 1 == len(tokens):
            raise FilterError(f"unexpected {tokens[position]!r} after a term: {SUPPORTED}")
        if joiner == "or":
            alternatives.append(tuple(terms))
            terms = []
        position += 1


def matches(compiled: Filter, notification: dict[str, Any]) -> bool:
    return any(all(term.matches(notification) for term in terms) for terms in compiled)


def _tokens(text: str) -> list[str]:
    tokens = []
    for match in _TOKEN.finditer(text):
        if match.group("other"):
            raise FilterError(f"{match.group('other')!r} is not supported: {SUPPORTED}")
        tokens.append(match.group(match.lastgroup or "word"))
    if not tokens:
        raise FilterError(f"the filter is empty: {SUPPORTED}")
    return tokens


def _term(tokens: list[str]) -> Term:
    """`key = 'value'` or `key like 'pattern'` from three tokens."""
    if len(tokens) < 3:
        raise FilterError(f"incomplete term {' '.join(tokens)!r}: {SUPPORTED}")
    key, operator, value = tokens
    if key.lower() in _KEYWORDS or not _KEY.match(key):
        raise FilterError(f"{key!r} is not a field name: {SUPPORTED}")
    if operator != "=" and operator.lower() != "like":
        raise FilterError(f"the operator {operator!r} is not supported: {SUPPORTED}")
    if not (value.startswith("'") and value.endswith("'") and len(value) >= 2):
        raise FilterError(f"{value!r} is not a quoted value: {SUPPORTED}")
    return Term(key, operator.lower(), value[1:-1])


def _lookup(notification: dict[str, Any], key: str) -> Any:
    found: Any = notification
    for part in key.split("."):
        if not isinstance(found, dict) or part not in found:
            return None
        found = found[part]
    return found


def _like(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern), re.DOTALL)
