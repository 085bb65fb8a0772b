"""Secrets read from where they live — an environment variable, a file, through an environment's config — reach
the API (checked through the SDK) and nothing else: no output of any command, debug log included, no state or
journal, no saved plan, no emulator request log. One that cannot be read is an error naming where it was
looked for, with nothing sent."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from ecsops.cloud import operations as ops
from ecsops.cloud.backend import Backend, KeyPair
from ecsops.cloud.client import Cloud
from tests.support.cli import running
from tests.support.emulator import ACCESS_KEY_ID, ACCESS_KEY_SECRET

CANARY = "CANARY-5b9e2d"
STACK = textwrap.dedent("""\
    name: sourced
    region: cn-hangzhou
    config:
      hookToken: {type: string, secret: true}
    resources:
      report:
        type: ecsops:Command
        properties:
          name: report
          type: RunShellScript
          content: 'curl -H "Authorization: {{token}}" https://monitor.example.com/'
          enableParameter: true
      nightly:
        type: ecsops:ScheduledInvocation
        properties:
          commandId: ${report.commandId}
          instanceIds: [i-demo-linux-1]
          frequency: rate(1h)
          parameters: {token: {secret: {env: ECSOPS_TEST_TASK_TOKEN}}}
      alerts:
        type: ecsops:EventAlertRule
        properties:
          name: sourced-alerts
          eventPattern: {eventTypes: [Maintenance]}
          targets:
            webhooks: [{id: chat, url: {secret: "https://hooks.example.com/ecs?token=${config.hookToken}"}}]
    outputs:
      task: ${nightly.invokeId}
      hookToken: ${config.hookToken}
    """)


@pytest.fixture
def stack(tmp_path) -> Path:
    path = tmp_path / "stack.yaml"
    path.write_text(STACK)
    (tmp_path / "stack.prod.yaml").write_text("config:\n  hookToken: {secret: {file: secrets/hook-token.txt}}\n")
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "hook-token.txt").write_text(f"{CANARY}-hook\n")
    return path


def run(stack: Path, endpoint: str, *argv: str, token: str | None = f"{CANARY}-task") -> tuple[int, str]:
    environment = {"ECSOPS_ENDPOINT": endpoint, "ECSOPS_LOG": "debug"}
    if token is not None:
        environment["ECSOPS_TEST_TASK_TOKEN"] = token
    with running(*argv, env=environment, cwd=stack.parent) as process:
        out, err = process.communicate(timeout=120)
    return process.returncode, out + err


def test_secrets_from_a_variable_and_a_file_reach_the_api_and_nothing_else(stack, emulator, admin) -> None:
    texts: list[str] = []

    def step(*argv: str, expect: int = 0) -> str:
        code, text = run(stack, emulator.endpoint, *argv, "--env", "prod")
        assert code == expect, text
        texts.append(text)
        return text

    step("plan", "stack.yaml")
    step("plan", "--json", "stack.yaml")
    step("plan", "stack.yaml", "--out", "sourced.plan")
    step("apply", "sourced.plan")
    step("drift", "--json", "stack.yaml")
    step("output", "--json", "stack.yaml")
    step("state", "show", "--json", "stack.yaml", "nightly")

    cloud = Cloud(Backend("endpoint", "cn-hangzhou", endpoint=emulator.endpoint,
                          keys=KeyPair(ACCESS_KEY_ID, ACCESS_KEY_SECRET)))
    [task] = cloud.fetch_all(ops.DESCRIBE_INVOCATIONS, {}, ("Invocations", "Invocation"))
    [target] = cloud.call(ops.DESCRIBE_EVENT_RULE_TARGET_LIST, {"RuleName": "sourced-alerts"})[
        "WebhookParameters"]["WebhookParameter"]
    assert json.loads(task["Parameters"]) == {"token": f"{CANARY}-task"}                      # sent, as read
    assert target["Url"] == f"https://hooks.example.com/ecs?token={CANARY}-hook"             # one line break dropped

    files = {path.name: path.read_text(errors="replace") for path in (stack.parent / ".ecsops").iterdir()
             if path.is_file() and not path.name.startswith("emulator")}
    files["sourced.plan"] = (stack.parent / "sourced.plan").read_text()
    assert "sourced.prod.state.json" in files
    leaks = [f"output {index}" for index, text in enumerate(texts) if CANARY in text]
    leaks += [f"file {name}" for name, text in files.items() if CANARY in text]
    leaks += ["emulator request log"] if CANARY in json.dumps(admin.requests()) else []
    assert leaks == []


UNREADABLE = {
    "a variable not set": (None, None, 'resource "nightly" (ecsops:ScheduledInvocation), field "parameters.token": '
                                       "{secret: {env: ECSOPS_TEST_TASK_TOKEN}}: the environment variable "
                                       "ECSOPS_TEST_TASK_TOKEN is not set"),
    "a missing file": (f"{CANARY}-task", "missing",
                       'field "config.hookToken": {secret: {file: secrets/hook-token.txt}}: cannot read '
                       "secrets/hook-token.txt: No such file or directory"),
    "a file that is not text": (f"{CANARY}-task", "binary",
                                'field "config.hookToken": {secret: {file: secrets/hook-token.txt}}: '
                                "secrets/hook-token.txt is not UTF-8 text"),
}


@pytest.mark.parametrize("token, file_problem, expected", UNREADABLE.values(), ids=UNREADABLE)
def test_a_secret_that_cannot_be_read_is_an_error_naming_where_it_was_looked_for_and_nothing_is_sent(
        stack, emulator, admin, token, file_problem, expected) -> None:
    secret_file = stack.parent / "secrets" / "hook-token.txt"
    if file_problem == "missing":
        secret_file.unlink()
    elif file_problem == "binary":
        secret_file.write_bytes(b"\xff" + CANARY.encode())
    code, text = run(stack, emulator.endpoint, "apply", "--yes", "stack.yaml", "--env", "prod", token=token)
    assert code == 1
    assert expected in text and CANARY not in text, text
    assert admin.writes() == []
