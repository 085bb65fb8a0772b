"""The pure plan: given the stack, the state and what the cloud holds, what apply would do, and why.

`plan` and `plan_resource` have no side effects and touch no backend: the reads happen before (see
`observe`), so plans are tested with plain data. Apply calls `plan_resource` again for each resource once
the values its references point at are known, so what it does is exactly what a plan computed then says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Callable, Mapping

from ecsops.engine import refs
from ecsops.engine.diff import FieldChange, diff, replaces
from ecsops.engine.errors import Diagnostic, EngineError, errors_only
from ecsops.engine.kind import Kind, Observed
from ecsops.engine.stack import DeclaredResource, Stack
from ecsops.engine.state import ResourceState, StackState
from ecsops.engine.validate import Validated, validate
from ecsops.engine.values import UNKNOWN


class Action(str, Enum):
    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"
    DELETE = "delete"
    NOOP = "no-op"


SYMBOLS = {Action.CREATE: "+", Action.UPDATE: "~", Action.REPLACE: "-/+", Action.DELETE: "-", Action.NOOP: " "}


@dataclass(frozen=True)
class ResourcePlan:
    name: str
    type: str
    action: Action
    id: str | None = None
    changes: tuple[FieldChange, ...] = ()
    desired: Mapping[str, Any] | None = None
    reason: str | None = None
    dependencies: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    stack: str
    resources: tuple[ResourcePlan, ...]
    warnings: tuple[Diagnostic, ...] = field(default=())

    @property
    def has_changes(self) -> bool:
        return any(resource.action is not Action.NOOP for resource in self.resources)

    def count(self, action: Action) -> int:
        return sum(1 for resource in self.resources if resource.action is action)


def plan(stack: Stack, state: StackState, observed: Mapping[str, Observed | None]) -> Plan:
    """What apply would do to converge the cloud on `stack`. Raises EngineError listing every problem.

    `observed` holds the read of every resource recorded in `state` (None: gone from the cloud).
    """
    attributes: dict[str, dict[str, Any]] = {}
    plans: list[ResourcePlan] = []
    problems: list[Diagnostic] = list(stack.problems)
    for name, declared in stack.resources.items():
        resolved = refs.resolve(declared.properties, lookup(attributes))
        validated = validate(declared.kind, resolved, resource=name)
        problems.extend(validated.diagnostics)
        resource_plan = plan_resource(declared, validated, state.resources.get(name), observed.get(name),
                                      interrupted=name in state.pending)
        attributes[name] = attributes_after(declared.kind, resource_plan, observed.get(name))
        plans.append(resource_plan)
    if errors_only(problems):
        raise EngineError(problems)
    plans.extend(deletions(stack, state, observed))
    warnings = tuple(problem for problem in problems if problem.severity == "warning")
    return Plan(stack=stack.name, resources=tuple(plans), warnings=warnings)


def plan_resource(declared: DeclaredResource, validated: Validated, current: ResourceState | None,
                  seen: Observed | None, *, interrupted: bool = False) -> ResourcePlan:
    """The action for one declared resource, from its validated values and what the cloud holds."""
    base = dict(name=declared.name, type=declared.type, desired=validated.values,
                dependencies=declared.dependencies)
    if current is None:
        reason = "resumes an interrupted create" if interrupted else None
        return ResourcePlan(action=Action.CREATE, reason=reason, **base)
    if current.type != declared.type:
        return ResourcePlan(action=Action.REPLACE, id=current.id, reason=f"type changed from {current.type}", **base)
    if seen is None:
        return ResourcePlan(action=Action.CREATE, reason=f"{current.id} no longer exists in the cloud", **base)
    old = effective_values(declared.kind, seen.values, current.values)
    changes = diff(declared.kind, old, validated.values)
    action = Action.REPLACE if replaces(changes) else Action.UPDATE if changes else Action.NOOP
    return ResourcePlan(action=action, id=seen.id, changes=changes, **base)


def effective_values(kind: Kind, observed: Mapping[str, Any], applied: Mapping[str, Any]) -> dict[str, Any]:
    """The cloud's values, with fields the cloud cannot report taken from the last applied values."""
    values = dict(observed)
    for name, policy in kind.fields.items():
        if not policy.observed or name not in observed:
            if name in applied:
                values[name] = applied[name]
    return values


def attributes_after(kind: Kind, resource_plan: ResourcePlan, seen: Observed | None) -> dict[str, Any]:
    """What `${name.attr}` will mean once this resource is applied: desired fields are known; outputs
    are known only when the object stays the same."""
    values = dict(resource_plan.desired or {})
    keeps_object = resource_plan.action in (Action.NOOP, Action.UPDATE) and seen is not None
    outputs = seen.outputs if keeps_object and seen is not None else {name: UNKNOWN for name in kind.output_names}
    return {**values, **outputs}


def lookup(attributes: Mapping[str, Mapping[str, Any]]) -> Callable[[refs.Reference], Any]:
    def find(reference: refs.Reference) -> Any:
        return attributes.get(reference.resource, {}).get(reference.attribute, UNKNOWN)

    return find


def deletions(stack: Stack, state: StackState, observed: Mapping[str, Observed | None]) -> list[ResourcePlan]:
    """Resources the state has and the stack no longer declares (dependents first), then deposed objects."""
    removed = {name: entry for name, entry in state.resources.items() if name not in stack.resources}
    order = refs.topological({name: entry.dependencies for name, entry in removed.items()})
    plans = [
        ResourcePlan(name=name, type=removed[name].type, action=Action.DELETE, id=removed[name].id,
                     reason=None if observed.get(name) else "already gone from the cloud")
        for name in reversed(order)
    ]
    plans += [
        ResourcePlan(name=name, type=pending.type, action=Action.DELETE,
                     reason="an interrupted create of a resource no longer in the stack")
        for name, pending in state.pending.items() if name not in stack.resources
    ]
    plans += [
        ResourcePlan(name=deposed.name, type=deposed.type, action=Action.DELETE, id=deposed.id,
                     reason="replaced earlier; its delete was not confirmed")
        for deposed in state.deposed
    ]
    return plans
