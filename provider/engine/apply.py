"""Apply: converge the cloud on the stack, recording every step in the state as it happens.

Order: interrupted creates are recovered first; then every declared resource in dependency order
(creates, updates, and the create half of replaces); then deletes — resources dropped from the stack and
objects replaced — each before what it depended on. So a replaced command and its replaced invocations
exist anew before the old invocation is stopped and the old command deleted.

Guarantees:
- every write is preceded by full validation of the resource's now-resolved values (nothing half-valid
  is ever sent);
- the state is saved after every cloud write, and a create's intent (with its ClientToken) before it;
- a failed resource does not stop the others: what depends on it is skipped, everything else proceeds,
  and every failure is reported with the resource and field.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable, Literal, Mapping

from ecsops.cloud.errors import CloudError, refused
from ecsops.engine import kind as kinds
from ecsops.engine import refs
from ecsops.engine.errors import Diagnostic, errors_only
from ecsops.engine.kind import Kind, Observed, Spec
from ecsops.engine.plan import Action, ResourcePlan, effective_values, plan_resource
from ecsops.engine.stack import DeclaredResource, Stack
from ecsops.engine.state import Deposed, PendingCreate, ResourceState, StackState, StateStore, now_iso
from ecsops.engine.validate import creation_problems, validate
from ecsops.engine.values import UNKNOWN, contains_secret, protect

if TYPE_CHECKING:
    from ecsops.cloud.client import Cloud

Status = Literal["start", "done", "failed", "skipped"]


@dataclass(frozen=True)
class Event:
    """Progress of one step, for the CLI's progress lines."""

    name: str
    type: str
    action: Action
    status: Status
    detail: str = ""


@dataclass
class Outcome:
    done: list[str] = field(default_factory=list)
    failures: list[Diagnostic] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures and not self.skipped


def new_token() -> str:
    """A fresh ClientToken (ASCII, at most 64 characters)."""
    return f"ecsops-{uuid.uuid4().hex}"


class Applier:
    """One apply of one stack; holds the state it mutates and saves after each step."""

    def __init__(self, stack: Stack, store: StateStore, state: StackState, cloud: "Cloud", *,
                 observed: Mapping[str, Observed | None], on_event: Callable[[Event], None] = lambda event: None,
                 now: datetime | None = None):
        self.now = now or datetime.now(timezone.utc)
        self.stack = stack
        self.store = store
        self.state = state
        self.cloud = cloud
        self.observed = dict(observed)
        self.on_event = on_event
        self.outcome = Outcome()
        self._blocked: set[str] = set()

    def run(self) -> Outcome:
        self.recover_interrupted_creates()
        for declared in self.stack.resources.values():
            self._converge(declared)
        self._delete_leftovers()
        return self.outcome

    # -- recovery ---------------------------------------------------------------------------------------

    def recover_interrupted_creates(self) -> None:
        """Replays each recorded create with its ClientToken: the API answers with the object it made
        before the interruption (or makes it now), so the object is adopted, never duplicated."""
        for name, pending in list(self.state.pending.items()):
            kind = kinds.get(pending.type)
            spec = self._replayable(name, kind, pending)
            if spec is None:
                continue
            try:
                seen = kind.lifecycle.create(self.cloud, spec, token=pending.token)
            except CloudError as error:
                if refused(error):  # nothing was made: the regular create will try again
                    del self.state.pending[name]
                    self.store.save(self.state)
                else:
                    self._fail(name, kind, error, Action.CREATE)
                continue
            del self.state.pending[name]
            self.outcome.done.append(name)
            self._emit_raw(name, pending.type, Action.CREATE, "done", f"{seen.id} (an interrupted create, recovered)")
            recovered = ResourceState(pending.type, seen.id, pending.values, seen.outputs, list(pending.dependencies))
            if name in self.stack.resources:
                self._depose(name)
                self.state.resources[name] = recovered
                self.observed[name] = seen
            else:
                self.state.deposed.append(Deposed(name, pending.type, seen.id, pending.values,
                                                  list(pending.dependencies)))
            self.store.save(self.state)

    def _replayable(self, name: str, kind: Kind, pending: PendingCreate) -> Spec | None:
        """The spec to replay an interrupted create with. The state holds secrets only as digests, so a
        create with secrets is replayed from the stack, provided it still declares the very same values."""
        if not contains_secret(pending.values):
            return kind.spec.model_validate(pending.values)
        declared = self.stack.resources.get(name)
        if declared is not None:
            validated = validate(kind, refs.resolve(declared.properties, self._attribute), resource=name, now=self.now)
            if validated.spec is not None and protect(validated.values, self.state.salt) == pending.values:
                return validated.spec
        self.outcome.failures.append(Diagnostic(
            "an interrupted create with secret values cannot be finished: the stack no longer declares the same "
            f"values; check whether the object was made (ClientToken {pending.token}), then remove the pending "
            "entry from the state", resource=name, type=kind.type))
        self._blocked.add(name)
        return None

    def _depose(self, name: str) -> None:
        """Moves the state's object under `name` to the deposed list (once), to be deleted later."""
        old = self.state.resources.pop(name, None)
        if old is not None and all(deposed.id != old.id for deposed in self.state.deposed):
            self.state.deposed.append(Deposed(name, old.type, old.id, old.values, list(old.dependencies)))

    # -- declared resources -----------------------------------------------------------------------------

    def _converge(self, declared: DeclaredResource) -> None:
        name, kind = declared.name, declared.kind
        blocked_by = [d for d in declared.dependencies if d in self._blocked]
        if blocked_by:
            self._blocked.add(name)
            self.outcome.skipped.append(name)
            self._emit(declared, Action.NOOP, "skipped", f"depends on {', '.join(blocked_by)}, which failed")
            return
        resolved = refs.resolve(declared.properties, self._attribute)
        validated = validate(kind, resolved, resource=name, now=self.now)
        if errors_only(validated.diagnostics) or validated.spec is None:
            self._blocked.add(name)
            self.outcome.failures.extend(validated.diagnostics or [
                Diagnostic("a referenced value is still unknown", resource=name, type=kind.type)])
            return
        resource_plan = plan_resource(declared, validated, self.state.resources.get(name), self.observed.get(name),
                                      salt=self.state.salt)
        if resource_plan.action in (Action.CREATE, Action.REPLACE):
            problems = creation_problems(kind, validated, resource=name, now=self.now)
            if problems:
                self._blocked.add(name)
                self.outcome.failures.extend(problems)
                return
        try:
            self._execute(declared, resource_plan, validated.spec)
        except CloudError as error:
            self._fail(name, kind, error, resource_plan.action)

    def _execute(self, declared: DeclaredResource, resource_plan: ResourcePlan, spec: Spec) -> None:
        action = resource_plan.action
        values = dict(resource_plan.desired or {})
        if action is Action.NOOP:
            self._refresh(declared.name)
            return
        self._emit(declared, action, "start")
        if action is Action.CREATE:
            seen = self._create(declared, spec, values)
        elif action is Action.UPDATE:
            seen = self._update(declared, resource_plan, spec, values)
        else:
            seen = self._replace(declared, spec, values)
        self.outcome.done.append(declared.name)
        self._emit(declared, action, "done", seen.id)

    def _create(self, declared: DeclaredResource, spec: Spec, values: dict[str, Any]) -> Observed:
        name = declared.name
        pending = PendingCreate(declared.type, new_token(), values, now_iso(), list(declared.dependencies))
        self.state.pending[name] = pending
        self.store.save(self.state)
        try:
            seen = declared.kind.lifecycle.create(self.cloud, spec, token=pending.token)
        except CloudError as error:
            if refused(error):  # certainly nothing was made: forget the intent
                del self.state.pending[name]
                self.store.save(self.state)
            raise
        del self.state.pending[name]
        self._record(declared, seen, values)
        return seen

    def _update(self, declared: DeclaredResource, resource_plan: ResourcePlan, spec: Spec,
                values: dict[str, Any]) -> Observed:
        current = self.state.resources[declared.name]
        seen = self.observed[declared.name]
        assert seen is not None
        prior = effective_values(declared.kind, seen.values, current.values)
        changed = frozenset(change.field for change in resource_plan.changes)
        updated = declared.kind.lifecycle.update(self.cloud, current.id, spec, prior=prior, changed=changed)
        self._record(declared, updated, values)
        return updated

    def _replace(self, declared: DeclaredResource, spec: Spec, values: dict[str, Any]) -> Observed:
        old = self.state.resources[declared.name]
        old_kind = kinds.get(old.type)
        if declared.kind.delete_before_replace or old_kind is not declared.kind:
            old_kind.lifecycle.delete(self.cloud, old.id, prior=old.values)
            del self.state.resources[declared.name]
            self.store.save(self.state)
            return self._create(declared, spec, values)
        self._depose(declared.name)
        return self._create(declared, spec, values)

    def _record(self, declared: DeclaredResource, seen: Observed, values: dict[str, Any]) -> None:
        self.state.resources[declared.name] = ResourceState(declared.type, seen.id, values, seen.outputs,
                                                            list(declared.dependencies))
        self.observed[declared.name] = seen
        self.store.save(self.state)

    def _refresh(self, name: str) -> None:
        """A resource in sync: keep the state's outputs equal to what the cloud reports."""
        seen, current = self.observed.get(name), self.state.resources.get(name)
        if seen is not None and current is not None and current.outputs != seen.outputs:
            current.outputs = dict(seen.outputs)
            self.store.save(self.state)

    def _attribute(self, reference: refs.Reference) -> Any:
        entry = self.state.resources.get(reference.resource)
        if entry is None:  # a dependency that failed: this resource is blocked before it is resolved
            return UNKNOWN
        return {**entry.values, **entry.outputs}.get(reference.attribute, UNKNOWN)

    # -- deletes ----------------------------------------------------------------------------------------

    def _delete_leftovers(self) -> None:
        for name, item in deletion_order(self.stack, self.state):
            kind = kinds.get(item.type)
            self._emit_raw(name, item.type, Action.DELETE, "start", item.id)
            try:
                kind.lifecycle.delete(self.cloud, item.id, prior=item.values)
            except CloudError as error:
                self._fail(name, kind, error, Action.DELETE)
                continue
            if isinstance(item, Deposed):
                self.state.deposed.remove(item)
            else:
                del self.state.resources[name]
            self.store.save(self.state)
            self.outcome.done.append(name)
            self._emit_raw(name, item.type, Action.DELETE, "done", item.id)

    # -- reporting --------------------------------------------------------------------------------------

    def _fail(self, name: str, kind: Kind, error: CloudError, action: Action) -> None:
        self._blocked.add(name)
        field_name = kind.field_by_wire.get(error.parameter or "")
        self.outcome.failures.append(Diagnostic(str(error), resource=name, field=field_name, type=kind.type))
        self._emit_raw(name, kind.type, action, "failed", str(error))

    def _emit(self, declared: DeclaredResource, action: Action, status: Status, detail: str = "") -> None:
        self._emit_raw(declared.name, declared.type, action, status, detail)

    def _emit_raw(self, name: str, type_: str, action: Action, status: Status, detail: str = "") -> None:
        self.on_event(Event(name, type_, action, status, detail))


def deletion_order(stack: Stack, state: StackState) -> list[tuple[str, ResourceState | Deposed]]:
    """Objects to delete — dropped from the stack, or replaced — each before anything it depended on.

    An object that depended on name N is deleted before every deleted object named N (the new object
    under that name stays), so old invocations stop before their old command goes. Otherwise dependents
    (later in the state) go first.
    """
    items: list[tuple[str, ResourceState | Deposed]] = [
        (name, entry) for name, entry in state.resources.items() if name not in stack.resources]
    items += [(deposed.name, deposed) for deposed in state.deposed]
    holding: dict[str, list[int]] = {}
    for index, (name, _) in enumerate(items):
        holding.setdefault(name, []).append(index)
    first_delete: dict[int, list[int]] = {index: [] for index in range(len(items))}
    for dependent, (_, entry) in enumerate(items):
        for dependency in entry.dependencies:
            for index in holding.get(dependency, []):
                if index != dependent:
                    first_delete[index].append(dependent)
    order = refs.topological({str(i): [str(j) for j in first_delete[i]] for i in reversed(range(len(items)))})
    return [items[int(key)] for key in order]
