"""A provider server per test module, configured for the session's emulator, and the real `__provider`."""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.support.pulumi_engine import ProviderServer, registrations

COMMAND = "pulumi-python:dynamic/ecsops:Command"


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
def command_provider() -> str:
    """`__provider` exactly as the real `Command` class serialises it."""
    def program() -> None:
        from ecsops.resources import Command

        Command("probe", name="probe", type="RunShellScript", content="echo")

    [registration] = registrations(program)
    return registration.inputs["__provider"]
