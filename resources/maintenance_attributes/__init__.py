"""`ecsops:MaintenanceAttributes` — what happens to a set of instances when the platform must repair their host.

A settings kind: the API has no create or delete. Create is "modify to the declared settings", delete is
"modify back to the platform defaults" (AutoRecover, no notice, no window). Identity: the region and the
sorted instance ids; a new instance set replaces (the old set goes back to the defaults first, so two sets
sharing instances never overwrite each other). Two resources of a stack may not claim the same instance.

Each field's declaration is all there is of it: every ModifyInstanceMaintenanceAttributes request (create,
update, and delete, which sends the spec's own defaults) and the read-back are built from the declarations
(engine/wire.py); the lifecycle adds only the identity, the region and the batched reads.
"""

from __future__ import annotations

import re
from contextlib import nullcontext
from typing import Annotated, Any, Literal, Mapping

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ecsops.cloud import operations as ops
from ecsops.cloud.client import Cloud
from ecsops.cloud.errors import InvalidInput, NotFound
from ecsops.engine.kind import (Found, Kind, Neighbour, Observed, Outputs, Problem, Spec, of_type, partly_made,
                                 read_back, register)
from ecsops.engine.listing import ListingCache, fetched
from ecsops.engine.policy import in_place, replace
from ecsops.engine.scalars import Flag
from ecsops.engine.wire import FLAG, SORTED, ListOfOne, Record, create_request, declared, read_values
from ecsops.engine.values import is_unknown
from ecsops.resources.scheduled_invocation import INSTANCE_ID

MAX_INSTANCES = 100
LISTING_KEY = "maintenance-attributes"  # with the region: every instance's attributes (cloud checks, inventory)
ON_THE_HOUR = re.compile(r"^([01]\d|2[0-3]):00:00\Z")


class MaintenanceWindow(BaseModel):
    """One daily window, in UTC+8, on the hour, 1 to 23 hours long (it may wrap past midnight)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: Annotated[str, in_place(wire="StartTime"), Field(description="HH:00:00, UTC+8")]
    end: Annotated[str, in_place(wire="EndTime"), Field(description="HH:00:00, UTC+8")]

    @field_validator("start", "end")
    @classmethod
    def _on_the_hour(cls, value: str) -> str:
        if not ON_THE_HOUR.match(value):
            raise ValueError(f"{value!r} is not a time of day on the hour: write HH:00:00 (00-23), UTC+8")
        return value

    @model_validator(mode="after")
    def _length(self) -> "MaintenanceWindow":
        hours = (int(self.end[:2]) - int(self.start[:2])) % 24
        if not 1 <= hours <= 23:
            raise ValueError(f"the window {self.start}-{self.end} lasts {hours} hours; it must last 1 to 23")
        return self


class MaintenanceAttributesSpec(Spec):
    """The maintenance action, notice and window of a set of instances."""

    instance_ids: Annotated[list[str], replace(wire="InstanceId", codec=SORTED, normalise=sorted,
                                               reason="the instance set is the identity of these settings"),
                            Field(min_length=1, max_length=MAX_INSTANCES)]
    action: Annotated[Literal["AutoRecover", "Stop", "AutoRedeploy"],
                      in_place(wire="ActionOnMaintenance", read="ActionOnMaintenance.Value"),
                      Field(description="AutoRedeploy only for instances with local disks.")] = "AutoRecover"
    notify: Annotated[Flag, in_place(wire="NotifyOnMaintenance", codec=FLAG)] = False
    # A window of "" to "" clears it: the API keeps a window that is simply left out.
    window: Annotated[MaintenanceWindow | None, in_place(wire="MaintenanceWindow", codec=ListOfOne(Record(
        MaintenanceWindow)), read="MaintenanceWindows.MaintenanceWindow")] = None

    @field_validator("instance_ids")
    @classmethod
    def _instance_ids_valid(cls, ids: list[str]) -> list[str]:
        for id_ in ids:
            if not is_unknown(id_) and not INSTANCE_ID.match(id_):
                raise ValueError(f"{id_!r} is not an instance id (i-...)")
        if len(set(ids)) != len(ids):
            raise ValueError("an instance is listed twice")
        return ids


class MaintenanceAttributesOutputs(Outputs):
    settings_id: str


def settings_id(region: str, instance_ids: list[str]) -> str:
    return f"{region}:{','.join(sorted(instance_ids))}"


def parse_id(id_: str) -> tuple[str, list[str]]:
    region, _, ids = id_.partition(":")
    return region, ids.split(",")


class MaintenanceAttributesLifecycle:
    batch_min = 2  # read_many asks by instance id: never dearer than one read per set

    def create(self, cloud: Cloud, spec: MaintenanceAttributesSpec, *, token: str) -> Observed:
        return self._set(cloud, cloud.region, spec, creating=True)

    def read(self, cloud: Cloud, id_: str, *, prior: Mapping[str, Any] | None) -> Observed | None:
        region, ids = parse_id(id_)
        try:
            attributes = describe(cloud, region, ids)
        except (NotFound, InvalidInput):  # an instance of the set is gone: so are its settings
            return None
        return observed(region, ids, attributes)

    def read_many(self, cloud: Cloud, priors: Mapping[str, Mapping[str, Any] | None], *,
                  cache: ListingCache | None = None) -> dict[str, Observed | None]:
        """The instances of every set asked, 100 per call; a set with a vanished instance is read alone."""
        by_region: dict[str, list[str]] = {}
        for id_ in priors:
            region, ids = parse_id(id_)
            by_region.setdefault(region, []).extend(ids)
        attributes: dict[str, dict[str, Any]] = {}
        for region, ids in by_region.items():
            unique = sorted(set(ids))
            for start in range(0, len(unique), MAX_INSTANCES):
                try:
                    attributes.update(describe(cloud, region, unique[start:start + MAX_INSTANCES]))
                except (NotFound, InvalidInput):
                    continue  # an instance of the chunk is gone: its sets are read alone below
        found: dict[str, Observed | None] = {}
        for id_ in priors:
            region, ids = parse_id(id_)
            found[id_] = (observed(region, ids, attributes) if all(i in attributes for i in ids)
                          else self.read(cloud, id_, prior=priors[id_]))
        return found

    def list_all(self, cloud: Cloud, *, cache: ListingCache | None = None) -> list[Found]:
        """The region's instances whose attributes are not the platform's defaults (AutoRecover, no notice, no
        window), each as the set of that one instance (`region:i-...`, which `import` takes); no name."""
        listed = listed_attributes(cloud, cache)
        return [Found(settings_id(cloud.region, [id_]), None) for id_, item in listed.items()
                if read_values(MaintenanceAttributesSpec, item) != defaults(id_)]

    def parts(self, id_: str) -> list[str]:
        """The inventory ids of a set: one per instance."""
        region, ids = parse_id(id_)
        return [settings_id(region, [instance]) for instance in ids]

    def update(self, cloud: Cloud, id_: str, spec: MaintenanceAttributesSpec, *, prior: Mapping[str, Any],
               changed: frozenset[str]) -> Observed:
        region, _ = parse_id(id_)
        return self._set(cloud, region, spec)

    def delete(self, cloud: Cloud, id_: str, *, prior: Mapping[str, Any]) -> None:
        region, ids = parse_id(id_)
        # The spec's defaults are the platform's: AutoRecover, no notice, no window.
        platform = MaintenanceAttributesSpec.model_construct(instance_ids=ids)
        try:
            cloud.call(ops.MODIFY_INSTANCE_MAINTENANCE_ATTRIBUTES, create_request(platform), region=region)
        except (NotFound, InvalidInput) as error:
            if error.parameter != "InstanceId":
                raise

    def _set(self, cloud: Cloud, region: str, spec: MaintenanceAttributesSpec, *, creating: bool = False) -> Observed:
        """Every setting, as declared, in one Modify (the instance set is the spec's, which is the id's)."""
        cloud.call(ops.MODIFY_INSTANCE_MAINTENANCE_ATTRIBUTES, create_request(spec), region=region)
        id_ = settings_id(region, spec.instance_ids)
        with partly_made(id_) if creating else nullcontext():  # a create: the settings are ours from here on
            return read_back(self, cloud, id_, prior=None, what="maintenance attributes")


def describe(cloud: Cloud, region: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    answer = cloud.call(ops.DESCRIBE_INSTANCE_MAINTENANCE_ATTRIBUTES,
                        {"InstanceId": ids, "PageSize": MAX_INSTANCES}, region=region)
    items = answer.get("MaintenanceAttributes", {}).get("MaintenanceAttribute", [])
    return {item["InstanceId"]: item for item in items}


def region_attributes(cloud: Cloud) -> dict[str, dict[str, Any]]:
    """The attributes of every instance of the stack's region, page by page (100 a page)."""
    items = cloud.fetch_all_numbered(ops.DESCRIBE_INSTANCE_MAINTENANCE_ATTRIBUTES, {},
                                     ("MaintenanceAttributes", "MaintenanceAttribute"), page_size=MAX_INSTANCES)
    return {item["InstanceId"]: item for item in items}


def listed_attributes(cloud: Cloud, cache: ListingCache | None) -> dict[str, dict[str, Any]]:
    """`region_attributes`, through `cache` when given (the listing the cloud checks share)."""
    return fetched(cache, (LISTING_KEY, cloud.region), lambda: region_attributes(cloud))


def defaults(instance_id: str) -> dict[str, Any]:
    """The platform's attributes of an instance nobody changed (the spec's defaults), in spec terms."""
    return MaintenanceAttributesSpec.model_construct(instance_ids=[instance_id]).wire_values()


def observed(region: str, ids: list[str], attributes: Mapping[str, Mapping[str, Any]]) -> Observed:
    """The settings of the set; a field on which the instances disagree is reported per instance. The set is the
    identity (each instance's answer names only itself)."""
    per_instance = {id_: read_values(MaintenanceAttributesSpec, attributes[id_]) for id_ in sorted(ids)
                    if id_ in attributes}
    values: dict[str, Any] = {"instanceIds": sorted(ids)}
    for field in [name for name in declared(MaintenanceAttributesSpec) if name not in values]:
        seen = [read[field] for read in per_instance.values()]
        values[field] = seen[0] if all(value == seen[0] for value in seen) else {
            id_: read[field] for id_, read in per_instance.items()}
    id_ = settings_id(region, ids)
    return Observed(id=id_, reported=values, outputs={"settingsId": id_})


def cloud_checks(cloud: Cloud, spec: MaintenanceAttributesSpec, *,
                 cache: ListingCache | None = None) -> list[Problem]:
    """Every instance must exist, and support the action (AutoRedeploy needs local disks). Ids known only
    after apply are not asked about: the cloud would be sent a placeholder. With a cache, the region's
    attributes are listed once for every set checked; ids the listing lacks are asked about alone."""
    ids = [id_ for id_ in spec.instance_ids if not is_unknown(id_)]
    attributes: dict[str, dict[str, Any]] = {}
    if cache is not None:
        listed = listed_attributes(cloud, cache)
        attributes = {id_: listed[id_] for id_ in ids if id_ in listed}
    unlisted = [id_ for id_ in ids if id_ not in attributes]
    if unlisted:
        try:
            attributes.update(describe(cloud, cloud.region, unlisted))
        except (NotFound, InvalidInput) as error:
            return [("instanceIds", f"{error.message}")]
    problems: list[Problem] = []
    for id_ in sorted(ids):
        supported = attributes.get(id_, {}).get("ActionOnMaintenance", {}).get("SupportedValues", {}).get(
            "SupportedValue", [])
        if supported and spec.action not in supported:
            problems.append(("action", f"{id_} does not support {spec.action} (it supports {', '.join(supported)}; "
                                       "AutoRedeploy needs local disks)"))
    return problems


def stack_checks(properties: Mapping[str, Any], values: Mapping[str, Any], neighbours: Mapping[str, Neighbour], *,
                 region: str | None = None) -> list[Problem]:
    """No instance may be claimed by two MaintenanceAttributes of one stack."""
    mine = set(values.get("instanceIds") or [])
    problems: list[Problem] = []
    for neighbour in of_type(neighbours, KIND.type_name):
        shared = sorted(mine & set(neighbour.values.get("instanceIds") or []))
        if shared:
            problems.append(("instanceIds", f"{', '.join(shared)} also claimed by {neighbour.name!r}: an instance "
                                            "has one set of maintenance attributes"))
    return problems


KIND = register(Kind(
    type_name="ecsops:MaintenanceAttributes",
    spec=MaintenanceAttributesSpec,
    outputs=MaintenanceAttributesOutputs,
    lifecycle=MaintenanceAttributesLifecycle(),
    id_output="settingsId",
    summary="The maintenance action (AutoRecover, Stop, AutoRedeploy), notice and window of instances.",
    delete_before_replace=True,
    stack_checks=stack_checks,
    cloud_checks=cloud_checks,
))
