"""The operations users run on a stack — plan, apply, drift, destroy, import — over one backend.

This is where reading, planning and applying meet the state: plan and drift never write (not even the
state), apply and destroy hold the stack's lock for their whole run, re-read the cloud under it, and
save the state after every write.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Callable

from ecsops.cloud.errors import CloudError
from ecsops.engine.apply import Applier, Event, Outcome, refreshed
from ecsops.engine.dag import DEFAULT_WORKERS
from ecsops.engine.drift import ResourceDrift, drift
from ecsops.engine.errors import EngineError
from ecsops.engine.kind import Observed
from ecsops.engine.listing import ListingCache
from ecsops.engine.observe import look_up, observe
from ecsops.engine.plan import Plan, plan
from ecsops.engine.saved_plan import Basis, basis, differences
from ecsops.engine.stack import Stack
from ecsops.engine import kind as kinds
from ecsops.engine.state import Deposed, PendingCreate, ResourceState, StackState, StateError, StateStore, Store
from ecsops.engine import refs, stack_files, state_edits
from ecsops.engine.validate import validate
from ecsops.engine.values import UNKNOWN, mark_secrets, protect

if TYPE_CHECKING:
    from ecsops.cloud.client import Cloud

Approve = Callable[[Plan], bool]


@dataclass
class Workspace:
    """One stack over one backend. `workers`: how many writes may be in flight at once (the client's rate
    limit still applies); `batch`: read many objects per call where a kind can (off only to measure)."""

    stack: Stack
    cloud: "Cloud"
    store: Store
    workers: int = DEFAULT_WORKERS
    batch: bool = True
    _owner_moved: bool = field(default=False, init=False, repr=False)

    @classmethod
    def open(cls, stack: Stack, cloud: "Cloud", *, store: Store | None = None,
             workers: int = DEFAULT_WORKERS, batch: bool = True) -> "Workspace":
        """`store`: where the state lives (default: `.ecsops/` beside the stack)."""
        return cls(stack, cloud, store or StateStore(stack.directory, stack.state_name), workers, batch)

    def plan(self) -> Plan:
        """What apply would do now. Reads the cloud; writes nothing."""
        return self.plan_to_save()[0]

    def plan_to_save(self) -> tuple[Plan, Basis]:
        """The plan, and what it was made from (for `plan --out`: see engine.saved_plan). Writes nothing."""
        state = self._load()
        observed = observe(state, self.cloud, batch=self.batch)
        planned = self.plan_observed(state, observed)
        return planned, basis(planned, observed, state, self.stack)

    def plan_observed(self, state: StackState, observed: dict[str, Observed | None], *,
                      cache: ListingCache | None = None) -> Plan:
        """The plan, given the state and what the cloud holds of it (read by `observe`, or by a run over many
        stacks that read them all at once); asks the cloud only what plan's checks need (`cache`: listings
        shared with the run's other stacks). Writes nothing."""
        lookups = look_up(self.stack, state, self.cloud, observed, cache=cache)
        return plan(self.stack, state, observed, existing=lookups.existing, cloud_problems=lookups.problems)

    def load_state(self) -> StackState:
        """The stack's state as plan and drift read it (checked: see `_load`). Writes nothing."""
        return self._load()

    def apply_saved(self, recorded: Basis, *, on_event: Callable[[Event], None] = lambda e: None,
                    on_plan: Callable[[Plan], None] = lambda plan: None) -> tuple[Plan, Outcome]:
        """Applies a saved plan: under the lock, re-reads the state and the cloud and plans again; when
        anything the plan was made from differs (`saved_plan.differences`), raises EngineError naming each
        resource and changes nothing; else makes exactly the planned changes (`on_plan` is told the plan
        first, as `apply`'s `approve` is)."""
        with self.store.lock("apply"):
            state = self._state_for_write()
            observed = observe(state, self.cloud, batch=self.batch)
            now = datetime.now(timezone.utc)
            lookups = look_up(self.stack, state, self.cloud, observed)
            planned = plan(self.stack, state, observed, now=now, existing=lookups.existing,
                           cloud_problems=lookups.problems)
            problems = differences(recorded, basis(planned, observed, state, self.stack, salt=recorded.salt),
                                   self.stack.state_name)
            if problems:
                raise EngineError(problems)
            if not planned.has_changes and not state.pending:
                return planned, Outcome()
            on_plan(planned)
            applier = Applier(self.stack, self.store, state, self.cloud, observed=observed, on_event=on_event,
                              now=now, workers=self.workers)
            return planned, applier.run()

    def drift(self) -> tuple[ResourceDrift, ...]:
        state = self._load()
        return drift(self.stack, state, observe(state, self.cloud, batch=self.batch))

    def apply(self, *, approve: Approve = lambda plan: True, on_event: Callable[[Event], None] = lambda e: None,
              command: str = "apply") -> tuple[Plan, Outcome | None]:
        """Plans under the lock, asks `approve`, then converges. Returns (plan, None) when not approved."""
        return self._converge(self.stack, approve, on_event, command)

    def destroy(self, *, approve: Approve = lambda plan: True,
                on_event: Callable[[Event], None] = lambda e: None) -> tuple[Plan, Outcome | None]:
        """Deletes everything the stack manages (apply of the stack with no resources)."""
        return self._converge(replace(self.stack, resources={}), approve, on_event, "destroy")

    def _converge(self, stack: Stack, approve: Approve, on_event: Callable[[Event], None],
                  command: str) -> tuple[Plan, Outcome | None]:
        with self.store.lock(command):
            state = self._state_for_write()
            observed = observe(state, self.cloud, batch=self.batch)
            now = datetime.now(timezone.utc)
            lookups = look_up(stack, state, self.cloud, observed)
            planned = plan(stack, state, observed, now=now, existing=lookups.existing, cloud_problems=lookups.problems)
            if not planned.has_changes and not state.pending:
                self._refresh_outputs(state, observed, planned)
                return planned, Outcome()
            if not approve(planned):
                return planned, None
            applier = Applier(stack, self.store, state, self.cloud, observed=observed, on_event=on_event, now=now,
                              workers=self.workers)
            return planned, applier.run()

    def import_resource(self, name: str, id_: str) -> ResourceState:
        """Adopts an existing cloud object as the declared resource `name` (the next plan shows differences)."""
        self.stack.require_valid()
        declared = self.stack.resources.get(name)
        if declared is None:
            raise EngineError.single(f"the stack declares no resource {name!r}: declare it, then import",
                                     resource=name)
        with self.store.lock("import"):
            state = self._state_for_write()
            if name in state.resources:
                raise EngineError.single(f"already managed as {state.resources[name].id}", resource=name,
                                         type=declared.type)
            refusal = state_edits.import_refusal(state, self.stack.path, name, declared.type, id_)
            if refusal is not None:  # one object under two names: the next apply would delete it
                raise refusal
            try:
                seen = declared.kind.lifecycle.read(self.cloud.in_region(declared.region), id_, prior=None)
            except CloudError as error:
                raise EngineError.single(f"reading {id_} failed: {error}", resource=name, type=declared.type) from None
            if seen is None:
                raise EngineError.single(f"{id_} does not exist in the cloud", resource=name, type=declared.type)
            declared_values = validate(declared.kind, refs.resolve(declared.properties, lambda ref: UNKNOWN)).declared
            values = protect(mark_secrets(seen.reported, declared_values), state.salt)
            entry = ResourceState(declared.type, seen.id, values, seen.outputs, list(declared.dependencies),
                                  region=declared.region)
            state.resources[name] = entry
            self.store.save(state)
            return entry

    def _load(self) -> StackState:
        """The stack's state, every entry of a kind this ecsops knows (a state written by a newer ecsops, or
        edited by hand, is refused naming the entry rather than failing later), of this backend (plan and
        drift included: read elsewhere, a nightly drift would report every object deleted)."""
        state = self.store.load()
        entries: list[tuple[str, ResourceState | PendingCreate | Deposed]] = [
            *state.resources.items(), *state.pending.items(), *((d.name, d) for d in state.deposed)]
        for name, entry in entries:
            try:
                kinds.get(entry.type)
            except kinds.UnknownKind as error:
                raise StateError(f"state {self.store.describe()}: resource {name!r}: {error}") from None
            place_unplaced(entry, self.stack.region)
        stack_files.check_single_owner(self.stack, state.source, self.store.describe())
        identity = self.cloud.backend.identity
        if state.backend is not None and state.backend != identity and state.resources:
            # Read against another backend, every object would look gone: refuse, as for a write.
            raise EngineError.single(
                f"the state of stack {self.stack.name!r} belongs to {state.backend}, not {identity}: "
                "point ecsops at that backend, or move the state file aside to start over")
        return state

    def _state_for_write(self) -> StackState:
        """The state, with this backend and this stack file recorded as its own (a moved stack file takes its
        state along: `_owner_moved` tells the no-change path to save that)."""
        state = self._load()
        if state.backend is None:
            state.backend = self.cloud.backend.identity
        source = stack_files.source_name(self.stack.path)
        self._owner_moved = state.source != source and bool(state.resources)
        state.source = source
        return state

    def _refresh_outputs(self, state: StackState, observed: dict[str, Observed | None], planned: Plan) -> None:
        """Nothing to apply: the state takes the outputs the cloud reports, and secrets' digests of the old
        scheme are rewritten as scrypt (the plan found them equal to the stack, so its values are the same)."""
        desired = {resource.name: resource.desired for resource in planned.resources}
        changed = self._owner_moved
        for name, entry in list(state.resources.items()):
            seen = observed.get(name)
            updated = refreshed(entry, seen, desired.get(name)) if seen is not None else None
            if updated is not None:
                state.resources[name] = updated
                changed = True
        if changed:
            self.store.save(state)


def place_unplaced(entry: ResourceState | PendingCreate | Deposed, stack_region: str) -> None:
    """An entry of a state written before stacks spanned regions records none: its object is where it was made,
    in the region its own `region` value names (delivery settings, license tasks) or else the stack's."""
    if entry.region is None:
        own = entry.values.get("region")
        entry.region = own if isinstance(own, str) and own else stack_region
