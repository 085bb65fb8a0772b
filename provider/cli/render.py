"""How plans, drift reports and apply progress look: for people (text) and for programs (JSON).

Plan and drift JSON share one shape:

    {"stack": ..., "backend": {"kind", "region", ...}, "changes": bool, "summary": {action: count},
     "resources": [{"name", "type", "id", "action", "reason",
                    "changes": [{"field", "old", "new", "effect", "reason", "unknown"[, "applied"]}]
                    [, "partial": true]}],
     "warnings": [...]}

`"partial": true` marks (in plan) an object an earlier apply made and then failed on: apply finishes it.

Secret fields are shown as "(secret)" in both; values known only after apply as "(known after apply)"
in text and `"unknown": true` in JSON.
"""

from __future__ import annotations

import difflib
import json
import os
import sys
import time
from collections import Counter
from typing import Any, Iterable, Mapping, TextIO

from ecsops.engine import kind as kinds
from ecsops.engine.apply import Event
from ecsops.engine.diff import Effect, FieldChange
from ecsops.engine.drift import ResourceDrift
from ecsops.engine.plan import SYMBOLS, Action, Plan, ResourcePlan
from ecsops.engine.values import is_secret, is_unknown

SECRET = "(secret)"
DIGEST_MARK = "\x00"  # joins "(secret)" and a digest inside structural diffs; never displayed
KNOWN_AFTER_APPLY = "(known after apply)"
COLOURS = {"+": "32", "~": "33", "-": "31", "-/+": "35", "!": "31"}


class Styler:
    def __init__(self, stream: TextIO):
        self.enabled = stream.isatty() and not os.environ.get("NO_COLOR")

    def __call__(self, text: str, symbol: str) -> str:
        code = COLOURS.get(symbol)
        return f"\033[{code}m{text}\033[0m" if self.enabled and code else text


def shown(field: str, value: Any, secret_fields: Iterable[str]) -> Any:
    """A value as it may be displayed: secrets hidden (whole fields, and {secret: ...} parts), unknowns named."""
    if value is None:
        return None
    if field in secret_fields:
        return SECRET
    if is_unknown(value):
        return KNOWN_AFTER_APPLY
    return masked(value)


def masked(value: Any, *, keep_digest: bool = False) -> Any:
    """`value` with every secret part replaced by "(secret)" — or, with `keep_digest`, by "(secret)" and its
    digest (never the plain value), so two secrets still compare as different (see `_displayed`)."""
    if is_secret(value):
        return f"{SECRET}{DIGEST_MARK}{value['secret']}" if keep_digest else SECRET
    if isinstance(value, dict):
        return {key: masked(item, keep_digest=keep_digest) for key, item in value.items()}
    if isinstance(value, list):
        return [masked(item, keep_digest=keep_digest) for item in value]
    return value


def _displayed(value: Any) -> Any:
    """A value of `masked(..., keep_digest=True)` as shown: the digests dropped."""
    if isinstance(value, str) and value.startswith(SECRET + DIGEST_MARK):
        return SECRET
    if isinstance(value, dict):
        return {key: _displayed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_displayed(item) for item in value]
    return value


def _secret_fields(type_: str) -> frozenset[str]:
    try:
        return kinds.get(type_).secret_fields()
    except kinds.UnknownKind:
        return frozenset()


# -- plan -----------------------------------------------------------------------------------------------


def plan_text(plan: Plan, backend: str, stream: TextIO) -> str:
    style = Styler(stream)
    lines = [f"Stack {plan.stack} on {backend}", ""]
    for resource in plan.resources:
        if resource.action is Action.NOOP:
            continue
        lines.extend(_resource_lines(resource, style))
    for warning in plan.warnings:
        lines.append(f"warning: {warning}")
    if not plan.has_changes:
        lines.append("No changes: the cloud matches the stack.")
    else:
        lines.append("Plan: " + ", ".join(f"{plan.count(action)} to {action.value}" for action in
                                          (Action.CREATE, Action.UPDATE, Action.REPLACE, Action.DELETE)) + ".")
    return "\n".join(lines)


def _resource_lines(resource: ResourcePlan, style: Styler) -> list[str]:
    symbol = SYMBOLS[resource.action]
    head = f"{symbol} {resource.name}  {resource.type}" + (f"  {resource.id}" if resource.id else "")
    if resource.reason:
        head += f"  ({resource.reason})"
    lines = [style(head, symbol)]
    secrets = _secret_fields(resource.type)
    if resource.action is Action.CREATE:
        for field, value in _created_fields(resource):
            lines.extend(_value_lines(field, shown(field, value, secrets)))
    for change in resource.changes:
        lines.extend(_change_lines(change, secrets))
    for output, value in (resource.preview or {}).items():
        lines.append(f"      {output} (after apply): {_inline(masked(value))}")
    lines.append("")
    return lines


def _created_fields(resource: ResourcePlan) -> list[tuple[str, Any]]:
    """The fields worth showing for a new object: those given a value other than empty."""
    return [(field, value) for field, value in (resource.desired or {}).items()
            if value not in ("", None, {}, [], False)]


def _value_lines(field: str, value: Any) -> list[str]:
    """`field: value`, with a multi-line text (a script) as an indented block."""
    if _multiline(value):
        return [f"      {field}: |", *(f"        {line}" for line in str(value).rstrip("\n").splitlines())]
    return [f"      {field}: {_inline(value)}"]


def _change_lines(change: FieldChange, secrets: frozenset[str]) -> list[str]:
    old, new = shown(change.field, change.old, secrets), shown(change.field, change.new, secrets)
    note = ""
    if change.effect is Effect.REPLACE:
        note = f"   # forces replacement{': ' + change.reason if change.reason and not change.unknown else ''}"
    elif change.reason and not change.unknown:
        note = f"   # {change.reason}"
    if isinstance(old, (dict, list)) and isinstance(new, (dict, list)):
        # compared with secrets' digests, so a changed secret shows as `(secret) -> (secret)`
        return [f"      {change.field}:{note}", *structural_lines(masked(change.old, keep_digest=True),
                                                                  masked(change.new, keep_digest=True))]
    if _multiline(old) or _multiline(new):
        lines = [f"      {change.field}:{note}"]
        diff = difflib.unified_diff(str(old or "").splitlines(), str(new or "").splitlines(), lineterm="", n=1)
        lines += [f"        {line}" for line in list(diff)[2:]]
        return lines
    return [f"      {change.field}: {_inline(old)} -> {_inline(new)}{note}"]


def structural_lines(old: Any, new: Any) -> list[str]:
    """A nested change path by path (`~ webhooks[ops].url: "a" -> "b"`, `- webhooks[old]`, `+ contacts[c-1]`);
    lists of items with an `id` are matched by id, not by position."""
    from deepdiff import DeepDiff  # here, not at the top: it costs every command ~30 ms of start-up

    before, after = keyed(old, new), keyed(new, old)
    lines = []
    for kind, items in DeepDiff(before, after, view="tree", ignore_order=True).items():
        for item in items:
            path = _path(item.path(output_format="list"))
            if kind.endswith("_added"):
                lines.append(f"        + {path}: {_inline(_displayed(item.t2))}")
            elif kind.endswith("_removed"):
                lines.append(f"        - {path}")
            else:
                lines.append(f"        ~ {path}: {_inline(_displayed(item.t1))} -> {_inline(_displayed(item.t2))}")
    return sorted(lines, key=lambda line: line[10:])


def keyed(value: Any, other: Any = None) -> Any:
    """Lists whose items all carry an `id` become mappings keyed `[id]`, so changes are told by identity (an
    empty list stands for an empty mapping when the other side is keyed)."""
    if isinstance(value, dict):
        counterpart = other if isinstance(other, dict) else {}
        return {key: keyed(item, counterpart.get(key)) for key, item in value.items()}
    if isinstance(value, list) and (_identified(value) or (not value and _identified(other))):
        return {f"[{item['id']}]": keyed(item) for item in value}
    if isinstance(value, list):
        return [keyed(item) for item in value]
    return value


def _identified(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(i, dict) and "id" in i for i in value)


def _path(parts: list[Any]) -> str:
    text = ""
    for part in parts:
        part = str(part) if not isinstance(part, int) else f"[{part}]"
        text += part if part.startswith("[") or not text else f".{part}"
    return text


def _multiline(value: Any) -> bool:
    return isinstance(value, str) and "\n" in value.strip("\n")


def _inline(value: Any) -> str:
    if value in (SECRET, KNOWN_AFTER_APPLY):
        return str(value)
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 120 else text[:117] + "..."


def plan_document(plan: Plan, backend: Mapping[str, Any]) -> dict[str, Any]:
    summary = Counter(resource.action.value for resource in plan.resources)
    return {
        "stack": plan.stack,
        "backend": backend,
        "changes": plan.has_changes,
        "summary": {action.value: summary.get(action.value, 0) for action in Action},
        "resources": [_resource_document(resource) for resource in plan.resources],
        "warnings": [warning.as_dict() for warning in plan.warnings],
    }


def _resource_document(resource: ResourcePlan) -> dict[str, Any]:
    secrets = _secret_fields(resource.type)
    changes = [_change_document(change, secrets) for change in resource.changes]
    if resource.action is Action.CREATE:
        changes = [_change_document(FieldChange(field, None, value, Effect.UPDATE), secrets)
                   for field, value in (resource.desired or {}).items()]
    return {"name": resource.name, "type": resource.type, "id": resource.id, "action": resource.action.value,
            "reason": resource.reason, "changes": changes, "preview": masked(dict(resource.preview or {})),
            **({"partial": True} if resource.partial else {})}


def _change_document(change: FieldChange, secrets: frozenset[str], **extra: Any) -> dict[str, Any]:
    return {
        "field": change.field,
        "old": _json_value(change.field, change.old, secrets),
        "new": _json_value(change.field, change.new, secrets),
        "effect": change.effect.value,
        "reason": change.reason,
        "unknown": change.unknown,
        **extra,
    }


def _json_value(field: str, value: Any, secrets: frozenset[str]) -> Any:
    if value is None:
        return None
    if field in secrets:
        return SECRET
    return None if is_unknown(value) else masked(value)


# -- drift ----------------------------------------------------------------------------------------------


def drift_text(report: tuple[ResourceDrift, ...], stack: str, backend: str, stream: TextIO) -> str:
    style = Styler(stream)
    lines = [f"Stack {stack} on {backend}", ""]
    for entry in report:
        if entry.status == "in-sync":
            lines.append(f"  {entry.name}  {entry.type}  {entry.id}: in sync")
            continue
        lines.append(style(f"! {entry.name}  {entry.type}  {entry.id or ''}: {entry.status}"
                           + (f" ({entry.reason})" if entry.reason else ""), "!"))
        secrets = _secret_fields(entry.type)
        for field in entry.fields:
            lines.append(f"      {field.field}: cloud {_inline(shown(field.field, field.observed, secrets))}, "
                         f"stack {_inline(shown(field.field, field.desired, secrets))}  ({field.cause})")
    drifted = sum(1 for entry in report if entry.status != "in-sync")
    lines += ["", f"Drift: {drifted} of {len(report)} resources differ from the stack." if drifted
              else "No drift: the cloud matches the stack."]
    return "\n".join(lines)


def drift_document(report: tuple[ResourceDrift, ...], stack: str, backend: Mapping[str, Any]) -> dict[str, Any]:
    summary = Counter(entry.status for entry in report)
    resources: list[dict[str, Any]] = []
    for entry in report:
        secrets = _secret_fields(entry.type)
        changes = [
            _change_document(FieldChange(f.field, f.observed, f.desired, f.effect, f.cause), secrets,
                             applied=_json_value(f.field, f.applied, secrets))
            for f in entry.fields
        ]
        resources.append({"name": entry.name, "type": entry.type, "id": entry.id, "action": entry.status,
                          "reason": entry.reason, "changes": changes, "preview": {}})
    return {"stack": stack, "backend": backend, "changes": any(e.status != "in-sync" for e in report),
            "summary": dict(summary), "resources": resources, "warnings": []}


# -- apply ----------------------------------------------------------------------------------------------


class Progress:
    """Prints one line as each step of an apply finishes: `[3/10] + name (type): created c-... in 0.4s`."""

    VERBS = {Action.CREATE: "created", Action.UPDATE: "updated", Action.REPLACE: "replaced",
             Action.DELETE: "deleted", Action.NOOP: "unchanged"}

    def __init__(self, total: int, stream: TextIO | None = None):
        self.total = total
        self.finished = 0
        self.stream = stream or sys.stdout
        self.style = Styler(self.stream)
        self._started: dict[tuple[str, Action], float] = {}

    def __call__(self, event: Event) -> None:
        key = (event.name, event.action)
        if event.status == "start":
            self._started[key] = time.monotonic()
            return
        self.finished += 1
        symbol = SYMBOLS[event.action] if event.status != "failed" else "!"
        elapsed = time.monotonic() - self._started.pop(key, time.monotonic())
        if event.status == "done":
            what = f"{self.VERBS[event.action]} {event.detail} in {elapsed:.1f}s"
        else:
            what = f"{event.status}: {event.detail}"
        total = max(self.total, self.finished)
        line = f"[{self.finished}/{total}] {symbol} {event.name} ({event.type}): {what}"
        print(self.style(line, symbol), file=self.stream, flush=True)


def write_json(document: Mapping[str, Any], stream: TextIO) -> None:
    json.dump(document, stream, indent=2, ensure_ascii=False, default=str)
    stream.write("\n")
