"""Apply: converge the cloud on the stack, recording every step in the state as it happens.

Order: interrupted creates are recovered first; then every declared resource, each once the resources it
refers to are done (creates, updates, and the create half of replaces, on a pool of workers); then deletes
— resources dropped from the stack and objects replaced — each before what it depended on. So a replaced
command and its replaced invocations exist anew before the old invocation is stopped and the old command
deleted.

Guarantees:
- every write is preceded by full validation of the resource's now-resolved values (nothing half-valid
  is ever sent);
- the state records a create's intent (with its ClientToken) on disk before the call, and every cloud
  write on disk before the worker moves on (group commit: one fsync serves the workers waiting at once);
- a failed resource does not stop the others: what depends on it is skipped, everything else proceeds,
  and every failure is reported with the resource and field;
- a create that made its object and then failed (`PartlyMade`) leaves the object in the state, marked
  partial, before the failure is reported: the next apply finishes it (an update, or a replace), and a
  destroy deletes it; ecsops never calls an object it made foreign;
- with one worker, everything happens in the stack's dependency order, one call at a time.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable, Literal, Mapping

from ecsops.cloud.errors import CloudError, refused
from ecsops.engine import kind as kinds
from ecsops.engine import refs
from ecsops.engine.dag import DEFAULT_WORKERS, run_in_order
from ecsops.engine.errors import Diagnostic, errors_only
from ecsops.engine.kind import Kind, Observed, PartlyMade, Spec
from ecsops.engine.plan import Action, ResourcePlan, effective_values, plan_resource
from ecsops.engine.source import located
from ecsops.engine.stack import DeclaredResource, Stack
from ecsops.engine.state import Deposed, GroupSaver, PendingCreate, ResourceState, StackState, Store, now_iso
from ecsops.engine.validate import creation_problems, validate
from ecsops.engine.values import UNKNOWN, contains_secret, has_legacy_digest, same_protected

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
    """One apply of one stack; holds the state it changes (under `_lock`) and saves it after each step."""

    def __init__(self, stack: Stack, store: Store, state: StackState, cloud: "Cloud", *,
                 observed: Mapping[str, Observed | None], on_event: Callable[[Event], None] = lambda event: None,
                 now: datetime | None = None, workers: int = DEFAULT_WORKERS):
        self.now = now or datetime.now(timezone.utc)
        self.stack = stack
        self.state = state
        self.cloud = cloud
        self.observed = dict(observed)
        self.on_event = on_event
        self.workers = workers
        self.outcome = Outcome()
        self._blocked: set[str] = set()
        self._partly_recovered: set[str] = set()  # partly made by a replayed create: kept for the next apply
        self._lock = threading.Lock()
        self._active = 0  # steps running now (GroupSaver lingers for them on remote state)
        self._saver = GroupSaver(store, state, self._lock, active=lambda: self._active)

    def run(self) -> Outcome:
        self._saver.snapshot()
        try:
            self.recover_interrupted_creates()
            run_in_order(list(self.stack.resources), {n: r.dependencies for n, r in self.stack.resources.items()},
                         self._step(lambda name: self._converge(self.stack.resources[name])), workers=self.workers)
            items, waits = deletion_graph(self.stack, self.state)
            run_in_order(range(len(items)), waits, self._step(lambda index: self._delete(*items[index])),
                         workers=self.workers)
        finally:
            self._saver.snapshot()
        self.outcome.failures = located(self.stack, self.outcome.failures)  # where each is written in the stack
        return self.outcome

    def _step(self, job: Callable[[Any], None]) -> Callable[[Any], None]:
        """`job`, counted as a step in flight while it runs."""
        def counted(node: Any) -> None:
            with self._lock:
                self._active += 1
            try:
                job(node)
            finally:
                with self._lock:
                    self._active -= 1
                self._saver.step_ended()
        return counted

    def _change(self, mutate: Callable[[], Any]) -> None:
        """Applies `mutate` (through the state's methods, which journal what they touch) under the lock,
        then waits until it is on disk."""
        with self._lock:
            mutate()
            change = self._saver.changed()
        self._saver.flush(change)

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
                seen = kind.lifecycle.create(self.cloud.in_region(pending.region), spec, token=pending.token)
            except PartlyMade as error:  # the object exists: kept (and not made again by this apply)
                made = error.id
                self._change(lambda: self._adopt_recovered(name, pending, made, made_outputs(kind, made), partial=True))
                if name in self.stack.resources:
                    self._partly_recovered.add(name)
                    self._fail(name, kind, error, Action.CREATE)
                continue
            except CloudError as error:
                if refused(error):  # nothing was made: the regular create will try again
                    self._change(lambda: self.state.drop_pending(name))
                else:
                    self._fail(name, kind, error, Action.CREATE)
                continue
            self._change(lambda: self._adopt_recovered(name, pending, seen.id, seen.outputs))
            if name in self.stack.resources:
                self.observed[name] = seen
            self._record_done(name, pending.type, Action.CREATE, f"{seen.id} (an interrupted create, recovered)")

    def _adopt_recovered(self, name: str, pending: PendingCreate, id_: str, outputs: dict[str, Any], *,
                         partial: bool = False) -> None:
        self.state.drop_pending(name)
        if name in self.stack.resources:
            self._depose(name)
            self.state.set_resource(name, ResourceState(pending.type, id_, pending.values, outputs,
                                                        list(pending.dependencies), partial=partial,
                                                        region=pending.region))
        else:
            self.state.add_deposed(Deposed(name, pending.type, id_, pending.values, list(pending.dependencies),
                                           region=pending.region))

    def _replayable(self, name: str, kind: Kind, pending: PendingCreate) -> Spec | None:
        """The spec to replay an interrupted create with. The state holds secrets only as digests, so a
        create with secrets is replayed from the stack, provided it still declares the very same values."""
        if not contains_secret(pending.values):
            return kind.spec.model_validate(pending.values)
        declared = self.stack.resources.get(name)
        if declared is not None:
            validated = validate(kind, refs.resolve(declared.properties, self._attribute), resource=name, now=self.now)
            if validated.spec is not None and same_protected(validated.declared, pending.values, self.state.salt):
                return validated.spec
        self._fail_with(name, Diagnostic(
            "an interrupted create with secret values cannot be finished: the stack no longer declares the same "
            f"values; check whether the object was made (ClientToken {pending.token}), then remove the pending "
            "entry from the state", resource=name, type=kind.type_name))
        return None

    def _depose(self, name: str) -> None:
        """Moves the state's object under `name` to the deposed list (once), to be deleted later."""
        old = self.state.drop_resource(name)
        if old is not None and all(deposed.id != old.id for deposed in self.state.deposed):
            self.state.add_deposed(Deposed(name, old.type, old.id, old.values, list(old.dependencies),
                                           region=old.region))

    # -- declared resources -----------------------------------------------------------------------------

    def _stopped(self) -> bool:
        """True once the state could not be written: no further step starts (each would send calls whose
        outcome could not be recorded); the apply ends with that error."""
        return self._saver.failed is not None

    def _converge(self, declared: DeclaredResource) -> None:
        if self._stopped():
            return
        name, kind = declared.name, declared.kind
        if name in self._partly_recovered:  # reported by the recovery; the next apply finishes it
            return
        with self._lock:
            blocked_by = [d for d in declared.dependencies if d in self._blocked]
            if blocked_by:
                self._blocked.add(name)
                self.outcome.skipped.append(name)
        if blocked_by:
            self._emit(name, declared.type, Action.NOOP, "skipped", f"depends on {', '.join(blocked_by)}, which failed")
            return
        with self._lock:
            resolved = refs.resolve(declared.properties, self._attribute)
            current, seen = self.state.resources.get(name), self.observed.get(name)
        validated = validate(kind, resolved, resource=name, now=self.now)
        if errors_only(validated.diagnostics) or validated.spec is None:
            self._fail_with(name, *(validated.diagnostics or [
                Diagnostic("a referenced value is still unknown", resource=name, type=kind.type_name)]))
            return
        resource_plan = plan_resource(declared, validated, current, seen, salt=self.state.salt)
        if resource_plan.action in (Action.CREATE, Action.REPLACE):
            problems = creation_problems(kind, validated, resource=name, now=self.now)
            if problems:
                self._fail_with(name, *problems)
                return
        try:
            self._execute(declared, resource_plan, validated.spec)
        except CloudError as error:
            self._fail(name, kind, error, resource_plan.action)

    def _execute(self, declared: DeclaredResource, resource_plan: ResourcePlan, spec: Spec) -> None:
        action = resource_plan.action
        values = dict(resource_plan.desired or {})
        if action is Action.NOOP:
            self._refresh(declared.name, values)
            return
        self._emit(declared.name, declared.type, action, "start")
        if action is Action.CREATE:
            seen = self._create(declared, spec, values)
        elif action is Action.UPDATE:
            seen = self._update(declared, resource_plan, spec, values)
        else:
            seen = self._replace(declared, spec, values)
        self._record_done(declared.name, declared.type, action, seen.id)

    def _create(self, declared: DeclaredResource, spec: Spec, values: dict[str, Any]) -> Observed:
        name = declared.name
        pending = PendingCreate(declared.type, new_token(), values, now_iso(), list(declared.dependencies),
                                region=declared.region or None)
        self._change(lambda: self.state.set_pending(name, pending))
        try:
            seen = declared.kind.lifecycle.create(self.cloud.in_region(pending.region), spec, token=pending.token)
        except PartlyMade as error:  # the object exists: the stack's, on disk before the failure is reported
            made = error.id

            def keep() -> None:
                self.state.drop_pending(name)
                self.state.set_resource(name, ResourceState(declared.type, made, values,
                                                            made_outputs(declared.kind, made),
                                                            list(declared.dependencies), partial=True,
                                                            region=pending.region))

            self._change(keep)
            raise
        except CloudError as error:
            if refused(error):  # certainly nothing was made: forget the intent
                self._change(lambda: self.state.drop_pending(name))
            raise
        def adopt() -> None:
            self.state.drop_pending(name)
            self._set_resource(declared, seen, values)

        self._change(adopt)
        return seen

    def _update(self, declared: DeclaredResource, resource_plan: ResourcePlan, spec: Spec,
                values: dict[str, Any]) -> Observed:
        with self._lock:
            current, seen = self.state.resources[declared.name], self.observed[declared.name]
        assert seen is not None
        prior = effective_values(declared.kind, seen.reported, current.values)
        changed = frozenset(change.field for change in resource_plan.changes)
        updated = declared.kind.lifecycle.update(self.cloud.in_region(current.region), current.id, spec, prior=prior,
                                                 changed=changed)
        self._change(lambda: self._set_resource(declared, updated, values))
        return updated

    def _replace(self, declared: DeclaredResource, spec: Spec, values: dict[str, Any]) -> Observed:
        with self._lock:
            old = self.state.resources[declared.name]
        old_kind = kinds.get(old.type)
        if declared.kind.delete_before_replace or old_kind is not declared.kind:
            old_kind.lifecycle.delete(self.cloud.in_region(old.region), old.id, prior=old.values)
            self._change(lambda: self.state.drop_resource(declared.name))
        else:
            self._change(lambda: self._depose(declared.name))
        return self._create(declared, spec, values)

    def _set_resource(self, declared: DeclaredResource, seen: Observed, values: dict[str, Any]) -> None:
        self.state.set_resource(declared.name, ResourceState(declared.type, seen.id, values, seen.outputs,
                                                             list(declared.dependencies),
                                                             region=declared.region or None))
        self.observed[declared.name] = seen

    def _refresh(self, name: str, values: dict[str, Any]) -> None:
        """A resource in sync: keep the state's outputs equal to what the cloud reports, and rewrite secrets'
        digests of the old scheme as scrypt (`values`, the protected desired values, equal the cloud's)."""
        with self._lock:
            seen, current = self.observed.get(name), self.state.resources.get(name)
            entry = refreshed(current, seen, values) if seen is not None and current is not None else None
        if entry is not None:
            self._change(lambda: self.state.set_resource(name, entry))

    def _attribute(self, reference: refs.Reference) -> Any:
        """What `${name.attr}` means now (call holding the lock)."""
        entry = self.state.resources.get(reference.resource)
        if entry is None:  # a dependency that failed: this resource is blocked before it is resolved
            return UNKNOWN
        return {**entry.values, **entry.outputs}.get(reference.attribute, UNKNOWN)

    # -- deletes ----------------------------------------------------------------------------------------

    def _delete(self, name: str, item: ResourceState | Deposed) -> None:
        if self._stopped():
            return
        kind = kinds.get(item.type)
        self._emit(name, item.type, Action.DELETE, "start", item.id)
        try:
            kind.lifecycle.delete(self.cloud.in_region(item.region), item.id, prior=item.values)
        except CloudError as error:
            self._fail(name, kind, error, Action.DELETE)
            return
        if isinstance(item, Deposed):
            self._change(lambda: self.state.remove_deposed(item))
        else:
            self._change(lambda: self.state.drop_resource(name))
        self._record_done(name, item.type, Action.DELETE, item.id)

    # -- reporting --------------------------------------------------------------------------------------

    def _record_done(self, name: str, type_: str, action: Action, detail: str) -> None:
        with self._lock:
            self.outcome.done.append(name)
        self._emit(name, type_, action, "done", detail)

    def _fail(self, name: str, kind: Kind, error: CloudError, action: Action) -> None:
        field_name = kind.field_by_wire.get(error.parameter or "")
        message = str(error)
        if isinstance(error, PartlyMade):
            message += (f"; {error.id} exists (this stack made it) and is recorded in the state as partly made: "
                        "the next apply finishes it")
        self._fail_with(name, Diagnostic(message, resource=name, field=field_name, type=kind.type_name))
        self._emit(name, kind.type_name, action, "failed", message)

    def _fail_with(self, name: str, *problems: Diagnostic) -> None:
        with self._lock:
            self._blocked.add(name)
            self.outcome.failures.extend(problems)

    def _emit(self, name: str, type_: str, action: Action, status: Status, detail: str = "") -> None:
        with self._lock:
            self.on_event(Event(name, type_, action, status, detail))


def made_outputs(kind: Kind, id_: str) -> dict[str, Any]:
    """The outputs known of an object made but never read back: its id."""
    return {kind.id_output: id_}


def refreshed(entry: ResourceState, seen: Observed, desired: Mapping[str, Any] | None) -> ResourceState | None:
    """The state entry of a resource in sync, brought up to date: the outputs the cloud reports, and secrets'
    digests of the old scheme rewritten from `desired` (the protected desired values, which the plan found
    equal to the cloud's). None when nothing changes."""
    legacy = bool(desired) and has_legacy_digest(entry.values)
    if entry.outputs == seen.outputs and not legacy:
        return None
    return replace(entry, outputs=dict(seen.outputs), values=dict(desired or {}) if legacy else entry.values)


def deletion_graph(stack: Stack, state: StackState) -> tuple[list[tuple[str, ResourceState | Deposed]],
                                                             dict[int, list[int]]]:
    """Objects to delete — dropped from the stack, or replaced — and, for each, the ones to delete first.

    An object that depended on name N is deleted before every deleted object named N (the new object
    under that name stays), so old invocations stop before their old command goes.
    """
    items: list[tuple[str, ResourceState | Deposed]] = [
        (name, entry) for name, entry in state.resources.items() if name not in stack.resources]
    items += [(deposed.name, deposed) for deposed in state.deposed]
    holding: dict[str, list[int]] = {}
    for index, (name, _) in enumerate(items):
        holding.setdefault(name, []).append(index)
    waits: dict[int, list[int]] = {index: [] for index in range(len(items))}
    for dependent, (_, entry) in enumerate(items):
        for dependency in entry.dependencies:
            for index in holding.get(dependency, []):
                if index != dependent:
                    waits[index].append(dependent)
    return items, waits

