"""ecsops sends each operation through the SDK's generic `call_api` (see ecsops.cloud.client): every request it
makes must be, parameter for parameter, the one the product's own SDK client sends for the same call.

A stack of every kind the product SDKs know is applied, changed, checked for drift and destroyed through a
recording client; then each recorded call is sent again, once by ecsops and once by the product SDK's typed
method, and the two requests the emulator logged are compared."""

from __future__ import annotations

import json
import re
from typing import Any, Callable

import pytest
from alibabacloud_cms20190101 import models as cms_models
from alibabacloud_ecs20140526 import models as ecs_models

import ecsops.resources  # noqa: F401  (registers every kind)
from ecsops.cloud import operations as ops
from ecsops.cloud.client import Cloud
from ecsops.cloud.operations import Operation
from ecsops.engine.stack import load_stack
from ecsops.engine.workspace import Workspace
from tests.support.emulator import cms_client, ecs_client
from tests.support.inventory import sdk_cloud

VERSION_1 = """
  cmd:
    type: ecsops:Command
    properties: {name: wire, type: RunShellScript, content: "df -h {{mount}}", enableParameter: true,
                 description: first, tags: {team: sre, old: x}}
  task:
    type: ecsops:ScheduledInvocation
    properties: {commandId: "${cmd.commandId}", instanceIds: [i-demo-linux-1], frequency: rate(1h),
                 parameters: {mount: {secret: /data}}, tags: {team: sre}, username: ops,
                 windowsPasswordName: axtpassword, launcher: "bash -e {{ACS::ScriptFileName}}",
                 containerId: "docker://0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                 containerName: web, terminationMode: ProcessTree, resourceGroupId: rg-wire}
  maintenance:
    type: ecsops:MaintenanceAttributes
    properties: {instanceIds: [i-demo-linux-2], action: Stop, notify: true, window: {start: "02:00:00", end: "04:00:00"}}
  delivery:
    type: ecsops:DeliverySettings
    properties:
      region: cn-hangzhou
      oss: {enabled: true, bucket: ecsops-demo-records, prefix: audit}
      logService: {enabled: true, project: ecsops-demo, logstore: cloud-assistant}
  rule:
    type: ecsops:EventAlertRule
    properties:
      name: wire-rule
      eventPattern: {eventTypes: [Maintenance], levels: [CRITICAL], names: ["Instance:SystemMaintenance.Reboot"]}
      targets:
        contacts: [{group: ops-oncall}]
        webhooks: [{id: chat, url: "https://hooks.example.com/ecs"}]
"""
VERSION_2 = (VERSION_1.replace("description: first, tags: {team: sre, old: x}", "description: second, timeout: 90, "
                               "tags: {team: ops}")
             .replace("rate(1h)", "rate(2h)").replace("action: Stop", "action: AutoRecover")
             .replace("oss: {enabled: true", "oss: {enabled: false")
             .replace('        webhooks: [{id: chat, url: "https://hooks.example.com/ecs"}]\n', "")
             .replace("name: wire-rule", "name: wire-rule\n      enabled: false"))


class Recorder(Cloud):
    """The cloud client, noting every request it sends (operation and wire parameters, RegionId included)."""

    def __init__(self, cloud: Cloud):
        super().__init__(cloud.backend, rate=None)
        self.sent: list[tuple[Operation, dict[str, Any]]] = []

    def _send(self, operation: Operation, request: dict[str, Any], region: str) -> dict[str, Any]:
        self.sent.append((operation, dict(request)))
        return super()._send(operation, request, region)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory, emulator_server) -> list[tuple[Operation, dict[str, Any]]]:
    """Every call of a stack's whole life: apply, change, drift, destroy."""
    from tests.support.emulator import Admin

    Admin(emulator_server.endpoint).reset()
    directory = tmp_path_factory.mktemp("wire")
    cloud = Recorder(sdk_cloud(emulator_server.endpoint))
    for version in (VERSION_1, VERSION_2):
        (directory / "stack.yaml").write_text(f"name: wire\nregion: cn-hangzhou\nresources:\n{version}")
        space = Workspace.open(load_stack(directory / "stack.yaml"), cloud, workers=1)
        _, outcome = space.apply()
        assert outcome is not None and outcome.ok, outcome
    space.drift()
    _, outcome = space.destroy()
    assert outcome is not None and outcome.ok, outcome
    return cloud.sent


def product_operations() -> list[Operation]:
    """Every operation ecsops declares for a product an official SDK knows."""
    return [operation for operation in vars(ops).values()
            if isinstance(operation, Operation) and operation.product.sdk is not None]


def test_a_stacks_life_uses_every_declared_operation(recorded) -> None:
    """So the comparison below covers them all (and no operation is declared that nothing calls)."""
    used = {operation.action for operation, _ in recorded}
    assert {operation.action for operation in product_operations()} <= used


def sdk_method(operation: Operation) -> Callable[[Any, dict[str, Any]], Any]:
    """Sends `params` through the product SDK's typed method (`CreateCommand` -> `create_command`)."""
    models = ecs_models if operation.product is ops.ECS else cms_models

    def send(client: Any, params: dict[str, Any]) -> Any:
        method = re.sub(r"(?<!^)(?=[A-Z])", "_", operation.action).lower()
        return getattr(client, method)(getattr(models, f"{operation.action}Request")().from_map(params))
    return send


def logged(admin: Any, call: Callable[[], Any]) -> dict[str, Any]:
    """The parameters of the one request `call` makes, as the emulator logged them (JSON texts parsed, so
    that key order inside them does not count), whether or not the call succeeded."""
    before = max((entry["seq"] for entry in admin.requests()), default=0)
    try:
        call()
    except Exception:  # noqa: BLE001  (a call refused now — its object is gone — is still a request)
        pass
    [entry] = admin.requests(since=before)
    return {name: _parsed(value) for name, value in entry["params"].items()}


def _parsed(value: str) -> Any:
    try:
        return json.loads(value) if value[:1] in "{[" else value
    except ValueError:
        return value


def test_every_request_is_the_one_the_product_sdk_sends(recorded, emulator, admin) -> None:
    cloud = sdk_cloud(emulator.endpoint)
    clients = {ops.ECS.name: ecs_client(emulator.endpoint), ops.CMS.name: cms_client(emulator.endpoint)}
    compared: set[str] = set()
    for operation, request in recorded:
        if operation.product.sdk is None:
            continue
        ours = logged(admin, lambda: cloud.call(operation, request))
        theirs = logged(admin, lambda: sdk_method(operation)(clients[operation.product.name], request))
        assert ours == theirs, operation.action
        compared.add(operation.action)
    assert compared == {operation.action for operation in product_operations()}
