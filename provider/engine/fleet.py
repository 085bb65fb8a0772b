"""A run over many stacks: drift or plan for a whole fleet in one process, reading the cloud once.

What a loop of `ecsops drift STACK` processes pays again and again is paid once here: the start-up, and
above all the reads. The stacks' states are read first; then, per account, the objects of every stack are
read together (`observe_entries`), so one listing of a region's commands answers every stack holding
commands there, and each kind's reads by id go out in full batches; the client's rate limit is one budget
per account and region, shared by all stacks (one `Cloud` per account). Accounts never share: a stack naming
other credentials (`credentials:`) gets its own client, listings and budget.

Guarantees: nothing here writes, to the cloud or to a state. A stack that fails — its file, its backend, its
state, a read — is reported with its problems and the others still run. The members keep the order given.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

from ecsops.cloud.backend import Backend, BackendError
from ecsops.cloud.errors import CloudError
from ecsops.engine.drift import ResourceDrift, drift
from ecsops.engine.errors import Diagnostic, EngineError
from ecsops.engine.kind import Observed
from ecsops.engine.listing import ListingCache
from ecsops.engine.observe import READ_WORKERS, observe_entries
from ecsops.engine.plan import Plan
from ecsops.engine.stack_files import source_name
from ecsops.engine.state import StackState, StateError
from ecsops.engine.workspace import Workspace

if TYPE_CHECKING:
    from ecsops.cloud.client import Cloud

RUN_TTL_S = 3600.0  # a listing serves the whole run, however long it takes
Opener = Callable[[Path, "Accounts"], Workspace]


class Accounts:
    """One `Cloud` per account (the same backend reached with the same credentials), shared by every stack of
    the run that uses it, with the listings its reads made (see `Backend.account_key`)."""

    def __init__(self, make_cloud: Callable[[Backend], "Cloud"]):
        self._make_cloud = make_cloud
        self.clouds: dict[tuple[str, str], "Cloud"] = {}
        self.listings: dict[tuple[str, str], ListingCache] = {}
        self._lock = threading.Lock()  # stacks are opened on several threads: one client per account, still

    def cloud_for(self, backend: Backend) -> "Cloud":
        """The account's client, seen from `backend`'s region (its own identity, the account's budget)."""
        key = backend.account_key
        with self._lock:
            if key not in self.clouds:
                self.clouds[key] = self._make_cloud(backend)
                self.listings[key] = ListingCache(ttl_s=RUN_TTL_S)
            account = self.clouds[key]
        return account.in_region(backend.region)

    def listing_of(self, cloud: "Cloud") -> ListingCache:
        return self.listings[cloud.backend.account_key]


@dataclass
class Member:
    """One stack of the run: where its file is, what became of it, and its problems when it failed."""

    path: Path
    source: str
    space: Workspace | None = None
    state: StackState | None = None
    observed: dict[str, Observed | None] | None = None
    problems: list[Diagnostic] = field(default_factory=list)
    drift: tuple[ResourceDrift, ...] | None = None
    plan: Plan | None = None

    @property
    def workspace(self) -> Workspace:
        """The member's workspace (only for a member that was opened: `space` is None when opening failed)."""
        assert self.space is not None, f"{self.path} was not opened"
        return self.space

    @property
    def failed(self) -> bool:
        return bool(self.problems)

    def fail(self, problems: Iterable[Diagnostic]) -> None:
        self.problems.extend(problems)


@dataclass
class Fleet:
    """The members of a run and the accounts they reach."""

    members: list[Member]
    accounts: Accounts

    @classmethod
    def open(cls, paths: Sequence[Path], opener: Opener, accounts: Accounts) -> "Fleet":
        """Each stack opened (`opener`: its file loaded, its backend chosen, its state store opened) and its
        state read, several at once (states may live in a bucket); a stack that cannot be is a failed member."""
        members = [Member(path, source_name(path)) for path in paths]
        with ThreadPoolExecutor(max_workers=READ_WORKERS) as pool:
            list(pool.map(lambda member: _open(member, opener, accounts), members))
        return cls(members, accounts)

    @property
    def live(self) -> list[Member]:
        return [member for member in self.members if not member.failed]

    def observe(self) -> None:
        """Reads what every live member's state records, per account all together (one listing per kind and
        region serves every stack); a member with a failed read fails, naming the resources. Members that
        manage one object between them fail first (`_refuse_shared_objects`)."""
        self._refuse_shared_objects()
        for cloud, members in self._by_account():
            entries = {(index, name): entry for index, member in enumerate(members)
                       for name, entry in _state(member).resources.items()}
            results = observe_entries(entries, cloud, cache=self.accounts.listing_of(cloud))
            observed: list[dict[str, Observed | None]] = [{} for _ in members]
            for (index, name), result in results.items():  # one pass: each result to its member
                if isinstance(result, Diagnostic):
                    members[index].fail([result])
                else:
                    observed[index][name] = result
            for member, seen in zip(members, observed):
                member.observed = seen

    def drift(self) -> None:
        """Each live member's drift report, from what `observe` read."""
        self.observe()
        for member in self.live:
            _guarded(member, lambda m: setattr(m, "drift", drift(m.workspace.stack, _state(m), m.observed or {})))

    def plan(self) -> None:
        """Each live member's plan, from what `observe` read; plan's own checks share listings per account."""
        self.observe()

        def planned(member: Member) -> None:
            space = member.workspace
            member.plan = space.plan_observed(_state(member), member.observed or {},
                                              cache=self.accounts.listing_of(space.cloud))

        with ThreadPoolExecutor(max_workers=READ_WORKERS) as pool:
            list(pool.map(lambda member: _guarded(member, planned), self.live))

    def _refuse_shared_objects(self) -> None:
        """Two stacks recording one object (same account, kind and id) undo each other's work at every apply:
        each fails, naming the other, and neither is read (a read of one would answer both)."""
        holders: dict[tuple[tuple[str, str], str, str], list[tuple[Member, str]]] = {}
        for member in self.live:
            key = member.workspace.cloud.backend.account_key
            for name, entry in _state(member).resources.items():
                holders.setdefault((key, entry.type, entry.id), []).append((member, name))
        for (_, type_, id_), held in holders.items():
            if len(held) < 2:
                continue
            for member, name in held:
                others = ", ".join(f"{other.path} (as {other_name})"
                                   for other, other_name in held if other is not member)
                member.fail([Diagnostic(f"{id_} is also managed by {others}: two stacks managing one object undo "
                                        "each other's work; keep it in one (`ecsops state rm` in the other)",
                                        resource=name, type=type_, file=str(member.path))])

    def _by_account(self) -> list[tuple["Cloud", list[Member]]]:
        groups: dict[tuple[str, str], list[Member]] = {}
        for member in self.live:
            groups.setdefault(member.workspace.cloud.backend.account_key, []).append(member)
        return [(self.accounts.clouds[key], members) for key, members in groups.items()]

    @property
    def read(self) -> list[Member]:
        """The members whose state was read (a member that failed later still manages what it records)."""
        return [member for member in self.members if member.space is not None and member.state is not None]

    def managed(self) -> dict[str, set[tuple[str, str, str]]]:
        """Per backend (`Backend.account_key[0]`), the objects the states of its members record: (type, region,
        id), deposed ones included (an apply has yet to delete them). Per backend, not per credentials: two
        credential sets may reach one account, and what one stack manages is not unmanaged for another."""
        found: dict[str, set[tuple[str, str, str]]] = {}
        for member in self.read:
            mine = found.setdefault(member.workspace.cloud.backend.account_key[0], set())
            mine.update(member_objects(_state(member)))
        return found

    def pending(self) -> dict[str, set[tuple[str, str]]]:
        """Per backend, the interrupted creates of its members' states, as (type, name) where the object has a
        name: what the next apply adopts by its ClientToken is not unmanaged."""
        found: dict[str, set[tuple[str, str]]] = {}
        for member in self.read:
            mine = found.setdefault(member.workspace.cloud.backend.account_key[0], set())
            mine.update((entry.type, str(entry.values["name"])) for entry in _state(member).pending.values()
                        if entry.values.get("name"))
        return found

    def regions(self) -> dict[tuple[str, str], set[str]]:
        """Per account, the regions its members cover: their stacks' regions, their resources' regions,
        the regions their states record objects in."""
        found: dict[tuple[str, str], set[str]] = {}
        for member in self.read:
            space, state = member.workspace, _state(member)
            mine = found.setdefault(space.cloud.backend.account_key, set())
            mine.add(space.stack.region)
            mine.update(resource.region for resource in space.stack.resources.values() if resource.region)
            mine.update(str(entry.region) for entry in state.resources.values() if entry.region)
        return found


def member_objects(state: StackState) -> set[tuple[str, str, str]]:
    """(type, region, id) of every object a state records: its resources and its deposed objects."""
    return ({(entry.type, str(entry.region), entry.id) for entry in state.resources.values()}
            | {(entry.type, str(entry.region), entry.id) for entry in state.deposed})


def _open(member: Member, opener: Opener, accounts: Accounts) -> None:
    def opened(target: Member) -> None:
        target.space = opener(target.path, accounts)
        target.state = target.space.load_state()

    _guarded(member, opened)


def _guarded(member: Member, step: Callable[[Member], None]) -> None:
    """Runs one step of a member; an expected failure becomes the member's problems (the run goes on)."""
    try:
        step(member)
    except EngineError as error:
        member.fail(error.diagnostics)
    except (CloudError, StateError, BackendError) as error:
        member.fail([Diagnostic(str(error), file=str(member.path))])


def _state(member: Member) -> StackState:
    assert member.state is not None, f"{member.path} has no state"
    return member.state
