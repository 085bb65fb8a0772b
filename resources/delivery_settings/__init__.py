"""`ecsops:DeliverySettings` — where Cloud Assistant archives execution records in one region: an OSS bucket,
a Log Service logstore, or both (ModifyCloudAssistantSettings, docs/wire.md §2; guide 4.6).

A settings kind: create is "modify to the declared settings", delete is "disable both destinations".
Identity: the region and the setting type (InvocationDelivery, SessionManagerDelivery); changing either
replaces. Delivery never crosses regions: the bucket and the project must be in the settings' region, which
the service checks (its code is reported against `oss` or `logService`).

Each field's declaration, down to the parts of a destination, is all there is of it: every
ModifyCloudAssistantSettings request (create, update, and delete, which sends the spec's defaults: both
destinations disabled) and the read-back are built from the declarations (engine/wire.py); the lifecycle adds
only the identity and the choice, in an answer, of the entries of its own delivery type.
"""

from __future__ import annotations

import re
from contextlib import nullcontext
from typing import Annotated, Any, Literal, Mapping, cast

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

from ecsops.cloud import operations as ops
from ecsops.cloud.client import Cloud
from ecsops.engine.kind import (Found, Kind, Neighbour, Observed, Outputs, Problem, Spec, of_type, partly_made,
                                 read_back, register)
from ecsops.engine.listing import ListingCache, fetched
from ecsops.engine.policy import in_place, replace
from ecsops.engine.scalars import Flag
from ecsops.engine.wire import FLAG, OPTIONAL_TEXT, Record, create_request, declared, read_values
from ecsops.resources.names import log_project, logstore

BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]\Z")
DELIVERY_TYPES = {"InvocationDelivery": "Invocation", "SessionManagerDelivery": "SessionManager"}
REPLACE_REASON = "the region and setting type are the identity of these settings"
SettingType = Literal["InvocationDelivery", "SessionManagerDelivery"]
KIND_TYPE = "ecsops:DeliverySettings"


class _Part(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)


class OssDelivery(_Part):
    enabled: Annotated[Flag, in_place(wire="Enabled", codec=FLAG)] = False
    bucket: Annotated[str | None, in_place(wire="BucketName", codec=OPTIONAL_TEXT),
                      Field(description="A bucket in the settings' region.")] = None
    prefix: Annotated[str, in_place(wire="Prefix"),
                      Field(max_length=254, description="Key prefix, without a leading '/'.")] = ""

    @field_validator("bucket")
    @classmethod
    def _bucket_named(cls, bucket: str | None) -> str | None:
        if bucket is not None and not BUCKET_NAME.match(bucket):
            raise ValueError(f"{bucket!r} is not a bucket name (3-63 lowercase letters, digits and '-')")
        return bucket

    @field_validator("prefix")
    @classmethod
    def _prefix_relative(cls, prefix: str) -> str:
        if prefix.startswith("/"):
            raise ValueError("a prefix does not start with '/'")
        return prefix

    @model_validator(mode="after")
    def _bucket_when_enabled(self) -> "OssDelivery":
        if self.enabled and not self.bucket:
            raise ValueError("enabled delivery to OSS needs a bucket")
        return self


class LogServiceDelivery(_Part):
    enabled: Annotated[Flag, in_place(wire="Enabled", codec=FLAG)] = False
    project: Annotated[str | None, in_place(wire="ProjectName", codec=OPTIONAL_TEXT)] = None
    logstore: Annotated[str | None, in_place(wire="LogstoreName", codec=OPTIONAL_TEXT)] = None

    @field_validator("project")
    @classmethod
    def _project_named(cls, project: str | None) -> str | None:
        return log_project(project) if project else project

    @field_validator("logstore")
    @classmethod
    def _logstore_named(cls, name: str | None) -> str | None:
        return logstore(name) if name else name

    @model_validator(mode="after")
    def _destination_when_enabled(self) -> "LogServiceDelivery":
        if self.enabled and not (self.project and self.logstore):
            raise ValueError("enabled delivery to Log Service needs a project and a logstore")
        return self


class DeliverySettingsSpec(Spec):
    """Where Cloud Assistant delivers execution records (or session records) of one region."""

    region: Annotated[str, replace(wire="RegionId", reason=REPLACE_REASON), Field(pattern=r"^[a-z]{2}-[a-z0-9-]+$")]
    setting_type: Annotated[SettingType, replace(wire="SettingType", reason=REPLACE_REASON)] = "InvocationDelivery"
    # Objects: the SDK's request model sends them as the JSON strings the API takes.
    oss: Annotated[OssDelivery, in_place(wire="OssDeliveryConfig", codec=Record(OssDelivery))] = OssDelivery()
    log_service: Annotated[LogServiceDelivery, in_place(wire="SlsDeliveryConfig", codec=Record(
        LogServiceDelivery))] = LogServiceDelivery()


class DeliverySettingsOutputs(Outputs):
    settings_id: str


def settings_id(region: str, setting_type: str) -> str:
    return f"{region}:{setting_type}"


class DeliverySettingsLifecycle:
    batch_min = 2  # read_many answers both setting types of a region in one call

    def create(self, cloud: Cloud, spec: DeliverySettingsSpec, *, token: str) -> Observed:
        return self._set(cloud, spec, creating=True)

    def read(self, cloud: Cloud, id_: str, *, prior: Mapping[str, Any] | None) -> Observed | None:
        region, _, setting_type = id_.partition(":")
        answer = cloud.call(ops.DESCRIBE_CLOUD_ASSISTANT_SETTINGS, {"SettingType": [setting_type]}, region=region)
        return observed(region, setting_type, answer)

    def read_many(self, cloud: Cloud, priors: Mapping[str, Mapping[str, Any] | None], *,
                  cache: ListingCache | None = None) -> dict[str, Observed | None]:
        """One call per region answers both setting types (through `cache` when given)."""
        answers: dict[str, Mapping[str, Any]] = {}
        for region in sorted({id_.partition(":")[0] for id_ in priors}):
            answers[region] = region_settings(cloud, region, cache)
        found: dict[str, Observed | None] = {}
        for id_ in priors:
            region, _, setting_type = id_.partition(":")
            found[id_] = observed(region, setting_type, answers[region])
        return found

    def list_all(self, cloud: Cloud, *, cache: ListingCache | None = None) -> list[Found]:
        """The region's setting types whose settings are not the platform's defaults (both destinations
        disabled, no bucket, prefix, project or logstore), as `region:SettingType`; no name."""
        answer = region_settings(cloud, cloud.region, cache)
        found = [observed(cloud.region, setting_type, answer) for setting_type in sorted(DELIVERY_TYPES)]
        return [Found(seen.id, None) for seen in found if seen.reported != platform_defaults(seen.id)]

    def update(self, cloud: Cloud, id_: str, spec: DeliverySettingsSpec, *, prior: Mapping[str, Any],
               changed: frozenset[str]) -> Observed:
        return self._set(cloud, spec)

    def delete(self, cloud: Cloud, id_: str, *, prior: Mapping[str, Any]) -> None:
        region, _, setting_type = id_.partition(":")
        # The spec's defaults (both destinations disabled), for the id's type (made from a spec: a SettingType).
        defaults = DeliverySettingsSpec.model_construct(region=region, setting_type=cast(SettingType, setting_type))
        cloud.call(ops.MODIFY_CLOUD_ASSISTANT_SETTINGS, create_request(defaults), region=region)

    def _set(self, cloud: Cloud, spec: DeliverySettingsSpec, *, creating: bool = False) -> Observed:
        """Every setting, as declared, in one Modify."""
        cloud.call(ops.MODIFY_CLOUD_ASSISTANT_SETTINGS, create_request(spec), region=spec.region)
        id_ = settings_id(spec.region, spec.setting_type)
        with partly_made(id_) if creating else nullcontext():  # a create: the settings are ours from here on
            return read_back(self, cloud, id_, prior=None, what="delivery settings")


def region_settings(cloud: Cloud, region: str, cache: ListingCache | None) -> dict[str, Any]:
    """DescribeCloudAssistantSettings' answer of both setting types of `region`, through `cache` when given."""
    return fetched(cache, (KIND_TYPE, region), lambda: cloud.call(
        ops.DESCRIBE_CLOUD_ASSISTANT_SETTINGS, {"SettingType": sorted(DELIVERY_TYPES)}, region=region))


def platform_defaults(id_: str) -> dict[str, Any]:
    """The settings of a region and type nobody changed (the spec's defaults), in spec terms."""
    region, _, setting_type = id_.partition(":")
    return DeliverySettingsSpec.model_construct(region=region,
                                                setting_type=cast(SettingType, setting_type)).wire_values()


def observed(region: str, setting_type: str, answer: Mapping[str, Any]) -> Observed:
    """The settings of one type. The answer lists each destination per delivery type (`OssDeliveryConfig` under
    `OssDeliveryConfigs`, one entry a type): this type's entries, under their parameters, with the identity
    asked about, are the item read (as a Modify request would carry it; a destination not listed: disabled)."""
    delivery = DELIVERY_TYPES[setting_type]
    item: dict[str, Any] = {"RegionId": region, "SettingType": setting_type}
    for wire in [str(policy.wire) for policy in declared(DeliverySettingsSpec).values() if policy.wire not in item]:
        item[wire] = next((entry for entry in answer.get(f"{wire}s", {}).get(wire, [])
                           if entry.get("DeliveryType") == delivery), {})
    id_ = settings_id(region, setting_type)
    return Observed(id=id_, reported=read_values(DeliverySettingsSpec, item), outputs={"settingsId": id_})


def stack_checks(properties: Mapping[str, Any], values: Mapping[str, Any], neighbours: Mapping[str, Neighbour], *,
                 region: str | None = None) -> list[Problem]:
    """One region and setting type may be declared once per stack."""
    mine = (values.get("region"), values.get("settingType"))
    return [("settingType", f"{mine[1]} of {mine[0]} is also declared by {neighbour.name!r}")
            for neighbour in of_type(neighbours, KIND.type_name)
            if (neighbour.values.get("region"), neighbour.values.get("settingType")) == mine]


KIND = register(Kind(
    type_name=KIND_TYPE,
    spec=DeliverySettingsSpec,
    outputs=DeliverySettingsOutputs,
    lifecycle=DeliverySettingsLifecycle(),
    id_output="settingsId",
    summary="Where Cloud Assistant archives the execution records of a region: OSS and/or Log Service.",
    stack_checks=stack_checks,
))
