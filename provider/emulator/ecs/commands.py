"""Cloud Assistant commands: CreateCommand, ModifyCommand, DescribeCommands, DeleteCommand (docs/wire.md §2).

Content is kept Base64-encoded, as the service keeps it; limits are checked on the encoded size.
Custom parameters are the `{{name}}` placeholders of the content when EnableParameter is on.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import sqlite3
from typing import Any

from ecsops.emulator import world
from ecsops.emulator.ecs.errors import CODES, paged
from ecsops.emulator.ecs.models import commands as model
from ecsops.emulator.ecs.models.commands import Command
from ecsops.emulator.ecs.product import PRODUCT
from ecsops.emulator.ecs.tagging import replace_tags, validate_tags
from ecsops.emulator.service import Context, Rows, idempotent, new_id, tag_list, tags_of

COMMAND_TYPES = ("RunShellScript", "RunBatScript", "RunPowerShellScript")
CONTENT_LIMIT = 24 * 1024
NAME_LIMIT = 128
DESCRIPTION_LIMIT = 512
WORKING_DIR_LIMIT = 200
RESOURCE_GROUP = re.compile(r"^rg-[a-z0-9]{1,64}\Z")
TIMEOUT_DEFAULT = 60
TIMEOUT_LIMIT = 86_400
LAUNCHER_LIMIT = 1024
PARAMETER_LIMIT = 20
PARAMETER_NAME_LIMIT = 64
BUILT_IN_PARAMETERS = frozenset(
    {"ACS::RegionId", "ACS::AccountId", "ACS::InstanceId", "ACS::InstanceName", "ACS::InvokeId", "ACS::CommandId"}
)
_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_PARAMETER_NAME = re.compile(r"^[A-Za-z0-9_-]+\Z")
_PARAMETER_STORE_PREFIXES = ("oos:", "oos-secret:")


def decode_content(text: str, encoding: str) -> str:
    """The plain text of a command's content as sent with `encoding`."""
    if encoding == "PlainText":
        return text
    try:
        return base64.b64decode(text, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise CODES.error("CmdContent.DecodeError", encoding=encoding) from None


def custom_parameters(content: str) -> list[str]:
    """The custom parameter names of `content`, first spelling kept, case-insensitively unique.

    Built-in `{{ACS::...}}` names and Parameter Store references (`{{oos:...}}`, `{{oos-secret:...}}`)
    are not custom parameters.
    """
    names: dict[str, str] = {}
    for match in _PLACEHOLDER.finditer(content):
        name = "".join(match.group(1).split())
        if not name:
            raise CODES.error("CmdParam.EmptyKey")
        if name in BUILT_IN_PARAMETERS or name.startswith(_PARAMETER_STORE_PREFIXES):
            continue
        if not _PARAMETER_NAME.match(name):
            raise CODES.error("CmdParam.InvalidParamName", name=name)
        if len(name.encode()) > PARAMETER_NAME_LIMIT:
            raise CODES.error("CmdParamName.ExceedLimit", name=name, limit=PARAMETER_NAME_LIMIT)
        names.setdefault(name.lower(), name)
    if len(names) > PARAMETER_LIMIT:
        raise CODES.error("CmdParamCount.ExceedLimit", count=len(names), limit=PARAMETER_LIMIT)
    return list(names.values())


def parameter_definition(name: str) -> dict[str, Any]:
    """How DescribeCommands defines a custom parameter of a custom command: by its name, required, with no
    description, default, possible values or pattern (the cloud fills those for public commands only)."""
    return {"ParameterName": name, "Required": True, "Description": "", "DefaultValue": "",
            "PossibleValues": {"PossibleValue": []}, "PatternRegex": ""}


def resource_group_id(ctx: Context) -> str:
    """The ResourceGroupId given ("" when none): `rg-` and lowercase letters and digits, else
    InvalidResourceGroup (the resource group itself is not checked: the emulator has no Resource Manager)."""
    given = ctx.params.text("ResourceGroupId", default="") or ""
    if given and not RESOURCE_GROUP.match(given):
        raise CODES.error("InvalidResourceGroup", id=given)
    return given


def _check_attributes(ctx: Context) -> None:
    """The limits shared by CreateCommand and ModifyCommand, on whichever of the fields are present."""
    params = ctx.params
    name = params.text("Name")
    if name is not None and len(name) > NAME_LIMIT:
        raise CODES.error("CmdName.ExceedLimit", limit=NAME_LIMIT)
    description = params.text("Description")
    if description is not None and len(description) > DESCRIPTION_LIMIT:
        raise CODES.error("CmdDesc.ExceedLimit", limit=DESCRIPTION_LIMIT)
    working_dir = params.text("WorkingDir")
    if working_dir is not None and len(working_dir) > WORKING_DIR_LIMIT:
        raise CODES.error("InvalidParameter.WorkingDir", limit=WORKING_DIR_LIMIT)
    timeout = params.integer("Timeout")
    if timeout is not None and not 1 <= timeout <= TIMEOUT_LIMIT:
        raise CODES.error("InvalidTimeout.ExceedLimit", timeout=timeout, limit=TIMEOUT_LIMIT)
    launcher = params.text("Launcher")
    if launcher is not None and len(launcher.encode()) > LAUNCHER_LIMIT:
        raise CODES.error("InvalidLauncher.LengthLimitExceeded", limit=LAUNCHER_LIMIT)


@PRODUCT.operation("CreateCommand", writes=True)
def create_command(ctx: Context) -> dict[str, Any]:
    region = ctx.region()
    return idempotent(ctx, ctx.params.text("ClientToken"), lambda: _create(ctx, region))


def _create(ctx: Context, region: str) -> dict[str, Any]:
    params = ctx.params
    name = params.text("Name", required=True)
    command_type = params.text("Type", required=True)
    raw_content = params.text("CommandContent", required=True)
    assert name is not None and command_type is not None and raw_content is not None
    if command_type not in COMMAND_TYPES:
        raise CODES.error("InvalidCmdType.NotFound", type=command_type)
    encoding = params.text("ContentEncoding", default="Base64")
    if encoding not in ("Base64", "PlainText"):
        raise CODES.error("InvalidContentEncoding.NotFound", encoding=encoding)
    content = decode_content(raw_content, encoding or "Base64")
    encoded = base64.b64encode(content.encode()).decode()
    if len(encoded) > CONTENT_LIMIT:
        raise CODES.error("CmdContent.ExceedLimit", size=len(encoded), limit=CONTENT_LIMIT)
    _check_attributes(ctx)
    resource_group = resource_group_id(ctx)
    enable_parameter = bool(params.boolean("EnableParameter"))
    parameter_names = custom_parameters(content) if enable_parameter else []
    tags = validate_tags(params.objects("Tag"))
    quota = world.quota(ctx.tx, "max-axt-command-count")
    if model.command_count(ctx.tx, region) >= quota:
        raise CODES.error("CmdCount.ExceedQuota", region=region, quota=quota)
    command_id = new_id("c", region)
    timeout = params.integer("Timeout", default=TIMEOUT_DEFAULT)
    assert timeout is not None
    model.insert_command(ctx.tx, model.NewCommand(
        id=command_id, region=region, name=name, description=params.text("Description") or "", type=command_type,
        content=encoded, working_dir=params.text("WorkingDir") or "", timeout=timeout,
        enable_parameter=int(enable_parameter), parameter_names=json.dumps(parameter_names),
        launcher=params.text("Launcher") or "", resource_group_id=resource_group, creation_time=ctx.timestamp))
    replace_tags(ctx.tx, "command", command_id, tags)
    return {"CommandId": command_id}


def find_command(tx: sqlite3.Connection, region: str, command_id: str | None) -> Command:
    """The command, or `InvalidCmdId.NotFound`."""
    row = model.command_in_region(tx, region, command_id)
    if row is None:
        raise CODES.error("InvalidCmdId.NotFound", id=command_id)
    return row


@PRODUCT.operation("ModifyCommand", writes=True)
def modify_command(ctx: Context) -> dict[str, Any]:
    """Changes name, description, working directory, timeout and launcher; CommandContent is ignored."""
    region = ctx.region()
    row = find_command(ctx.tx, region, ctx.params.text("CommandId", required=True))
    _check_attributes(ctx)
    params = ctx.params
    model.update_command(ctx.tx, row.id, name=params.text("Name") or None, description=params.text("Description"),
                         working_dir=params.text("WorkingDir"), timeout=params.integer("Timeout"),
                         launcher=params.text("Launcher"))
    return {}


@PRODUCT.operation("DeleteCommand", writes=True)
def delete_command(ctx: Context) -> dict[str, Any]:
    region = ctx.region()
    row = find_command(ctx.tx, region, ctx.params.text("CommandId", required=True))
    model.delete_command(ctx.tx, row.id)
    replace_tags(ctx.tx, "command", row.id, {})
    return {}


@PRODUCT.operation("DescribeCommands", writes=False)
def describe_commands(ctx: Context) -> dict[str, Any]:
    """Own commands of the region, filtered; an unknown CommandId is an empty list, not an error."""
    region = ctx.region()
    params = ctx.params
    if params.text("Provider"):
        return _command_page(ctx, [])  # public commands: the emulator ships none
    encoding = params.text("ContentEncoding", default="Base64")
    if encoding not in ("Base64", "PlainText"):
        raise CODES.error("InvalidContentEncoding.NotFound", encoding=encoding)
    selection = model.matching_commands(region, command_id=params.text("CommandId"), command_type=params.text("Type"),
                                        resource_group_id=params.text("ResourceGroupId"), tags=params.objects("Tag"))
    written = {field: params.text(name) for name, field in (("Name", "name"), ("Description", "description"))}
    patterns = [(field, _wildcard(text)) for field, text in written.items() if text]
    if not patterns:
        return _command_page(ctx, selection.window(ctx.tx), encoding=encoding)
    rows = [row for row in selection.rows(ctx.tx)
            if all(pattern.fullmatch(getattr(row, field)) for field, pattern in patterns)]
    return _command_page(ctx, rows, encoding=encoding)


def _wildcard(pattern: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")), re.DOTALL)


def _command_page(ctx: Context, rows: Rows, *, encoding: str = "Base64") -> dict[str, Any]:
    chunk, paging = paged(ctx, rows, assistant=True)
    return {"Commands": {"Command": [_command_view(ctx.tx, row, encoding) for row in chunk]}, **paging}


def _command_view(tx: sqlite3.Connection, row: Command, encoding: str) -> dict[str, Any]:
    content = row.content if encoding == "Base64" else base64.b64decode(row.content).decode()
    names = json.loads(row.parameter_names)
    return {
        "CommandId": row.id,
        "Name": row.name,
        "Description": row.description,
        "Type": row.type,
        "CommandContent": content,
        "WorkingDir": row.working_dir,
        "Timeout": row.timeout,
        "EnableParameter": bool(row.enable_parameter),
        "ParameterNames": {"ParameterName": names},
        "ParameterDefinitions": {"ParameterDefinition": [parameter_definition(name) for name in names]},
        "Launcher": row.launcher,
        "CreationTime": row.creation_time,
        "InvokeTimes": row.invoke_times,
        "ResourceGroupId": row.resource_group_id,
        "Provider": "",
        "Category": "",
        "Version": 1,
        "Latest": True,
        "Tags": tag_list(tags_of(tx, "command", row.id)),
    }
