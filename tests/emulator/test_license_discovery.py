"""What License Manager tasks discover and count (the ECS guide 6.2), through the official generic client: by
instance or by vCPU up to the limit, rule versions, failures with their reason, deactivated tasks, and
counts that follow every change of the world (instances added, products changed, instances leaving).

The default world has one matching instance: i-demo-windows-1 in cn-hangzhou, 4 vCPUs, Windows Server 2019
and SQL Server 2017 installed."""

from __future__ import annotations

from typing import Any

import pytest
from alibabacloud_tea_openapi.exceptions import ClientException

from tests.support.emulator import REGION
from tests.support.license import LicenseApi

DEMO = "i-demo-windows-1"
WINDOWS_2019 = {"name": "Windows Server", "version": "2019"}


@pytest.fixture
def call(emulator) -> LicenseApi:
    return LicenseApi(emulator.endpoint)


def instance(instance_id: str, cpu: int = 4, products: list[dict[str, str]] | None = None, **fields: Any) -> dict:
    """A world instance in cn-hangzhou with Windows Server 2019 installed unless told otherwise."""
    return {"id": instance_id, "region": REGION, "cpu": cpu,
            "products": [WINDOWS_2019] if products is None else products, **fields}


def create(call, license_type: str = "vCPU", limit: int = 100, rules: list[dict] | None = None, **fields: Any) -> str:
    return call("CreateLicenseTask", Name="windows", LicenseType=license_type, LicenseLimit=limit,
                DiscoveryRule=rules or [{"Product": "Windows Server"}], **fields)["LicenseTaskId"]


def counts(call, task_id: str, **params: Any) -> tuple[int, int, int]:
    """(Consumed, TrackedCount, FailedCount) as DescribeLicenseTasks reports them."""
    [task] = call("DescribeLicenseTasks", LicenseTaskId=[task_id], **params)["LicenseTasks"]["LicenseTask"]
    return task["Consumed"], task["TrackedCount"], task["FailedCount"]


def resources(call, task_id: str, kind: str = "Tracked", **params: Any) -> list[dict[str, Any]]:
    answer = call("DescribeLicenseTaskResources", LicenseTaskId=task_id, Kind=kind, MaxResults=100, **params)
    return answer["Resources"]["Resource"]


def ids(call, task_id: str, kind: str = "Tracked", **params: Any) -> list[str]:
    return [resource["InstanceId"] for resource in resources(call, task_id, kind, **params)]


def test_a_vcpu_limit_tracks_what_fits_and_a_higher_limit_tracks_both(call, admin) -> None:
    admin.world({"instances": [instance("i-win-2", cpu=4, name="win-2")]})
    task_id = create(call, "vCPU", 6)
    assert (ids(call, task_id), counts(call, task_id)) == ([DEMO], (4, 1, 1))
    assert resources(call, task_id, "Failed") == [{
        "InstanceId": "i-win-2", "InstanceName": "win-2", "Cpu": 4, "Product": "Windows Server", "Version": "2019",
        "Counted": 4, "Reason": "the license limit of 6 vCPUs is reached: 4 more would make 8"}]
    call("ModifyLicenseTask", LicenseTaskId=task_id, LicenseLimit=8)
    assert (ids(call, task_id), ids(call, task_id, "Failed")) == ([DEMO, "i-win-2"], [])
    assert counts(call, task_id) == (8, 2, 0)


def test_a_tracked_resource_says_what_it_counts(call) -> None:
    task_id = create(call, "vCPU", 10)
    assert resources(call, task_id) == [{
        "InstanceId": DEMO, "InstanceName": "demo-windows-1", "Cpu": 4, "Product": "Windows Server",
        "Version": "2019", "Counted": 4, "Reason": ""}]


@pytest.mark.parametrize(
    ("limit", "tracked", "reason"),
    [
        pytest.param(1, [DEMO], "the license limit of 1 instance is reached: 1 more would make 2", id="limit-1"),
        pytest.param(2, [DEMO, "i-win-2"], "the license limit of 2 instances is reached: 1 more would make 3",
                     id="limit-2"),
    ],
)
def test_an_instance_license_counts_one_per_instance(call, admin, limit, tracked, reason) -> None:
    admin.world({"instances": [instance("i-win-2", cpu=16), instance("i-win-3", cpu=32)]})
    task_id = create(call, "Instance", limit)
    failed = resources(call, task_id, "Failed")
    assert ids(call, task_id) == tracked
    assert (failed[0]["Counted"], failed[0]["Reason"]) == (1, reason)
    assert counts(call, task_id) == (limit, limit, 3 - limit)


def test_once_one_instance_fails_every_later_one_fails_even_a_smaller_one(call, admin) -> None:
    admin.world({"instances": [instance("i-win-big", cpu=4), instance("i-win-small", cpu=1)]})
    task_id = create(call, "vCPU", 6)
    assert ids(call, task_id) == [DEMO]
    assert [(r["InstanceId"], r["Reason"]) for r in resources(call, task_id, "Failed")] == [
        ("i-win-big", "the license limit of 6 vCPUs is reached: 4 more would make 8"),
        ("i-win-small", "the license limit of 6 vCPUs is reached: 1 more would make 9")]


@pytest.mark.parametrize(
    ("rules", "tracked"),
    [
        pytest.param([{"Product": "Windows Server"}], [DEMO, "i-win-2022"], id="every-version"),
        pytest.param([{"Product": "Windows Server", "Version": "2019"}], [DEMO], id="version-2019"),
        pytest.param([{"Product": "Windows Server", "Version": "2022"}], ["i-win-2022"], id="version-2022"),
        pytest.param([{"Product": "Windows Server", "Version": "2019"},
                      {"Product": "Windows Server", "Version": "2022"}], [DEMO, "i-win-2022"], id="both-versions"),
        pytest.param([{"Product": "Windows Server", "Version": "2016"}], [], id="version-nobody-has"),
        pytest.param([{"Product": "windows server"}], [], id="product-in-other-case"),
        pytest.param([{"Product": "Windows"}], [], id="product-prefix"),
        pytest.param([{"Product": "SQL Server", "Version": "2017"}], [DEMO], id="other-product"),
    ],
)
def test_rules_match_product_and_version_exactly(call, admin, rules, tracked) -> None:
    admin.world({"instances": [instance("i-win-2022", products=[{"name": "Windows Server", "version": "2022"}])]})
    assert ids(call, create(call, rules=rules)) == tracked


def test_an_instance_matched_by_two_rules_counts_once_under_its_first_matching_product(call) -> None:
    task_id = create(call, "vCPU", 100, [{"Product": "SQL Server"}, {"Product": "Windows Server"}])
    [resource] = resources(call, task_id)
    assert (resource["Product"], resource["Version"], counts(call, task_id)) == ("Windows Server", "2019", (4, 1, 0))


def test_a_stopped_instance_still_holds_a_license(call, admin) -> None:
    admin.world({"instances": [instance("i-win-stopped", cpu=2, status="Stopped")]})
    assert ids(call, create(call)) == [DEMO, "i-win-stopped"]


def test_only_instances_of_the_tasks_region_count(call, admin) -> None:
    admin.world({"instances": [instance("i-win-usw", region="us-west-1")]})
    assert ids(call, create(call)) == [DEMO]
    assert ids(call, create(call, RegionId="us-west-1"), RegionId="us-west-1") == ["i-win-usw"]


def test_a_deactivated_task_discovers_nothing_until_activated_again(call, admin) -> None:
    admin.world({"instances": [instance("i-win-2")]})
    task_id = create(call, "vCPU", 6)
    call("DeactivateLicenseTask", LicenseTaskId=task_id)
    assert (counts(call, task_id), ids(call, task_id), ids(call, task_id, "Failed")) == ((0, 0, 0), [], [])
    call("ActivateLicenseTask", LicenseTaskId=task_id)
    assert (ids(call, task_id), ids(call, task_id, "Failed")) == ([DEMO], ["i-win-2"])
    assert counts(call, task_id) == (4, 1, 1)


def test_an_added_rule_is_discovered_at_once(call, admin) -> None:
    admin.world({"instances": [instance("i-sql", products=[{"name": "SQL Server", "version": "2019"}])]})
    task_id = create(call, rules=[{"Product": "Windows Server"}])
    call("AddLicenseDiscoveryRules", LicenseTaskId=task_id, DiscoveryRule=[{"Product": "SQL Server"}])
    assert ids(call, task_id) == [DEMO, "i-sql"]


def test_a_lower_limit_turns_tracked_instances_into_failed_ones(call, admin) -> None:
    admin.world({"instances": [instance("i-win-2")]})
    task_id = create(call, "vCPU", 8)
    call("ModifyLicenseTask", LicenseTaskId=task_id, LicenseLimit=3)
    assert (ids(call, task_id), ids(call, task_id, "Failed")) == ([], [DEMO, "i-win-2"])
    assert counts(call, task_id) == (0, 0, 2)


@pytest.mark.parametrize(
    ("change", "tracked", "consumed"),
    [
        pytest.param(instance("i-win-new", cpu=2), [DEMO, "i-win-new"], 6, id="instance-added"),
        pytest.param(instance(DEMO, cpu=4, products=[]), [], 0, id="products-removed"),
        pytest.param(instance(DEMO, cpu=4, products=[{"name": "Windows Server", "version": "2022"}]), [], 0,
                     id="version-changed-out-of-the-rule"),
        pytest.param(instance(DEMO, cpu=8), [DEMO], 8, id="vcpus-changed"),
        pytest.param(instance(DEMO, region="us-east-1"), [], 0, id="instance-moved-out-of-the-region"),
    ],
)
def test_counts_follow_the_world(call, admin, change, tracked, consumed) -> None:
    task_id = create(call, "vCPU", 100, [{"Product": "Windows Server", "Version": "2019"}])
    assert counts(call, task_id) == (4, 1, 0)
    admin.world({"instances": [change]})
    assert (ids(call, task_id), counts(call, task_id)) == (tracked, (consumed, len(tracked), 0))


def test_a_failed_instance_is_tracked_once_another_leaves(call, admin) -> None:
    admin.world({"instances": [instance("i-win-2")]})
    task_id = create(call, "Instance", 1)
    admin.world({"instances": [instance(DEMO, products=[])]})
    assert (ids(call, task_id), ids(call, task_id, "Failed")) == (["i-win-2"], [])


def test_resources_page_in_creation_order(call, admin) -> None:
    added = [f"i-win-{index:02}" for index in range(11)]
    admin.world({"instances": [instance(instance_id, cpu=1) for instance_id in added]})
    task_id = create(call, "Instance", 100)
    seen, token, sizes = [], "", []
    while True:
        answer = call("DescribeLicenseTaskResources", LicenseTaskId=task_id, MaxResults=5,
                      **({"NextToken": token} if token else {}))
        assert answer["TotalCount"] == 12
        seen += [resource["InstanceId"] for resource in answer["Resources"]["Resource"]]
        sizes.append(len(answer["Resources"]["Resource"]))
        token = answer["NextToken"]
        if not token:
            break
    assert (seen, sizes) == ([DEMO, *added], [5, 5, 2])


def test_the_kind_defaults_to_tracked(call) -> None:
    task_id = create(call)
    answer = call("DescribeLicenseTaskResources", LicenseTaskId=task_id)
    assert [resource["InstanceId"] for resource in answer["Resources"]["Resource"]] == [DEMO]


@pytest.mark.parametrize("kind", ["tracked", "All", "Untracked"])
def test_an_unknown_kind_is_invalid(call, kind) -> None:
    task_id = create(call)
    with pytest.raises(ClientException) as raised:
        call("DescribeLicenseTaskResources", LicenseTaskId=task_id, Kind=kind)
    assert (raised.value.code, raised.value.status_code) == ("InvalidParameter", 400)


def test_reading_what_a_task_discovers_writes_nothing(call, admin) -> None:
    task_id = create(call)
    writes = admin.writes()
    counts(call, task_id)
    resources(call, task_id)
    resources(call, task_id, "Failed")
    assert admin.writes() == writes
    assert {entry["kind"] for entry in admin.requests(action="DescribeLicenseTaskResources")} == {"read"}
