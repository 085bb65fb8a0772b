"""Cloud Assistant delivery settings in the emulator, through the official SDK: the defaults, settings per
region and type, partial modifies, and every documented error (with nothing written when refused)."""

from __future__ import annotations

import json

import pytest
from alibabacloud_tea_openapi import utils_models
from alibabacloud_tea_openapi.exceptions import ClientException
from darabonba.runtime import RuntimeOptions

from tests.support.emulator import REGION, models

BUCKET = "ecsops-demo-records"
PROJECT, LOGSTORE = "ecsops-demo", "cloud-assistant"
OFF_OSS = {"delivery_type": "Invocation", "enabled": False, "bucket_name": "", "prefix": "",
           "encryption_type": "Inherit", "encryption_algorithm": "", "encryption_key_id": ""}
OFF_SLS = {"delivery_type": "Invocation", "enabled": False, "project_name": "", "logstore_name": ""}


def oss(**fields):
    return models.ModifyCloudAssistantSettingsRequestOssDeliveryConfig(**fields)


def sls(**fields):
    return models.ModifyCloudAssistantSettingsRequestSlsDeliveryConfig(**fields)


def modify(ecs, setting_type: str = "InvocationDelivery", **fields) -> None:
    ecs.modify_cloud_assistant_settings(models.ModifyCloudAssistantSettingsRequest(
        **{"region_id": REGION, "setting_type": setting_type, **fields}))


def raw_modify(ecs, **query) -> dict:
    """A Modify with parameters exactly as given (JSON the SDK models never build)."""
    params = utils_models.Params(action="ModifyCloudAssistantSettings", version="2014-05-26", protocol="HTTPS",
                                 pathname="/", method="POST", auth_type="AK", style="RPC", req_body_type="formData",
                                 body_type="json")
    query = {"RegionId": REGION, "SettingType": "InvocationDelivery", **query}
    return ecs.call_api(params, utils_models.OpenApiRequest(query=query), RuntimeOptions())["body"]


def describe(ecs, *setting_types: str, region: str = REGION) -> tuple[list[dict], list[dict]]:
    """(OSS configurations, Log Service configurations) as snake_case dicts, in the order asked."""
    body = ecs.describe_cloud_assistant_settings(models.DescribeCloudAssistantSettingsRequest(
        region_id=region, setting_type=list(setting_types or ["InvocationDelivery"]))).body
    return ([_fields(c) for c in body.oss_delivery_configs.oss_delivery_config],
            [_fields(c) for c in body.sls_delivery_configs.sls_delivery_config])


def _fields(config) -> dict:
    return {key: value for key, value in vars(config).items() if not key.startswith("_")}


def test_delivery_is_disabled_until_modified(ecs) -> None:
    oss_configs, sls_configs = describe(ecs, "InvocationDelivery", "SessionManagerDelivery")
    assert oss_configs == [OFF_OSS, {**OFF_OSS, "delivery_type": "SessionManager"}]
    assert sls_configs == [OFF_SLS, {**OFF_SLS, "delivery_type": "SessionManager"}]


def test_enabled_delivery_is_described_as_set(ecs) -> None:
    modify(ecs, oss_delivery_config=oss(enabled=True, bucket_name=BUCKET, prefix="audit"),
           sls_delivery_config=sls(enabled=True, project_name=PROJECT, logstore_name=LOGSTORE))
    [oss_config], [sls_config] = describe(ecs)
    assert oss_config == {**OFF_OSS, "enabled": True, "bucket_name": BUCKET, "prefix": "audit"}
    assert sls_config == {**OFF_SLS, "enabled": True, "project_name": PROJECT, "logstore_name": LOGSTORE}


def test_settings_are_kept_per_region_and_type(ecs) -> None:
    modify(ecs, "SessionManagerDelivery", oss_delivery_config=oss(enabled=True, bucket_name=BUCKET))
    ecs.modify_cloud_assistant_settings(models.ModifyCloudAssistantSettingsRequest(
        region_id="cn-beijing", setting_type="InvocationDelivery",
        oss_delivery_config=oss(enabled=True, bucket_name="ecsops-beijing-records")))
    oss_configs, _ = describe(ecs, "InvocationDelivery", "SessionManagerDelivery")
    assert [(c["delivery_type"], c["enabled"], c["bucket_name"]) for c in oss_configs] == [
        ("Invocation", False, ""), ("SessionManager", True, BUCKET)]
    [beijing], _ = describe(ecs, region="cn-beijing")
    assert (beijing["enabled"], beijing["bucket_name"]) == (True, "ecsops-beijing-records")


def test_a_modify_changes_only_the_parts_and_fields_it_is_given(ecs) -> None:
    modify(ecs, oss_delivery_config=oss(enabled=True, bucket_name=BUCKET, prefix="audit"),
           sls_delivery_config=sls(enabled=True, project_name=PROJECT, logstore_name=LOGSTORE))
    modify(ecs, oss_delivery_config=oss(enabled=False))
    [oss_config], [sls_config] = describe(ecs)
    assert (oss_config["enabled"], oss_config["bucket_name"], oss_config["prefix"]) == (False, BUCKET, "audit")
    assert sls_config["enabled"] is True
    modify(ecs, oss_delivery_config=oss(prefix=""))
    assert describe(ecs)[0][0]["prefix"] == ""


def test_encryption_settings_are_kept(ecs) -> None:
    modify(ecs, oss_delivery_config=oss(enabled=True, bucket_name=BUCKET, encryption_type="KMS",
                                        encryption_key_id="key-1"))
    [oss_config], _ = describe(ecs)
    assert (oss_config["encryption_type"], oss_config["encryption_key_id"]) == ("KMS", "key-1")


def test_disabled_delivery_may_name_nothing(ecs) -> None:
    raw_modify(ecs, OssDeliveryConfig=json.dumps({"Enabled": False, "BucketName": "", "Prefix": ""}),
               SlsDeliveryConfig=json.dumps({"Enabled": False, "ProjectName": "", "LogstoreName": ""}))
    assert describe(ecs) == ([OFF_OSS], [OFF_SLS])


BEIJING_PROJECT = {"logProjects": [{"name": "ecsops-beijing", "region": "cn-beijing", "logstores": ["records"]}]}


@pytest.mark.parametrize(
    ("query", "code", "status", "fragment"),
    [
        pytest.param({"SettingType": "Nap"}, "InvalidParameter.SettingType", 400, "'Nap'", id="unknown-type"),
        pytest.param({"SettingType": "AgentUpgradeConfig"}, "InvalidParameter.SettingType", 400,
                     "InvocationDelivery and SessionManagerDelivery", id="agent-upgrade-not-emulated"),
        pytest.param({"SettingType": "SessionManagerConfig"}, "InvalidParameter.SettingType", 400,
                     "SessionManagerConfig", id="session-manager-config-not-emulated"),
        pytest.param({"SettingType": ""}, "MissingParameter", 400, "SettingType", id="no-type"),
        pytest.param({"OssDeliveryConfig": {"Enabled": True, "BucketName": "ecsops-nope"}},
                     "InvalidOssBucketName.NotFound", 404, "ecsops-nope", id="unknown-bucket"),
        pytest.param({"OssDeliveryConfig": {"Enabled": True}}, "InvalidOssBucketName.NotFound", 404, "''",
                     id="enabled-without-bucket"),
        pytest.param({"OssDeliveryConfig": {"Enabled": True, "BucketName": "ecsops-beijing-records"}},
                     "InvalidOssBucketName.InOtherRegion", 400, "in cn-beijing, not in cn-hangzhou",
                     id="bucket-in-other-region"),
        pytest.param({"OssDeliveryConfig": {"Enabled": False, "BucketName": "Bad_Bucket"}},
                     "InvalidParameter.OssBucketName", 400, "'Bad_Bucket'", id="bad-bucket-name"),
        pytest.param({"OssDeliveryConfig": {"Enabled": True, "BucketName": BUCKET, "Prefix": "/audit"}},
                     "InvalidParameter.OssPrefix", 400, "must not start with '/'", id="prefix-with-slash"),
        pytest.param({"OssDeliveryConfig": {"Enabled": True, "BucketName": BUCKET, "Prefix": "a" * 255}},
                     "InvalidParameter.OssPrefix", 400, "255 characters", id="prefix-255-characters"),
        pytest.param({"OssDeliveryConfig": {"Enabled": True, "BucketName": BUCKET, "EncryptionType": "Magic"}},
                     "InvalidParameter", 400, "EncryptionType", id="unknown-encryption"),
        pytest.param({"OssDeliveryConfig": {"Enabled": True, "BucketName": BUCKET, "EncryptionType": "KMS"}},
                     "InvalidParameter", 400, "KMS key", id="kms-without-key"),
        pytest.param({"OssDeliveryConfig": {"Enabled": True, "Bucket": BUCKET}}, "InvalidParameter", 400,
                     "unknown field 'Bucket'", id="unknown-field"),
        pytest.param({"OssDeliveryConfig": {"Enabled": "yes", "BucketName": BUCKET}}, "InvalidParameter", 400,
                     "'yes'", id="enabled-not-boolean"),
        pytest.param({"OssDeliveryConfig": "[1]"}, "InvalidParameter", 400, "JSON object", id="not-an-object"),
        pytest.param({"SlsDeliveryConfig": {"Enabled": True, "ProjectName": "ecsops-nope", "LogstoreName": LOGSTORE}},
                     "InvalidSlsProjectName.NotFound", 404, "'ecsops-nope'", id="unknown-project"),
        pytest.param({"SlsDeliveryConfig": {"Enabled": True, "LogstoreName": LOGSTORE}},
                     "InvalidSlsProjectName.NotFound", 404, "''", id="enabled-without-project"),
        pytest.param({"SlsDeliveryConfig": {"Enabled": True, "ProjectName": "ecsops-beijing",
                                            "LogstoreName": "records"}},
                     "InvalidSlsProjectName.NotFound", 404, "(it is in cn-beijing)", id="project-in-other-region"),
        pytest.param({"SlsDeliveryConfig": {"Enabled": True, "ProjectName": "Bad Project", "LogstoreName": LOGSTORE}},
                     "InvalidParameter.SlsProjectName", 400, "'Bad Project'", id="bad-project-name"),
        pytest.param({"SlsDeliveryConfig": {"Enabled": True, "ProjectName": PROJECT, "LogstoreName": "nope"}},
                     "InvalidSlsLogstoreName.NotFound", 404, "'nope'", id="unknown-logstore"),
        pytest.param({"SlsDeliveryConfig": {"Enabled": True, "ProjectName": PROJECT, "LogstoreName": "x"}},
                     "InvalidParameter.SlsLogstoreName", 400, "'x'", id="bad-logstore-name"),
    ],
)
def test_a_bad_modify_is_refused_and_writes_nothing(ecs, admin, query, code, status, fragment) -> None:
    admin.world(BEIJING_PROJECT)
    encoded = {key: value if isinstance(value, str) else json.dumps(value) for key, value in query.items()}
    with pytest.raises(ClientException) as raised:
        raw_modify(ecs, **encoded)
    assert (raised.value.code, raised.value.status_code) == (code, status)
    assert fragment in raised.value.message
    assert admin.writes() == []
    assert describe(ecs) == ([OFF_OSS], [OFF_SLS])


@pytest.mark.parametrize(
    ("setting_types", "code"),
    [
        pytest.param([], "MissingParameter", id="no-type"),
        pytest.param(["InvocationDelivery", "AgentUpgradeConfig"], "InvalidParameter.SettingType", id="not-emulated"),
    ],
)
def test_a_bad_describe_is_refused(ecs, setting_types, code) -> None:
    with pytest.raises(ClientException) as raised:
        ecs.describe_cloud_assistant_settings(models.DescribeCloudAssistantSettingsRequest(
            region_id=REGION, setting_type=setting_types))
    assert (raised.value.code, raised.value.status_code) == (code, 400)
