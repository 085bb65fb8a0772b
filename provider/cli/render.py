"""How plans, drift reports and apply progress look: for people (text) and for programs (JSON).

Plan and drift JSON share one shape:

    {"stack": ..., "backend": {"kind", "region", ...}, "changes": bool, "summary": {action: count},
     "resources": [{"name", "type", "id", "region" (plan: where the object is, or is to be, made), "action", "reason",
                    "changes": [{"field", "old", "new", "effect", "reason", "unknown"[, "applied"],
                                 "paths": [{"path", "change", "old", "new"[, "unknown"]}]}]
                    [, "partial": true]}],
     "warnings": [...]}

Drift documents also say why each resource differs: `"causes"` per resource and per change, each a list of
"outside" (changed outside ecsops) and "unapplied" (the stack changed since the last apply), and `"outside"` /
`"unapplied"` for the whole stack (docs/drift.md).

`"partial": true` marks (in plan) an object an earlier apply made and then failed on: apply finishes it.
`paths` tells a change path by path (`targets.webhooks[chat].url`; `change` is update, add or remove), as
the text does (cli/changes.py); no value is ever cut, in JSON, text or markdown (cli/markdown.py).

Secret fields are shown as "(secret)" in both; values known only after apply as "(known after apply)"
in text and `"unknown": true` in JSON.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any, Iterable, Mapping, TextIO

# values as shown live in cli/changes.py; their names stay importable from here
from ecsops.cli.changes import (DIGEST_MARK, DRIFT, KNOWN_AFTER_APPLY, SECRET, change_note, field_lines,  # noqa: F401
                                field_paths, inline, masked, shown, shown_on_create)
from ecsops.cli.terminal import colour
from ecsops.engine import kind as kinds
from ecsops.engine.diff import Effect, FieldChange
from ecsops.engine.drift import ResourceDrift, causes
from ecsops.engine.errors import Diagnostic
from ecsops.engine.plan import SYMBOLS, Action, Plan, ResourcePlan
from ecsops.engine.values import is_unknown

COLOURS = {"+": "32", "~": "33", "-": "31", "-/+": "35", "!": "31"}


class Styler:
    def __init__(self, stream: TextIO):
        self.enabled = colour(stream)  # --no-color, NO_COLOR, FORCE_COLOR, a terminal: see ecsops.cli.terminal

    def __call__(self, text: str, symbol: str) -> str:
        code = COLOURS.get(symbol)
        return f"\033[{code}m{text}\033[0m" if self.enabled and code else text


def _secret_fields(type_: str) -> frozenset[str]:
    try:
        return kinds.get(type_).secret_fields()
    except kinds.UnknownKind:
        return frozenset()


# -- plan -----------------------------------------------------------------------------------------------


def plan_text(plan: Plan, backend: str, stream: TextIO) -> str:
    style = Styler(stream)
    lines = [f"Stack {plan.stack} on {backend}", ""]
    for region, resources in _by_region(plan):
        if region is not None:
            lines.extend([f"region {region}:", ""])
        for resource in resources:
            lines.extend(_resource_lines(resource, style))
    for warning in plan.warnings:
        lines.append(warning.report())  # `warning: stack.yaml:12:7: resource ...`
    if not plan.has_changes:
        lines.append("No changes: the cloud matches the stack.")
    else:
        lines.append("Plan: " + ", ".join(f"{plan.count(action)} to {action.value}" for action in
                                          (Action.CREATE, Action.UPDATE, Action.REPLACE, Action.DELETE)) + ".")
    return "\n".join(lines)


def _by_region(plan: Plan) -> list[tuple[str | None, list[ResourcePlan]]]:
    """The changes, grouped by region (in the order regions first appear) when the stack spans several; else
    one group without a heading (None)."""
    changed = [resource for resource in plan.resources if resource.action is not Action.NOOP]
    if len({resource.region for resource in plan.resources if resource.region}) < 2:
        return [(None, changed)] if changed else []
    groups: dict[str | None, list[ResourcePlan]] = {}
    for resource in changed:
        groups.setdefault(resource.region, []).append(resource)
    return list(groups.items())


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
        lines.extend(_change_lines(resource.type, change))
    for output, value in (resource.preview or {}).items():
        lines.append(f"      {output} (after apply): {_inline(masked(value))}")
    lines.append("")
    return lines


def _created_fields(resource: ResourcePlan) -> list[tuple[str, Any]]:
    """The fields worth showing for a new object: those given a value other than empty."""
    return [(field, value) for field, value in (resource.desired or {}).items()
            if shown_on_create(resource.type, field, value)]


def _value_lines(field: str, value: Any) -> list[str]:
    """`field: value`, with a multi-line text (a script) as an indented block."""
    if _multiline(value):
        return [f"      {field}: |", *(f"        {line}" for line in str(value).rstrip("\n").splitlines())]
    return [f"      {field}: {_inline(value)}"]


def _change_lines(type_: str, change: FieldChange) -> list[str]:
    """One field's change in full: path by path for a mapping or list (secrets compared by their digests, so a
    changed secret shows as `(secret) -> (secret)`), a text of several lines as a diff."""
    note = change_note(change.effect.value, change.reason, change.unknown)
    return field_lines(change.field, field_paths(type_, change.field, change.old, change.new),
                       f"   # {note}" if note else "")


def _multiline(value: Any) -> bool:
    return isinstance(value, str) and "\n" in value.strip("\n")


def _inline(value: Any) -> str:
    return inline(value)  # never cut: a reviewer sees all of what changes


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
    changes = [_change_document(resource.type, change, secrets) for change in resource.changes]
    if resource.action is Action.CREATE:
        changes = [_change_document(resource.type, FieldChange(field, None, value, Effect.UPDATE), secrets)
                   for field, value in (resource.desired or {}).items()]
    return {"name": resource.name, "type": resource.type, "id": resource.id, "region": resource.region,
            "action": resource.action.value,
            "reason": resource.reason, "changes": changes, "preview": masked(dict(resource.preview or {})),
            **({"partial": True} if resource.partial else {})}


def _change_document(type_: str, change: FieldChange, secrets: frozenset[str], **extra: Any) -> dict[str, Any]:
    paths = field_paths(type_, change.field, change.old, change.new)
    return {
        "field": change.field,
        "old": _json_value(change.field, change.old, secrets),
        "new": _json_value(change.field, change.new, secrets),
        "effect": change.effect.value,
        "reason": change.reason,
        "unknown": change.unknown,
        **extra,
        "paths": [step.document() for step in paths],  # the change path by path (see cli/changes.py)
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
        for field in entry.fields:  # both sides in full; a mapping or list then path by path
            whole = shown(field.field, field.observed, secrets), shown(field.field, field.desired, secrets)
            lines += field_lines(field.field, field_paths(entry.type, field.field, field.observed, field.desired),
                                 f"  ({field.cause})", DRIFT, whole=whole)
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
            _change_document(entry.type, FieldChange(f.field, f.observed, f.desired, f.effect, f.cause), secrets,
                             applied=_json_value(f.field, f.applied, secrets), causes=list(f.causes))
            for f in entry.fields
        ]
        resources.append({"name": entry.name, "type": entry.type, "id": entry.id, "region": entry.region,
                          "action": entry.status, "reason": entry.reason, "causes": list(entry.causes),
                          "changes": changes, "preview": {}})
    found = causes(report)
    return {"stack": stack, "backend": backend, "changes": any(e.status != "in-sync" for e in report),
            "outside": "outside" in found, "unapplied": "unapplied" in found,
            "summary": dict(summary), "resources": resources, "warnings": []}


# apply's progress lines and summary: ecsops.cli.progress


def write_json(document: Any, stream: TextIO) -> None:
    json.dump(document, stream, indent=2, ensure_ascii=False, default=str)
    stream.write("\n")


def errors_document(diagnostics: Iterable[Diagnostic]) -> dict[str, Any]:
    """What `--json` prints on stdout when a command fails, so stdout always parses:
    `{"errors": [{"severity", "resource", "type", "field", "message", "file", "line", "column"}]}`."""
    return {"errors": [diagnostic.as_dict() for diagnostic in diagnostics]}
