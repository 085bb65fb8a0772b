"""Validation of a resource's declared values against its kind's spec, tolerant of values unknown until apply.

Guarantee: every problem that the known values already show is reported, each naming its field; a field
whose value is unknown (see `values.UNKNOWN`) is only checked once known, at apply time, before any write.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Mapping

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from ecsops.engine.errors import Diagnostic
from ecsops.engine.kind import FieldError, Kind, Spec
from ecsops.engine.suggest import validation_hint
from ecsops.engine.values import is_unknown


@dataclass(frozen=True)
class Validated:
    """The outcome: `declared` — the stack's values for the resource, normalised, defaults filled in, wire
    form — the spec when fully known, and problems."""

    declared: dict[str, Any]
    spec: Spec | None
    diagnostics: tuple[Diagnostic, ...]

    @property
    def ok(self) -> bool:
        return not self.diagnostics


def validate(kind: Kind, values: Mapping[str, Any], *, resource: str | None = None,
             now: datetime | None = None) -> Validated:
    """Validates `values` as `kind`'s spec. Validators that depend on the time read `now` (default: the
    machine's clock) from the validation context, so plans are reproducible given `now`."""
    context = {"now": now or datetime.now(timezone.utc)}
    try:
        spec = kind.spec.model_validate(dict(values), context=context)
    except ValidationError as error:
        return _partial(kind, values, error, resource)
    return Validated(spec.wire_values(), spec, ())


def creation_problems(kind: Kind, validated: Validated, *, resource: str | None,
                      now: datetime) -> tuple[Diagnostic, ...]:
    """The kind's rules for objects about to be made (see `Kind.creation_checks`)."""
    if kind.creation_checks is None or validated.spec is None:
        return ()
    return tuple(Diagnostic(message, resource=resource, field=field, type=kind.type_name)
                 for field, message in kind.creation_checks(validated.spec, now))


def _partial(kind: Kind, values: Mapping[str, Any], error: ValidationError, resource: str | None) -> Validated:
    problems = tuple(
        Diagnostic(message(detail) + validation_hint(kind.spec, detail, location(detail)), resource=resource,
                   field=field_path(location(detail)), type=kind.type_name)
        for detail in error.errors()
        if not _caused_by_unknown(detail, values)
    )
    return Validated({**_defaults(kind), **values}, None, problems)


def location(detail: ErrorDetails) -> tuple[int | str, ...]:
    """Where the problem is: pydantic's location, made precise by a model validator's `FieldError`."""
    raised = (detail.get("ctx") or {}).get("error")
    if isinstance(raised, FieldError):
        return (*detail["loc"], *raised.path)
    return tuple(detail["loc"])


def _caused_by_unknown(detail: ErrorDetails, values: Mapping[str, Any]) -> bool:
    if detail["type"] == "extra_forbidden":  # the name is wrong, whatever the value turns out to be
        return False
    where = location(detail)
    top = where[0] if where else None
    return isinstance(top, str) and is_unknown(values.get(top))


def _defaults(kind: Kind) -> dict[str, Any]:
    defaults = {}
    for name, info in kind.spec.model_fields.items():
        if not info.is_required():
            default = info.get_default(call_default_factory=True)
            defaults[info.alias or name] = default
    return defaults


def field_path(loc: tuple[int | str, ...]) -> str | None:
    """`("tags", "env")` -> `tags.env`; `("targets", "webhooks", 0, "url")` -> `targets.webhooks[0].url`."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or None


def message(detail: ErrorDetails) -> str:
    """pydantic's message, worded for people who write YAML."""
    kind = detail["type"]
    if kind == "extra_forbidden":
        return "is not a field of this resource type"
    if kind == "missing":
        return "is required"
    text = detail["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        if text.startswith(prefix):
            return text[len(prefix):]
    return text[:1].lower() + text[1:]
