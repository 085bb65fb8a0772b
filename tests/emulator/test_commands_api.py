"""The Cloud Assistant command operations of the emulator, through the official SDK: every documented
validation and error code, quotas, idempotency, paging, filters and tags."""

from __future__ import annotations

import base64

import pytest
from alibabacloud_tea_openapi.exceptions import ClientException

from tests.support.emulator import REGION, models


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def create(ecs, **overrides):
    fields = dict(region_id=REGION, name="check", type="RunShellScript", command_content=b64("echo hi"))
    fields.update(overrides)
    return ecs.create_command(models.CreateCommandRequest(**fields)).body.command_id


def error_of(call) -> ClientException:
    with pytest.raises(ClientException) as raised:
        call()
    return raised.value


def describe(ecs, **filters):
    return ecs.describe_commands(models.DescribeCommandsRequest(region_id=REGION, **filters)).body


@pytest.mark.parametrize(
    ("overrides", "code", "status"),
    [
        pytest.param({"type": "RunPythonScript"}, "InvalidCmdType.NotFound", 404, id="unknown-type"),
        pytest.param({"command_content": b64("x" * 18_500)}, "CmdContent.ExceedLimit", 403, id="content-over-24kb"),
        pytest.param({"command_content": b64(" ".join(f"{{{{p{i}}}}}" for i in range(21))), "enable_parameter": True},
                     "CmdParamCount.ExceedLimit", 403, id="21-parameters"),
        pytest.param({"command_content": b64("echo {{bad name!}}"), "enable_parameter": True},
                     "CmdParam.InvalidParamName", 400, id="bad-parameter-name"),
        pytest.param({"command_content": b64("echo {{ }}"), "enable_parameter": True}, "CmdParam.EmptyKey", 400,
                     id="empty-parameter"),
        pytest.param({"command_content": b64("echo {{" + "p" * 65 + "}}"), "enable_parameter": True},
                     "CmdParamName.ExceedLimit", 403, id="parameter-name-over-64"),
        pytest.param({"command_content": "not base64!"}, "CmdContent.DecodeError", 400, id="content-not-base64"),
        pytest.param({"name": "n" * 129}, "CmdName.ExceedLimit", 403, id="name-over-128"),
        pytest.param({"description": "d" * 513}, "CmdDesc.ExceedLimit", 403, id="description-over-512"),
        pytest.param({"working_dir": "/" + "w" * 200}, "InvalidParameter.WorkingDir", 400, id="working-dir-over-200"),
        pytest.param({"timeout": 86_401}, "InvalidTimeout.ExceedLimit", 403, id="timeout-over-a-day"),
        pytest.param({"timeout": 0}, "InvalidTimeout.ExceedLimit", 403, id="timeout-zero"),
        pytest.param({"launcher": "l" * 1025}, "InvalidLauncher.LengthLimitExceeded", 403, id="launcher-over-1kb"),
        pytest.param({"client_token": "t" * 65}, "InvalidClientToken.Malformed", 400, id="client-token-over-64"),
        pytest.param({"region_id": "xx-nowhere-1"}, "InvalidRegionId.NotFound", 404, id="unknown-region"),
        pytest.param({"tag": [models.CreateCommandRequestTag(key="acs:x", value="v")]}, "InvalidTagKey.Malformed",
                     400, id="reserved-tag-key"),
    ],
)
def test_create_rejects_bad_input_with_the_documented_code(ecs, overrides, code, status) -> None:
    error = error_of(lambda: create(ecs, **overrides))
    assert (error.code, error.status_code) == (code, status)
    assert describe(ecs).total_count == 0


def test_content_of_exactly_24kb_after_base64_is_accepted(ecs) -> None:
    content = "x" * (24 * 1024 // 4 * 3)
    assert len(b64(content)) == 24 * 1024
    assert create(ecs, command_content=b64(content)).startswith("c-")


def test_parameters_are_found_ignoring_builtins_parameter_store_and_case(ecs) -> None:
    content = "echo {{ mount }} {{ACS::InstanceId}} {{oos-secret:pw}} {{oos:name}} {{Mount}} {{user_name}}"
    command_id = create(ecs, command_content=b64(content), enable_parameter=True)
    [command] = describe(ecs, command_id=command_id).commands.command
    assert command.parameter_names.parameter_name == ["mount", "user_name"]


def test_twenty_parameters_are_the_limit(ecs) -> None:
    content = " ".join(f"{{{{p{i}}}}}" for i in range(20))
    assert create(ecs, command_content=b64(content), enable_parameter=True)


def test_without_enable_parameter_placeholders_are_text(ecs) -> None:
    command_id = create(ecs, command_content=b64("echo {{not a parameter!}}"))
    [command] = describe(ecs, command_id=command_id).commands.command
    assert command.parameter_names.parameter_name == []


def test_the_101st_command_in_a_region_exceeds_the_quota(ecs) -> None:
    for index in range(100):
        create(ecs, name=f"c{index}")
    error = error_of(lambda: create(ecs, name="one-too-many"))
    assert (error.code, error.status_code) == ("CmdCount.ExceedQuota", 403)
    assert describe(ecs, max_results=50).total_count == 100


def test_the_quota_is_settable_and_reported(ecs, admin) -> None:
    admin.world({"quotas": {"max-axt-command-count": 2}})
    create(ecs, name="a")
    create(ecs, name="b")
    assert error_of(lambda: create(ecs, name="c")).code == "CmdCount.ExceedQuota"
    answer = ecs.describe_account_attributes(models.DescribeAccountAttributesRequest(
        region_id=REGION, attribute_name=["max-axt-command-count"])).body
    [item] = answer.account_attribute_items.account_attribute_item
    assert (item.attribute_name, item.attribute_values.value_item[0].value) == ("max-axt-command-count", "2")


def test_the_quota_is_per_region(ecs, admin) -> None:
    admin.world({"quotas": {"max-axt-command-count": 1}})
    create(ecs, name="a")
    assert create(ecs, name="b", region_id="cn-beijing")


def test_same_client_token_and_parameters_return_the_same_command(ecs) -> None:
    first = create(ecs, client_token="token-1")
    again = create(ecs, client_token="token-1")
    assert first == again
    assert describe(ecs).total_count == 1


def test_same_client_token_with_other_parameters_is_a_mismatch(ecs) -> None:
    create(ecs, client_token="token-1")
    error = error_of(lambda: create(ecs, client_token="token-1", name="other"))
    assert (error.code, error.status_code) == ("IdempotentParameterMismatch", 403)
    assert describe(ecs).total_count == 1


def test_a_client_token_is_kept_per_region(ecs) -> None:
    assert create(ecs, client_token="t") != create(ecs, client_token="t", region_id="cn-beijing")


def test_describe_of_an_unknown_id_is_an_empty_list(ecs) -> None:
    answer = describe(ecs, command_id="c-hz0000000000000000")
    assert answer.commands.command == []
    assert answer.total_count == 0


def test_deleting_an_unknown_command_is_not_found(ecs) -> None:
    error = error_of(lambda: ecs.delete_command(models.DeleteCommandRequest(region_id=REGION, command_id="c-nope")))
    assert (error.code, error.status_code) == ("InvalidCmdId.NotFound", 404)


def test_delete_removes_the_command_and_frees_quota(ecs, admin) -> None:
    admin.world({"quotas": {"max-axt-command-count": 1}})
    command_id = create(ecs)
    ecs.delete_command(models.DeleteCommandRequest(region_id=REGION, command_id=command_id))
    assert describe(ecs, command_id=command_id).commands.command == []
    assert create(ecs)


def test_content_is_returned_base64_by_default_and_plain_on_request(ecs) -> None:
    command_id = create(ecs, command_content=b64("echo héllo"))
    [encoded] = describe(ecs, command_id=command_id).commands.command
    [plain] = describe(ecs, command_id=command_id, content_encoding="PlainText").commands.command
    assert base64.b64decode(encoded.command_content).decode() == "echo héllo"
    assert plain.command_content == "echo héllo"


def test_plain_text_content_is_accepted_on_create(ecs) -> None:
    command_id = create(ecs, command_content="echo plain", content_encoding="PlainText")
    [command] = describe(ecs, command_id=command_id, content_encoding="PlainText").commands.command
    assert command.command_content == "echo plain"


def test_modify_changes_attributes_and_ignores_content(ecs) -> None:
    command_id = create(ecs, command_content=b64("echo one"), timeout=60)
    ecs.modify_command(models.ModifyCommandRequest(
        region_id=REGION, command_id=command_id, name="renamed", description="new", working_dir="/tmp",
        timeout=300, launcher="bash", command_content=b64("echo two")))
    [command] = describe(ecs, command_id=command_id, content_encoding="PlainText").commands.command
    assert (command.name, command.description, command.working_dir, command.timeout, command.launcher) == (
        "renamed", "new", "/tmp", 300, "bash")
    assert command.command_content == "echo one"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        pytest.param({"name": "n" * 129}, "CmdName.ExceedLimit", id="name"),
        pytest.param({"timeout": 86_401}, "InvalidTimeout.ExceedLimit", id="timeout"),
        pytest.param({"command_id": "c-unknown"}, "InvalidCmdId.NotFound", id="unknown-id"),
    ],
)
def test_modify_rejects_bad_input(ecs, change, code) -> None:
    command_id = create(ecs)
    request = {"region_id": REGION, "command_id": command_id, **change}
    assert error_of(lambda: ecs.modify_command(models.ModifyCommandRequest(**request))).code == code


def test_paging_with_max_results_and_next_token_visits_every_command_once(ecs) -> None:
    created = [create(ecs, name=f"c{index}") for index in range(23)]
    seen, token, pages = [], None, 0
    while True:
        page = describe(ecs, max_results=10, next_token=token)
        seen += [command.command_id for command in page.commands.command]
        pages += 1
        token = page.next_token
        if not token:
            break
    assert seen == created
    assert pages == 3


def test_max_results_outside_1_to_50_is_rejected(ecs) -> None:
    assert error_of(lambda: describe(ecs, max_results=51)).code == "InvalidParameter"


def test_filters_by_name_wildcard_type_and_tag(ecs) -> None:
    tagged = create(ecs, name="disk-check", tag=[models.CreateCommandRequestTag(key="team", value="sre")])
    create(ecs, name="disk-usage")
    batch = create(ecs, name="cleanup", type="RunBatScript")
    assert {c.name for c in describe(ecs, name="disk-*").commands.command} == {"disk-check", "disk-usage"}
    assert [c.command_id for c in describe(ecs, type="RunBatScript").commands.command] == [batch]
    tag_filter = [models.DescribeCommandsRequestTag(key="team", value="sre")]
    assert [c.command_id for c in describe(ecs, tag=tag_filter).commands.command] == [tagged]
    key_only = [models.DescribeCommandsRequestTag(key="team")]
    assert [c.command_id for c in describe(ecs, tag=key_only).commands.command] == [tagged]
    other_value = [models.DescribeCommandsRequestTag(key="team", value="dba")]
    assert describe(ecs, tag=other_value).commands.command == []


def test_filtered_listings_page_over_the_matching_commands_only(ecs) -> None:
    wanted = [create(ecs, name=f"w{index}", tag=[models.CreateCommandRequestTag(key="keep", value="yes")])
              for index in range(5)]
    for index in range(4):
        create(ecs, name=f"other{index}")
    first = describe(ecs, max_results=3, tag=[models.DescribeCommandsRequestTag(key="keep")])
    second = describe(ecs, max_results=3, next_token=first.next_token,
                      tag=[models.DescribeCommandsRequestTag(key="keep")])
    assert [c.command_id for c in first.commands.command + second.commands.command] == wanted
    assert (first.total_count, second.next_token) == (5, "")


def test_tags_change_in_place_through_tag_resources(ecs) -> None:
    command_id = create(ecs, tag=[models.CreateCommandRequestTag(key="a", value="1"),
                                  models.CreateCommandRequestTag(key="b", value="2")])
    ecs.tag_resources(models.TagResourcesRequest(region_id=REGION, resource_type="command",
                                                 resource_id=[command_id],
                                                 tag=[models.TagResourcesRequestTag(key="b", value="3")]))
    ecs.untag_resources(models.UntagResourcesRequest(region_id=REGION, resource_type="command",
                                                     resource_id=[command_id], tag_key=["a"]))
    [command] = describe(ecs, command_id=command_id).commands.command
    assert {(t.tag_key, t.tag_value) for t in command.tags.tag} == {("b", "3")}


def test_tagging_an_unknown_resource_is_not_found(ecs) -> None:
    error = error_of(lambda: ecs.tag_resources(models.TagResourcesRequest(
        region_id=REGION, resource_type="command", resource_id=["c-none"],
        tag=[models.TagResourcesRequestTag(key="k", value="v")])))
    assert (error.code, error.status_code) == ("InvalidResourceId.NotFound", 404)
