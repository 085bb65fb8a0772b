"""Drift: the cloud compared, field by field, with the stack and with what was last applied. Pure.

For each field where the cloud differs from the stack, the cause is told apart: changed outside ecsops
(the cloud differs from the last apply) or not applied yet (the stack changed since). Apply repairs both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Mapping

from ecsops.engine import refs
from ecsops.engine.diff import Effect, diff
from ecsops.engine.kind import Observed
from ecsops.engine.plan import PARTLY_MADE, comparable
from ecsops.engine.stack import Stack
from ecsops.engine.state import StackState
from ecsops.engine.validate import validate
from ecsops.engine.values import UNKNOWN, canonical, protect

Status = Literal["in-sync", "drifted", "missing", "not-applied", "not-declared"]
Cause = Literal["outside", "unapplied"]
CAUSES: tuple[Cause, ...] = ("outside", "unapplied")
OUTSIDE = "changed outside ecsops"
NOT_APPLIED = "stack changed since the last apply"


@dataclass(frozen=True)
class FieldDrift:
    field: str
    desired: Any
    applied: Any
    observed: Any
    effect: Effect

    @property
    def cause(self) -> str:
        """The causes in words: `changed outside ecsops`, `stack changed since the last apply`, or both."""
        return " and ".join(OUTSIDE if cause == "outside" else NOT_APPLIED for cause in self.causes)

    @property
    def causes(self) -> tuple[Cause, ...]:
        """outside: the cloud differs from what was last applied; unapplied: the stack differs from it. A field
        changed in the console and in the stack file since the last apply has both (an apply would undo the one
        and make the other): `--fail-on unapplied` must still see it."""
        outside = canonical(self.observed) != canonical(self.applied)
        unapplied = canonical(self.desired) != canonical(self.applied)
        found = tuple(cause for cause, present in zip(CAUSES, (outside, unapplied)) if present)
        return found or ("unapplied",)


@dataclass(frozen=True)
class ResourceDrift:
    name: str
    type: str
    id: str | None
    status: Status
    fields: tuple[FieldDrift, ...] = ()
    reason: str | None = None
    region: str | None = None

    @property
    def causes(self) -> tuple[Cause, ...]:
        """Why the resource is not in sync, each cause once (outside first): a missing object was deleted outside
        ecsops; a resource never applied, partly made, or no longer declared waits for an apply; a drifted
        one has its fields' causes."""
        if self.status == "missing":
            return ("outside",)
        if self.status in ("not-applied", "not-declared"):
            return ("unapplied",)
        found = {cause for field in self.fields for cause in field.causes}
        return tuple(cause for cause in CAUSES if cause in found)


def drift(stack: Stack, state: StackState, observed: Mapping[str, Observed | None]) -> tuple[ResourceDrift, ...]:
    """One entry per declared or recorded resource, in stack order, then the undeclared ones."""
    stack.require_valid()
    def attribute(reference: refs.Reference) -> Any:
        entry = state.resources.get(reference.resource)
        return {**entry.values, **entry.outputs}.get(reference.attribute, UNKNOWN) if entry else UNKNOWN

    report = []
    for name, declared in stack.resources.items():
        current = state.resources.get(name)
        if current is None:
            report.append(ResourceDrift(name, declared.type, None, "not-applied", reason="never applied",
                                        region=declared.region or stack.region))
            continue
        seen = observed.get(name)
        if seen is None or seen.defunct:
            reason = seen.defunct if seen is not None else f"{current.id} no longer exists in the cloud"
            report.append(ResourceDrift(name, declared.type, current.id, "missing", reason=reason,
                                        region=current.region))
            continue
        declared_values = validate(declared.kind, refs.resolve(declared.properties, attribute), resource=name).declared
        desired = protect(declared_values, state.salt)
        actual = comparable(declared.kind, seen, current.values, declared_values, state.salt)
        # a partly made object: what differs was never applied (not changed outside ecsops)
        fields = tuple(
            FieldDrift(change.field, change.new, change.old if current.partial else current.values.get(change.field),
                       change.old, change.effect)
            for change in diff(declared.kind, actual, desired)
        )
        if current.partial:
            report.append(ResourceDrift(name, declared.type, current.id, "not-applied", fields, reason=PARTLY_MADE,
                                        region=current.region))
            continue
        report.append(ResourceDrift(name, declared.type, current.id, "drifted" if fields else "in-sync", fields,
                                    region=current.region))
    for name, entry in state.resources.items():
        if name not in stack.resources:
            report.append(ResourceDrift(name, entry.type, entry.id, "not-declared",
                                        reason="recorded in the state but no longer in the stack", region=entry.region))
    return tuple(report)


def in_sync(report: tuple[ResourceDrift, ...]) -> bool:
    return all(entry.status == "in-sync" for entry in report)


def causes(report: tuple[ResourceDrift, ...]) -> frozenset[Cause]:
    """Every cause of drift in a stack's report (empty: in sync)."""
    return frozenset(cause for entry in report for cause in entry.causes)
