"""A provider server per test module, configured for the session's emulator, and the real `__provider`."""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.support.pulumi_engine import ProviderServer, registrations

COMMAND = "pulumi-python:dynamic/ecsops:Command"
SCHEDULED = "pulumi-python:dynamic/ecsops:ScheduledInvocation"
RULE = "pulumi-python:dynamic/ecsops:EventAlertRule"
MAINTENANCE = "pulumi-python:dynamic/ecsops:MaintenanceAttributes"
DELIVERY = "pulumi-python:dynamic/ecsops:DeliverySettings"
LICENSE = "pulumi-python:dynamic/ecsops:LicenseTask"


@pytest.fixture(scope="module")
def provider_server(emulator_server, tmp_path_factory) -> Iterator[ProviderServer]:
    server = ProviderServer(tmp_path_factory.mktemp("pulumi-project"))
    server.configure({"ecsops:endpoint": emulator_server.endpoint, "ecsops:region": "cn-hangzhou"})
    yield server
    server.stop()


@pytest.fixture
def provider(provider_server, emulator) -> ProviderServer:
    """The module's provider server, with the emulator reset for this test."""
    return provider_server


@pytest.fixture(scope="session")
def providers() -> dict[str, str]:
    """`__provider` of each kind, exactly as the real resource classes serialise it."""
    def program() -> None:
        from ecsops.resources import (Command, DeliverySettings, EventAlertRule, LicenseTask,
                                      MaintenanceAttributes, ScheduledInvocation)

        command = Command("probe", name="probe", type="RunShellScript", content="echo")
        ScheduledInvocation("probe-task", command_id=command.command_id, instance_ids=["i-1"], frequency="rate(5m)")
        EventAlertRule("probe-rule", name="probe", event_pattern={"eventTypes": ["*"]})
        MaintenanceAttributes("probe-maintenance", instance_ids=["i-1"])
        DeliverySettings("probe-delivery", region="cn-hangzhou")
        LicenseTask("probe-license", name="probe", description="a probe", license_type="Instance", limit=1,
                    discovery_rules=[{"product": "x"}])

    return {registration.type: registration.inputs["__provider"] for registration in registrations(program)}


@pytest.fixture(scope="session")
def command_provider(providers) -> str:
    return providers[COMMAND]


@pytest.fixture(scope="session")
def scheduled_provider(providers) -> str:
    return providers[SCHEDULED]


@pytest.fixture(scope="session")
def rule_provider(providers) -> str:
    return providers[RULE]
