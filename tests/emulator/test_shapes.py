"""Every answer of every ECS, CloudMonitor and OSS operation has the shape of the official SDK's response model
(License Manager has no public SDK: its answers are what docs/wire.md §5 defines).

The operations come from the products' registries (`app.PRODUCTS`), so an operation added without a scenario
here fails. Each scenario calls its operation through the SDK's typed client methods with realistic input (a
command with parameters and tags, an invocation on an instance, a rule with every target type...), and one
error where it is cheap. Every raw answer body — taken in `call_api`, before a model drops what it does not
know (tests/support/verify.py) — is compared, recursively, with the model `<Action>ResponseBody`:

- extra: a field the model lacks; type: a JSON type other than the model's; missing: a field of the model
  that no answer of the scenario ever carries (an object never answered counts once, not its fields).
- error answers (HTTP 4xx/5xx) are compared with ERROR_ENVELOPE, paths prefixed `@error.`.

The differences found must be exactly those provider/emulator/coverage.py lists for the operation: one not
listed fails (fix the emulator, or list it with its reason), and so does a listed one that no longer occurs
(remove it from the list). Every request parameter a handler reads during its scenario must be listed there as
honoured (or refused, or unmodelled).

OSS answers are XML and headers: each is compared with the fields its `<Op>Result` of alibabacloud_oss_v2 declares
(tests/support/oss_shapes.py), errors with OSS's error document.

A model's fields are found by the SDK's own code (`tests.support.verify.model_schema`): the model's
`from_map` reads a probe that has every key, and its `to_map` writes back what it read, under the wire names.

With ECSOPS_VERIFY_CLOUD=1 the scenarios run against a real account (tests/support/verify.py): extra and type
differences fail there too, but the coverage list (which describes the emulator) is not applied, and missing
fields are only printed — the cloud leaves out fields that have no value for what a short scenario creates.
"""

from __future__ import annotations

import base64
import dataclasses
import inspect
import json
from typing import Any, Callable, Iterator

from werkzeug.datastructures import MultiDict

import alibabacloud_oss_v2 as oss
import pytest
from alibabacloud_cms20190101 import models as cms_models
from alibabacloud_ecs20140526 import models as ecs_models
from alibabacloud_oss_v2 import models as oss_models

from ecsops.emulator import app as emulator_app
from ecsops.emulator import coverage
from ecsops.emulator.oss import api as oss_api
from ecsops.emulator.coverage import ERROR_PREFIX, EXTRA, MISSING, TYPE
from ecsops.emulator.protocol import Params
from tests.support.verify import INSTANCE_TAG, Answer, Schema, Target, model_schema
from tests.support.verify import target  # noqa: F401  (the fixture)
from tests.support import oss_shapes

#: Product name -> the SDK models of its API version.
SDK_MODELS = {"ecs": ecs_models, "cms": cms_models}
#: The envelope of every RPC error answer: what the SDK reads from one (alibabacloud_tea_openapi: Code, Message,
#: RequestId, AccessDeniedDetail, Detail, Description) and what the cloud sends with each (HostId, Recommend).
ERROR_ENVELOPE = {"RequestId": "str", "HostId": "str", "Code": "str", "Message": "str", "Recommend": "str",
                  "AccessDeniedDetail": "Any", "Detail": "Any", "Description": "Any"}
#: Fields of the envelope the cloud sends only with some errors.
OPTIONAL_ERROR_FIELDS = {"AccessDeniedDetail", "Detail", "Description"}

# -- Comparing answers ----------------------------------------------------------------------------------------

LEAF_TYPES: dict[str, tuple[type, ...]] = {"str": (str,), "int": (int,), "float": (int, float), "bool": (bool,)}


def _leaf_fits(annotation: str, value: Any) -> bool:
    if annotation.startswith("List["):
        return isinstance(value, list) and all(_leaf_fits(annotation[5:-1], item) for item in value)
    accepted = LEAF_TYPES.get(annotation)
    if accepted is None:  # Dict[...], Any: whatever JSON
        return True
    return isinstance(value, accepted) and not (isinstance(value, bool) and bool not in accepted)


def _fits(schema: Schema, value: Any) -> bool:
    if isinstance(schema, dict):
        return isinstance(value, dict)
    if isinstance(schema, list):
        return isinstance(value, list)
    return _leaf_fits(schema, value)


def compare(value: dict[str, Any], schema: dict[str, Schema], path: str, seen: set[str], found: set[tuple[str, str]]
            ) -> None:
    """Adds (path, extra|type) to `found` for `value`, the paths it carries to `seen`."""
    for key, item in value.items():
        where = f"{path}{key}"
        if key not in schema:
            found.add((where, EXTRA))
            continue
        seen.add(where)
        if not _fits(schema[key], item):
            found.add((where, TYPE))
        elif isinstance(schema[key], dict):
            compare(item, schema[key], f"{where}.", seen, found)
        elif isinstance(schema[key], list):
            _compare_items(item, schema[key][0], where, seen, found)


def _compare_items(items: list[Any], schema: Schema, path: str, seen: set[str], found: set[tuple[str, str]]) -> None:
    for item in items:
        seen.add(f"{path}[]")
        if not _fits(schema, item):
            found.add((f"{path}[]", TYPE))
        elif isinstance(schema, dict):
            compare(item, schema, f"{path}[].", seen, found)


def schema_paths(schema: Schema, path: str = "") -> Iterator[tuple[str, str]]:
    """(path, its parent's path) of every field of the schema; lists of objects have an element path `[]`."""
    if isinstance(schema, dict):
        for key, item in schema.items():
            where = f"{path}.{key}" if path else key
            yield where, path
            yield from schema_paths(item, where)
    elif isinstance(schema, list) and isinstance(schema[0], (dict, list)):
        yield f"{path}[]", path
        yield from schema_paths(schema[0], f"{path}[]")


def missing(schema: dict[str, Schema], seen: set[str], optional: frozenset[str] = frozenset()) -> set[tuple[str, str]]:
    """The fields never seen whose parent was (or is the root): each object never answered counts once."""
    return {(where, MISSING) for where, parent in schema_paths(schema)
            if where not in seen and (not parent or parent in seen) and where not in optional}


def differences(product: str, action: str, answers: list[Answer]) -> set[tuple[str, str]]:
    """(path, kind) of every difference of the answers of `action` from its SDK response model."""
    schema = model_schema(getattr(SDK_MODELS[product], f"{action}ResponseBody"))
    found: set[tuple[str, str]] = set()
    seen: set[str] = set()
    for answer in answers:
        if not answer.error:
            compare(answer.body, schema, "", seen, found)
    if seen:
        found |= missing(schema, seen)
    return found | _error_differences([answer.body for answer in answers if answer.error])


def oss_differences(action: str, answers: list[oss_shapes.OssAnswer]) -> set[tuple[str, str]]:
    """(path, kind) of every difference of OSS answers from the result model `<Action>Result` (headers as
    `header:<Name>`, the document from its root element) and, for errors, from oss_shapes.ERROR_SCHEMA."""
    schema = oss_shapes.result_schema(getattr(oss_models, f"{action}Result"), oss_shapes.root_tag(answers))
    found: set[tuple[str, str]] = set()
    seen: set[str] = set()
    for answer in answers:
        if not answer.error:
            oss_shapes.compare(answer, schema, seen, found, (EXTRA, TYPE))
    if any(not answer.error for answer in answers):
        found |= missing(schema, seen)
    errors: set[tuple[str, str]] = set()
    error_seen: set[str] = set()
    for answer in answers:
        if answer.error:
            oss_shapes.compare(answer, oss_shapes.ERROR_SCHEMA, error_seen, errors, (EXTRA, TYPE))
    if error_seen:
        errors |= missing(oss_shapes.ERROR_SCHEMA, error_seen)
    return found | {(f"{ERROR_PREFIX}{path}", kind) for path, kind in errors}


def _error_differences(bodies: list[dict[str, Any]]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    seen: set[str] = set()
    for body in bodies:
        compare(body, ERROR_ENVELOPE, "", seen, found)
    if bodies:
        found |= missing(ERROR_ENVELOPE, seen, optional=frozenset(OPTIONAL_ERROR_FIELDS))
    return {(f"{ERROR_PREFIX}{path}", kind) for path, kind in found}


# -- What handlers read ---------------------------------------------------------------------------------------

class ReadParams(Params):
    """Params that write down the name of every parameter a handler asks for."""

    reads: set[str]


def _recording(method: Callable[..., Any]) -> Callable[..., Any]:
    def read(self: ReadParams, name: str, *args: Any, **kwargs: Any) -> Any:
        self.reads.add(name)
        return method(self, name, *args, **kwargs)

    return read


for _name, _getter in vars(Params).items():  # every getter: each public method that takes a parameter's `name`
    if not _name.startswith("_") and callable(_getter) and "name" in inspect.signature(_getter).parameters:
        setattr(ReadParams, _name, _recording(_getter))


@pytest.fixture
def reads(target: Target, monkeypatch: pytest.MonkeyPatch) -> dict[str, set[str]]:
    """Action -> the parameter names its handler read (the emulator runs in this process); {} on the cloud."""
    found: dict[str, set[str]] = {}
    if target.cloud:
        return found
    decode = emulator_app.decode_request

    def recording_decode(request: Any) -> Any:
        api = decode(request)
        params = ReadParams(dict(api.params.items()))
        params.reads = found.setdefault(api.action, set())
        return dataclasses.replace(api, params=params)

    monkeypatch.setattr(emulator_app, "decode_request", recording_decode)
    for action, handler in oss_api.HANDLERS.items():
        monkeypatch.setitem(oss_api.HANDLERS, action, _recording_handler(handler, found.setdefault(action, set())))
    return found


class _ReadArgs(MultiDict):  # type: ignore[type-arg]
    """Query parameters that write down the name of every one a handler asks for."""

    reads: set[str]

    def get(self, key: Any, *args: Any, **kwargs: Any) -> Any:
        self.reads.add(key)
        return super().get(key, *args, **kwargs)

    def getlist(self, key: Any, *args: Any, **kwargs: Any) -> Any:
        self.reads.add(key)
        return super().getlist(key, *args, **kwargs)

    def __getitem__(self, key: Any) -> Any:
        self.reads.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self.reads.add(str(key))
        return super().__contains__(key)


class _ReadHeaders:
    """Request headers that write down the name of every one a handler asks for (as the SDK spells it)."""

    def __init__(self, headers: Any, reads: set[str]) -> None:
        self.headers, self.reads = headers, reads

    def get(self, name: str, *args: Any, **kwargs: Any) -> Any:
        self.reads.add(name)
        return self.headers.get(name, *args, **kwargs)

    def __getitem__(self, name: str) -> Any:
        self.reads.add(name)
        return self.headers[name]

    def __contains__(self, name: str) -> bool:
        self.reads.add(name)
        return name in self.headers


def _recording_handler(handler: Callable[[Any], Any], reads: set[str]) -> Callable[[Any], Any]:
    def run(ctx: Any) -> Any:
        args = _ReadArgs(ctx.call.args)
        args.reads = reads
        call = dataclasses.replace(ctx.call, args=args)
        return handler(dataclasses.replace(ctx, call=call, headers=_ReadHeaders(ctx.headers, reads)))

    return run


# -- Scenarios --------------------------------------------------------------------------------------------------

em, cm = ecs_models, cms_models
SCENARIOS: dict[str, Callable[[Target], None]] = {}


def scenario(*actions: str) -> Callable[[Callable[[Target], None]], Callable[[Target], None]]:
    def register(function: Callable[[Target], None]) -> Callable[[Target], None]:
        for action in actions:
            SCENARIOS[action] = function
        return function

    return register


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def refused(t: Target, call: Callable[[], Any]) -> None:
    """A call the emulator answers with an error (recorded by the target, like any answer). The cloud may
    validate otherwise: there an answer of either kind is compared."""
    try:
        call()
    except Exception as error:
        assert getattr(error, "data", None) is not None, f"not an error answer: {error!r}"
        return
    assert t.cloud, "the call was expected to be refused"


def quietly(call: Callable[[], Any]) -> Callable[[], None]:
    """A cleanup that may find its object already gone."""
    def run() -> None:
        try:
            call()
        except Exception as error:  # noqa: BLE001 - deleted by the scenario itself, or never made
            if getattr(error, "data", None) is None:
                raise

    return run


def command(t: Target) -> str:
    """A command with a parameter, a description, a working directory and a tag; deleted after the test."""
    name = t.name("command")
    command_id = t.ecs.create_command(em.CreateCommandRequest(
        region_id=t.region, name=name, type="RunShellScript", command_content=b64("echo {{greeting}}"),
        content_encoding="Base64", description="ecsops shape test", working_dir="/tmp", timeout=120,
        enable_parameter=True, tag=[em.CreateCommandRequestTag(key=INSTANCE_TAG, value="shape")])).body.command_id
    t.later(quietly(lambda: t.ecs.delete_command(em.DeleteCommandRequest(region_id=t.region, command_id=command_id))))
    return command_id


def invoke(t: Target, command_id: str, **fields: Any) -> str:
    request = em.InvokeCommandRequest(
        region_id=t.region, command_id=command_id, instance_id=[t.need_instance()], parameters={"greeting": "hi"},
        tag=[em.InvokeCommandRequestTag(key=INSTANCE_TAG, value="shape")], **fields)
    return t.ecs.invoke_command(request).body.invoke_id


@scenario("CreateCommand")
def create_command(t: Target) -> None:
    command(t)
    refused(t, lambda: t.ecs.create_command(em.CreateCommandRequest(
        region_id=t.region, name=t.name("command"), type="RunPythonScript", command_content=b64("echo"))))


@scenario("ModifyCommand")
def modify_command(t: Target) -> None:
    command_id = command(t)
    t.ecs.modify_command(em.ModifyCommandRequest(region_id=t.region, command_id=command_id,
                                                 description="changed", timeout=300))
    refused(t, lambda: t.ecs.modify_command(em.ModifyCommandRequest(region_id=t.region, command_id="c-ecsopsverify0",
                                                                 timeout=300)))


@scenario("DeleteCommand")
def delete_command(t: Target) -> None:
    command_id = command(t)
    t.ecs.delete_command(em.DeleteCommandRequest(region_id=t.region, command_id=command_id))
    refused(t, lambda: t.ecs.delete_command(em.DeleteCommandRequest(region_id=t.region, command_id=command_id)))


@scenario("DescribeCommands")
def describe_commands(t: Target) -> None:
    command_id = command(t)
    t.ecs.describe_commands(em.DescribeCommandsRequest(region_id=t.region, command_id=command_id, max_results=10))
    t.ecs.describe_commands(em.DescribeCommandsRequest(region_id=t.region, command_id=command_id, page_number=1,
                                                       page_size=10, content_encoding="PlainText"))
    refused(t, lambda: t.ecs.describe_commands(em.DescribeCommandsRequest(region_id=t.region, max_results=1000)))


@scenario("InvokeCommand")
def invoke_command(t: Target) -> None:
    invoke(t, command(t))
    refused(t, lambda: t.ecs.invoke_command(em.InvokeCommandRequest(
        region_id=t.region, command_id=command(t), instance_id=["i-ecsopsverifynotfound"],
        parameters={"greeting": "hi"})))


@scenario("DescribeInvocations")
def describe_invocations(t: Target) -> None:
    invoke_id = invoke(t, command(t))
    t.ecs.describe_invocations(em.DescribeInvocationsRequest(region_id=t.region, invoke_id=invoke_id,
                                                             include_output=True, max_results=10))
    t.ecs.describe_invocations(em.DescribeInvocationsRequest(region_id=t.region, invoke_id=invoke_id, page_number=1,
                                                             page_size=10))
    refused(t, lambda: t.ecs.describe_invocations(em.DescribeInvocationsRequest(region_id=t.region, max_results=1000)))


@scenario("DescribeInvocationResults")
def describe_invocation_results(t: Target) -> None:
    invoke_id = invoke(t, command(t))
    t.ecs.describe_invocation_results(em.DescribeInvocationResultsRequest(
        region_id=t.region, invoke_id=invoke_id, include_history=True, max_results=10))
    t.ecs.describe_invocation_results(em.DescribeInvocationResultsRequest(
        region_id=t.region, invoke_id=invoke_id, page_number=1, page_size=10))
    refused(t, lambda: t.ecs.describe_invocation_results(em.DescribeInvocationResultsRequest(
        region_id=t.region, max_results=1000)))


@scenario("StopInvocation")
def stop_invocation(t: Target) -> None:
    invoke_id = invoke(t, command(t), repeat_mode="Period", frequency="rate(1h)")
    stop = em.StopInvocationRequest(region_id=t.region, invoke_id=invoke_id, instance_id=[t.need_instance()])
    t.later(quietly(lambda: t.ecs.stop_invocation(stop)))
    t.ecs.stop_invocation(stop)
    refused(t, lambda: t.ecs.stop_invocation(em.StopInvocationRequest(region_id=t.region,
                                                                   invoke_id="t-ecsopsverifynotfound")))


@scenario("DescribeCloudAssistantStatus")
def describe_cloud_assistant_status(t: Target) -> None:
    instance = t.need_instance()
    t.ecs.describe_cloud_assistant_status(em.DescribeCloudAssistantStatusRequest(
        region_id=t.region, instance_id=[instance], max_results=10))
    t.ecs.describe_cloud_assistant_status(em.DescribeCloudAssistantStatusRequest(
        region_id=t.region, instance_id=[instance], page_number=1, page_size=10))
    refused(t, lambda: t.ecs.describe_cloud_assistant_status(em.DescribeCloudAssistantStatusRequest(
        region_id=t.region, max_results=1000)))


def tag(t: Target, resource_type: str, resource_id: str) -> None:
    """Tags the resource `ecsops-verify: shape`; the tag is removed after the test."""
    t.ecs.tag_resources(em.TagResourcesRequest(region_id=t.region, resource_type=resource_type,
                                               resource_id=[resource_id],
                                               tag=[em.TagResourcesRequestTag(key=INSTANCE_TAG, value="shape")]))
    t.later(quietly(lambda: t.ecs.untag_resources(em.UntagResourcesRequest(
        region_id=t.region, resource_type=resource_type, resource_id=[resource_id], tag_key=[INSTANCE_TAG]))))


@scenario("TagResources")
def tag_resources(t: Target) -> None:
    tag(t, "command", command(t))
    refused(t, lambda: tag(t, "command", "c-ecsopsverifynotfound"))


@scenario("UntagResources")
def untag_resources(t: Target) -> None:
    command_id = command(t)
    t.ecs.untag_resources(em.UntagResourcesRequest(region_id=t.region, resource_type="command",
                                                   resource_id=[command_id], tag_key=[INSTANCE_TAG]))
    refused(t, lambda: t.ecs.untag_resources(em.UntagResourcesRequest(
        region_id=t.region, resource_type="command", resource_id=["c-ecsopsverifynotfound"], tag_key=["x"])))


@scenario("ListTagResources")
def list_tag_resources(t: Target) -> None:
    command_id = command(t)
    t.ecs.list_tag_resources(em.ListTagResourcesRequest(region_id=t.region, resource_type="command",
                                                        resource_id=[command_id]))
    refused(t, lambda: t.ecs.list_tag_resources(em.ListTagResourcesRequest(region_id=t.region, resource_type="nothing",
                                                                        resource_id=[command_id])))


@scenario("DescribeInstances")
def describe_instances(t: Target) -> None:
    instance = t.need_instance()
    tag(t, "instance", instance)
    ids = json.dumps([instance])
    t.ecs.describe_instances(em.DescribeInstancesRequest(region_id=t.region, instance_ids=ids, max_results=10))
    t.ecs.describe_instances(em.DescribeInstancesRequest(region_id=t.region, instance_ids=ids, page_number=1,
                                                         page_size=10))
    refused(t, lambda: t.ecs.describe_instances(em.DescribeInstancesRequest(region_id=t.region, status="Asleep")))


@scenario("DescribeAccountAttributes")
def describe_account_attributes(t: Target) -> None:
    t.ecs.describe_account_attributes(em.DescribeAccountAttributesRequest(
        region_id=t.region, attribute_name=["max-axt-command-count", "max-axt-invocation-daily"]))
    refused(t, lambda: t.ecs.describe_account_attributes(em.DescribeAccountAttributesRequest(region_id="xx-nowhere-1")))


def maintenance(t: Target, instance: str) -> Any:
    [current] = t.ecs.describe_instance_maintenance_attributes(em.DescribeInstanceMaintenanceAttributesRequest(
        region_id=t.region, instance_id=[instance])).body.maintenance_attributes.maintenance_attribute
    return current


def set_maintenance(t: Target) -> str:
    """Sets the maintenance attributes of the local-disk instance; on the cloud, writes back those it has."""
    instance = t.local_disk_instance or t.need_instance()
    window = em.ModifyInstanceMaintenanceAttributesRequestMaintenanceWindow
    wanted: dict[str, Any] = {"action_on_maintenance": "AutoRedeploy", "notify_on_maintenance": True,
                              "maintenance_window": [window(start_time="02:00:00", end_time="04:00:00")]}
    if t.cloud:
        current = maintenance(t, instance)
        windows = current.maintenance_windows.maintenance_window if current.maintenance_windows else []
        wanted = {"action_on_maintenance": current.action_on_maintenance.value,
                  "notify_on_maintenance": current.notify_on_maintenance,
                  "maintenance_window": [window(start_time=w.start_time, end_time=w.end_time) for w in windows][:1]
                  or None}
    t.ecs.modify_instance_maintenance_attributes(em.ModifyInstanceMaintenanceAttributesRequest(
        region_id=t.region, instance_id=[instance], **wanted))
    return instance


@scenario("ModifyInstanceMaintenanceAttributes")
def modify_instance_maintenance_attributes(t: Target) -> None:
    set_maintenance(t)
    refused(t, lambda: t.ecs.modify_instance_maintenance_attributes(em.ModifyInstanceMaintenanceAttributesRequest(
        region_id=t.region, instance_id=["i-ecsopsverifynotfound"], action_on_maintenance="Stop")))


@scenario("DescribeInstanceMaintenanceAttributes")
def describe_instance_maintenance_attributes(t: Target) -> None:
    instance = set_maintenance(t)
    t.ecs.describe_instance_maintenance_attributes(em.DescribeInstanceMaintenanceAttributesRequest(
        region_id=t.region, instance_id=[instance], page_number=1, page_size=10))
    refused(t, lambda: t.ecs.describe_instance_maintenance_attributes(em.DescribeInstanceMaintenanceAttributesRequest(
        region_id=t.region, instance_id=["i-ecsopsverifynotfound"])))


def set_delivery(t: Target) -> None:
    t.emulator_only("ModifyCloudAssistantSettings changes the delivery settings of the whole region")
    t.ecs.modify_cloud_assistant_settings(em.ModifyCloudAssistantSettingsRequest(
        region_id=t.region, setting_type="InvocationDelivery",
        oss_delivery_config=em.ModifyCloudAssistantSettingsRequestOssDeliveryConfig(
            enabled=True, bucket_name="ecsops-demo-records", prefix="ecsops-verify/", encryption_type="OssManaged",
            encryption_algorithm="AES256"),
        sls_delivery_config=em.ModifyCloudAssistantSettingsRequestSlsDeliveryConfig(
            enabled=True, project_name="ecsops-demo", logstore_name="cloud-assistant")))


@scenario("ModifyCloudAssistantSettings")
def modify_cloud_assistant_settings(t: Target) -> None:
    set_delivery(t)
    refused(t, lambda: t.ecs.modify_cloud_assistant_settings(em.ModifyCloudAssistantSettingsRequest(
        region_id=t.region, setting_type="Nothing")))


@scenario("DescribeCloudAssistantSettings")
def describe_cloud_assistant_settings(t: Target) -> None:
    if not t.cloud:
        set_delivery(t)
    t.ecs.describe_cloud_assistant_settings(em.DescribeCloudAssistantSettingsRequest(
        region_id=t.region, setting_type=["InvocationDelivery", "SessionManagerDelivery"]))
    refused(t, lambda: t.ecs.describe_cloud_assistant_settings(em.DescribeCloudAssistantSettingsRequest(
        region_id=t.region, setting_type=["Nothing"])))


@scenario("DescribeInstanceHistoryEvents")
def describe_instance_history_events(t: Target) -> None:
    if not t.cloud:  # the cloud's events are the account's own: only read there
        for status in ("Executed", "Scheduled"):
            t.admin.call("POST", "events", {"resourceId": t.instance, "eventType": "SystemMaintenance.Reboot",
                                            "status": status, "reason": "ecsops shape test"})
    every_state = ["Inquiring", "Scheduled", "Executing", "Executed", "Avoided", "Failed", "Canceled"]
    t.ecs.describe_instance_history_events(em.DescribeInstanceHistoryEventsRequest(
        region_id=t.region, instance_event_cycle_status=every_state, max_results=10))
    t.ecs.describe_instance_history_events(em.DescribeInstanceHistoryEventsRequest(
        region_id=t.region, page_number=1, page_size=10))
    refused(t, lambda: t.ecs.describe_instance_history_events(em.DescribeInstanceHistoryEventsRequest(
        region_id=t.region, resource_type="nothing")))


def rule(t: Target) -> str:
    """An enabled SYSTEM rule with a pattern using every list; deleted (with its targets) after the test."""
    name = t.name("rule")
    pattern = cm.PutEventRuleRequestEventPattern(
        product="ecs", event_type_list=["StatusNotification"], level_list=["CRITICAL", "WARN"],
        name_list=["Instance:SystemMaintenance.Reboot"], status_list=["Scheduled", "Executed"])
    t.cms.put_event_rule(cm.PutEventRuleRequest(rule_name=name, event_pattern=[pattern], event_type="SYSTEM",
                                                state="ENABLED", silence_time=600, description="ecsops shape test"))
    t.later(quietly(lambda: t.cms.delete_event_rules(cm.DeleteEventRulesRequest(rule_names=[name]))))
    return name


def targets(t: Target, name: str) -> list[str]:
    """Targets of every type on the rule (on the cloud a webhook only: the others need resources); their Ids."""
    hook = cm.PutEventRuleTargetsRequestWebhookParameters(id="1", protocol="http", method="POST",
                                                          url="https://example.com/ecsops-verify/hook")
    given: dict[str, Any] = {"webhook_parameters": [hook]}
    if not t.cloud:
        given.update(
            contact_parameters=[cm.PutEventRuleTargetsRequestContactParameters(
                id="2", contact_group_name="ops-oncall", level="3")],
            mns_parameters=[cm.PutEventRuleTargetsRequestMnsParameters(id="3", region=t.region, queue="alerts")],
            fc_parameters=[cm.PutEventRuleTargetsRequestFcParameters(
                id="4", region=t.region, service_name="ops", function_name="on-event")],
            sls_parameters=[cm.PutEventRuleTargetsRequestSlsParameters(
                id="5", region=t.region, project="ecsops-demo", log_store="cloud-assistant")])
    t.cms.put_event_rule_targets(cm.PutEventRuleTargetsRequest(rule_name=name, **given))
    return ["1"] if t.cloud else ["1", "2", "3", "4", "5"]


@scenario("PutEventRule")
def put_event_rule(t: Target) -> None:
    rule(t)
    refused_name = t.name("rule")
    t.later(quietly(lambda: t.cms.delete_event_rules(cm.DeleteEventRulesRequest(rule_names=[refused_name]))))
    t.cms.put_event_rule(cm.PutEventRuleRequest(rule_name=refused_name, event_type="NOTHING", event_pattern=[
        cm.PutEventRuleRequestEventPattern(product="ecs")]))
    refused(t, lambda: t.cms.put_event_rule(cm.PutEventRuleRequest(event_pattern=[
        cm.PutEventRuleRequestEventPattern(product="ecs")])))


@scenario("DescribeEventRuleList")
def describe_event_rule_list(t: Target) -> None:
    name = rule(t)
    t.cms.describe_event_rule_list(cm.DescribeEventRuleListRequest(name_prefix=name, page_number=1, page_size=10))
    refused(t, lambda: t.cms.describe_event_rule_list(cm.DescribeEventRuleListRequest(page_number=0)))


@scenario("DeleteEventRules")
def delete_event_rules(t: Target) -> None:
    t.cms.delete_event_rules(cm.DeleteEventRulesRequest(rule_names=[rule(t)]))
    refused(t, lambda: t.cms.delete_event_rules(cm.DeleteEventRulesRequest()))


@scenario("EnableEventRules", "DisableEventRules")
def enable_and_disable_event_rules(t: Target) -> None:
    name = rule(t)
    t.cms.disable_event_rules(cm.DisableEventRulesRequest(rule_names=[name]))
    t.cms.enable_event_rules(cm.EnableEventRulesRequest(rule_names=[name]))
    t.cms.enable_event_rules(cm.EnableEventRulesRequest(rule_names=[t.name("absent")]))
    t.cms.disable_event_rules(cm.DisableEventRulesRequest(rule_names=[t.name("absent")]))
    refused(t, lambda: t.cms.enable_event_rules(cm.EnableEventRulesRequest()))
    refused(t, lambda: t.cms.disable_event_rules(cm.DisableEventRulesRequest()))


@scenario("PutEventRuleTargets")
def put_event_rule_targets(t: Target) -> None:
    targets(t, rule(t))
    t.cms.put_event_rule_targets(cm.PutEventRuleTargetsRequest(rule_name=t.name("absent"), webhook_parameters=[
        cm.PutEventRuleTargetsRequestWebhookParameters(id="1", url="https://example.com/ecsops-verify/hook")]))
    refused(t, lambda: t.cms.put_event_rule_targets(cm.PutEventRuleTargetsRequest(webhook_parameters=[
        cm.PutEventRuleTargetsRequestWebhookParameters(id="1", url="https://example.com/ecsops-verify/hook")])))


@scenario("DescribeEventRuleTargetList")
def describe_event_rule_target_list(t: Target) -> None:
    name = rule(t)
    targets(t, name)
    t.cms.describe_event_rule_target_list(cm.DescribeEventRuleTargetListRequest(rule_name=name))
    t.cms.describe_event_rule_target_list(cm.DescribeEventRuleTargetListRequest(rule_name=t.name("absent")))
    refused(t, lambda: t.cms.describe_event_rule_target_list(cm.DescribeEventRuleTargetListRequest()))


@scenario("DeleteEventRuleTargets")
def delete_event_rule_targets(t: Target) -> None:
    name = rule(t)
    t.cms.delete_event_rule_targets(cm.DeleteEventRuleTargetsRequest(rule_name=name, ids=targets(t, name)))
    t.cms.delete_event_rule_targets(cm.DeleteEventRuleTargetsRequest(rule_name=t.name("absent"), ids=["1"]))
    refused(t, lambda: t.cms.delete_event_rule_targets(cm.DeleteEventRuleTargetsRequest(rule_name=name)))


# -- OSS: objects named ecsops-verify-* in the target's bucket --------------------------------------------------


def oss_refused(t: Target, call: Callable[[], Any]) -> None:
    """An OSS call the emulator answers with an error (the cloud may answer either way)."""
    try:
        call()
    except oss.exceptions.OperationError as error:
        assert isinstance(error.unwrap(), oss.exceptions.ServiceError), f"not an error answer: {error!r}"
        return
    assert t.cloud, "the call was expected to be refused"


def put_objects(t: Target, *names: str) -> str:
    """Objects `<prefix>/<name>` (forbidding overwrites, with a type), deleted after the test; the prefix."""
    bucket, prefix = t.need_bucket(), t.name("objects")
    for name in names:
        key = f"{prefix}/{name}"
        t.oss.put_object(oss.PutObjectRequest(bucket=bucket, key=key, body=b'{"shape": 1}',
                                              content_type="application/json", forbid_overwrite=True))
        t.later(lambda key=key: t.oss.delete_object(oss.DeleteObjectRequest(bucket=bucket, key=key)))
    return prefix


ABSENT_BUCKET = "ecsops-verify-absent-bucket-0"


@scenario("PutBucket")
def put_bucket(t: Target) -> None:
    name = t.name("bucket")
    t.oss.put_bucket(oss.PutBucketRequest(bucket=name))
    if t.cloud:
        t.later(lambda: t.oss.delete_bucket(oss.DeleteBucketRequest(bucket=name)))
    oss_refused(t, lambda: t.oss.put_bucket(oss.PutBucketRequest(bucket=name)))


@scenario("GetBucketAcl")
def get_bucket_acl(t: Target) -> None:
    t.oss.get_bucket_acl(oss.GetBucketAclRequest(bucket=t.need_bucket()))
    oss_refused(t, lambda: t.oss.get_bucket_acl(oss.GetBucketAclRequest(bucket=ABSENT_BUCKET)))


@scenario("ListObjects")
def list_objects(t: Target) -> None:
    prefix = put_objects(t, "a.json", "b.json", "dir/c.json")
    bucket = t.need_bucket()
    t.oss.list_objects(oss.ListObjectsRequest(bucket=bucket, prefix=f"{prefix}/", delimiter="/", max_keys=1))
    t.oss.list_objects(oss.ListObjectsRequest(bucket=bucket, prefix=f"{prefix}/", delimiter="/",
                                              marker=f"{prefix}/a.json", encoding_type="url"))
    oss_refused(t, lambda: t.oss.list_objects(oss.ListObjectsRequest(bucket=ABSENT_BUCKET)))


@scenario("ListObjectsV2")
def list_objects_v2(t: Target) -> None:
    prefix = put_objects(t, "a.json", "b.json", "dir/c.json")
    bucket = t.need_bucket()
    first = t.oss.list_objects_v2(oss.ListObjectsV2Request(bucket=bucket, prefix=f"{prefix}/", delimiter="/",
                                                            max_keys=1, fetch_owner=True))
    t.oss.list_objects_v2(oss.ListObjectsV2Request(bucket=bucket, prefix=f"{prefix}/", delimiter="/",
                                                   continuation_token=first.next_continuation_token))
    t.oss.list_objects_v2(oss.ListObjectsV2Request(bucket=bucket, prefix=f"{prefix}/",
                                                   start_after=f"{prefix}/a.json", encoding_type="url"))
    oss_refused(t, lambda: t.oss.list_objects_v2(oss.ListObjectsV2Request(bucket=ABSENT_BUCKET)))


@scenario("PutObject")
def put_object(t: Target) -> None:
    prefix = put_objects(t, "a.json")
    oss_refused(t, lambda: t.oss.put_object(oss.PutObjectRequest(
        bucket=t.need_bucket(), key=f"{prefix}/a.json", body=b"again", forbid_overwrite=True)))


@scenario("GetObject")
def get_object(t: Target) -> None:
    prefix, bucket = put_objects(t, "a.json"), t.need_bucket()
    with t.oss.get_object(oss.GetObjectRequest(bucket=bucket, key=f"{prefix}/a.json")).body as body:
        body.read()
    oss_refused(t, lambda: t.oss.get_object(oss.GetObjectRequest(bucket=bucket, key=f"{prefix}/absent")))


@scenario("HeadObject")
def head_object(t: Target) -> None:
    prefix, bucket = put_objects(t, "a.json"), t.need_bucket()
    t.oss.head_object(oss.HeadObjectRequest(bucket=bucket, key=f"{prefix}/a.json"))
    oss_refused(t, lambda: t.oss.head_object(oss.HeadObjectRequest(bucket=bucket, key=f"{prefix}/absent")))


@scenario("GetObjectMeta")
def get_object_meta(t: Target) -> None:
    prefix, bucket = put_objects(t, "a.json"), t.need_bucket()
    t.oss.get_object_meta(oss.GetObjectMetaRequest(bucket=bucket, key=f"{prefix}/a.json"))
    oss_refused(t, lambda: t.oss.get_object_meta(oss.GetObjectMetaRequest(bucket=bucket, key=f"{prefix}/absent")))


@scenario("DeleteObject")
def delete_object(t: Target) -> None:
    prefix, bucket = put_objects(t, "a.json"), t.need_bucket()
    t.oss.delete_object(oss.DeleteObjectRequest(bucket=bucket, key=f"{prefix}/a.json"))
    t.oss.delete_object(oss.DeleteObjectRequest(bucket=bucket, key=f"{prefix}/absent"))
    oss_refused(t, lambda: t.oss.delete_object(oss.DeleteObjectRequest(bucket=ABSENT_BUCKET, key="a")))


# -- The tests --------------------------------------------------------------------------------------------------

COMPARED = [(product.name, action) for product in emulator_app.PRODUCTS.values() if product.name in SDK_MODELS
            for action in sorted(product.operations)] + [("oss", action) for action in sorted(oss_api.HANDLERS)]


def test_every_product_is_compared_or_out_of_scope() -> None:
    names = {product.name for product in emulator_app.PRODUCTS.values()} | {"oss"}
    assert names - set(SDK_MODELS) - {"oss"} == set(coverage.OUT_OF_SCOPE)
    assert len(COMPARED) > 20


def _report(title: str, items: set[tuple[str, str]]) -> str:
    return f"{title}:\n" + "\n".join(f"  {kind:8} {path}" for path, kind in sorted(items)) if items else ""


@pytest.mark.parametrize(("product", "action"), COMPARED, ids=[f"{p}.{a}" for p, a in COMPARED])
def test_answers_have_the_shape_of_the_sdk_model(product: str, action: str, target: Target,
                                                 reads: dict[str, set[str]]) -> None:
    run = SCENARIOS.get(action)
    assert run is not None, f"{action} has no scenario: add one to SCENARIOS in {__name__}"
    run(target)
    recorded: list[Any] = target.oss_answers if product == "oss" else target.answers
    answers = [answer for answer in recorded if answer.action == action]
    assert answers, f"the scenario of {action} never called it"
    found = oss_differences(action, answers) if product == "oss" else differences(product, action, answers)
    if target.cloud:
        print(_report(f"{action}: missing on the cloud (not a failure)", {d for d in found if d[1] == MISSING}))
        assert not {d for d in found if d[1] != MISSING}, _report(f"{action}: the cloud differs from the model", found)
        return
    entry = coverage.COVERAGE[product].get(action) or coverage.Coverage(honoured=())
    listed = entry.listed()
    problems = [_report("differences not listed in provider/emulator/coverage.py (fix the emulator, or list "
                        "them with the reason)", found - listed),
                _report("listed in provider/emulator/coverage.py but no longer found: remove them from the list",
                        listed - found)]
    assert not any(problems), f"{product} {action}\n" + "\n".join(problem for problem in problems if problem)
    declared = {*entry.honoured, *entry.refused, *entry.unmodelled}
    assert reads.get(action, set()) <= declared, (
        f"{action} reads {sorted(reads[action] - declared)}, which coverage.py does not list as honoured")


def test_the_comparison_finds_each_kind_of_difference() -> None:
    answer = {"RequestId": "r", "AccountAttributeItems": {"AccountAttributeItem": [
        {"AttributeName": 5, "Unknown": 1}]}}
    found = differences("ecs", "DescribeAccountAttributes", [Answer("DescribeAccountAttributes", False, answer)])
    item = "AccountAttributeItems.AccountAttributeItem[]"
    assert found == {(f"{item}.AttributeName", TYPE), (f"{item}.Unknown", EXTRA), (f"{item}.AttributeValues", MISSING)}
    error = {"RequestId": "r", "Code": "X", "Message": "m", "Extra": 1}
    assert differences("ecs", "DescribeAccountAttributes", [Answer("DescribeAccountAttributes", True, error)]) == {
        ("@error.Extra", EXTRA), ("@error.HostId", MISSING), ("@error.Recommend", MISSING)}


def test_model_fields_come_from_the_sdk_code() -> None:
    schema = model_schema(ecs_models.DescribeCommandsResponseBody)
    command = schema["Commands"]["Command"][0]
    assert command["Tags"] == {"Tag": [{"TagKey": "str", "TagValue": "str"}]}
    assert command["ParameterNames"] == {"ParameterName": "List[str]"}
    assert (command["Timeout"], command["EnableParameter"], schema["RequestId"]) == ("int", "bool", "str")


OSS_ACTIONS = sorted(oss_api.HANDLERS)


@pytest.mark.parametrize("action", OSS_ACTIONS)
def test_every_oss_request_field_is_honoured_ignored_or_refused(action: str) -> None:
    """The OSS SDK's request model `<Action>Request` (by wire name: query parameter or header) against the entry
    (what test_coverage_doc checks for the RPC products)."""
    fields = oss_shapes.request_fields(getattr(oss_models, f"{action}Request"))
    entry = coverage.COVERAGE["oss"][action]
    described = {*entry.honoured, *entry.ignored, *entry.refused}
    assert not fields - described, f"{action}: list {sorted(fields - described)} in provider/emulator/coverage.py"
    assert not described - fields, f"{action}: {sorted(described - fields)} are not fields of the SDK's request"
    assert not set(entry.unmodelled) & fields


def test_the_oss_comparison_finds_each_kind_of_difference() -> None:
    document = (b"<ListBucketResult><Name>b</Name><MaxKeys>many</MaxKeys><Odd/>"
                b"<Contents><Key>k</Key><Size>1</Size></Contents></ListBucketResult>")
    answer = oss_shapes.OssAnswer("ListObjects", False, {"x-oss-unknown": "1", "Date": "now"}, document)
    found = oss_differences("ListObjects", [answer])
    assert {("ListBucketResult.MaxKeys", TYPE), ("ListBucketResult.Odd", EXTRA), ("header:x-oss-unknown", EXTRA),
            ("ListBucketResult.Contents[].ETag", MISSING), ("ListBucketResult.Prefix", MISSING)} <= found
    assert ("ListBucketResult.Contents[].Key", MISSING) not in found
    schema = oss_shapes.result_schema(oss_models.GetBucketAclResult)
    assert schema == {"AccessControlPolicy": {"Owner": {"ID": "str", "DisplayName": "str"},
                                              "AccessControlList": {"Grant": "str"}}}
