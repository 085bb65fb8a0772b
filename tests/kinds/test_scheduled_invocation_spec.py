"""ecsops:ScheduledInvocation, what plan knows before any call: fields, schedules against timeouts, rules
relative to now only for new tasks, parameters checked against a command of the same stack."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from ecsops.engine.kind import Neighbour
from ecsops.engine.validate import creation_problems, validate
from ecsops.engine.values import UNKNOWN
from ecsops.engine.wire import create_request, read_values
from ecsops.resources.command import KIND as COMMAND
from ecsops.resources.scheduled_invocation import KIND, next_runs, stack_checks

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=timezone.utc)
VALID = {"commandId": "c-hz0001", "instanceIds": ["i-demo-linux-1"], "frequency": "0 0 2 * * ? Asia/Shanghai"}


def problems(**changes: object) -> list[tuple[str | None, str]]:
    values = {key: value for key, value in {**VALID, **changes}.items() if value is not None}
    return [(d.field, d.message) for d in validate(KIND, values, resource="t", now=NOW).diagnostics]


def test_a_frequency_makes_a_period_task() -> None:
    validated = validate(KIND, VALID, now=NOW)
    assert validated.ok and validated.declared["repeatMode"] == "Period"


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        pytest.param({"frequency": "rate(30s)"}, "frequency", "rate: an interval of 30 s", id="rate-30s"),
        pytest.param({"frequency": "rate(8d)"}, "frequency", "rate: an interval of 8 d is longer than 7 days", id="rate-8d"),
        pytest.param({"frequency": "0 15 10 * * 3"}, "frequency", "day:", id="day-and-week"),
        pytest.param({"frequency": "0 15 10 L-3 * ?"}, "frequency", "day:", id="l-with-range"),
        pytest.param({"frequency": "*/5 * * * * ?"}, "frequency", "interval:", id="every-5-seconds"),
        pytest.param({"frequency": "rate(5m)", "timeout": 600}, "frequency", "rate:", id="rate-below-timeout"),
        pytest.param({"frequency": "0 0 12 * * ? 2100"}, "frequency", "year:", id="year-after-2099"),
        pytest.param({"frequency": "0 0 12 * * ? Mars/Olympus"}, "frequency", "timezone:", id="bad-zone"),
        pytest.param({"instanceIds": None}, "instanceIds", "exactly one of instanceIds and resourceTags",
                     id="no-targets"),
        pytest.param({"resourceTags": {"env": "prod"}}, "instanceIds", "exactly one of instanceIds and resourceTags",
                     id="both-targets"),
        pytest.param({"instanceIds": ["web-1"]}, "instanceIds", "is not an instance id", id="bad-instance-id"),
        pytest.param({"instanceIds": [f"i-{n}" for n in range(101)]}, "instanceIds", "at most 100", id="101-instances"),
        pytest.param({"repeatMode": "EveryReboot"}, "frequency", "takes no frequency", id="reboot-with-frequency"),
        pytest.param({"repeatMode": "Period", "frequency": None}, "frequency", "a Period task needs a frequency",
                     id="period-without-frequency"),
        pytest.param({"frequency": None}, "repeatMode", "give a frequency", id="no-schedule"),
        pytest.param({"repeatMode": "Once"}, "repeatMode", "input should be 'Period', 'EveryReboot'", id="once"),
        pytest.param({"parameters": {f"p{n}": "v" for n in range(11)}}, "parameters", "at most 10",
                     id="11-parameters"),
        pytest.param({"parameters": {"a b": "v"}}, "parameters", "not a parameter name", id="bad-parameter"),
        pytest.param({"parameters": {"Mount": "/", "mount": "/x"}}, "parameters", "given twice", id="dup-parameter"),
        pytest.param({"parameters": {"pw": {"secret": 1, "x": 2}}}, "parameters.pw", "is text, or {secret: TEXT}",
                     id="bad-secret"),
        pytest.param({"parameters": {"pw": {"secret": 12345}}}, "parameters.pw", "is text, or {secret: TEXT}",
                     id="secret-number"),
        pytest.param({"parameters": {"port": 8080}}, "parameters.port", "quote numbers", id="number-value"),
        pytest.param({"timeout": 0}, "timeout", "greater than or equal to 1", id="timeout-zero"),
        pytest.param({"timeout": False}, "timeout", "valid integer, not false", id="timeout-no"),
        pytest.param({"frequency": "at(9999-12-31 23:59:59 GMT-14:00)"}, "frequency", "outside the years 0001-9999",
                     id="at-after-9999-in-utc"),
        pytest.param({"frequency": "at(0001-01-01 00:00:00 GMT+14:00)"}, "frequency", "outside the years 0001-9999",
                     id="at-before-year-1-in-utc"),
        pytest.param({"containerId": "f" * 63}, "containerId", "should match pattern", id="container-id-63-digits"),
        pytest.param({"containerId": "g" * 64}, "containerId", "should match pattern", id="container-id-not-hex"),
        pytest.param({"containerId": "podman://" + "a" * 64}, "containerId", "should match pattern",
                     id="container-id-unknown-runtime"),
        pytest.param({"containerId": "a" * 64 + "\n"}, "containerId", "should match pattern",
                     id="container-id-trailing-newline"),
        pytest.param({"containerName": "-web"}, "containerName", "should match pattern", id="container-name-dash"),
        pytest.param({"containerName": "web app"}, "containerName", "should match pattern",
                     id="container-name-space"),
        pytest.param({"containerName": "w" * 256}, "containerName", "should match pattern",
                     id="container-name-256-characters"),
        pytest.param({"terminationMode": "processtree"}, "terminationMode", "input should be 'Process' or "
                     "'ProcessTree'", id="termination-mode-lowercase"),
        pytest.param({"launcher": "x" * 1025}, "launcher", "must be at most 1 KB", id="launcher-1025-bytes"),
        pytest.param({"launcher": "é" * 513}, "launcher", "1026 bytes", id="launcher-1-kb-counted-in-bytes"),
        pytest.param({"username": "ops", "windowsPasswordName": "p" * 256}, "windowsPasswordName",
                     "at most 255 characters", id="password-name-256-characters"),
        pytest.param({"windowsPasswordName": "axtpassword"}, "windowsPasswordName", "give the username too",
                     id="password-name-without-username"),
        pytest.param({"resourceGroupId": "my-group"}, "resourceGroupId", "should match pattern",
                     id="resource-group-not-rg"),
        pytest.param({"resourceGroupId": "rg-Team1"}, "resourceGroupId", "should match pattern",
                     id="resource-group-uppercase"),
    ],
)
def test_bad_input_is_named(changes, field, fragment) -> None:
    found = problems(**changes)
    assert any(named == field and fragment in message for named, message in found), found


def test_time_relative_rules_wait_for_a_new_task() -> None:
    # An existing task scheduled for 2026 stays valid in 2027; only a task about to be made must lie ahead.
    past = {**VALID, "frequency": "0 0 12 * * ? 2025"}
    validated = validate(KIND, past, now=NOW)
    assert validated.ok
    assert [(d.field, d.message[:30]) for d in creation_problems(KIND, validated, resource="t", now=NOW)] == [
        ("frequency", "year: 2025 is before the curre")]
    at = validate(KIND, {**VALID, "frequency": "at(2026-01-01 00:00:00)"}, now=NOW)
    assert at.ok and creation_problems(KIND, at, resource="t", now=NOW)


def test_secret_parameters_are_accepted() -> None:
    assert problems(parameters={"token": {"secret": "s3cr3t"}, "mount": "/"}) == []


def test_an_unknown_command_id_is_fine_until_apply() -> None:
    assert problems(commandId=UNKNOWN) == []


def command(content: str = "df -h {{mount}} {{ACS::InstanceId}}", enable: bool = True,
            timeout: int = 60) -> dict[str, Neighbour]:
    values = validate(COMMAND, {"name": "c", "type": "RunShellScript", "content": content,
                                "enableParameter": enable, "timeout": timeout}).declared
    return {"disk": Neighbour("disk", COMMAND.type_name, values)}


def checks(parameters: dict, neighbours: dict, **values: object) -> list[tuple[str | None, str]]:
    properties = {**VALID, "commandId": "${disk.commandId}", "parameters": parameters}
    return stack_checks(properties, {**validate(KIND, {**VALID, **values}, now=NOW).declared,
                                     "parameters": parameters}, neighbours)


@pytest.mark.parametrize(
    ("parameters", "neighbours", "expected"),
    [
        pytest.param({"mount": "/"}, command(), [], id="matching"),
        pytest.param({"MOUNT": "/"}, command(), [], id="case-insensitive"),
        pytest.param({"mount": "/", "user": "x"}, command(), [
            ("parameters", "user: not parameters of command 'disk' (it declares: mount)")], id="unknown-key"),
        pytest.param({}, command(), [("parameters", "command 'disk' needs a value for {{mount}}")], id="missing"),
        pytest.param({"mount": "/"}, command(enable=False), [
            ("parameters", "command 'disk' does not enable parameters")], id="parameters-off"),
        pytest.param({"mount": "/"}, {}, [], id="command-elsewhere"),
    ],
)
def test_parameters_must_match_a_command_of_the_same_stack(parameters, neighbours, expected) -> None:
    assert checks(parameters, neighbours) == expected


def test_the_schedule_must_fit_the_commands_timeout_when_the_task_has_none() -> None:
    [(field, message)] = checks({"mount": "/"}, command(timeout=900), frequency="rate(10m)")
    assert field == "frequency" and "the command's timeout is 900 s" in message
    assert checks({"mount": "/"}, command(timeout=900), frequency="rate(10m)", timeout=60) == []


def test_next_runs_follow_the_schedule() -> None:
    assert next_runs("0 0 2 * * ? Asia/Shanghai", created=NOW, now=NOW) == [
        "2026-11-21T18:00:00Z", "2026-11-22T18:00:00Z", "2026-11-23T18:00:00Z"]
    created = datetime(2026, 11, 21, 11, 58, tzinfo=timezone.utc)
    assert next_runs("rate(5m)", created=created, now=NOW) == [
        "2026-11-21T12:03:00Z", "2026-11-21T12:08:00Z", "2026-11-21T12:13:00Z"]
    assert next_runs(None, created=NOW, now=NOW) == []
    assert next_runs("at(2026-01-01 00:00:00)", created=datetime(2025, 1, 1, tzinfo=timezone.utc), now=NOW) == []


@pytest.mark.parametrize(
    ("command_id", "expected"),
    [
        pytest.param("${disk.commandId}", [], id="a-commands-id"),
        pytest.param("c-hz0001", [], id="a-literal-id"),
        pytest.param("${elsewhere.commandId}", [], id="not-in-the-stack-is-the-loaders-business"),
        pytest.param("c-${disk.name}", [], id="inside-text-not-judged"),
        pytest.param("${disk.name}", [("commandId", "${disk.name} is the command's name, not its id: write "
                                                    "${disk.commandId}")], id="a-commands-name"),
        pytest.param("${attributes.settingsId}", [("commandId", "${attributes.settingsId} is not a command id: "
                                                                "'attributes' is an ecsops:MaintenanceAttributes, "
                                                                "not an ecsops:Command")], id="another-kind"),
    ],
)
def test_a_command_id_from_the_stack_must_be_a_commands(command_id, expected) -> None:
    neighbours = {**command(enable=False),
                  "attributes": Neighbour("attributes", "ecsops:MaintenanceAttributes", {"instanceIds": ["i-1"]})}
    properties = {**VALID, "commandId": command_id}
    values = validate(KIND, {**VALID, "commandId": "c-x"}, now=NOW).declared
    assert stack_checks(properties, values, neighbours, region="cn-hangzhou") == expected


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"containerId": "0123456789abcdef" * 4}, id="container-id"),
        pytest.param({"containerId": "docker://" + "0123456789ABCDEF" * 4}, id="container-id-docker"),
        pytest.param({"containerId": "containerd://" + "f" * 64}, id="container-id-containerd"),
        pytest.param({"containerId": "cri-o://" + "f" * 64}, id="container-id-cri-o"),
        pytest.param({"containerName": "w"}, id="container-name-one-character"),
        pytest.param({"containerName": "web_app.v2-1"}, id="container-name-docker-characters"),
        pytest.param({"terminationMode": "ProcessTree"}, id="termination-mode"),
        pytest.param({"launcher": "é" * 512}, id="launcher-exactly-1-kb"),
        pytest.param({"username": "Administrator", "windowsPasswordName": "axtpassword"}, id="windows-user"),
        pytest.param({"resourceGroupId": "rg-aek2kkmhmhs4o4i"}, id="resource-group"),
        pytest.param({"containerId": UNKNOWN, "resourceGroupId": UNKNOWN}, id="known-after-apply"),
    ],
)
def test_good_values_of_the_task_settings_pass(changes) -> None:
    assert problems(**changes) == []


def test_the_create_request_is_the_declarations_encoded() -> None:
    """One request from the declarations: tags and resource tags as sorted `Tag` lists, the parameters as a
    map with sorted keys and secrets revealed (the cloud layer writes it as JSON text), unset fields left
    out, instance ids as given."""
    spec = KIND.spec.model_validate({
        **VALID, "instanceIds": ["i-demo-linux-2", "i-demo-linux-1"], "timeout": 30,
        "parameters": {"zeta": "1", "alpha": {"secret": "s3"}}, "tags": {"z": "1", "a": "2"},
        "username": "ops", "workingDir": "/srv", "launcher": "sh -e {{ACS::ScriptFileName}}",
        "containerName": "web", "terminationMode": "ProcessTree", "resourceGroupId": "rg-team1"},
        context={"now": NOW})
    assert create_request(spec) == {
        "CommandId": "c-hz0001", "InstanceId": ["i-demo-linux-2", "i-demo-linux-1"], "RepeatMode": "Period",
        "Timeout": 30, "Frequency": "0 0 2 * * ? Asia/Shanghai", "Parameters": {"alpha": "s3", "zeta": "1"},
        "Username": "ops", "WorkingDir": "/srv", "Launcher": "sh -e {{ACS::ScriptFileName}}",
        "ContainerName": "web", "TerminationMode": "ProcessTree", "ResourceGroupId": "rg-team1",
        "Tag": [{"Key": "a", "Value": "2"}, {"Key": "z", "Value": "1"}]}
    by_tags = KIND.spec.model_validate({**VALID, "instanceIds": None, "resourceTags": {"role": "web", "env": "a"}},
                                       context={"now": NOW})
    assert create_request(by_tags) == {
        "CommandId": "c-hz0001", "ResourceTag": [{"Key": "env", "Value": "a"}, {"Key": "role", "Value": "web"}],
        "RepeatMode": "Period", "Frequency": "0 0 2 * * ? Asia/Shanghai", "Tag": []}


def test_a_described_task_reads_as_its_declarations() -> None:
    """What DescribeInvocations reports is read under each field's parameter; "" is unset; what it does not
    report (the resource group, the password name, the overridden timeout...) is not read."""
    item = {"InvokeId": "t-1", "CommandId": "c-1", "RepeatMode": "EveryReboot", "Frequency": "",
            "Parameters": "{\"mount\": \"/\"}", "Timeout": 60, "Username": "", "WorkingDir": "/root",
            "Launcher": "", "ContainerId": "", "ContainerName": "web", "TerminationMode": "Process",
            "Tags": {"Tag": [{"TagKey": "team", "TagValue": "sre"}]}}
    assert read_values(KIND.spec, item) == {
        "commandId": "c-1", "instanceIds": None, "repeatMode": "EveryReboot", "frequency": None,
        "parameters": {"mount": "/"}, "launcher": None, "containerId": None, "containerName": "web",
        "terminationMode": "Process", "tags": {"team": "sre"}}


IN_A_CONTAINER = "runs the task in a container, where only shell scripts run: command 'disk' is a "


@pytest.mark.parametrize(
    ("command_type", "settings", "expected"),
    [
        pytest.param("RunShellScript", {"containerName": "web"}, [], id="shell-in-a-container"),
        pytest.param("RunBatScript", {"containerName": "web"}, [("containerName", IN_A_CONTAINER + "RunBatScript")],
                     id="batch-in-a-container"),
        pytest.param("RunPowerShellScript", {"containerId": "a" * 64},
                     [("containerId", IN_A_CONTAINER + "RunPowerShellScript")], id="powershell-in-a-container"),
        pytest.param("RunBatScript", {}, [], id="batch-on-the-instance"),
    ],
)
def test_a_task_in_a_container_runs_a_shell_script(command_type, settings, expected) -> None:
    values = validate(COMMAND, {"name": "c", "type": command_type, "content": "echo"}).declared
    neighbours = {"disk": Neighbour("disk", COMMAND.type_name, values)}
    found = stack_checks({**VALID, "commandId": "${disk.commandId}"},
                         validate(KIND, {**VALID, **settings}, now=NOW).declared, neighbours)
    assert found == expected


def test_a_user_or_directory_given_with_a_container_is_advised_against() -> None:
    validated = validate(KIND, {**VALID, "containerName": "web", "username": "ops", "workingDir": "/srv"}, now=NOW)
    assert [field for field, _ in KIND.advice(validated.declared)] == ["username", "workingDir"]
    assert KIND.advice(validate(KIND, {**VALID, "username": "ops"}, now=NOW).declared) == []
