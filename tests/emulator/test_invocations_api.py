"""InvokeCommand, DescribeInvocations, DescribeInvocationResults, StopInvocation and
DescribeCloudAssistantStatus of the emulator, through the official SDK: every documented validation and
error code, idempotency, the daily quota, the fields and filters of the answers, paging, tags, masking."""

from __future__ import annotations

import base64
import json

import pytest
from alibabacloud_tea_openapi.exceptions import ClientException

from tests.support.emulator import REGION, models

LINUX = ["i-demo-linux-1", "i-demo-linux-2"]


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def create(ecs, content: str = "echo hi", **overrides) -> str:
    fields = dict(region_id=REGION, name="check", type="RunShellScript", command_content=b64(content))
    fields.update(overrides)
    return ecs.create_command(models.CreateCommandRequest(**fields)).body.command_id


def invoke(ecs, command_id: str, **overrides) -> str:
    fields = dict(region_id=REGION, command_id=command_id, instance_id=["i-demo-linux-1"])
    fields.update(overrides)
    return ecs.invoke_command(models.InvokeCommandRequest(**fields)).body.invoke_id


def error_of(call) -> ClientException:
    with pytest.raises(ClientException) as raised:
        call()
    return raised.value


def invocations(ecs, **filters):
    return ecs.describe_invocations(models.DescribeInvocationsRequest(region_id=REGION, **filters)).body


def results(ecs, **filters):
    return ecs.describe_invocation_results(
        models.DescribeInvocationResultsRequest(region_id=REGION, **filters)).body.invocation


def invoke_times(ecs, command_id: str) -> int:
    answer = ecs.describe_commands(models.DescribeCommandsRequest(region_id=REGION, command_id=command_id)).body
    return answer.commands.command[0].invoke_times


@pytest.fixture
def commands(ecs) -> dict[str, str]:
    """A plain shell command, one with the custom parameter `name`, and a batch command."""
    return {
        "plain": create(ecs, "echo plain"),
        "param": create(ecs, "echo {{name}}", enable_parameter=True),
        "bat": create(ecs, "echo bat", type="RunBatScript"),
    }


@pytest.fixture
def clock(admin):
    """A virtual clock: runs take at least a second, so tests move the clock past them."""
    admin.set_clock("2026-11-21T00:00:00Z")
    return admin


def tag(key: str, value: str = "") -> models.InvokeCommandRequestTag:
    return models.InvokeCommandRequestTag(key=key, value=value)


@pytest.mark.parametrize(
    ("command", "overrides", "code", "status"),
    [
        pytest.param("plain", {"command_id": "c-hz0000000000000000"}, "InvalidCmdId.NotFound", 404,
                     id="unknown-command"),
        pytest.param("plain", {"instance_id": None}, "MissingParam.InstanceId", 400, id="no-instances"),
        pytest.param("plain", {"instance_id": None, "resource_tag": [
            models.InvokeCommandRequestResourceTag(key="team", value="nobody")]}, "MissingParam.InstanceId", 400,
            id="tags-select-nothing"),
        pytest.param("plain", {"resource_tag": [models.InvokeCommandRequestResourceTag(key="team")]},
                     "InvalidParameter", 400, id="instance-ids-and-resource-tags"),
        pytest.param("plain", {"instance_id": [f"i-many-{n}" for n in range(101)]}, "InstanceIds.ExceedLimit", 403,
                     id="101-instances"),
        pytest.param("plain", {"instance_id": ["i-demo-linux-1", "i-nowhere"]}, "InvalidInstance.NotFound", 404,
                     id="unknown-instance"),
        pytest.param("plain", {"instance_id": ["i-demo-windows-1"]}, "InvalidInstance.NotMatch", 400,
                     id="shell-on-windows"),
        pytest.param("bat", {}, "InvalidInstance.NotMatch", 400, id="bat-on-linux"),
        pytest.param("plain", {"repeat_mode": "Sometimes"}, "InvalidRepeatMode.NotFound", 404,
                     id="unknown-repeat-mode"),
        pytest.param("plain", {"repeat_mode": "Period"}, "MissingParam.Frequency", 400, id="period-without-frequency"),
        pytest.param("plain", {"frequency": "rate(30s)"}, "InvalidParam.Frequency", 400, id="rate-under-60s"),
        pytest.param("plain", {"frequency": "rate(1m)", "timeout": 60}, "InvalidParam.Frequency", 400,
                     id="rate-not-longer-than-timeout"),
        pytest.param("plain", {"frequency": "0 0 2 * * * Asia/Shanghai"}, "InvalidParam.Frequency", 400,
                     id="cron-without-question-mark"),
        pytest.param("plain", {"repeat_mode": "DryRun"}, "DryRunOperation", 400, id="dry-run"),
        pytest.param("param", {"parameters": ["name"]}, "InvalidParameter.Parameters", 400,
                     id="parameters-not-an-object"),
        pytest.param("param", {"parameters": {"name": 1}}, "InvalidParameter.Parameters", 400,
                     id="parameter-value-not-a-string"),
        pytest.param("param", {"parameters": {f"p{n}": "v" for n in range(11)}}, "ParameterCount.ExceedLimit", 403,
                     id="11-parameters"),
        pytest.param("param", {"parameters": {"name": "a", "NAME": "b"}}, "ParameterKey.Duplicate", 403,
                     id="parameter-twice-ignoring-case"),
        pytest.param("plain", {"parameters": {"name": "a"}}, "Parameter.Disabled", 400, id="parameters-disabled"),
        pytest.param("param", {"parameters": {"name": "a", "other": "b"}}, "Parameter.NotMatched", 403,
                     id="unknown-parameter"),
        pytest.param("param", {}, "Parameter.MissingValue", 400, id="parameter-without-value"),
        pytest.param("plain", {"timeout": 0}, "InvalidTimeout.ExceedLimit", 403, id="timeout-zero"),
        pytest.param("plain", {"timeout": 86_401}, "InvalidTimeout.ExceedLimit", 403, id="timeout-over-a-day"),
        pytest.param("plain", {"working_dir": "/" + "w" * 200}, "InvalidParameter.WorkingDir", 400,
                     id="working-dir-over-200"),
        pytest.param("plain", {"launcher": "l" * 1025}, "InvalidLauncher.LengthLimitExceeded", 403,
                     id="launcher-over-1kb"),
        pytest.param("plain", {"username": "u" * 256}, "InvalidParameter", 400, id="username-over-255"),
        pytest.param("plain", {"windows_password_name": "p" * 256}, "InvalidParameter", 400,
                     id="password-name-over-255"),
        pytest.param("plain", {"termination_mode": "Kill"}, "InvalidParameter", 400, id="unknown-termination-mode"),
        pytest.param("plain", {"container_id": "c" * 63}, "InvalidParameter", 400, id="container-id-63-digits"),
        pytest.param("plain", {"container_id": "g" * 64}, "InvalidParameter", 400, id="container-id-not-hex"),
        pytest.param("plain", {"container_id": "podman://" + "c" * 64}, "InvalidParameter", 400,
                     id="container-id-unknown-runtime"),
        pytest.param("plain", {"container_name": "-web"}, "InvalidParameter", 400, id="container-name-leading-dash"),
        pytest.param("plain", {"container_name": "w" * 256}, "InvalidParameter", 400, id="container-name-over-255"),
        pytest.param("plain", {"resource_group_id": "my-group"}, "InvalidResourceGroup", 400,
                     id="resource-group-not-rg"),
        pytest.param("plain", {"resource_group_id": "rg-Team1"}, "InvalidResourceGroup", 400,
                     id="resource-group-uppercase"),
        pytest.param("plain", {"tag": [tag("acs:x", "v")]}, "InvalidTagKey.Malformed", 400, id="reserved-tag-key"),
        pytest.param("plain", {"client_token": "t" * 65}, "InvalidClientToken.Malformed", 400,
                     id="client-token-over-64"),
        pytest.param("plain", {"region_id": "xx-nowhere-1"}, "InvalidRegionId.NotFound", 404, id="unknown-region"),
    ],
)
def test_invoke_rejects_bad_input_with_the_documented_code_and_writes_nothing(
        ecs, commands, command, overrides, code, status) -> None:
    fields = {"command_id": commands[command], **overrides}
    error = error_of(lambda: invoke(ecs, **fields))
    assert (error.code, error.status_code) == (code, status)
    assert invocations(ecs).total_count == 0
    assert results(ecs, include_history=True).total_count == 0
    assert invoke_times(ecs, commands[command]) == 0


@pytest.mark.parametrize(
    ("overrides", "parameter"),
    [
        pytest.param({"container_id": "c" * 63}, "ContainerId", id="container-id"),
        pytest.param({"container_name": "web app"}, "ContainerName", id="container-name"),
        pytest.param({"termination_mode": "process"}, "TerminationMode", id="termination-mode"),
        pytest.param({"resource_group_id": "group"}, "'group'", id="resource-group"),
    ],
)
def test_a_refused_setting_is_named_in_the_message(ecs, commands, overrides, parameter) -> None:
    error = error_of(lambda: invoke(ecs, commands["plain"], **overrides))
    assert parameter in error.message


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"container_id": "0123456789abcdef" * 4}, id="bare-container-id"),
        pytest.param({"container_id": "docker://" + "0123456789ABCDEF" * 4}, id="docker"),
        pytest.param({"container_id": "containerd://" + "f" * 64}, id="containerd"),
        pytest.param({"container_id": "cri-o://" + "f" * 64}, id="cri-o"),
        pytest.param({"container_name": "w"}, id="one-character-name"),
        pytest.param({"container_name": "web_app.v2-1"}, id="docker-name"),
        pytest.param({"resource_group_id": "rg-aek2kkmhmhs4o4i"}, id="resource-group"),
    ],
)
def test_well_formed_container_and_group_settings_are_accepted_and_reported_as_given(ecs, commands, overrides) -> None:
    invoke_id = invoke(ecs, commands["plain"], **overrides)
    [task] = invocations(ecs, invoke_id=invoke_id).invocations.invocation
    assert task.container_id == overrides.get("container_id", "")
    assert task.container_name == overrides.get("container_name", "")


def test_both_instance_ids_and_resource_tags_are_named_in_the_error(ecs, commands) -> None:
    error = error_of(lambda: invoke(ecs, commands["plain"], resource_tag=[
        models.InvokeCommandRequestResourceTag(key="team")]))
    assert "InstanceId" in error.message and "ResourceTag" in error.message


def test_a_rejected_frequency_says_why(ecs, commands) -> None:
    error = error_of(lambda: invoke(ecs, commands["plain"], frequency="rate(30s)"))
    assert "shorter than 60 s" in error.message


def test_dry_run_says_validation_passed(ecs, commands) -> None:
    error = error_of(lambda: invoke(ecs, commands["plain"], repeat_mode="DryRun"))
    assert "Request validation has been passed with DryRun flag set." in error.message


@pytest.mark.parametrize(
    ("overrides", "instance_id", "code"),
    [
        pytest.param({"repeat_mode": "DryRun", "frequency": "rate(30s)"}, ["i-demo-linux-1"],
                     "InvalidParam.Frequency", id="bad-frequency"),
        pytest.param({"repeat_mode": "DryRun"}, ["i-demo-windows-1"], "InvalidInstance.NotMatch", id="wrong-os"),
    ],
)
def test_dry_run_still_validates_everything(ecs, commands, overrides, instance_id, code) -> None:
    assert error_of(lambda: invoke(ecs, commands["plain"], instance_id=instance_id, **overrides)).code == code


def test_stopped_and_agentless_instances_are_accepted(ecs, commands) -> None:
    assert invoke(ecs, commands["plain"], instance_id=["i-demo-stopped-1", "i-demo-noagent-1"]).startswith("t-hz")


def test_resource_tags_select_the_tagged_instances_of_the_region_at_invoke_time(ecs, admin, commands) -> None:
    admin.world({"instances": [
        {"id": "i-web-1", "region": REGION, "tags": {"role": "web", "env": "prod"}},
        {"id": "i-web-2", "region": REGION, "tags": {"role": "web", "env": "dev"}},
        {"id": "i-web-3", "region": "cn-beijing", "tags": {"role": "web", "env": "prod"}},
    ]})
    invoke_id = invoke(ecs, commands["plain"], instance_id=None, resource_tag=[
        models.InvokeCommandRequestResourceTag(key="role", value="web"),
        models.InvokeCommandRequestResourceTag(key="env", value="prod")])
    admin.world({"instances": [{"id": "i-web-4", "region": REGION, "tags": {"role": "web", "env": "prod"}}]})
    [task] = invocations(ecs, invoke_id=invoke_id).invocations.invocation
    assert [i.instance_id for i in task.invoke_instances.invoke_instance] == ["i-web-1"]


def test_a_task_snapshots_the_command_and_counts_an_invocation(ecs, commands) -> None:
    invoke_id = invoke(ecs, commands["plain"])
    ecs.modify_command(models.ModifyCommandRequest(region_id=REGION, command_id=commands["plain"], name="renamed"))
    [task] = invocations(ecs, invoke_id=invoke_id, content_encoding="PlainText").invocations.invocation
    assert (task.command_name, task.command_type, task.command_content) == ("check", "RunShellScript", "echo plain")
    assert invoke_times(ecs, commands["plain"]) == 1


def test_same_client_token_and_parameters_return_the_same_task(ecs, commands) -> None:
    first = invoke(ecs, commands["plain"], client_token="token-1")
    assert invoke(ecs, commands["plain"], client_token="token-1") == first
    assert invocations(ecs).total_count == 1
    assert invoke_times(ecs, commands["plain"]) == 1


def test_same_client_token_with_other_parameters_is_a_mismatch(ecs, commands) -> None:
    invoke(ecs, commands["plain"], client_token="token-1")
    error = error_of(lambda: invoke(ecs, commands["plain"], client_token="token-1", instance_id=LINUX))
    assert (error.code, error.status_code) == ("IdempotentParameterMismatch", 403)
    assert invocations(ecs).total_count == 1


def test_the_daily_quota_counts_tasks_per_region_and_utc_day(ecs, admin, commands) -> None:
    admin.world({"quotas": {"max-axt-invocation-daily": 2}})
    admin.set_clock("2026-11-21T23:59:00Z")
    invoke(ecs, commands["plain"])
    invoke(ecs, commands["plain"], repeat_mode="EveryReboot")
    error = error_of(lambda: invoke(ecs, commands["plain"]))
    assert (error.code, error.status_code) == ("Invocation.ExceedQuota", 403)
    assert invocations(ecs).total_count == 2
    admin.set_clock("2026-11-22T00:00:00Z")
    assert invoke(ecs, commands["plain"])


def test_dry_runs_do_not_count_against_the_daily_quota(ecs, admin, commands) -> None:
    admin.world({"quotas": {"max-axt-invocation-daily": 1}})
    error_of(lambda: invoke(ecs, commands["plain"], repeat_mode="DryRun"))
    assert invoke(ecs, commands["plain"])
    assert error_of(lambda: invoke(ecs, commands["plain"], repeat_mode="DryRun")).code == "Invocation.ExceedQuota"


def test_the_request_log_masks_parameter_values(ecs, admin, commands) -> None:
    invoke(ecs, commands["param"], parameters={"name": "s3cr3t"})
    [entry] = admin.requests(action="InvokeCommand")
    assert json.loads(entry["params"]["Parameters"]) == {"name": "****"}
    assert "s3cr3t" not in json.dumps(admin.requests())


def test_describe_invocations_answers_every_task_field(ecs, clock, commands) -> None:
    invoke_id = invoke(ecs, commands["param"], instance_id=LINUX, parameters={"name": "Jack"}, timeout=5,
                       working_dir="/srv", launcher="bash", username="ops", container_name="web",
                       termination_mode="ProcessTree", frequency="rate(5m)", tag=[tag("team", "sre")])
    [task] = invocations(ecs, invoke_id=invoke_id, content_encoding="PlainText").invocations.invocation
    assert (task.command_id, task.command_name, task.command_type, task.command_content) == (
        commands["param"], "check", "RunShellScript", "echo {{name}}")
    assert json.loads(task.parameters) == {"name": "Jack"}
    assert (task.repeat_mode, task.frequency, task.timed, task.timeout) == ("Period", "rate(5m)", True, 10)
    assert (task.working_dir, task.launcher, task.username, task.container_name, task.termination_mode) == (
        "/srv", "bash", "ops", "web", "ProcessTree")
    assert (task.creation_time, task.invocation_status, task.invoke_status) == (
        "2026-11-21T00:00:00Z", "Scheduled", "Running")
    assert [(t.tag_key, t.tag_value) for t in task.tags.tag] == [("team", "sre")]
    instances = task.invoke_instances.invoke_instance
    assert [(i.instance_id, i.invocation_status, i.repeats, i.timed) for i in instances] == [
        ("i-demo-linux-1", "Scheduled", 0, True), ("i-demo-linux-2", "Scheduled", 0, True)]


def test_output_is_only_returned_with_include_output_and_base64_by_default(ecs, clock, commands) -> None:
    invoke_id = invoke(ecs, commands["plain"])
    clock.advance("1m")
    [without] = invocations(ecs, invoke_id=invoke_id).invocations.invocation
    assert without.invoke_instances.invoke_instance[0].output is None
    [encoded] = invocations(ecs, invoke_id=invoke_id, include_output=True).invocations.invocation
    [plain] = invocations(ecs, invoke_id=invoke_id, include_output=True,
                          content_encoding="PlainText").invocations.invocation
    assert base64.b64decode(encoded.invoke_instances.invoke_instance[0].output).decode() == "plain\n"
    assert plain.invoke_instances.invoke_instance[0].output == "plain\n"
    assert base64.b64decode(encoded.command_content).decode() == "echo plain"


def test_describe_invocations_of_an_unknown_id_is_an_empty_list(ecs) -> None:
    answer = invocations(ecs, invoke_id="t-hz0000000000000000")
    assert (answer.invocations.invocation, answer.total_count) == ([], 0)


def test_an_unknown_content_encoding_is_rejected(ecs) -> None:
    assert error_of(lambda: invocations(ecs, content_encoding="Hex")).code == "InvalidContentEncoding.NotFound"


def test_describe_invocations_filters(ecs, clock, commands) -> None:
    once = invoke(ecs, commands["plain"], tag=[tag("team", "sre")])
    period = invoke(ecs, commands["param"], instance_id=["i-demo-linux-2"], parameters={"name": "x"},
                    frequency="rate(1h)")
    reboot = invoke(ecs, commands["bat"], instance_id=["i-demo-windows-1"], repeat_mode="EveryReboot")
    clock.advance("1m")

    def ids(**filters) -> list[str]:
        return [task.invoke_id for task in invocations(ecs, **filters).invocations.invocation]

    assert ids() == [reboot, period, once]
    assert ids(command_id=commands["param"]) == [period]
    assert ids(command_name="check", command_type="RunBatScript") == [reboot]
    assert ids(instance_id="i-demo-linux-2") == [period]
    assert ids(repeat_mode="EveryReboot") == [reboot]
    assert ids(invoke_status="Finished") == [once]
    assert ids(invoke_status="Success") == [once]
    assert ids(timed=True) == [reboot, period]
    assert ids(timed=False) == [once]
    assert ids(tag=[models.DescribeInvocationsRequestTag(key="team", value="sre")]) == [once]


def test_describe_invocations_pages_with_max_results_and_next_token(ecs, commands) -> None:
    created = [invoke(ecs, commands["plain"]) for _ in range(7)]
    seen, token = [], None
    while True:
        answer = invocations(ecs, max_results=3, next_token=token)
        seen += [task.invoke_id for task in answer.invocations.invocation]
        token = answer.next_token
        if not token:
            break
    assert seen == created[::-1]
    assert error_of(lambda: invocations(ecs, max_results=51)).code == "InvalidParameter"


def test_describe_invocation_results_pages_both_ways(ecs, commands) -> None:
    invoke_ids = [invoke(ecs, commands["plain"], instance_id=LINUX) for _ in range(3)]
    first = results(ecs, max_results=4)
    second = results(ecs, max_results=4, next_token=first.next_token)
    assert (first.total_count, len(first.invocation_results.invocation_result), second.next_token) == (6, 4, "")
    numbered = results(ecs, page_number=2, page_size=4)
    assert (numbered.page_number, numbered.page_size, len(numbered.invocation_results.invocation_result)) == (2, 4, 2)
    everything = first.invocation_results.invocation_result + second.invocation_results.invocation_result
    assert {r.invoke_id for r in everything} == set(invoke_ids)


def test_describe_invocation_results_filters(ecs, clock, commands) -> None:
    plain = invoke(ecs, commands["plain"], instance_id=LINUX, tag=[tag("team", "sre")])
    param = invoke(ecs, commands["param"], parameters={"name": "x"}, instance_id=["i-demo-noagent-1"])
    clock.advance("1m")

    def pairs(**filters) -> set[tuple[str, str]]:
        return {(r.invoke_id, r.instance_id) for r in results(ecs, **filters).invocation_results.invocation_result}

    assert pairs(invoke_id=plain) == {(plain, "i-demo-linux-1"), (plain, "i-demo-linux-2")}
    assert pairs(instance_id="i-demo-linux-2") == {(plain, "i-demo-linux-2")}
    assert pairs(command_id=commands["param"]) == {(param, "i-demo-noagent-1")}
    assert pairs(invoke_record_status="Failed") == {(param, "i-demo-noagent-1")}
    assert pairs(invoke_record_status="Finished") == pairs(invoke_record_status="Success") == pairs(invoke_id=plain)
    assert pairs(tag=[models.DescribeInvocationResultsRequestTag(key="team", value="sre")]) == pairs(invoke_id=plain)


def test_a_result_carries_the_task_settings(ecs, clock, commands) -> None:
    invoke_id = invoke(ecs, commands["plain"], username="ops", launcher="bash", container_id="c" * 64,
                       termination_mode="ProcessTree", tag=[tag("team", "sre")])
    clock.advance("1m")
    [result] = results(ecs, invoke_id=invoke_id, content_encoding="PlainText").invocation_results.invocation_result
    assert (result.command_id, result.username, result.launcher, result.container_id, result.termination_mode) == (
        commands["plain"], "ops", "bash", "c" * 64, "ProcessTree")
    assert (result.repeats, result.output, result.dropped, result.exit_code) == (1, "plain\n", 0, 0)
    assert [(t.tag_key, t.tag_value) for t in result.tags.tag] == [("team", "sre")]


def test_invocations_are_taggable_resources(ecs, commands) -> None:
    invoke_id = invoke(ecs, commands["plain"], tag=[tag("a", "1")])
    ecs.tag_resources(models.TagResourcesRequest(region_id=REGION, resource_type="invocation", resource_id=[invoke_id],
                                                 tag=[models.TagResourcesRequestTag(key="b", value="2")]))
    ecs.untag_resources(models.UntagResourcesRequest(region_id=REGION, resource_type="invocation",
                                                     resource_id=[invoke_id], tag_key=["a"]))
    [task] = invocations(ecs, invoke_id=invoke_id).invocations.invocation
    assert [(t.tag_key, t.tag_value) for t in task.tags.tag] == [("b", "2")]


@pytest.mark.parametrize(
    ("overrides", "code", "status"),
    [
        pytest.param({"invoke_id": "t-hz0000000000000000"}, "InvalidInvokeId.NotFound", 404, id="unknown-task"),
        pytest.param({"instance_id": ["i-demo-linux-2"]}, "InvalidInstance.NotFound", 404, id="instance-not-in-task"),
        pytest.param({"instance_id": [f"i-many-{n}" for n in range(51)]}, "InstanceIds.ExceedLimit", 403,
                     id="51-instances"),
        pytest.param({"invoke_id": None}, "MissingParameter", 400, id="no-invoke-id"),
    ],
)
def test_stop_rejects_bad_input(ecs, commands, overrides, code, status) -> None:
    invoke_id = invoke(ecs, commands["plain"], frequency="rate(5m)")
    request = {"region_id": REGION, "invoke_id": invoke_id, **overrides}
    error = error_of(lambda: ecs.stop_invocation(models.StopInvocationRequest(**request)))
    assert (error.code, error.status_code) == (code, status)
    [task] = invocations(ecs, invoke_id=invoke_id).invocations.invocation
    assert task.invocation_status == "Scheduled"


def cloud_assistant(ecs, **filters):
    return ecs.describe_cloud_assistant_status(
        models.DescribeCloudAssistantStatusRequest(region_id=REGION, **filters)).body


def test_cloud_assistant_status_reports_each_agent(ecs, clock, commands) -> None:
    invoke(ecs, create(ecs, "sleep 30"))
    invoke(ecs, commands["plain"])
    clock.advance("1s")
    answer = cloud_assistant(ecs, instance_id=["i-demo-linux-1", "i-demo-noagent-1"])
    by_id = {s.instance_id: s for s in answer.instance_cloud_assistant_status_set.instance_cloud_assistant_status}
    linux, noagent = by_id["i-demo-linux-1"], by_id["i-demo-noagent-1"]
    assert (linux.cloud_assistant_status, linux.cloud_assistant_version, linux.ostype) == ("true", "2.2.3.398", "Linux")
    assert (linux.last_heartbeat_time, linux.support_session_manager) == ("2026-11-21T00:00:01Z", True)
    assert (linux.active_task_count, linux.invocation_count, linux.last_invoked_time) == (
        1, 2, "2026-11-21T00:00:00Z")
    assert (noagent.cloud_assistant_status, noagent.cloud_assistant_version, noagent.last_heartbeat_time) == (
        "false", "", "")
    assert (noagent.invocation_count, noagent.last_invoked_time) == (0, "")


def test_cloud_assistant_status_filters_by_os_and_pages(ecs) -> None:
    windows = cloud_assistant(ecs, ostype="Windows").instance_cloud_assistant_status_set
    assert [s.instance_id for s in windows.instance_cloud_assistant_status] == ["i-demo-windows-1"]
    first = cloud_assistant(ecs, max_results=4)
    second = cloud_assistant(ecs, max_results=4, next_token=first.next_token)
    assert len(first.instance_cloud_assistant_status_set.instance_cloud_assistant_status) == 4
    assert len(second.instance_cloud_assistant_status_set.instance_cloud_assistant_status) == 2
    assert second.next_token == ""


def test_cloud_assistant_status_takes_at_most_100_instances(ecs) -> None:
    error = error_of(lambda: cloud_assistant(ecs, instance_id=[f"i-many-{n}" for n in range(101)]))
    assert (error.code, error.status_code) == ("InstanceIds.ExceedLimit", 403)


def test_a_tasks_resource_group_is_kept_for_the_listing_filter(ecs) -> None:
    command_id = create(ecs)
    grouped = invoke(ecs, command_id, frequency="rate(1h)", repeat_mode="Period", resource_group_id="rg-team1")
    plain = invoke(ecs, command_id, frequency="rate(1h)", repeat_mode="Period")
    listed = invocations(ecs, resource_group_id="rg-team1").invocations.invocation
    assert [task.invoke_id for task in listed] == [grouped] and plain != grouped
