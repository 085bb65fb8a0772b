"""`ecsops:Command` — a Cloud Assistant command (docs/wire.md §2).

Identity: CommandId. In place: name, description, workingDir, timeout, launcher (ModifyCommand) and tags
(TagResources / UntagResources). Replace: content, type, enableParameter, resourceGroupId — the API cannot
change them. Content is plain text here; the provider encodes it (Base64) on the wire.

Each field's declaration is all there is of it: the create and modify requests and the read-back are built
from the declarations (engine/wire.py); the lifecycle adds only what is the API's own (ContentEncoding,
ClientToken, the tag calls).
"""

from __future__ import annotations

from contextlib import suppress
import base64
import re
from typing import Annotated, Any, Literal, Mapping

from pydantic import Field, field_validator, model_validator

from ecsops.cloud import operations as ops
from ecsops.cloud.client import Cloud
from ecsops.cloud.errors import NotFound
from ecsops.engine.kind import FieldError, Found, Kind, Observed, Outputs, Spec, read_back, register
from ecsops.engine.listing import ListingCache, answered, fetched
from ecsops.engine.policy import in_place, replace
from ecsops.engine.wire import (BASE64, FLAG, OPTIONAL_TEXT, TAGS, create_request, modify_request, read_values,
                                tag_list)
from ecsops.engine.scalars import STRICT_NUMBER, Flag
from ecsops.engine.values import is_unknown

CONTENT_LIMIT_BYTES = 24 * 1024          # after Base64 (docs/wire.md §2; the 2022 guide's 16 KB is older)
MAX_PARAMETERS = 20
MAX_PARAMETER_NAME_BYTES = 64
MAX_TAGS = 20
BUILT_INS = ("RegionId", "AccountId", "InstanceId", "InstanceName", "InvokeId", "CommandId")
RESERVED_TAG_PREFIXES = ("aliyun", "acs:")
KIND_TYPE = "ecsops:Command"
CONTENT_REASON = "the API cannot change a command's content, type or parameter switch: a new command is made"


def encoded_size(text: str) -> int:
    return len(base64.b64encode(text.encode()))


def parameter_names(content: str) -> list[str]:
    """The custom parameters `{{name}}` of `content`, in order, case-insensitively unique.

    Raises ValueError saying what is wrong with a placeholder. Built-ins (`{{ACS::InstanceId}}`) and
    Parameter Store references (`{{oos:name}}`, `{{oos-secret:name}}`) are not custom parameters.
    """
    found: dict[str, str] = {}
    for raw in re.findall(r"\{\{(.*?)\}\}", content, flags=re.DOTALL):
        name = re.sub(r"\s+", "", raw)
        if name.startswith(("oos:", "oos-secret:")) or name in {f"ACS::{b}" for b in BUILT_INS}:
            continue
        if not name:
            raise ValueError("a {{ }} placeholder has no parameter name")
        if name.startswith("ACS::"):
            raise ValueError(f"{{{{{name}}}}} is not a built-in parameter (built-ins: "
                             + ", ".join(f"ACS::{b}" for b in BUILT_INS) + ")")
        if re.fullmatch(r"[A-Za-z0-9_-]+", name) is None:
            raise ValueError(f"parameter name {name!r} may use only letters, digits, '_' and '-'")
        if len(name.encode()) > MAX_PARAMETER_NAME_BYTES:
            raise ValueError(f"parameter name {name[:20]!r}... is longer than {MAX_PARAMETER_NAME_BYTES} bytes")
        found.setdefault(name.lower(), name)
    if len(found) > MAX_PARAMETERS:
        raise ValueError(f"the content declares {len(found)} parameters; a command takes at most {MAX_PARAMETERS}")
    return list(found.values())


def check_tags(tags: dict[str, str]) -> dict[str, str]:
    if len(tags) > MAX_TAGS:
        raise ValueError(f"{len(tags)} tags given; at most {MAX_TAGS}")
    for key, value in tags.items():
        if not 1 <= len(key) <= 64 or key.lower().startswith(RESERVED_TAG_PREFIXES):
            raise ValueError(f"tag key {key!r} must be 1-64 characters and not start with aliyun or acs:")
        if len(value) > 128 or value.lower().startswith(RESERVED_TAG_PREFIXES):
            raise ValueError(f"tag {key!r}: the value must be at most 128 characters, not starting with aliyun or acs:")
    return tags


class CommandSpec(Spec):
    """A Cloud Assistant command."""

    name: Annotated[str, in_place(wire="Name"), Field(min_length=1, max_length=128)]
    type: Annotated[Literal["RunShellScript", "RunBatScript", "RunPowerShellScript"],
                    replace(wire="Type", reason=CONTENT_REASON)]
    content: Annotated[str, replace(wire="CommandContent", codec=BASE64, reason=CONTENT_REASON), Field(
        min_length=1, description="The script, as plain text (encoded by ecsops). At most 24 KB after Base64.")]
    description: Annotated[str, in_place(wire="Description"), Field(max_length=512)] = ""
    working_dir: Annotated[str, in_place(wire="WorkingDir"), Field(max_length=200)] = ""
    timeout: Annotated[int, in_place(wire="Timeout"), Field(
        ge=1, le=86_400, description="Seconds a run may take (runs shorter than 10 s get 10 s)."), STRICT_NUMBER] = 60
    enable_parameter: Annotated[Flag, replace(wire="EnableParameter", codec=FLAG, reason=CONTENT_REASON), Field(
        description="Whether {{name}} placeholders in the content are custom parameters.")] = False
    launcher: Annotated[str, in_place(wire="Launcher"), Field(
        description='How the script is started, e.g. python3 -u {{ACS::ScriptFileName|Ext(".py")}}.')] = ""
    tags: Annotated[dict[str, str], in_place(wire="Tag", codec=TAGS, read="Tags")] = {}
    resource_group_id: Annotated[str | None, replace(
        wire="ResourceGroupId", codec=OPTIONAL_TEXT, computed=True,
        reason="ModifyCommand cannot move a command to another resource group: a new command is made"), Field(
        pattern=r"^rg-[a-z0-9]{1,64}$",  # pydantic's (Rust) regex: $ is the very end
        description="The resource group (rg-...); unset: the account's default group, whatever it is.")] = None

    @field_validator("name", "content")
    @classmethod
    def _not_blank(cls, text: str) -> str:
        """The API takes a name or a script of spaces, which names nothing and runs nothing."""
        if not text.strip():
            raise ValueError("is only whitespace")
        return text

    @field_validator("content")
    @classmethod
    def _content_fits(cls, content: str) -> str:
        if not is_unknown(content) and encoded_size(content) > CONTENT_LIMIT_BYTES:
            raise ValueError(f"is {encoded_size(content)} bytes after Base64; the limit is {CONTENT_LIMIT_BYTES}")
        return content

    @field_validator("launcher")
    @classmethod
    def _launcher_fits(cls, launcher: str) -> str:
        if len(launcher.encode()) > 1024:
            raise ValueError("must be at most 1 KB")
        return launcher

    @field_validator("tags")
    @classmethod
    def _tags_valid(cls, tags: dict[str, str]) -> dict[str, str]:
        return check_tags(tags)

    @model_validator(mode="after")
    def _parameters_valid(self) -> "CommandSpec":
        if self.enable_parameter and not is_unknown(self.content):
            try:
                parameter_names(self.content)
            except ValueError as problem:
                raise FieldError("content", str(problem)) from None
        return self


class CommandOutputs(Outputs):
    command_id: str
    parameter_names: list[str] = []


class CommandLifecycle:
    """Commands through ECS: CreateCommand / DescribeCommands / ModifyCommand + tags / DeleteCommand."""

    def create(self, cloud: Cloud, spec: CommandSpec, *, token: str) -> Observed:
        body = cloud.call(ops.CREATE_COMMAND, {**create_request(spec), "ContentEncoding": "Base64",
                                               "ClientToken": token})
        return created_command(spec, body["CommandId"])

    def read(self, cloud: Cloud, id_: str, *, prior: Mapping[str, Any] | None) -> Observed | None:
        body = cloud.call(ops.DESCRIBE_COMMANDS, {"CommandId": id_, "ContentEncoding": "PlainText"})
        found = [item for item in body.get("Commands", {}).get("Command", []) if item.get("CommandId") == id_]
        return observed_command(found[0]) if found else None

    def read_many(self, cloud: Cloud, priors: Mapping[str, Mapping[str, Any] | None], *,
                  cache: ListingCache | None = None) -> dict[str, Observed | None]:
        """One listing of the region's commands (50 per call) answers them all."""
        listing = region_commands(cloud, cache)
        read_one = (lambda id_, prior: self.read(cloud, id_, prior=prior)) if cache is not None else None
        return answered(priors, listing, lambda item, prior: observed_command(item), read_one)

    def list_all(self, cloud: Cloud, *, cache: ListingCache | None = None) -> list[Found]:
        """Every command of the region (the listing `read_many` shares), by id and name."""
        return [Found(id_, item.get("Name")) for id_, item in region_commands(cloud, cache).items()]

    def update(self, cloud: Cloud, id_: str, spec: CommandSpec, *, prior: Mapping[str, Any],
               changed: frozenset[str]) -> Observed:
        modified = modify_request(spec, changed)
        if modified:
            cloud.call(ops.MODIFY_COMMAND, {"CommandId": id_, **modified})
        if "tags" in changed:
            retag(cloud, "command", id_, dict(prior.get("tags") or {}), spec.tags)
        return read_back(self, cloud, id_, prior=None, what="command")

    def delete(self, cloud: Cloud, id_: str, *, prior: Mapping[str, Any]) -> None:
        with suppress(NotFound):  # already gone: done
            cloud.call(ops.DELETE_COMMAND, {"CommandId": id_})


def region_commands(cloud: Cloud, cache: ListingCache | None) -> dict[str, dict[str, Any]]:
    """id -> DescribeCommands item of every command of the region (50 per call), through `cache` when given."""
    return fetched(cache, (KIND_TYPE, cloud.region), lambda: {
        item["CommandId"]: item for item in cloud.fetch_all(
            ops.DESCRIBE_COMMANDS, {"ContentEncoding": "PlainText"}, ("Commands", "Command"))})


def created_command(spec: CommandSpec, id_: str) -> Observed:
    """What DescribeCommands reports for a command just made from `spec`: every field is what was sent,
    and the parameter names are the content's. So a create costs one call, not two (a read-back would
    learn nothing; drift and the next plan still read the cloud)."""
    names = parameter_names(spec.content) if spec.enable_parameter else []
    return Observed(id=id_, reported=spec.wire_values(), outputs={"commandId": id_, "parameterNames": names})


def observed_command(item: Mapping[str, Any]) -> Observed:
    outputs = {"commandId": item["CommandId"],
               "parameterNames": list(item.get("ParameterNames", {}).get("ParameterName", []))}
    return Observed(id=item["CommandId"], reported=read_values(CommandSpec, item), outputs=outputs)


def retag(cloud: Cloud, resource_type: str, id_: str, before: dict[str, str], after: dict[str, str]) -> None:
    """Makes the object's tags `after`: removed keys untagged, new or changed ones tagged."""
    removed = sorted(set(before) - set(after))
    if removed:
        cloud.call(ops.UNTAG_RESOURCES, {"ResourceType": resource_type, "ResourceId": [id_], "TagKey": removed})
    added = {key: value for key, value in after.items() if before.get(key) != value}
    if added:
        cloud.call(ops.TAG_RESOURCES, {"ResourceType": resource_type, "ResourceId": [id_],
                                       "Tag": tag_list(added)})


KIND = register(Kind(
    type_name=KIND_TYPE,
    spec=CommandSpec,
    outputs=CommandOutputs,
    lifecycle=CommandLifecycle(),
    id_output="commandId",
    summary="A Cloud Assistant command: a script that scheduled invocations run on instances.",
))
