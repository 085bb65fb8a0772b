"""Secrets never leak: canary values — a task's secret parameter, a webhook URL carrying a token marked
secret, the access key secret — are sent to the cloud (checked) and appear nowhere else: not in any output
of plan, apply, drift or destroy (text or --json, errors and debug logs included), not in the state or its
journal, not in the emulator's request log, and, through Pulumi, only in outputs the engine marks secret."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import grpc
import pulumi
import pytest

from ecsops.cloud import operations as ops
from ecsops.cloud.backend import Backend, KeyPair
from ecsops.cloud.client import Cloud
from tests.support.cli import running
from tests.support.emulator import ACCESS_KEY_ID, ACCESS_KEY_SECRET
from tests.support.pulumi_engine import ProviderServer, Registration, registrations

CANARY = "CANARY-7f3a9c"
KEY_ID = "canary-key"
KEY_SECRET = f"{CANARY}-key-secret"

STACK = """\
name: canary
region: cn-hangzhou
resources:
  report:
    type: ecsops:Command
    properties:
      name: report
      type: RunShellScript
      content: 'curl -H "Authorization: {{token}}" https://monitor.example.com/{{what}}'
      enableParameter: true
  nightly:
    type: ecsops:ScheduledInvocation
    properties:
      commandId: ${report.commandId}
      instanceIds: [i-demo-linux-1]
      frequency: rate(1h)
      parameters: {what: disk, token: {secret: "TOKEN"}}
  alerts:
    type: ecsops:EventAlertRule
    properties:
      name: alerts
      eventPattern: {eventTypes: [Maintenance]}
      targets:
        webhooks: [{id: chat, url: {secret: "https://hooks.example.com/ecs?token=URL"}}]
"""


def with_secrets(version: int) -> str:
    return STACK.replace('"TOKEN"', f'"{CANARY}-token-{version}"').replace("token=URL", f"token={CANARY}-url-{version}")


@pytest.fixture
def canary_world(admin):
    admin.world({"account": {"accessKeys": [{"id": ACCESS_KEY_ID, "secret": ACCESS_KEY_SECRET},
                                            {"id": KEY_ID, "secret": KEY_SECRET}]}})


def run(stack: Path, endpoint: str, *argv: str) -> tuple[int, str]:
    environment = {"ECSOPS_ENDPOINT": endpoint, "ECSOPS_ACCESS_KEY_ID": KEY_ID,
                   "ECSOPS_ACCESS_KEY_SECRET": KEY_SECRET, "ECSOPS_LOG": "debug"}
    with running(*argv, stack, env=environment) as process:
        out, err = process.communicate(timeout=120)
    return process.returncode, out + err


def test_no_output_file_or_log_of_the_cli_holds_a_secret(tmp_path, emulator, admin, canary_world) -> None:
    stack = tmp_path / "stack.yaml"
    outputs: list[str] = []

    def step(*argv: str, expect: int) -> str:
        code, text = run(stack, emulator.endpoint, *argv)
        assert code == expect, text
        outputs.append(text)
        return text

    stack.write_text(with_secrets(1))
    step("plan", expect=0)
    step("plan", "--json", expect=0)
    assert "-> ok in" in step("apply", "--yes", expect=0)  # the debug log is on
    step("plan", "--detailed-exitcode", expect=0)
    step("drift", "--json", expect=0)
    stack.write_text(with_secrets(2))  # both secrets change: plan and drift must say so without showing them
    assert "~ targets.webhooks[chat].url: (secret) -> (secret)" in step("plan", expect=0)
    assert "+ targets.webhooks[chat].url: (secret)" in step("plan", "--format", "markdown", expect=0)
    assert '"(secret)"' in step("drift", "--json", expect=2)
    step("drift", expect=2)
    step("apply", "--yes", expect=0)
    stack.write_text(with_secrets(3))
    admin.world({"quotas": {"max-axt-invocation-daily": 0}})  # the new task is refused: failures are reported too
    assert "Apply incomplete" in step("apply", "--yes", expect=1)
    admin.world({"quotas": {"max-axt-invocation-daily": 5000}})
    stack.write_text(with_secrets(3).replace("https://hooks", f"ftp://{CANARY}-bad@hooks"))
    assert "the secret value is not valid" in step("plan", expect=1)
    stack.write_text(with_secrets(3))
    step("apply", "--yes", expect=0)

    cloud = Cloud(Backend("endpoint", "cn-hangzhou", endpoint=emulator.endpoint, keys=KeyPair(KEY_ID, KEY_SECRET)))
    [rule_target] = cloud.call(ops.DESCRIBE_EVENT_RULE_TARGET_LIST, {"RuleName": "alerts"})[
        "WebhookParameters"]["WebhookParameter"]
    [task] = [task for task in cloud.fetch_all(ops.DESCRIBE_INVOCATIONS, {}, ("Invocations", "Invocation"))
              if task["InvocationStatus"] != "Stopped"]
    assert f"{CANARY}-url-3" in rule_target["Url"] and f"{CANARY}-token-3" in task["Parameters"]  # sent

    step("destroy", "--yes", expect=0)
    files = {path.name: path.read_text(errors="replace") for path in (tmp_path / ".ecsops").iterdir()
             if path.is_file() and not path.name.startswith("emulator")}
    assert "canary.state.json" in files
    leaks = [f"output {index}" for index, text in enumerate(outputs) if CANARY in text]
    leaks += [f"file {name}" for name, text in files.items() if CANARY in text]
    leaks += ["emulator request log"] if CANARY in json.dumps(admin.requests()) else []
    assert leaks == []


def test_pulumi_outputs_holding_a_secret_are_ones_the_engine_marks_secret(tmp_path, emulator, canary_world) -> None:
    from ecsops.resources import Command, EventAlertRule, ScheduledInvocation

    def program() -> None:
        command = Command("report", name="report", type="RunShellScript", content="echo {{token}}",
                          enable_parameter=True)
        ScheduledInvocation("nightly", command_id=command.command_id, instance_ids=["i-demo-linux-1"],
                            frequency="rate(1h)", parameters={"token": pulumi.Output.secret(f"{CANARY}-token")})
        EventAlertRule("alerts", name="alerts", event_pattern={"eventTypes": ["Maintenance"]},
                       targets={"webhooks": [{"id": "chat", "url": pulumi.Output.secret(
                           f"https://hooks.example.com/?token={CANARY}-url")}]})

    server = ProviderServer(tmp_path)
    answers: list[tuple[Registration, dict]] = []
    try:
        server.configure({"ecsops:endpoint": emulator.endpoint, "ecsops:region": "cn-hangzhou",
                          "ecsops:accessKeyId": KEY_ID, "ecsops:accessKeySecret": KEY_SECRET})

        def create(registration: Registration) -> tuple[str, dict]:
            checked, failures = server.check(registration.type, registration.name, {}, registration.inputs)
            assert failures == []
            id_, outputs = server.create(registration.type, registration.name, checked)
            answers.append((registration, checked))
            answers.append((registration, outputs))
            return id_, outputs

        made = registrations(program, forward=create)
        assert {r.name: sorted(r.secret_inputs - {"__provider"}) for r in made} == {
            "report": [], "nightly": ["parameters"], "alerts": ["targets"]}
        nightly = next(r for r in made if r.name == "nightly")
        with pytest.raises(grpc.RpcError) as failed:  # a failing call's message carries no secret either
            server.create(nightly.type, "again", {**server.check(nightly.type, "again", {}, nightly.inputs)[0],
                                                  "instanceIds": ["i-demo-stopped-1", "i-nowhere"]})
        assert CANARY not in str(failed.value.details())
    finally:
        logs = server.stop()
    exposed = {(registration.name, key) for registration, properties in answers
               for key, value in properties.items() if CANARY in json.dumps(value)}
    assert exposed == {("nightly", "parameters"), ("alerts", "targets")}  # exactly the secret inputs' names
    assert all(key in registration.secret_inputs for registration, properties in answers
               for key, value in properties.items() if CANARY in json.dumps(value))
    assert CANARY not in logs
