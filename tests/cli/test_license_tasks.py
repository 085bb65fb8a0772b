"""License tasks end to end through `ecsops` and the emulator: the acceptance of issue 6."""

from __future__ import annotations

import pytest
import yaml

from ecsops.engine.state import StateStore
from tests.support.cli import ecsops
from tests.support.license import license_call
from tests.support.webhooks import WebhookReceiver

SECOND_WINDOWS = {"instances": [{"id": "i-win-2", "region": "cn-hangzhou", "osType": "windows", "cpu": 4,
                                 "products": [{"name": "Windows Server", "version": "2022"}]}]}


BASE = {"name": "windows-server", "description": "Windows Server datacenter licenses", "licenseType": "vCPU",
        "limit": 6, "discoveryRules": [{"product": "Windows Server"}]}


def stack_of(tmp_path, **tasks: dict) -> object:
    """A stack of license tasks: resource name -> properties changed from BASE."""
    resources = {name: {"type": "ecsops:LicenseTask", "properties": {**BASE, **changes}}
                 for name, changes in tasks.items()}
    path = tmp_path / "stack.yaml"
    path.write_text(yaml.safe_dump({"name": "demo", "region": "cn-hangzhou", "resources": resources}))
    return path


def resources(admin, task_id: str, kind: str) -> list[str]:
    answer = license_call(admin.endpoint, "DescribeLicenseTaskResources",
                          {"RegionId": "cn-hangzhou", "LicenseTaskId": task_id, "Kind": kind})
    return [item["InstanceId"] for item in answer["Resources"]["Resource"]]


def test_a_vcpu_limit_tracks_what_fits_and_grows_in_place(tmp_path, cli, admin) -> None:
    admin.world(SECOND_WINDOWS)
    stack = stack_of(tmp_path, windows={})
    assert cli("apply", "--yes", stack).code == 0
    task_id = StateStore(tmp_path, "demo").load().resources["windows"].id
    assert resources(admin, task_id, "Tracked") == ["i-demo-windows-1"]
    assert resources(admin, task_id, "Failed") == ["i-win-2"]
    stack_of(tmp_path, windows={"limit": 8})
    assert "~ windows" in cli("plan", stack).out
    assert cli("apply", "--yes", stack).code == 0
    state = StateStore(tmp_path, "demo").load().resources["windows"]
    assert state.id == task_id and state.outputs["trackedCount"] == 2 and state.outputs["consumed"] == 8
    assert resources(admin, task_id, "Tracked") == ["i-demo-windows-1", "i-win-2"]


@pytest.mark.parametrize(
    ("change", "symbol", "fragment"),
    [
        pytest.param({"discoveryRules": [{"product": "Windows Server"}, {"product": "SQL Server"}]}, "~",
                     "adds items", id="rule-added-in-place"),
        pytest.param({"discoveryRules": [{"product": "SQL Server"}]}, "-/+", "discovery rules can only be added",
                     id="rule-removed-replaces"),
        pytest.param({"name": "windows-2019"}, "-/+", "a task's name cannot be changed", id="renamed-replaces"),
    ],
)
def test_how_changes_are_planned(tmp_path, cli, change, symbol, fragment) -> None:
    stack = stack_of(tmp_path, windows={})
    cli("apply", "--yes", stack)
    stack_of(tmp_path, windows=change)
    planned = cli("plan", stack)
    assert f"{symbol} windows  ecsops:LicenseTask" in planned.out and fragment in planned.out
    assert cli("apply", "--yes", stack).code == 0
    assert cli("plan", "--detailed-exitcode", stack).code == 0


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        pytest.param({"region": "cn-beijing"}, "region", "available in cn-hangzhou, us-west-1, us-east-1 only",
                     id="region-not-served"),
        pytest.param({"name": "2022-windows"}, "name", "starting with a letter", id="name-starts-with-a-digit"),
        pytest.param({"name": "http://windows"}, "name", "may not start with http://", id="name-is-a-url"),
        pytest.param({"description": "x"}, "description", "at least 2 characters", id="one-character-description"),
        pytest.param({"limit": 0}, "limit", "greater than or equal to 1", id="limit-zero"),
        pytest.param({"limit": 100001}, "limit", "less than or equal to 100000", id="limit-100001"),
    ],
)
def test_bad_tasks_are_refused_before_any_write(tmp_path, cli, admin, change, field, fragment) -> None:
    refused = cli("plan", stack_of(tmp_path, windows=change))
    assert refused.code == 1
    assert f'resource "windows" (ecsops:LicenseTask), field "{field}": ' in refused.err and fragment in refused.err
    assert admin.writes() == []


def test_a_26th_task_in_a_region_is_refused_before_any_write(tmp_path, cli, admin) -> None:
    refused = cli("plan", stack_of(tmp_path, **{f"windows-{n}": {"name": f"ws-{n}"} for n in range(26)}))
    assert refused.code == 1 and 'field "region": the stack declares 26 license tasks' in refused.err
    assert admin.writes() == []


def test_deactivating_stops_tracking_and_out_of_band_limits_are_drift(tmp_path, cli, admin) -> None:
    stack = stack_of(tmp_path, windows={})
    cli("apply", "--yes", stack)
    task_id = StateStore(tmp_path, "demo").load().resources["windows"].id
    stack_of(tmp_path, windows={"active": False})
    assert cli("apply", "--yes", stack).code == 0
    assert resources(admin, task_id, "Tracked") == []
    license_call(admin.endpoint, "ModifyLicenseTask", {"RegionId": "cn-hangzhou", "LicenseTaskId": task_id,
                                                       "LicenseLimit": 2})
    drift = cli("drift", stack)
    assert drift.code == 2 and "limit: cloud 2, stack 6  (changed outside ecsops)" in drift.out
    assert cli("apply", "--yes", stack).code == 0
    [found] = license_call(admin.endpoint, "DescribeLicenseTasks", {
        "RegionId": "cn-hangzhou", "LicenseTaskId": [task_id]})["LicenseTasks"]["LicenseTask"]
    assert (found["LicenseLimit"], found["Status"]) == (6, "Deactivated")


def test_anything_but_the_emulator_is_refused_at_plan(tmp_path) -> None:
    with WebhookReceiver() as not_an_emulator:
        endpoint = not_an_emulator.url.rsplit("/", 1)[0]
        refused = ecsops("plan", stack_of(tmp_path, windows={}), "--endpoint", endpoint)
    assert refused.code == 1
    assert "License Manager has no public API (no SDK or API reference has it)" in refused.err
