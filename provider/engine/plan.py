"""The pure plan: given the stack, the state and what the cloud holds, what apply would do, and why.

`plan` and `plan_resource` have no side effects and touch no backend: the reads happen before (see
`observe`), so plans are tested with plain data. Apply calls `plan_resource` again for each resource once
the values its references point at are known, so what it does is exactly what a plan computed then says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum
from typing import Any, Callable, Mapping

from ecsops.engine import refs
from ecsops.engine.diff import FieldChange, diff, replaces
from ecsops.engine.errors import Diagnostic, EngineError, errors_only
from ecsops.engine.kind import Kind, Neighbour, Neighbours, Observed
from ecsops.engine.source import located
from ecsops.engine.stack import DeclaredResource, Stack
from ecsops.engine.state import ResourceState, StackState
from ecsops.engine.validate import Validated, creation_problems, validate
from ecsops.engine.values import UNKNOWN, mark_secrets, protect


class Action(str, Enum):
    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"
    DELETE = "delete"
    NOOP = "no-op"


SYMBOLS = {Action.CREATE: "+", Action.UPDATE: "~", Action.REPLACE: "-/+", Action.DELETE: "-", Action.NOOP: " "}
PARTLY_MADE = "partly made: an earlier apply made it, then failed; apply finishes it"


@dataclass(frozen=True)
class ResourcePlan:
    name: str
    type: str
    action: Action
    id: str | None = None
    changes: tuple[FieldChange, ...] = ()
    desired: Mapping[str, Any] | None = None     # protected: secrets appear only as digests
    reason: str | None = None
    dependencies: tuple[str, ...] = ()
    preview: Mapping[str, Any] | None = None     # outputs already known for a new object
    partial: bool = False                        # the object was partly made by an earlier apply
    steps: int = 1                               # the steps apply takes for it (see `steps_of`)
    region: str | None = None                    # where the object is (to be) made; a delete: where it is


@dataclass(frozen=True)
class Plan:
    stack: str
    resources: tuple[ResourcePlan, ...]
    warnings: tuple[Diagnostic, ...] = field(default=())

    @property
    def has_changes(self) -> bool:
        return any(resource.action is not Action.NOOP for resource in self.resources)

    @property
    def steps(self) -> int:
        """How many steps applying the plan takes — its progress lines, known before the first one."""
        return sum(resource.steps for resource in self.resources if resource.action is not Action.NOOP)

    def count(self, action: Action) -> int:
        return sum(1 for resource in self.resources if resource.action is action)


def plan(stack: Stack, state: StackState, observed: Mapping[str, Observed | None], *,
         now: datetime | None = None, existing: Mapping[str, Observed] | None = None,
         cloud_problems: tuple[Diagnostic, ...] = ()) -> Plan:
    """What apply would do to converge the cloud on `stack`. Raises EngineError listing every problem.

    `observed` holds the read of every resource recorded in `state` (None: gone from the cloud); `now`
    (default: the machine's clock) is the instant time-dependent rules are judged at; `existing` holds
    objects found already holding the identity of a resource to create (see `Kind.find_existing`), and
    `cloud_problems` what the kinds' cloud checks found.
    """
    now = now or datetime.now(timezone.utc)
    attributes: dict[str, dict[str, Any]] = {}
    plans: list[ResourcePlan] = []
    problems: list[Diagnostic] = [*stack.problems, *cloud_problems]
    checked: dict[str, Validated] = {}
    for name, declared in stack.resources.items():
        resolved = refs.resolve(declared.properties, lookup(attributes))
        validated = checked[name] = validate(declared.kind, resolved, resource=name, now=now)
        problems.extend(validated.diagnostics)
        resource_plan = plan_resource(declared, validated, state.resources.get(name), observed.get(name),
                                      salt=state.salt, now=now, interrupted=name in state.pending)
        if resource_plan.action in (Action.CREATE, Action.REPLACE):
            problems.extend(creation_problems(declared.kind, validated, resource=name, now=now))
        if resource_plan.action is Action.CREATE and name in (existing or {}):
            problems.append(taken(stack, declared, (existing or {})[name]))
        problems.extend(advice(declared.kind, validated, name))
        attributes[name] = attributes_after(declared.kind, resource_plan, observed.get(name), validated.declared)
        plans.append(resource_plan)
    problems.extend(stack_problems(stack, checked))
    problems = located(stack, problems)
    if errors_only(problems):
        raise EngineError(problems)
    plans.extend(deletions(stack, state, observed))
    warnings = tuple(problem for problem in problems if problem.severity == "warning")
    return Plan(stack=stack.state_name, resources=tuple(plans), warnings=warnings)


def plan_resource(declared: DeclaredResource, validated: Validated, current: ResourceState | None,
                  seen: Observed | None, *, salt: str, now: datetime | None = None,
                  interrupted: bool = False) -> ResourcePlan:
    """The action for one declared resource, from its validated values and what the cloud holds.

    Secrets are compared as digests: the plan never holds a secret in plain.
    """
    desired = protect(validated.declared, salt)
    preview = None
    if declared.kind.preview is not None and validated.spec is not None and now is not None:
        preview = declared.kind.preview(validated.declared, now)
    base = dict(name=declared.name, type=declared.type, desired=desired, dependencies=declared.dependencies,
                region=declared.region or None)
    anew = _made_anew(declared, current, seen, interrupted, preview, base)
    if anew is not None or current is None or seen is None:
        assert anew is not None
        return anew
    old = comparable(declared.kind, seen, current.values, validated.declared, salt)
    changes = diff(declared.kind, old, desired)
    # a partly made object is finished (an update, even of nothing the cloud shows) before it counts as done
    action = Action.REPLACE if replaces(changes) else Action.UPDATE if changes or current.partial else Action.NOOP
    return ResourcePlan(action=action, id=seen.id, changes=changes, reason=PARTLY_MADE if current.partial else None,
                        partial=current.partial, preview=preview if action is Action.REPLACE else None,
                        steps=steps_of(declared.kind, action), **base)


def _made_anew(declared: DeclaredResource, current: ResourceState | None, seen: Observed | None, interrupted: bool,
               preview: Mapping[str, Any] | None, base: dict[str, Any]) -> ResourcePlan | None:
    """The plan of a resource whose object is to be made anew whatever its values — none yet, of another type,
    gone or defunct, or in another region — else None (its values decide)."""
    if current is None:
        reason = "resumes an interrupted create" if interrupted else None
        return ResourcePlan(action=Action.CREATE, reason=reason, preview=preview, **base)
    if current.type != declared.type:
        return ResourcePlan(action=Action.REPLACE, id=current.id, reason=f"type changed from {current.type}",
                            preview=preview, **base)
    if seen is None or seen.defunct:
        reason = seen.defunct if seen is not None else f"{current.id} no longer exists in the cloud"
        return ResourcePlan(action=Action.CREATE, reason=reason, preview=preview, **base)
    if moved(declared, current):
        return ResourcePlan(action=Action.REPLACE, id=seen.id, preview=preview,
                            steps=steps_of(declared.kind, Action.REPLACE),
                            reason=f"moves from {current.region} to {declared.region}: a new object there, the old "
                                   "one deleted", **base)
    return None


def moved(declared: DeclaredResource, current: ResourceState) -> bool:
    """Whether the stack places the resource in another region than the one its object is in."""
    return bool(current.region and declared.region and current.region != declared.region)


def steps_of(kind: Kind, action: Action) -> int:
    """The steps apply takes for a resource: one, but for a replace that makes the new object before it
    deletes the old one (two: the create, then the delete)."""
    return 2 if action is Action.REPLACE and not kind.delete_before_replace else 1


def comparable(kind: Kind, seen: Observed, applied: Mapping[str, Any], declared: Mapping[str, Any],
               salt: str) -> dict[str, Any]:
    """What the cloud holds, ready to compare with the declared values: fields the cloud cannot report
    taken from the last apply, parts declared (or applied) secret marked so, and secrets digested."""
    values = effective_values(kind, seen.reported, applied)
    protected: dict[str, Any] = protect(mark_secrets(mark_secrets(values, applied), declared), salt)
    return protected


def taken(stack: Stack, declared: DeclaredResource, seen: Observed) -> Diagnostic:
    return Diagnostic(
        f"{seen.id} already exists and this stack does not manage it: adopt it with "
        f"`ecsops import {stack.path} {declared.name} {seen.id}`, or give the resource another identity",
        resource=declared.name, type=declared.type)


def advice(kind: Kind, validated: Validated, name: str) -> list[Diagnostic]:
    if kind.advice is None or validated.spec is None:
        return []
    return [Diagnostic(message, resource=name, field=field, type=kind.type_name, severity="warning")
            for field, message in kind.advice(validated.declared)]


def stack_problems(stack: Stack, checked: Mapping[str, Validated]) -> list[Diagnostic]:
    """The kinds' rules across resources (a parameter must be one the referenced command declares); each
    resource sees the others (each with its region), not itself, and its own region."""
    neighbours = {name: Neighbour(name, declared.type, checked[name].declared, declared.region or stack.region)
                  for name, declared in stack.resources.items()}
    by_type = Neighbours.index(neighbours)
    problems = []
    for name, declared in stack.resources.items():
        if declared.kind.stack_checks is None or not checked[name].ok:
            continue
        others = Neighbours(neighbours, by_type, excluded=name)
        for field_name, message in declared.kind.stack_checks(declared.properties, checked[name].declared, others,
                                                              region=declared.region or stack.region):
            problems.append(Diagnostic(message, resource=name, field=field_name, type=declared.type))
    return problems


def effective_values(kind: Kind, observed: Mapping[str, Any], applied: Mapping[str, Any]) -> dict[str, Any]:
    """The cloud's values, with fields the cloud cannot report taken from the last applied values."""
    values = dict(observed)
    for name, policy in kind.fields.items():
        if not policy.observed or name not in observed:
            if name in applied:
                values[name] = applied[name]
    return values


def attributes_after(kind: Kind, resource_plan: ResourcePlan, seen: Observed | None,
                     values: Mapping[str, Any]) -> dict[str, Any]:
    """What `${name.attr}` will mean once this resource is applied: declared fields are known; outputs
    are known only when the object stays the same."""
    values = dict(values)
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
                     reason=None if observed.get(name) else "already gone from the cloud", region=removed[name].region)
        for name in reversed(order)
    ]
    plans += [
        ResourcePlan(name=name, type=pending.type, action=Action.DELETE, steps=2, region=pending.region,
                     reason="an interrupted create of a resource no longer in the stack")  # finished, then deleted
        for name, pending in state.pending.items() if name not in stack.resources
    ]
    plans += [
        ResourcePlan(name=deposed.name, type=deposed.type, action=Action.DELETE, id=deposed.id,
                     reason="replaced earlier; its delete was not confirmed", region=deposed.region)
        for deposed in state.deposed
    ]
    return plans
