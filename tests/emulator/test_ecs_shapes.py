"""ECS answers of the emulator as the official SDK's response models define them (issue 17, points 2 and 3):

- paging: no MaxResults in any answer (no model has it); PageNumber and PageSize in every one, the request's or
  the documented defaults (1, 10) also when paging by MaxResults / NextToken; the Cloud Assistant listings
  refuse a PageSize out of range with InvalidParam.PageSize (PageNumber below 1: InvalidParam.PageNumber);
- DescribeInstances answers every field of the model's Instance, from the world document or derived from it;
- DescribeCommands answers ParameterDefinitions, one per custom parameter of the content;
- DescribeInvocations and DescribeInvocationResults answer the OssOutput fields from the region's
  InvocationDelivery settings and the delivery of each run's record.

Raw answers are taken from the SDK's own `call_api` (as its typed methods make the call), before a model drops
what it does not know, and compared field by field with the model's `from_map`."""

from __future__ import annotations

import base64
import ipaddress
import sqlite3
from contextlib import closing
from typing import Any

import pytest
from alibabacloud_tea_openapi import utils_models
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.utils import Utils
from darabonba.runtime import RuntimeOptions

from ecsops.cloud import operations as ops
from ecsops.cloud.backend import Backend, KeyPair
from ecsops.cloud.client import Cloud
from ecsops.emulator.server import EmulatorServer
from tests.support.shapes import differences, model_shape
from tests.support.emulator import ACCESS_KEY_ID, ACCESS_KEY_SECRET, REGION, Admin, admin_error, ecs_client, models

START = "2026-11-21T00:00:00Z"
LINUX = "i-demo-linux-1"
BUCKET = "ecsops-demo-records"


@pytest.fixture
def clock(admin) -> Admin:
    admin.set_clock(START)
    return admin


# -- Helpers ----------------------------------------------------------------------------------------------------

def raw(ecs, action: str, **params: Any) -> dict[str, Any]:
    """The answer body of `action` as sent, through the SDK's own call (RegionId added)."""
    call = utils_models.Params(action=action, version="2014-05-26", protocol="HTTPS", pathname="/", method="POST",
                               auth_type="AK", style="RPC", req_body_type="formData", body_type="json")
    request = utils_models.OpenApiRequest(query=Utils.query({"RegionId": REGION, **params}))
    return ecs.call_api(call, request, RuntimeOptions())["body"]


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def create(ecs, content: str = "echo hi", **fields: Any) -> str:
    return ecs.create_command(models.CreateCommandRequest(
        region_id=REGION, name="shape", type="RunShellScript", command_content=b64(content), **fields)).body.command_id


def invoke(ecs, command_id: str, **fields: Any) -> str:
    return ecs.invoke_command(models.InvokeCommandRequest(
        region_id=REGION, command_id=command_id, instance_id=[LINUX], **fields)).body.invoke_id


def error_of(call) -> ClientException:
    with pytest.raises(ClientException) as raised:
        call()
    return raised.value


def to_bucket(ecs, prefix: str = "audit") -> None:
    ecs.modify_cloud_assistant_settings(models.ModifyCloudAssistantSettingsRequest(
        region_id=REGION, setting_type="InvocationDelivery",
        oss_delivery_config=models.ModifyCloudAssistantSettingsRequestOssDeliveryConfig(
            enabled=True, bucket_name=BUCKET, prefix=prefix)))


def instances(ecs, **params: Any) -> dict[str, dict[str, Any]]:
    answer = raw(ecs, "DescribeInstances", MaxResults=100, **params)
    return {instance["InstanceId"]: instance for instance in answer["Instances"]["Instance"]}


# -- Paging -----------------------------------------------------------------------------------------------------

#: action -> (the model of its answer, where its paging fields are, the Cloud Assistant listing?)
LISTINGS = {
    "DescribeCommands": (models.DescribeCommandsResponseBody, (), True),
    "DescribeInvocations": (models.DescribeInvocationsResponseBody, (), True),
    "DescribeInvocationResults": (models.DescribeInvocationResultsResponseBodyInvocation, ("Invocation",), True),
    "DescribeCloudAssistantStatus": (models.DescribeCloudAssistantStatusResponseBody, (), True),
    "DescribeInstances": (models.DescribeInstancesResponseBody, (), False),
    "DescribeInstanceHistoryEvents": (models.DescribeInstanceHistoryEventsResponseBody, (), False),
}


def paging_of(ecs, action: str, **params: Any) -> dict[str, Any]:
    _, path, _ = LISTINGS[action]
    body = raw(ecs, action, **params)
    for name in path:
        body = body[name]
    return {name: body[name] for name in ("MaxResults", "NextToken", "PageNumber", "PageSize", "TotalCount")
            if name in body}


@pytest.fixture
def listed(ecs) -> None:
    """Something in every listing: a command, a task and its run on LINUX."""
    invoke(ecs, create(ecs))


@pytest.mark.parametrize("action", list(LISTINGS))
def test_paging_by_max_results_answers_the_models_paging_fields(ecs, listed, action) -> None:
    model, _, _ = LISTINGS[action]
    assert "MaxResults" not in model_shape(model)
    paging = paging_of(ecs, action, MaxResults=1)
    assert "MaxResults" not in paging
    assert (paging["PageNumber"], paging["PageSize"]) == (1, 10)  # the documented defaults
    assert {"NextToken", "TotalCount"} <= set(paging)


@pytest.mark.parametrize("action", list(LISTINGS))
def test_paging_by_number_echoes_the_page_asked_for(ecs, listed, action) -> None:
    paging = paging_of(ecs, action, PageNumber=2, PageSize=3)
    assert "MaxResults" not in paging
    assert (paging["PageNumber"], paging["PageSize"]) == (2, 3)


@pytest.mark.parametrize("action", [action for action, (_, _, assistant) in LISTINGS.items() if assistant])
@pytest.mark.parametrize(("params", "code"), [
    pytest.param({"PageSize": 51}, "InvalidParam.PageSize", id="page-size-51"),
    pytest.param({"PageSize": 0}, "InvalidParam.PageSize", id="page-size-0"),
    pytest.param({"PageNumber": 0, "PageSize": 10}, "InvalidParam.PageNumber", id="page-number-0"),
])
def test_a_cloud_assistant_listing_refuses_a_bad_page_with_its_documented_code(ecs, action, params, code) -> None:
    error = error_of(lambda: raw(ecs, action, **params))
    assert (error.code, error.status_code) == (code, 400)
    assert "The specified parameter is invalid." in error.message


def test_the_page_size_limits_themselves_are_taken(ecs, listed) -> None:
    assert paging_of(ecs, "DescribeCommands", PageSize=50)["PageSize"] == 50
    assert paging_of(ecs, "DescribeCommands", PageSize=1)["PageSize"] == 1


def test_max_results_out_of_range_stays_the_common_invalid_parameter(ecs) -> None:
    assert error_of(lambda: raw(ecs, "DescribeInvocations", MaxResults=51)).code == "InvalidParameter"


def test_ecsops_client_still_pages_through_every_listing(emulator, ecs) -> None:
    cloud = Cloud(Backend("endpoint", REGION, endpoint=emulator.endpoint,
                          keys=KeyPair(ACCESS_KEY_ID, ACCESS_KEY_SECRET)))
    made = {create(ecs, f"echo {n}") for n in range(12)}
    fetched = cloud.fetch_all(ops.DESCRIBE_COMMANDS, {}, ("Commands", "Command"), page_size=5)
    assert {item["CommandId"] for item in fetched} == made and len(fetched) == 12
    numbered = cloud.fetch_all_numbered(ops.DESCRIBE_COMMANDS, {}, ("Commands", "Command"), page_size=5)
    assert {item["CommandId"] for item in numbered} == made


# -- DescribeInstances ------------------------------------------------------------------------------------------

INSTANCE = models.DescribeInstancesResponseBodyInstancesInstance
def test_an_instance_is_answered_with_every_field_of_the_model(ecs) -> None:
    answered = instances(ecs)
    assert len(answered) == 6
    shape = model_shape(INSTANCE)
    assert len(shape) > 60
    for instance in answered.values():
        assert differences(shape, instance) == []  # lists always empty here (IPv6, prefixes, locks): not compared


def test_derived_fields_follow_the_size_os_and_disks(ecs) -> None:
    answered = instances(ecs)
    linux, windows, local = answered[LINUX], answered["i-demo-windows-1"], answered["i-demo-localdisk-1"]
    assert (linux["InstanceType"], linux["InstanceTypeFamily"], linux["ZoneId"]) == (
        "ecs.c7.large", "ecs.c7", "cn-hangzhou-a")  # 2 vCPU, 4 GiB
    assert (answered["i-demo-linux-2"]["InstanceType"], local["InstanceType"]) == ("ecs.c7.xlarge", "ecs.i4.2xlarge")
    assert answered["i-demo-stopped-1"]["InstanceType"] == "ecs.c7.large"
    assert (local["LocalStorageAmount"], local["LocalStorageCapacity"]) == (1, 1788)
    assert linux["OSName"].startswith("Alibaba Cloud Linux") and linux["ImageId"].startswith("aliyun_3")
    assert "2019" in windows["OSNameEn"] and windows["ImageId"].startswith("win2019")  # its Windows Server product
    assert (linux["HostName"], linux["InstanceChargeType"], linux["ExpiredTime"]) == (
        "iZdemo-linux-1Z", "PostPaid", "2099-12-31T15:59Z")
    private = linux["VpcAttributes"]["PrivateIpAddress"]["IpAddress"]
    assert len(private) == 1 and ipaddress.ip_address(private[0]) in ipaddress.ip_network("172.16.0.0/12")
    [interface] = linux["NetworkInterfaces"]["NetworkInterface"]
    assert (interface["PrimaryIpAddress"], interface["Type"]) == (private[0], "Primary")
    assert linux["VpcAttributes"]["VpcId"] == windows["VpcAttributes"]["VpcId"]  # one VPC per region
    assert linux["PublicIpAddress"] == {"IpAddress": []} and linux["EipAddress"]["IpAddress"] == ""
    assert len({instance["VpcAttributes"]["PrivateIpAddress"]["IpAddress"][0] for instance in answered.values()}) == 6


def test_derived_fields_are_stored_the_same_for_the_same_document(ecs, admin) -> None:
    first = instances(ecs)[LINUX]
    admin.reset()
    assert instances(ecs)[LINUX] == first


def test_the_world_document_gives_placement_network_image_and_billing(ecs, admin) -> None:
    admin.world({"instances": [{
        "id": "i-full", "region": REGION, "name": "full", "cpu": 8, "memory": 65536, "zoneId": "cn-hangzhou-k",
        "instanceType": "ecs.r7.2xlarge", "imageId": "ubuntu_22_04_x64_20G_alibase_20240130.vhd",
        "osName": "Ubuntu 22.04 64位", "osNameEn": "Ubuntu 22.04 64 bit", "hostName": "web-1",
        "description": "the web", "privateIp": "10.0.1.5", "publicIp": "47.98.1.2", "eipAddress": "39.100.2.3",
        "vpcId": "vpc-web", "vSwitchId": "vsw-web", "securityGroupIds": ["sg-web", "sg-ssh"],
        "keyPairName": "ops", "instanceChargeType": "PrePaid", "expiredTime": "2027-01-01T00:00Z"}]})
    full = instances(ecs)["i-full"]
    assert differences(model_shape(INSTANCE), full) == []
    assert {name: full[name] for name in ("ZoneId", "InstanceType", "InstanceTypeFamily", "ImageId", "OSName",
                                          "OSNameEn", "HostName", "Description", "KeyPairName",
                                          "InstanceChargeType", "ExpiredTime", "Cpu", "Memory")} == {
        "ZoneId": "cn-hangzhou-k", "InstanceType": "ecs.r7.2xlarge", "InstanceTypeFamily": "ecs.r7",
        "ImageId": "ubuntu_22_04_x64_20G_alibase_20240130.vhd", "OSName": "Ubuntu 22.04 64位",
        "OSNameEn": "Ubuntu 22.04 64 bit", "HostName": "web-1", "Description": "the web", "KeyPairName": "ops",
        "InstanceChargeType": "PrePaid", "ExpiredTime": "2027-01-01T00:00Z", "Cpu": 8, "Memory": 65536}
    assert full["VpcAttributes"] == {"VpcId": "vpc-web", "VSwitchId": "vsw-web", "NatIpAddress": "",
                                     "PrivateIpAddress": {"IpAddress": ["10.0.1.5"]}}
    assert full["PublicIpAddress"] == {"IpAddress": ["47.98.1.2"]}
    assert (full["EipAddress"]["IpAddress"], full["EipAddress"]["IsSupportUnassociate"]) == ("39.100.2.3", True)
    assert full["SecurityGroupIds"] == {"SecurityGroupId": ["sg-web", "sg-ssh"]}
    assert (full["InternetMaxBandwidthIn"], full["InternetMaxBandwidthOut"]) == (100, 5)


def test_a_prepaid_instance_needs_its_expiry(admin) -> None:
    status, message = admin_error(lambda: admin.world({"instances": [
        {"id": "i-prepaid", "region": REGION, "instanceChargeType": "PrePaid"}]}))
    assert status == 400 and "expiredTime" in message


def test_times_are_to_the_minute_and_a_restart_moves_the_start(ecs, clock) -> None:
    clock.world({"instances": [{"id": "i-timed", "region": REGION}]})
    created = instances(ecs)["i-timed"]
    assert (created["CreationTime"], created["StartTime"], created["StoppedMode"]) == (
        "2026-11-21T00:00Z", "2026-11-21T00:00Z", "Not-applicable")
    clock.advance("1h")
    clock.world({"instances": [{"id": "i-timed", "region": REGION, "status": "Stopped"}]})
    stopped = instances(ecs)["i-timed"]
    assert (stopped["StartTime"], stopped["StoppedMode"]) == ("2026-11-21T00:00Z", "KeepCharging")
    clock.advance("1h")
    clock.world({"instances": [{"id": "i-timed", "region": REGION, "status": "Running"}]})
    restarted = instances(ecs)["i-timed"]
    assert (restarted["CreationTime"], restarted["StartTime"]) == ("2026-11-21T00:00Z", "2026-11-21T02:00Z")


def test_a_maintenance_restart_moves_the_start(ecs, clock) -> None:
    clock.call("POST", "events", {"resourceId": LINUX, "eventType": "SystemMaintenance.Reboot",
                                  "status": "Scheduled", "notBefore": "2026-11-21T01:00:00Z"})
    clock.advance("2h")
    assert instances(ecs)[LINUX]["StartTime"] == "2026-11-21T01:01Z"  # restarted after a minute down


def test_an_instance_stored_before_its_details_answers_the_same(tmp_path) -> None:
    path = tmp_path / "older.db"
    with EmulatorServer(path) as server:
        client = ecs_client(server.endpoint)
        current = instances(client)
        with closing(sqlite3.connect(path)) as db, db:  # as a database from before the details were stored
            db.execute("UPDATE instances SET details = '{}', start_time = ''")
        assert instances(client) == current


def test_the_sdk_model_reads_the_instance_whole(ecs) -> None:
    body = ecs.describe_instances(models.DescribeInstancesRequest(region_id=REGION, max_results=100)).body
    linux = next(instance for instance in body.instances.instance if instance.instance_id == LINUX)
    assert linux.instance_type == "ecs.c7.large" and linux.network_interfaces.network_interface[0].mac_address
    assert linux.vpc_attributes.vpc_id.startswith("vpc-") and linux.security_group_ids.security_group_id
    assert linux.cpu_options.core_count == 1 and linux.cpu_options.threads_per_core == 2


# -- DescribeCommands -------------------------------------------------------------------------------------------

def test_a_command_defines_each_custom_parameter(ecs) -> None:
    command_id = create(ecs, "echo {{name}} {{ACS::InstanceId}} {{oos:secret}} {{ count }} {{Name}}",
                        enable_parameter=True)
    [command] = raw(ecs, "DescribeCommands", CommandId=command_id)["Commands"]["Command"]
    assert differences(model_shape(models.DescribeCommandsResponseBodyCommandsCommand), command) == []
    assert command["ParameterNames"] == {"ParameterName": ["name", "count"]}
    assert command["ParameterDefinitions"] == {"ParameterDefinition": [
        {"ParameterName": name, "Required": True, "Description": "", "DefaultValue": "",
         "PossibleValues": {"PossibleValue": []}, "PatternRegex": ""} for name in ("name", "count")]}
    typed = ecs.describe_commands(models.DescribeCommandsRequest(region_id=REGION, command_id=command_id)).body
    definition = typed.commands.command[0].parameter_definitions.parameter_definition[1]
    assert (definition.parameter_name, definition.required) == ("count", True)


def test_a_command_without_parameters_defines_none(ecs) -> None:
    command_id = create(ecs, "echo {{name}}")  # EnableParameter off: the placeholder is text
    [command] = raw(ecs, "DescribeCommands", CommandId=command_id)["Commands"]["Command"]
    assert command["ParameterDefinitions"] == {"ParameterDefinition": []}


# -- OssOutput fields -------------------------------------------------------------------------------------------

TASK = models.DescribeInvocationsResponseBodyInvocationsInvocation
RESULT = models.DescribeInvocationResultsResponseBodyInvocationInvocationResultsInvocationResult
OSS_FIELDS = ("OssOutputStatus", "OssOutputUri", "OssOutputErrorCode", "OssOutputErrorInfo")


def oss_answers(ecs, invoke_id: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(the task, its instance, its result) as DescribeInvocations and DescribeInvocationResults answer them."""
    [task] = raw(ecs, "DescribeInvocations", InvokeId=invoke_id, IncludeOutput=True)["Invocations"]["Invocation"]
    [result] = raw(ecs, "DescribeInvocationResults", InvokeId=invoke_id)["Invocation"]["InvocationResults"][
        "InvocationResult"]
    assert differences(model_shape(TASK), task) == []
    assert differences(model_shape(RESULT), result) == []
    return task, task["InvokeInstances"]["InvokeInstance"][0], result


def test_without_delivery_the_oss_output_fields_are_empty(ecs, clock) -> None:
    invoke_id = invoke(ecs, create(ecs))
    clock.advance(5)
    task, instance, result = oss_answers(ecs, invoke_id)
    assert task["OssOutputDelivery"] == result["OssOutputDelivery"] == ""
    assert [instance[name] for name in OSS_FIELDS] == [result[name] for name in OSS_FIELDS] == ["", "", "", ""]


def test_with_delivery_the_record_of_each_run_is_reported(ecs, clock) -> None:
    to_bucket(ecs)
    invoke_id = invoke(ecs, create(ecs, "sleep 30"))
    task, instance, result = oss_answers(ecs, invoke_id)
    assert task["OssOutputDelivery"] == result["OssOutputDelivery"] == f"oss://{BUCKET}/audit"
    assert (instance["OssOutputStatus"], instance["OssOutputUri"]) == ("Pending", "")  # still running
    assert (result["OssOutputStatus"], result["OssOutputUri"]) == ("Pending", "")
    clock.advance(60)
    task, instance, result = oss_answers(ecs, invoke_id)
    key = f"audit/invocationResults/{invoke_id}/{LINUX}/20261121T000000Z-1.json"
    expected = ["Finished", f"oss://{BUCKET}/{key}", "", ""]
    assert [instance[name] for name in OSS_FIELDS] == [result[name] for name in OSS_FIELDS] == expected
    objects = clock.call("GET", f"oss?bucket={BUCKET}&prefix={key}")["objects"]
    assert [found["key"] for found in objects] == [key]


def test_the_delivery_reported_is_the_one_set_when_the_task_was_created(ecs, clock) -> None:
    invoke_id = invoke(ecs, create(ecs, "sleep 30"))
    to_bucket(ecs, prefix="later/")  # enabled while the run is on: its record goes there
    clock.advance(60)
    task, instance, _ = oss_answers(ecs, invoke_id)
    assert task["OssOutputDelivery"] == ""
    key = f"later/invocationResults/{invoke_id}/{LINUX}/20261121T000000Z-1.json"
    assert (instance["OssOutputStatus"], instance["OssOutputUri"]) == ("Finished", f"oss://{BUCKET}/{key}")
    later = invoke(ecs, create(ecs))
    assert oss_answers(ecs, later)[0]["OssOutputDelivery"] == f"oss://{BUCKET}/later"


def test_each_run_of_a_scheduled_task_reports_its_own_record(ecs, clock) -> None:
    to_bucket(ecs, prefix="")
    invoke_id = invoke(ecs, create(ecs), frequency="rate(1h)")
    clock.advance("2h")
    clock.advance(5)
    history = raw(ecs, "DescribeInvocationResults", InvokeId=invoke_id, IncludeHistory=True)
    uris = [result["OssOutputUri"] for result in history["Invocation"]["InvocationResults"]["InvocationResult"]]
    folder = f"oss://{BUCKET}/invocationResults/{invoke_id}/{LINUX}"
    assert uris == [f"{folder}/20261121T020000Z-2.json", f"{folder}/20261121T010000Z-1.json"]
    [task] = raw(ecs, "DescribeInvocations", InvokeId=invoke_id)["Invocations"]["Invocation"]
    assert task["OssOutputDelivery"] == f"oss://{BUCKET}"
    assert task["InvokeInstances"]["InvokeInstance"][0]["OssOutputUri"] == uris[0]  # the latest run's


def test_a_dumped_world_merges_back_to_the_same_instances(emulator, admin) -> None:
    """GET /_emulator/world carries each instance's DescribeInstances details, derived or given, so merging the
    dump back (into this emulator, or another one) answers the same."""
    ecs = ecs_client(emulator.endpoint)
    admin.world({"instances": [{"id": "i-dump1", "region": REGION, "publicIp": "47.1.2.3", "cpu": 4,
                                "memory": 16384}]})
    before = instances(ecs)["i-dump1"]
    dumped = next(entry for entry in admin.world()["instances"] if entry["id"] == "i-dump1")
    assert dumped["publicIp"] == "47.1.2.3" and dumped["instanceType"] == before["InstanceType"]
    admin.reset()
    admin.world({"instances": [dumped]})
    after = instances(ecs)["i-dump1"]
    assert {key: after[key] for key in ("InstanceType", "ZoneId", "ImageId", "VpcAttributes", "HostName")} == {
        key: before[key] for key in ("InstanceType", "ZoneId", "ImageId", "VpcAttributes", "HostName")}
