"""ecsops:LicenseTask through Pulumi's dynamic provider server."""

from __future__ import annotations

import pytest
from pulumi.runtime.proto import provider_pb2

from tests.pulumi.conftest import LICENSE
from tests.support.license import license_call

DIFF_NONE, DIFF_SOME = provider_pb2.DiffResponse.DIFF_NONE, provider_pb2.DiffResponse.DIFF_SOME


@pytest.fixture
def inputs(providers):
    return {"__provider": providers[LICENSE], "name": "windows-server", "description": "datacenter licenses",
            "licenseType": "vCPU", "limit": 6, "discoveryRules": [{"product": "Windows Server"}],
            "licenseTaskId": None, "consumed": None}


def created(provider, inputs):
    checked, failures = provider.check(LICENSE, "t", {}, inputs)
    assert failures == []
    return checked, *provider.create(LICENSE, "t", checked)


def test_check_names_bad_fields(provider, inputs) -> None:
    _, failures = provider.check(LICENSE, "t", {}, {**inputs, "name": "2022", "limit": 0, "region": "cn-beijing"})
    assert sorted(field for field, _ in failures) == ["limit", "name", "region"]


def test_lifecycle_with_add_only_rules(provider, inputs, admin) -> None:
    checked, task_id, outputs = created(provider, inputs)
    assert task_id.startswith("lt-") and (outputs["consumed"], outputs["trackedCount"]) == (4, 1)
    assert provider.diff(LICENSE, "t", task_id, outputs, checked).changes == DIFF_NONE
    more = {**checked, "discoveryRules": [{"product": "Windows Server"}, {"product": "SQL Server"}], "limit": 8}
    answer = provider.diff(LICENSE, "t", task_id, outputs, more)
    assert (answer.changes, answer.replaces) == (DIFF_SOME, [])
    updated = provider.update(LICENSE, "t", task_id, outputs, more)
    assert updated["limit"] == 8 and len(updated["discoveryRules"]) == 2
    fewer = {**more, "discoveryRules": [{"product": "SQL Server"}]}
    assert provider.diff(LICENSE, "t", task_id, updated, fewer).replaces == ["discoveryRules"]
    license_call(admin.endpoint, "ModifyLicenseTask", {"RegionId": "cn-hangzhou", "LicenseTaskId": task_id,
                                                       "LicenseLimit": 1})
    _, refreshed = provider.read(LICENSE, "t", task_id, updated, more)
    assert refreshed["limit"] == 1
    provider.delete(LICENSE, "t", task_id, refreshed)
    assert provider.read(LICENSE, "t", task_id, refreshed, more)[0] == ""
