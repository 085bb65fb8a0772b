"""What a resource kind gives the engine, and the registry kinds join.

The engine knows no particular kind: each module of `ecsops.resources` builds one `Kind` (its spec model,
outputs model, lifecycle and identity) and calls `register`. Everything the engine does to a resource goes
through the `Lifecycle` protocol, the crossplane-style backend contract:

- `read` observes and never changes anything; "gone" is an answer (`None`), not an exception;
- `create` is transactional and idempotent under its `token` (sent as the API's ClientToken): repeating a
  create with the same token and spec returns the first object instead of making a second;
- `update` changes only in-place fields; `delete` treats "already gone" as done.

A create of several calls whose first call made the object and a later one failed raises `PartlyMade`
with the object's id: the engine records the object as the stack's (partly made) and finishes it later,
so ecsops never loses track of, or calls foreign, an object it made itself.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping, Protocol

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from ecsops.cloud.errors import CloudError
from ecsops.engine.policy import FieldPolicy, policies
from ecsops.engine.suggest import did_you_mean

if TYPE_CHECKING:
    from ecsops.cloud.client import Cloud
    from ecsops.engine.listing import ListingCache


class Spec(BaseModel):
    """Base of every kind's desired state: snake_case in Python, camelCase in YAML, state and Pulumi."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)

    def wire_values(self) -> dict[str, Any]:
        """The spec in wire form (camelCase keys, JSON types): what the engine diffs, stores and shows."""
        return self.model_dump(by_alias=True, mode="json")


class FieldError(ValueError):
    """Raised by a spec's model validator for a rule that spans fields, to say which field is at fault.

    pydantic places a model validator's error on the model itself (no field); `validate` reads `path` from
    this error instead, so the message names the field the user should change.
    """

    def __init__(self, path: str, message: str):
        super().__init__(message)
        self.path = tuple(path.split("."))


class Outputs(BaseModel):
    """Base of every kind's computed outputs (ids and what the cloud derives)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)


@dataclass(frozen=True)
class Observed:
    """A cloud object as read: its id, `reported` — its values as the cloud reports them, in spec terms — and its
    outputs (all wire form).

    `defunct` says why an object that still exists no longer does its job (a scheduled task stopped
    outside ecsops): the engine treats it as gone, and apply makes a new one.
    """

    id: str
    reported: dict[str, Any]
    outputs: dict[str, Any]
    defunct: str | None = None


@dataclass(frozen=True)
class Neighbour:
    """Another resource of the same stack, as far as the plan knows it (for checks across resources)."""

    name: str
    type: str
    values: Mapping[str, Any]
    region: str | None = None  # where it lives (options.region, or the stack's)


class Neighbours(Mapping[str, Neighbour]):
    """The stack's other resources as one resource's stack checks see them: every neighbour but that one,
    without a copy per resource, and indexed by type — a check about one kind (two maintenance sets may not
    share an instance) reads that kind's resources, not the whole stack, so checking N resources stays
    near O(N)."""

    def __init__(self, everyone: Mapping[str, Neighbour], by_type: Mapping[str, list[Neighbour]], *, excluded: str):
        self._everyone, self._by_type, self._excluded = everyone, by_type, excluded

    @staticmethod
    def index(everyone: Mapping[str, Neighbour]) -> dict[str, list[Neighbour]]:
        by_type: dict[str, list[Neighbour]] = {}
        for neighbour in everyone.values():
            by_type.setdefault(neighbour.type, []).append(neighbour)
        return by_type

    def of_type(self, type_: str) -> list[Neighbour]:
        return [neighbour for neighbour in self._by_type.get(type_, []) if neighbour.name != self._excluded]

    def __getitem__(self, name: str) -> Neighbour:
        if name == self._excluded:
            raise KeyError(name)
        return self._everyone[name]

    def __iter__(self) -> Iterator[str]:
        return (name for name in self._everyone if name != self._excluded)

    def __len__(self) -> int:
        return len(self._everyone) - (self._excluded in self._everyone)


def of_type(neighbours: Mapping[str, Neighbour], type_: str) -> list[Neighbour]:
    """The neighbours of one kind: indexed on the engine's `Neighbours`, a scan of any other mapping."""
    if isinstance(neighbours, Neighbours):
        return neighbours.of_type(type_)
    return [neighbour for neighbour in neighbours.values() if neighbour.type == type_]


Problem = tuple[str | None, str]   # (field or None, message)
CreationCheck = Callable[[Any, datetime], list[Problem]]


class StackCheck(Protocol):
    """Rules across resources: (raw properties, validated values, the stack's other resources) -> problems.

    `region` is the resource's own region (options.region, else the stack's), so rules that count per region
    (quotas) count by the region a resource will really be in; each neighbour carries its own.
    """

    def __call__(self, properties: Mapping[str, Any], values: Mapping[str, Any],
                 neighbours: Mapping[str, Neighbour], *, region: str) -> list[Problem]: ...


Preview = Callable[[Mapping[str, Any], datetime], dict[str, Any]]
Advice = Callable[[Mapping[str, Any]], list[Problem]]
FindExisting = Callable[["Cloud", Any], "Observed | None"]


class CloudCheck(Protocol):
    """(cloud, spec) -> problems only the cloud can reveal (an instance that does not exist). Reads only.

    With a `ListingCache` — given when many resources of the kind are checked at once — a check may answer
    from one listing shared by all of them instead of a call each; it must still ask about an id the
    listing lacks, which may be newer than the listing.
    """

    def __call__(self, cloud: "Cloud", spec: Any, *, cache: "ListingCache | None" = None) -> list[Problem]: ...


class Lifecycle(Protocol):
    def create(self, cloud: "Cloud", spec: Any, *, token: str) -> Observed: ...

    def read(self, cloud: "Cloud", id_: str, *, prior: Mapping[str, Any] | None) -> Observed | None: ...

    def update(self, cloud: "Cloud", id_: str, spec: Any, *, prior: Mapping[str, Any],
               changed: frozenset[str]) -> Observed: ...

    def delete(self, cloud: "Cloud", id_: str, *, prior: Mapping[str, Any]) -> None: ...


def read_back(lifecycle: Lifecycle, cloud: "Cloud", id_: str, *, prior: Mapping[str, Any] | None,
              what: str) -> Observed:
    """`lifecycle.read` of an object the caller has just written, for the outputs a write returns.

    Right after a write succeeded, "gone" is not an answer: an object that cannot be read back is the
    failure of the step (a CloudError naming `what` and the id), never a silent None."""
    seen = lifecycle.read(cloud, id_, prior=prior)
    if seen is None:
        raise CloudError(f"{what} {id_}: written, but it cannot be read back")
    return seen


class PartlyMade(CloudError):
    """A create that made its object (`id`) and then failed: `error` is the failure of the later call.

    Reads as that error (message, code, action, parameter), so it points at the same field; the engine
    keeps the object in the state, partly made, and the next apply finishes it."""

    def __init__(self, id_: str, error: CloudError):
        super().__init__(error.message, code=error.code, action=error.action, parameter=error.parameter,
                         status=error.status, request_id=error.request_id, retry_after_s=error.retry_after_s)
        self.id = id_
        self.error = error


@contextmanager
def partly_made(id_: str) -> Iterator[None]:
    """Wraps the calls of a create after the one that made object `id_`: a CloudError among them becomes
    `PartlyMade(id_, error)`."""
    try:
        yield
    except PartlyMade:
        raise
    except CloudError as error:
        raise PartlyMade(id_, error) from error


class BatchReader(Protocol):
    """Optional, for kinds that can read many objects in few calls (list calls, or many ids per call).

    `read_many` answers every id asked (None: gone), as `read` would, reading nothing twice; with a
    `ListingCache` it may answer from a listing made moments ago by another call.

    `batch_min` (optional attribute): the fewest objects for which `read_many` costs fewer calls than
    reads one by one — 2 for readers that ask by id, more for readers that list a whole region (whose
    cost grows with objects ecsops does not manage). Without it, `observe.BATCH_MIN`.
    """

    def read_many(self, cloud: "Cloud", priors: Mapping[str, Mapping[str, Any] | None], *,
                  cache: "ListingCache | None" = None) -> dict[str, Observed | None]: ...


@dataclass(frozen=True)
class Found:
    """An object of a kind as a listing of a whole region reports it (for `drift --unmanaged`)."""

    id: str            # in the kind's own id format: what `ecsops import STACK NAME ID` takes
    name: str | None   # the name users know it by (a command's or rule's name); None when it has none


class Inventory(Protocol):
    """Optional, for kinds whose objects can be listed (for `drift --unmanaged`, engine/unmanaged.py).

    `list_all` answers every object of the kind in `cloud.region` that a user could manage with ecsops — each
    in the id format `import` and `read` take — and reads only. For kinds whose objects always exist (the
    maintenance attributes of an instance, the delivery settings of a region) only those whose settings
    differ from the platform's defaults: the others are nobody's work. Where the listing is the raw listing
    `read_many` (or a cloud check) makes, it is fetched through the same `ListingCache` key, so one listing
    serves drift's reads and the inventory.

    `parts` (optional method): the inventory ids a managed id covers, when the two differ (a maintenance set
    `region:i-1,i-2` covers the instances `region:i-1` and `region:i-2`); without it, the id itself.

    `account_wide` (optional attribute, default False): the kind's objects belong to the account, not to a
    region (CloudMonitor's event rules); they are listed once, whatever region the cloud is given.
    """

    def list_all(self, cloud: "Cloud", *, cache: "ListingCache | None" = None) -> list[Found]: ...


@dataclass(frozen=True)
class Kind:
    """One resource kind, as data the engine reads."""

    type_name: str                  # "ecsops:Command": the YAML `type`
    spec: type[Spec]
    outputs: type[Outputs]
    lifecycle: Lifecycle = field(compare=False)
    id_output: str                  # the output holding the cloud identity, e.g. "commandId"
    summary: str
    delete_before_replace: bool = False
    #: Rules that hold only for an object about to be made (an `at` time must lie ahead): checked by plan
    #: and apply for creates and replaces, never against objects that already exist.
    creation_checks: CreationCheck | None = field(default=None, compare=False)
    #: Rules across resources (see `StackCheck`).
    stack_checks: StackCheck | None = field(default=None, compare=False)
    #: Outputs a plan can already show for a new object (the next run times of a schedule).
    preview: Preview | None = field(default=None, compare=False)
    #: Warnings about valid values (an event name the documentation does not list).
    advice: Advice | None = field(default=None, compare=False)
    #: For kinds whose identity the user chooses (a rule name): the object already holding that identity,
    #: so that a create never silently takes over an object made elsewhere. Reads only.
    find_existing: FindExisting | None = field(default=None, compare=False)
    #: Rules only the cloud can judge (AutoRedeploy needs local disks): reads only, run before any write.
    #: Values known only after apply (see `values.UNKNOWN`) may be in the spec: never send them.
    cloud_checks: CloudCheck | None = field(default=None, compare=False)

    @property
    def module(self) -> str:
        """The module that defines (and, when imported, registers) this kind."""
        return self.spec.__module__

    @cached_property
    def fields(self) -> dict[str, FieldPolicy]:
        """Declared fields (wire names) and their policies, in declaration order."""
        return policies(self.spec)

    @cached_property
    def output_names(self) -> tuple[str, ...]:
        return tuple(info.alias or name for name, info in self.outputs.model_fields.items())

    @cached_property
    def field_by_wire(self) -> dict[str, str]:
        """API parameter name -> field, to point an API error at the field the user wrote."""
        return {policy.wire: name for name, policy in self.fields.items() if policy.wire}

    def secret_fields(self) -> frozenset[str]:
        return frozenset(name for name, policy in self.fields.items() if policy.secret)

    @property
    def batch_reader(self) -> BatchReader | None:
        return self.lifecycle if hasattr(self.lifecycle, "read_many") else None  # type: ignore[return-value]

    @property
    def inventory(self) -> Inventory | None:
        """The lifecycle when it can list its kind (asked of its class: every registered kind is asked, and a
        lifecycle's own attribute look-up is never run for it)."""
        return self.lifecycle if hasattr(type(self.lifecycle), "list_all") else None  # type: ignore[return-value]


class UnknownKind(LookupError):
    pass


_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Adds a kind to the registry (kinds call this once, at import)."""
    existing = _KINDS.get(kind.type_name)
    if existing is not None and existing is not kind:
        raise ValueError(f"two kinds claim the type {kind.type_name}")
    _KINDS[kind.type_name] = kind
    return kind


def get(type_: str) -> Kind:
    try:
        return _KINDS[type_]
    except KeyError:
        known = ", ".join(sorted(_KINDS)) or "none registered"
        raise UnknownKind(f"unknown resource type {type_!r} (known types: {known}){did_you_mean(type_, _KINDS)}"
                          ) from None


def registered() -> tuple[Kind, ...]:
    return tuple(_KINDS[name] for name in sorted(_KINDS))
