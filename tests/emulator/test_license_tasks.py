"""License Manager tasks in the emulator (docs/wire.md §5, the ECS guide 6.1-6.3), through the official generic client:
every refusal with its code and nothing written, ClientToken, the quota of 25 tasks per region, the three
regions, modify, add-only rules, activate / deactivate, delete, and paging."""

from __future__ import annotations

from typing import Any

import pytest
from alibabacloud_tea_openapi.exceptions import ClientException

from tests.support.license import LicenseApi

WINDOWS = {"Product": "Windows Server", "Version": "2019"}


@pytest.fixture
def call(emulator) -> LicenseApi:
    return LicenseApi(emulator.endpoint)


def create(call, **overrides: Any) -> str:
    fields: dict[str, Any] = dict(Name="windows-server", LicenseType="vCPU", LicenseLimit=16, DiscoveryRule=[WINDOWS])
    fields.update(overrides)
    return call("CreateLicenseTask", **fields)["LicenseTaskId"]


def tasks(call, **params: Any) -> list[dict[str, Any]]:
    return call("DescribeLicenseTasks", MaxResults=100, **params)["LicenseTasks"]["LicenseTask"]


def task(call, task_id: str) -> dict[str, Any]:
    [found] = tasks(call, LicenseTaskId=[task_id])
    return found


def error_of(thunk) -> ClientException:
    with pytest.raises(ClientException) as raised:
        thunk()
    return raised.value


def refused(admin, thunk) -> tuple[str, int]:
    """Runs a call that must fail; returns (code, status) after checking it wrote nothing."""
    before = len(admin.writes())
    error = error_of(thunk)
    assert len(admin.writes()) == before
    return error.code, error.status_code


@pytest.mark.parametrize(
    ("overrides", "code", "status"),
    [
        pytest.param({"RegionId": "cn-beijing"}, "InvalidRegionId.NotSupported", 400,
                     id="region-without-license-manager"),
        pytest.param({"RegionId": "xx-nowhere-1"}, "InvalidRegionId.NotSupported", 400, id="unknown-region"),
        pytest.param({"Name": "a"}, "InvalidName.Malformed", 400, id="name-of-1"),
        pytest.param({"Name": "n" * 129}, "InvalidName.Malformed", 400, id="name-over-128"),
        pytest.param({"Name": "1windows"}, "InvalidName.Malformed", 400, id="name-starting-with-a-digit"),
        pytest.param({"Name": "_windows"}, "InvalidName.Malformed", 400, id="name-starting-with-a-special-character"),
        pytest.param({"Name": "http://windows"}, "InvalidName.Malformed", 400, id="name-starting-with-http"),
        pytest.param({"Name": "https://windows"}, "InvalidName.Malformed", 400, id="name-starting-with-https"),
        pytest.param({"Name": "windows server"}, "InvalidName.Malformed", 400, id="name-with-a-space"),
        pytest.param({"Name": "windows/server"}, "InvalidName.Malformed", 400, id="name-with-a-slash"),
        pytest.param({"Name": ""}, "MissingParameter", 400, id="no-name"),
        pytest.param({"Description": "d"}, "InvalidDescription.Malformed", 400, id="description-of-1"),
        pytest.param({"Description": "d" * 257}, "InvalidDescription.Malformed", 400, id="description-over-256"),
        pytest.param({"LicenseType": "Core"}, "InvalidLicenseType.NotFound", 404, id="unknown-license-type"),
        pytest.param({"LicenseType": "vcpu"}, "InvalidLicenseType.NotFound", 404, id="license-type-in-other-case"),
        pytest.param({"LicenseLimit": 0}, "InvalidLicenseLimit.OutOfRange", 400, id="limit-zero"),
        pytest.param({"LicenseLimit": 100_001}, "InvalidLicenseLimit.OutOfRange", 400, id="limit-over-100000"),
        pytest.param({"LicenseLimit": "many"}, "InvalidParameter", 400, id="limit-not-a-number"),
        pytest.param({"DiscoveryRule": [WINDOWS, WINDOWS]}, "DiscoveryRule.Duplicate", 400, id="rule-given-twice"),
        pytest.param({"DiscoveryRule": [{"Version": "2019"}]}, "MissingParameter", 400, id="rule-without-product"),
        pytest.param({"DiscoveryRule": []}, "MissingParameter", 400, id="no-rule"),
        pytest.param({"DiscoveryRule": [{"Product": f"p{i}"} for i in range(21)]}, "DiscoveryRule.ExceedLimit", 403,
                     id="21-rules"),
        pytest.param({"ClientToken": "t" * 65}, "InvalidClientToken.Malformed", 400, id="client-token-over-64"),
    ],
)
def test_create_rejects_bad_input_with_the_documented_code(call, admin, overrides, code, status) -> None:
    assert refused(admin, lambda: create(call, **overrides)) == (code, status)
    assert tasks(call) == []


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"Name": "ab"}, id="name-of-2"),
        pytest.param({"Name": "n" * 128}, id="name-of-128"),
        pytest.param({"Name": "Windows.server_2019-dc:std"}, id="name-with-every-special-character"),
        pytest.param({"Description": "ok"}, id="description-of-2"),
        pytest.param({"Description": "d" * 256}, id="description-of-256"),
        pytest.param({"LicenseLimit": 1}, id="limit-1"),
        pytest.param({"LicenseLimit": 100_000}, id="limit-100000"),
        pytest.param({"LicenseType": "Instance"}, id="instance-type"),
        pytest.param({"DiscoveryRule": [{"Product": f"p{i}"} for i in range(20)]}, id="20-rules"),
        pytest.param({"RegionId": "us-west-1"}, id="us-west-1"),
        pytest.param({"RegionId": "us-east-1"}, id="us-east-1"),
    ],
)
def test_create_accepts_the_boundaries(call, overrides) -> None:
    assert create(call, **overrides).startswith("lt-")


def test_a_new_task_reads_back_activated_as_written(call) -> None:
    task_id = create(call, Name="windows-dc", Description="Datacenter edition", LicenseType="Instance",
                     LicenseLimit=3, DiscoveryRule=[WINDOWS, {"Product": "SQL Server"}])
    found = task(call, task_id)
    assert found.pop("CreationTime").endswith("Z")
    assert found == {
        "LicenseTaskId": task_id, "Name": "windows-dc", "Description": "Datacenter edition",
        "LicenseType": "Instance", "LicenseLimit": 3, "Status": "Activated",
        "DiscoveryRules": {"DiscoveryRule": [WINDOWS, {"Product": "SQL Server", "Version": ""}]},
        "Consumed": 1, "TrackedCount": 1, "FailedCount": 0,
    }


def test_lists_go_out_flattened(call, admin) -> None:
    task_id = create(call, DiscoveryRule=[WINDOWS, {"Product": "SQL Server"}])
    tasks(call, LicenseTaskId=[task_id, "lt-unknown"])
    created, described = admin.requests()
    assert {k: v for k, v in created["params"].items() if k.startswith("DiscoveryRule")} == {
        "DiscoveryRule.1.Product": "Windows Server", "DiscoveryRule.1.Version": "2019",
        "DiscoveryRule.2.Product": "SQL Server"}
    assert described["params"]["LicenseTaskId.1"] == task_id
    assert described["params"]["LicenseTaskId.2"] == "lt-unknown"


def test_without_a_description_the_description_is_empty(call) -> None:
    assert task(call, create(call))["Description"] == ""


def test_names_need_not_be_unique(call) -> None:
    assert create(call, Name="same") != create(call, Name="same")


def test_same_client_token_and_parameters_return_the_same_task(call) -> None:
    first = create(call, ClientToken="token-1")
    assert create(call, ClientToken="token-1") == first
    assert [t["LicenseTaskId"] for t in tasks(call)] == [first]


def test_same_client_token_with_other_parameters_is_a_mismatch(call, admin) -> None:
    create(call, ClientToken="token-1")
    assert refused(admin, lambda: create(call, ClientToken="token-1", LicenseLimit=99)) == (
        "IdempotentParameterMismatch", 403)
    assert len(tasks(call)) == 1


def test_the_26th_task_in_a_region_exceeds_the_quota(call, admin) -> None:
    for index in range(25):
        create(call, Name=f"task-{index}")
    assert refused(admin, lambda: create(call, Name="one-too-many")) == ("LicenseTask.ExceedQuota", 403)
    assert call("DescribeLicenseTasks")["TotalCount"] == 25
    assert create(call, Name="elsewhere", RegionId="us-east-1")
    call("DeleteLicenseTask", LicenseTaskId=tasks(call)[0]["LicenseTaskId"])
    assert create(call, Name="room-again")


def test_tasks_are_seen_only_in_their_region(call, admin) -> None:
    task_id = create(call, RegionId="us-west-1")
    assert tasks(call) == []
    assert [t["LicenseTaskId"] for t in tasks(call, RegionId="us-west-1")] == [task_id]
    assert refused(admin, lambda: call("DeleteLicenseTask", LicenseTaskId=task_id)) == (
        "InvalidLicenseTaskId.NotFound", 404)


ACTIONS_ON_A_TASK = ["ModifyLicenseTask", "AddLicenseDiscoveryRules", "ActivateLicenseTask", "DeactivateLicenseTask",
                     "DescribeLicenseTaskResources", "DeleteLicenseTask"]


@pytest.mark.parametrize("action", ACTIONS_ON_A_TASK)
def test_an_unknown_task_is_not_found(call, admin, action) -> None:
    create(call)
    params = {"LicenseTaskId": "lt-hz0000000000000000", "DiscoveryRule": [{"Product": "Other"}]}
    assert refused(admin, lambda: call(action, **params)) == ("InvalidLicenseTaskId.NotFound", 404)


@pytest.mark.parametrize("action", ACTIONS_ON_A_TASK)
def test_a_task_id_is_required(call, admin, action) -> None:
    assert refused(admin, lambda: call(action)) == ("MissingParameter", 400)


@pytest.mark.parametrize("action", ["CreateLicenseTask", "DescribeLicenseTasks", *ACTIONS_ON_A_TASK])
def test_every_operation_is_offered_in_three_regions_only(call, admin, action) -> None:
    task_id = create(call)
    assert refused(admin, lambda: call(action, RegionId="cn-shanghai", LicenseTaskId=task_id)) == (
        "InvalidRegionId.NotSupported", 400)


def test_modify_sets_the_description_and_the_limit_independently(call) -> None:
    task_id = create(call, Description="first", LicenseLimit=4)
    call("ModifyLicenseTask", LicenseTaskId=task_id, LicenseLimit=8)
    assert (task(call, task_id)["Description"], task(call, task_id)["LicenseLimit"]) == ("first", 8)
    call("ModifyLicenseTask", LicenseTaskId=task_id, Description="second")
    assert (task(call, task_id)["Description"], task(call, task_id)["LicenseLimit"]) == ("second", 8)
    call("ModifyLicenseTask", LicenseTaskId=task_id, Description="")
    assert task(call, task_id)["Description"] == ""


def test_modify_keeps_name_type_rules_and_status(call) -> None:
    task_id = create(call)
    before = task(call, task_id)
    call("ModifyLicenseTask", LicenseTaskId=task_id, Name="renamed", LicenseType="Instance", LicenseLimit=20)
    assert task(call, task_id) == {**before, "LicenseLimit": 20}


@pytest.mark.parametrize(
    ("params", "code"),
    [
        pytest.param({"LicenseLimit": 0}, "InvalidLicenseLimit.OutOfRange", id="limit-zero"),
        pytest.param({"LicenseLimit": 100_001}, "InvalidLicenseLimit.OutOfRange", id="limit-over-100000"),
        pytest.param({"Description": "d" * 257}, "InvalidDescription.Malformed", id="description-over-256"),
        pytest.param({"Description": "ok", "LicenseLimit": -1}, "InvalidLicenseLimit.OutOfRange",
                     id="good-description-bad-limit"),
    ],
)
def test_modify_refuses_bad_values_and_changes_nothing(call, admin, params, code) -> None:
    task_id = create(call, Description="first")
    before = task(call, task_id)
    assert refused(admin, lambda: call("ModifyLicenseTask", LicenseTaskId=task_id, **params))[0] == code
    assert task(call, task_id) == before


def test_rules_are_added_after_the_existing_ones(call) -> None:
    task_id = create(call, DiscoveryRule=[WINDOWS])
    call("AddLicenseDiscoveryRules", LicenseTaskId=task_id,
         DiscoveryRule=[{"Product": "Windows Server", "Version": "2022"}, {"Product": "SQL Server"}])
    assert task(call, task_id)["DiscoveryRules"]["DiscoveryRule"] == [
        WINDOWS, {"Product": "Windows Server", "Version": "2022"}, {"Product": "SQL Server", "Version": ""}]


@pytest.mark.parametrize(
    ("rules", "code"),
    [
        pytest.param([WINDOWS], "DiscoveryRule.Duplicate", id="equal-to-an-existing-rule"),
        pytest.param([{"Product": "SQL Server"}, WINDOWS], "DiscoveryRule.Duplicate", id="one-of-two-exists"),
        pytest.param([{"Product": "SQL Server"}] * 2, "DiscoveryRule.Duplicate", id="given-twice"),
        pytest.param([], "MissingParameter", id="no-rule"),
        pytest.param([{"Product": f"p{i}"} for i in range(20)], "DiscoveryRule.ExceedLimit", id="21-in-all"),
        pytest.param([{"Product": "p" * 129}], "InvalidParameter", id="product-over-128"),
        pytest.param([{"Product": "p", "Version": "v" * 65}], "InvalidParameter", id="version-over-64"),
    ],
)
def test_adding_rules_refuses_duplicates_and_adds_none(call, admin, rules, code) -> None:
    task_id = create(call, DiscoveryRule=[WINDOWS])
    code_and_status = refused(admin, lambda: call("AddLicenseDiscoveryRules", LicenseTaskId=task_id,
                                                  DiscoveryRule=rules))
    assert code_and_status[0] == code
    assert task(call, task_id)["DiscoveryRules"]["DiscoveryRule"] == [WINDOWS]


def test_a_rule_for_every_version_and_one_for_a_version_are_different_rules(call) -> None:
    task_id = create(call, DiscoveryRule=[{"Product": "Windows Server"}])
    call("AddLicenseDiscoveryRules", LicenseTaskId=task_id, DiscoveryRule=[WINDOWS])
    assert len(task(call, task_id)["DiscoveryRules"]["DiscoveryRule"]) == 2


def test_modify_ignores_rules(call) -> None:
    task_id = create(call, DiscoveryRule=[WINDOWS])
    call("ModifyLicenseTask", LicenseTaskId=task_id, DiscoveryRule=[{"Product": "Other"}])
    assert task(call, task_id)["DiscoveryRules"]["DiscoveryRule"] == [WINDOWS]


@pytest.mark.parametrize("action", ["RemoveLicenseDiscoveryRules", "DeleteLicenseDiscoveryRules",
                                    "ModifyLicenseDiscoveryRules"])
def test_no_operation_changes_or_removes_rules(call, admin, action) -> None:
    task_id = create(call, DiscoveryRule=[WINDOWS])
    assert refused(admin, lambda: call(action, LicenseTaskId=task_id, DiscoveryRule=[{"Product": "Other"}])) == (
        "InvalidAction.NotFound", 404)
    assert task(call, task_id)["DiscoveryRules"]["DiscoveryRule"] == [WINDOWS]


def test_deactivate_and_activate_are_idempotent_and_keep_the_configuration(call) -> None:
    task_id = create(call, Description="kept", LicenseLimit=8)
    before = task(call, task_id)
    for _ in range(2):
        call("DeactivateLicenseTask", LicenseTaskId=task_id)
        assert task(call, task_id)["Status"] == "Deactivated"
    for _ in range(2):
        call("ActivateLicenseTask", LicenseTaskId=task_id)
        assert task(call, task_id) == before


def test_a_deactivated_task_can_be_modified_and_given_rules(call) -> None:
    task_id = create(call)
    call("DeactivateLicenseTask", LicenseTaskId=task_id)
    call("ModifyLicenseTask", LicenseTaskId=task_id, LicenseLimit=2)
    call("AddLicenseDiscoveryRules", LicenseTaskId=task_id, DiscoveryRule=[{"Product": "SQL Server"}])
    found = task(call, task_id)
    assert (found["Status"], found["LicenseLimit"], len(found["DiscoveryRules"]["DiscoveryRule"])) == (
        "Deactivated", 2, 2)


def test_delete_removes_the_task_and_a_second_delete_is_not_found(call, admin) -> None:
    kept, deleted = create(call, Name="kept"), create(call, Name="deleted")
    call("DeleteLicenseTask", LicenseTaskId=deleted)
    assert [t["LicenseTaskId"] for t in tasks(call)] == [kept]
    assert refused(admin, lambda: call("DeleteLicenseTask", LicenseTaskId=deleted)) == (
        "InvalidLicenseTaskId.NotFound", 404)


def test_describe_pages_with_max_results_and_next_token(call) -> None:
    created = [create(call, Name=f"task-{index:02}") for index in range(12)]
    seen, token, sizes = [], "", []
    while True:
        answer = call("DescribeLicenseTasks", MaxResults=5, **({"NextToken": token} if token else {}))
        assert (answer["TotalCount"], answer["MaxResults"]) == (12, 5)
        page = [t["LicenseTaskId"] for t in answer["LicenseTasks"]["LicenseTask"]]
        seen += page
        sizes.append(len(page))
        token = answer["NextToken"]
        if not token:
            break
    assert (seen, sizes) == (created, [5, 5, 2])


def test_describe_filters_by_ids_and_an_unknown_id_is_an_empty_list(call) -> None:
    first, _, third = (create(call, Name=f"task-{index}") for index in range(3))
    assert [t["LicenseTaskId"] for t in tasks(call, LicenseTaskId=[third, first])] == [first, third]
    answer = call("DescribeLicenseTasks", LicenseTaskId=["lt-hz0000000000000000"])
    assert (answer["LicenseTasks"]["LicenseTask"], answer["TotalCount"]) == ([], 0)


@pytest.mark.parametrize(
    ("params", "code"),
    [
        pytest.param({"MaxResults": 0}, "InvalidParameter", id="max-results-0"),
        pytest.param({"MaxResults": 101}, "InvalidParameter", id="max-results-over-100"),
        pytest.param({"NextToken": "garbage"}, "InvalidNextToken", id="bad-next-token"),
        pytest.param({"LicenseTaskId": [f"lt-{i}" for i in range(101)]}, "InvalidParameter", id="101-ids"),
    ],
)
def test_describe_refuses_bad_paging(call, params, code) -> None:
    error = error_of(lambda: call("DescribeLicenseTasks", **params))
    assert (error.code, error.status_code) == (code, 400)
