"""`ecsops:LicenseTask` — how many instances or vCPUs a software license may cover, and what it discovers.

License Manager has no public API in any SDK or reference (docs/wire.md §5): ecsops defines it in its emulator,
and a stack declaring a license task against anything else is refused at plan with that explanation.

Identity: the task id. In place: description, limit, active, and discovery rules *added*. Replace: name,
license type, region, and any rule removed or changed — rules can only be added (the guide, 6.3).

Each field's declaration is all there is of it: the create and modify requests, the rules an
AddLicenseDiscoveryRules call sends, and the read-back are built from the declarations (engine/wire.py). The
lifecycle adds only what is the API's own: the ClientToken, the region a task is asked for in, and `active`,
which ActivateLicenseTask / DeactivateLicenseTask switch and the answer reports as the task's Status.
"""

from __future__ import annotations

from contextlib import suppress
import re
from typing import Annotated, Any, Literal, Mapping

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ecsops.cloud import operations as ops
from ecsops.cloud.client import Cloud
from ecsops.cloud.errors import NotFound
from ecsops.engine.kind import (Found, Kind, Neighbour, Observed, Outputs, Problem, Spec, of_type, partly_made,
                                 read_back, register)
from ecsops.engine.listing import ListingCache, fetched
from ecsops.engine.policy import add_only, in_place, replace
from ecsops.engine.scalars import STRICT_NUMBER, Flag
from ecsops.engine.values import canonical
from ecsops.engine.wire import (NUMBER, OPTIONAL_TEXT, Nested, create_request, declared, modify_request,
                                read_values)

REGIONS = ("cn-hangzhou", "us-west-1", "us-east-1")
KIND_TYPE = "ecsops:LicenseTask"
TASKS_PER_REGION = 25
PAGE = 100
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9._:-]{1,127}\Z")
RULES_REASON = "discovery rules can only be added"
ACTIVATED = "Activated"
NO_PUBLIC_API = ("License Manager has no public API (no SDK or API reference has it): ecsops provides it in "
                 "its emulator only, so license tasks need the embedded emulator or `ecsops emulator serve`")


class DiscoveryRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    product: Annotated[str, in_place(wire="Product"),
                       Field(min_length=1, description="An installed product, e.g. Windows Server.")]
    version: Annotated[str | None, in_place(wire="Version", codec=OPTIONAL_TEXT),
                       Field(description="Only this version (any version when left out).")] = None

    @field_validator("version")
    @classmethod
    def _empty_is_any(cls, version: str | None) -> str | None:
        """`""` means every version to License Manager, as leaving the version out does, and the cloud
        reports both alike: one spelling keeps a rule equal to its read-back (no endless replace)."""
        return version or None


RULES = Nested(DiscoveryRule)  # each rule as {"Product", "Version"}, a version left out when any will do


class LicenseTaskSpec(Spec):
    """A license management task: a limit of instances or vCPUs, and the rules that find them."""

    name: Annotated[str, replace(wire="Name", reason="a task's name cannot be changed")]
    description: Annotated[str, in_place(wire="Description"), Field(min_length=2, max_length=256)]
    license_type: Annotated[Literal["Instance", "vCPU"], replace(wire="LicenseType",
                                                                 reason="a task's counting cannot be changed")]
    limit: Annotated[int, in_place(wire="LicenseLimit", codec=NUMBER), Field(ge=1, le=100_000), STRICT_NUMBER]
    discovery_rules: Annotated[list[DiscoveryRule], add_only(wire="DiscoveryRule", codec=RULES,
                                                             read="DiscoveryRules.DiscoveryRule", reason=RULES_REASON),
                               Field(min_length=1)]
    active: Annotated[Flag, in_place()] = True
    region: Annotated[str | None, replace(wire="RegionId", reason="a task lives in one region"), Field(
        description=f"One of {', '.join(REGIONS)} (default: the stack's region).")] = None

    @field_validator("name")
    @classmethod
    def _name_valid(cls, name: str) -> str:
        if name.lower().startswith(("http://", "https://")):
            raise ValueError("a name may not start with http:// or https://")
        if not NAME.match(name):
            raise ValueError(f"{name!r}: 2-128 letters, digits, '.', '_', '-' or ':', starting with a letter")
        return name

    @field_validator("region")
    @classmethod
    def _region_supported(cls, region: str | None) -> str | None:
        if region is not None and region not in REGIONS:
            raise ValueError(f"License Manager is available in {', '.join(REGIONS)} only, not {region}")
        return region

    @field_validator("discovery_rules")
    @classmethod
    def _rules_unique(cls, rules: list[DiscoveryRule]) -> list[DiscoveryRule]:
        if len(set(rules)) != len(rules):
            raise ValueError("a discovery rule is given twice")
        return rules


class LicenseTaskOutputs(Outputs):
    license_task_id: str
    status: str = ""
    consumed: int = 0
    tracked_count: int = 0
    failed_count: int = 0


class LicenseTaskLifecycle:
    batch_min = 2  # read_many asks by task id: never dearer than one read per task

    def create(self, cloud: Cloud, spec: LicenseTaskSpec, *, token: str) -> Observed:
        values = spec.wire_values()
        region = spec.region or cloud.region
        body = cloud.call(ops.CREATE_LICENSE_TASK, {**create_request(spec), "ClientToken": token}, region=region)
        with partly_made(body["LicenseTaskId"]):
            if not spec.active:
                cloud.call(ops.DEACTIVATE_LICENSE_TASK, {"LicenseTaskId": body["LicenseTaskId"]}, region=region)
            return read_back(self, cloud, body["LicenseTaskId"], prior=values, what="license task")

    def read(self, cloud: Cloud, id_: str, *, prior: Mapping[str, Any] | None) -> Observed | None:
        region = (prior or {}).get("region") or cloud.region
        body = cloud.call(ops.DESCRIBE_LICENSE_TASKS, {"LicenseTaskId": [id_]}, region=region)
        found = [task for task in body.get("LicenseTasks", {}).get("LicenseTask", []) if task["LicenseTaskId"] == id_]
        return observed_task(found[0], (prior or {}).get("region")) if found else None

    def read_many(self, cloud: Cloud, priors: Mapping[str, Mapping[str, Any] | None], *,
                  cache: ListingCache | None = None) -> dict[str, Observed | None]:
        """The tasks of each region, 100 ids per call."""
        by_region: dict[str, list[str]] = {}
        for id_, prior in priors.items():
            by_region.setdefault((prior or {}).get("region") or cloud.region, []).append(id_)
        tasks: dict[str, Mapping[str, Any]] = {}
        for region, ids in by_region.items():
            for start in range(0, len(ids), PAGE):
                body = cloud.call(ops.DESCRIBE_LICENSE_TASKS, {"LicenseTaskId": ids[start:start + PAGE],
                                                               "MaxResults": PAGE}, region=region)
                listed = body.get("LicenseTasks", {}).get("LicenseTask", [])
                tasks.update({task["LicenseTaskId"]: task for task in listed})
        return {id_: observed_task(tasks[id_], (prior or {}).get("region")) if id_ in tasks else None
                for id_, prior in priors.items()}

    def list_all(self, cloud: Cloud, *, cache: ListingCache | None = None) -> list[Found]:
        """The region's tasks, by id and name. None where License Manager is not: outside its regions, and
        anywhere but the emulator (it has no public API), so an inventory of the real cloud is not refused."""
        if cloud.region not in REGIONS or not cloud.is_emulator():
            return []
        tasks = fetched(cache, (KIND_TYPE, cloud.region), lambda: cloud.fetch_all(
            ops.DESCRIBE_LICENSE_TASKS, {}, ("LicenseTasks", "LicenseTask"), page_size=PAGE))
        return [Found(task["LicenseTaskId"], task.get("Name")) for task in tasks]

    def update(self, cloud: Cloud, id_: str, spec: LicenseTaskSpec, *, prior: Mapping[str, Any],
               changed: frozenset[str]) -> Observed:
        region = spec.region or cloud.region
        values = spec.wire_values()
        if modify_request(spec, changed):  # ModifyLicenseTask is sent all it carries (description and limit)
            modified = modify_request(spec, declared(LicenseTaskSpec))
            cloud.call(ops.MODIFY_LICENSE_TASK, {"LicenseTaskId": id_, **modified}, region=region)
        if "discoveryRules" in changed:
            existing = {canonical(rule) for rule in prior.get("discoveryRules") or []}
            added = [rule for rule in values["discoveryRules"] if canonical(rule) not in existing]
            cloud.call(ops.ADD_LICENSE_DISCOVERY_RULES, {"LicenseTaskId": id_, "DiscoveryRule": RULES.encode(added)},
                       region=region)
        if "active" in changed:
            operation = ops.ACTIVATE_LICENSE_TASK if spec.active else ops.DEACTIVATE_LICENSE_TASK
            cloud.call(operation, {"LicenseTaskId": id_}, region=region)
        return read_back(self, cloud, id_, prior=values, what="license task")

    def delete(self, cloud: Cloud, id_: str, *, prior: Mapping[str, Any]) -> None:
        with suppress(NotFound):  # already gone: done
            cloud.call(ops.DELETE_LICENSE_TASK, {"LicenseTaskId": id_}, region=prior.get("region") or cloud.region)


def observed_task(task: Mapping[str, Any], region: str | None) -> Observed:
    """The task as declared; `region` is where it was asked for (None: the stack's), which the answer does not
    say, and `active` its Status."""
    values = {**read_values(LicenseTaskSpec, task), "active": task.get("Status") == ACTIVATED, "region": region}
    outputs = {"licenseTaskId": task["LicenseTaskId"], "status": task.get("Status", ""),
               "consumed": int(task.get("Consumed", 0)), "trackedCount": int(task.get("TrackedCount", 0)),
               "failedCount": int(task.get("FailedCount", 0))}
    return Observed(id=task["LicenseTaskId"], reported=values, outputs=outputs)


def cloud_checks(cloud: Cloud, spec: LicenseTaskSpec, *, cache: ListingCache | None = None) -> list[Problem]:
    """The product exists only in the emulator; the stack's region must be one License Manager serves."""
    if not cloud.is_emulator():
        return [(None, NO_PUBLIC_API)]
    if spec.region is None and cloud.region not in REGIONS:
        return [("region", f"License Manager is available in {', '.join(REGIONS)} only; the stack's region is "
                           f"{cloud.region}: set region")]
    return []


def stack_checks(properties: Mapping[str, Any], values: Mapping[str, Any], neighbours: Mapping[str, Neighbour], *,
                 region: str | None = None) -> list[Problem]:
    """A region holds at most 25 tasks: the stack alone may already declare too many. Tasks are counted by
    the region they will be in: a task naming no region is in its resource's (options.region, or the stack's)."""
    mine = values.get("region") or region
    same = sorted(neighbour.name for neighbour in of_type(neighbours, KIND.type_name)
                  if (neighbour.values.get("region") or neighbour.region or region) == mine)
    if len(same) + 1 <= TASKS_PER_REGION:
        return []
    where = mine or "the stack's region"
    return [("region", f"the stack declares {len(same) + 1} license tasks in {where}; a region holds at most "
                       f"{TASKS_PER_REGION}")]


KIND = register(Kind(
    type_name=KIND_TYPE,
    spec=LicenseTaskSpec,
    outputs=LicenseTaskOutputs,
    lifecycle=LicenseTaskLifecycle(),
    id_output="licenseTaskId",
    summary="A License Manager task (emulator-defined: no public API exists): a limit of instances or vCPUs "
            "and the discovery rules that find them.",
    cloud_checks=cloud_checks,
    stack_checks=stack_checks,
))
