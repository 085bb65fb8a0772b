"""Where Cloud Assistant delivers its records: ModifyCloudAssistantSettings, DescribeCloudAssistantSettings
(docs/wire.md §2; the ECS guide "4.6", "4.4.12").

Settings are kept per region and setting type: `InvocationDelivery` (execution records of commands, which the
emulator delivers: `ecsops.emulator.ecs.record_delivery`) and `SessionManagerDelivery` (session records: kept and
reported; the emulator has no sessions). Each holds an OSS part (`OssDeliveryConfig`: Enabled, BucketName,
Prefix, EncryptionType, EncryptionAlgorithm, EncryptionKeyId) and a Log Service part (`SlsDeliveryConfig`:
Enabled, ProjectName, LogstoreName), both disabled until modified. `AgentUpgradeConfig` and
`SessionManagerConfig` are setting types of the service the emulator does not emulate: they are refused with
400 InvalidParameter.SettingType, like any other type.

A Modify changes only the parts it is given, and in a part only the fields it is given (`Prefix: ""` clears
the prefix). The result is checked before it is stored: names always, destinations when enabled. Delivery
never crosses regions: an enabled bucket or Log Service project must be in the setting's region. A project
in another region is `InvalidSlsProjectName.NotFound`, since a Log Service project is reached through its
region's endpoint and does not exist in any other. Encryption settings are stored and reported; they are
not applied to the objects the emulator writes.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from ecsops.emulator.ecs.errors import CODES
from ecsops.emulator.ecs.models import instances as model
from ecsops.emulator.ecs.product import PRODUCT
from ecsops.emulator.service import Context

#: Setting type -> the `DeliveryType` its configurations are reported with.
DELIVERY_TYPES = {"InvocationDelivery": "Invocation", "SessionManagerDelivery": "SessionManager"}
ENCRYPTION_TYPES = ("Inherit", "OssManaged", "KMS")
ENCRYPTION_ALGORITHMS = ("", "AES256", "SM4")
PREFIX_LIMIT = 254
OSS_DEFAULT = {"Enabled": False, "BucketName": "", "Prefix": "", "EncryptionType": "Inherit",
               "EncryptionAlgorithm": "", "EncryptionKeyId": ""}
SLS_DEFAULT = {"Enabled": False, "ProjectName": "", "LogstoreName": ""}
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]\Z")
_PROJECT = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]\Z")
_LOGSTORE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]\Z")


def delivery_settings(tx: sqlite3.Connection, region: str, setting_type: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The (OSS, Log Service) configurations of the region and type, defaults filled in."""
    stored = model.assistant_settings(tx, region, setting_type)
    if stored is None:
        return dict(OSS_DEFAULT), dict(SLS_DEFAULT)
    return {**OSS_DEFAULT, **stored.oss}, {**SLS_DEFAULT, **stored.sls}


def oss_output_delivery(tx: sqlite3.Connection, region: str) -> str:
    """Where the region's InvocationDelivery sends records to OSS, as the invocation answers report it
    (`OssOutputDelivery`: `oss://bucket/prefix`, `oss://bucket` without a prefix); "" while OSS delivery is off."""
    oss, _ = delivery_settings(tx, region, "InvocationDelivery")
    if not oss["Enabled"]:
        return ""
    return "oss://" + "/".join(part for part in (oss["BucketName"], oss["Prefix"].rstrip("/")) if part)


@PRODUCT.operation("ModifyCloudAssistantSettings", writes=True)
def modify_cloud_assistant_settings(ctx: Context) -> dict[str, Any]:
    region = ctx.region()
    setting_type = _setting_type(ctx.params.text("SettingType", required=True) or "")
    oss, sls = delivery_settings(ctx.tx, region, setting_type)
    oss = _merged(ctx, "OssDeliveryConfig", oss)
    sls = _merged(ctx, "SlsDeliveryConfig", sls)
    _check_oss(ctx.tx, region, oss)
    _check_sls(ctx.tx, region, sls)
    model.store_assistant_settings(ctx.tx, region, setting_type, model.AssistantSettings(oss, sls))
    return {}


@PRODUCT.operation("DescribeCloudAssistantSettings", writes=False)
def describe_cloud_assistant_settings(ctx: Context) -> dict[str, Any]:
    """One OSS and one Log Service configuration per type asked for (`SettingType.N`), in the order asked."""
    region = ctx.region()
    asked = list(dict.fromkeys(ctx.params.strings("SettingType")))
    if not asked:
        raise CODES.error("MissingParameter", name="SettingType")
    oss_configs, sls_configs = [], []
    for setting_type in map(_setting_type, asked):
        oss, sls = delivery_settings(ctx.tx, region, setting_type)
        oss_configs.append({"DeliveryType": DELIVERY_TYPES[setting_type], **oss})
        sls_configs.append({"DeliveryType": DELIVERY_TYPES[setting_type], **sls})
    return {"OssDeliveryConfigs": {"OssDeliveryConfig": oss_configs},
            "SlsDeliveryConfigs": {"SlsDeliveryConfig": sls_configs}}


def _setting_type(value: str) -> str:
    if value not in DELIVERY_TYPES:
        raise CODES.error("InvalidParameter.SettingType", type=value,
                          reason=f"the emulator supports {' and '.join(DELIVERY_TYPES)}")
    return value


def _merged(ctx: Context, name: str, current: dict[str, Any]) -> dict[str, Any]:
    """`current` with the fields the JSON parameter `name` gives; unknown fields and wrong types refused."""
    given = ctx.params.json(name)
    if given is None:
        return current
    if not isinstance(given, dict):
        raise CODES.error("InvalidParameter", name=name, reason="expected a JSON object")
    merged = dict(current)
    for key, value in given.items():
        if key not in current:
            raise CODES.error("InvalidParameter", name=name,
                              reason=f"unknown field {key!r}: use {', '.join(current)}")
        merged[key] = _boolean(name, value) if key == "Enabled" else _text(name, key, value)
    return merged


def _boolean(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise CODES.error("InvalidParameter", name=f"{name}.Enabled", reason=f"{value!r} is not true or false")


def _text(name: str, key: str, value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise CODES.error("InvalidParameter", name=f"{name}.{key}", reason=f"{value!r} is not a string")
    return value


def _check_oss(tx: sqlite3.Connection, region: str, oss: dict[str, Any]) -> None:
    bucket, prefix = oss["BucketName"], oss["Prefix"]
    if bucket and not _BUCKET.match(bucket):
        raise CODES.error("InvalidParameter.OssBucketName", name=bucket)
    if len(prefix) > PREFIX_LIMIT:
        raise CODES.error("InvalidParameter.OssPrefix",
                          reason=f"it is {len(prefix)} characters; the limit is {PREFIX_LIMIT}")
    if prefix.startswith(("/", "\\")):
        raise CODES.error("InvalidParameter.OssPrefix", reason="it must not start with '/' or '\\'")
    _check_encryption(oss)
    if not oss["Enabled"]:
        return
    bucket_region = model.bucket_region(tx, bucket)
    if bucket_region is None:
        raise CODES.error("InvalidOssBucketName.NotFound", name=bucket)
    if bucket_region != region:
        raise CODES.error("InvalidOssBucketName.InOtherRegion", name=bucket, bucket_region=bucket_region,
                          region=region)


def _check_encryption(oss: dict[str, Any]) -> None:
    if oss["EncryptionType"] not in ENCRYPTION_TYPES:
        raise CODES.error("InvalidParameter", name="OssDeliveryConfig.EncryptionType",
                          reason=f"{oss['EncryptionType']!r} is not one of {', '.join(ENCRYPTION_TYPES)}")
    if oss["EncryptionAlgorithm"] not in ENCRYPTION_ALGORITHMS:
        raise CODES.error("InvalidParameter", name="OssDeliveryConfig.EncryptionAlgorithm",
                          reason=f"{oss['EncryptionAlgorithm']!r} is not AES256 or SM4")
    if oss["EncryptionType"] == "KMS" and not oss["EncryptionKeyId"]:
        raise CODES.error("InvalidParameter", name="OssDeliveryConfig.EncryptionKeyId",
                          reason="KMS encryption needs the id of a KMS key")


def _check_sls(tx: sqlite3.Connection, region: str, sls: dict[str, Any]) -> None:
    project, logstore = sls["ProjectName"], sls["LogstoreName"]
    if project and not _PROJECT.match(project):
        raise CODES.error("InvalidParameter.SlsProjectName", name=project)
    if logstore and not _LOGSTORE.match(logstore):
        raise CODES.error("InvalidParameter.SlsLogstoreName", name=logstore)
    if not sls["Enabled"]:
        return
    project_region = model.log_project_region(tx, project)
    if project_region is None or project_region != region:
        detail = "" if project_region is None else f" (it is in {project_region})"
        raise CODES.error("InvalidSlsProjectName.NotFound", name=project, region=region, detail=detail)
    if not model.logstore_exists(tx, project, logstore):
        raise CODES.error("InvalidSlsLogstoreName.NotFound", name=logstore, project=project)
