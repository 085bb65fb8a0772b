"""ECS error codes (docs/wire.md §2), with their documented HTTP statuses, and the paging every ECS listing shares
(`paged`), whose refusals are among them."""

from __future__ import annotations

from typing import Any

from ecsops.emulator.errors import COMMON, Code
from ecsops.emulator.service import Context, Rows, page

CODES = COMMON.extend(
    {
        # Resource groups (CreateCommand, InvokeCommand): an id is rg- and lowercase letters and digits
        "InvalidResourceGroup": Code(400, "The specified ResourceGroupId {id!r} is invalid."),
        # Paging of the Cloud Assistant listings (DescribeCommands, DescribeInvocations, DescribeInvocationResults,
        # DescribeCloudAssistantStatus): the API reference's codes and messages
        "InvalidParam.PageSize": Code(400, "The specified parameter is invalid."),
        "InvalidParam.PageNumber": Code(400, "The specified parameter is invalid."),
        # Commands
        "CmdParam.EmptyKey": Code(400, "A custom parameter in the command content has an empty name."),
        "CmdParam.InvalidParamName": Code(400, "The custom parameter name {name!r} is not valid: use letters, digits, _ and -."),
        "CmdContent.DecodeError": Code(400, "The command content could not be decoded from {encoding}."),
        "InvalidParameter.WorkingDir": Code(400, "The working directory is longer than {limit} characters."),
        "CmdContent.ExceedLimit": Code(403, "The command content is {size} bytes after Base64 encoding; the limit is {limit}."),
        "CmdName.ExceedLimit": Code(403, "The command name is longer than {limit} characters."),
        "CmdDesc.ExceedLimit": Code(403, "The command description is longer than {limit} characters."),
        "CmdCount.ExceedQuota": Code(403, "The number of commands in region {region} has reached the quota of {quota}."),
        "CmdParamCount.ExceedLimit": Code(403, "The command declares {count} custom parameters; the limit is {limit}."),
        "CmdParamName.ExceedLimit": Code(403, "The custom parameter name {name!r} is longer than {limit} bytes."),
        "InvalidTimeout.ExceedLimit": Code(403, "The timeout {timeout} is out of range: use 1 to {limit} seconds."),
        "InvalidLauncher.LengthLimitExceeded": Code(403, "The launcher is longer than {limit} bytes."),
        "InvalidCmdType.NotFound": Code(404, "The command type {type!r} does not exist: use RunShellScript, RunBatScript or RunPowerShellScript."),
        "InvalidCmdId.NotFound": Code(404, "The command {id} does not exist."),
        "CmdName.Readonly": Code(403, "The command {id} is read-only."),
        "InvalidContentEncoding.NotFound": Code(400, "The content encoding {encoding!r} is not valid: use Base64 or PlainText."),
        # Invocations
        "MissingParam.InstanceId": Code(400, "Give the target instances: InstanceId.N or ResourceTag.N ({reason})."),
        "InstanceIds.ExceedLimit": Code(403, "{count} instances were given; the limit is {limit}."),
        "InvalidInstance.NotFound": Code(404, "The instance {id} does not exist in region {region}."),
        "InvalidInstance.NotMatch": Code(400, "A {type} command cannot run on the {os} instance {id}."),
        "InvalidRepeatMode.NotFound": Code(404, "The repeat mode {mode!r} does not exist: use Once, Period, NextRebootOnly, EveryReboot or DryRun."),
        "MissingParam.Frequency": Code(400, "RepeatMode Period needs a Frequency."),
        "InvalidParam.Frequency": Code(400, "The frequency {frequency!r} is not valid: {reason}"),
        "InvalidParameter.Parameters": Code(400, "Parameters must be a JSON object of string values: {reason}."),
        "ParameterCount.ExceedLimit": Code(403, "{count} parameters were given; the limit is {limit}."),
        "ParameterKey.Duplicate": Code(403, "The parameter {key!r} is given twice (names are case-insensitive)."),
        "Parameter.Disabled": Code(400, "The command {id} does not enable custom parameters, so Parameters must be empty."),
        "Parameter.NotMatched": Code(403, "The parameter {key!r} is not a parameter of the command {id}."),
        "Parameter.MissingValue": Code(400, "The parameter {key!r} of the command {id} has no value."),
        "Invocation.ExceedQuota": Code(403, "Region {region} has reached its quota of {quota} invocations today ({day})."),
        "DryRunOperation": Code(400, "Request validation has been passed with DryRun flag set."),
        "InvalidInvokeId.NotFound": Code(404, "The invocation {id} does not exist."),
        # Tags
        "InvalidTagKey.Malformed": Code(400, "The tag key {key!r} is not valid: 1 to 64 characters, not starting with aliyun or acs:."),
        "InvalidTagValue.Malformed": Code(400, "The tag value for {key!r} is not valid: at most 128 characters, not starting with aliyun or acs:."),
        "InvalidTagCount": Code(400, "A resource takes at most {limit} tags."),
        "InvalidTagKey.Duplicate": Code(400, "The tag key {key!r} is given twice."),
        "InvalidResourceType.NotFound": Code(404, "The resource type {type!r} is not supported here."),
        "InvalidResourceId.NotFound": Code(404, "The resource {id} of type {type} does not exist."),
        # Instances and account
        "InvalidInstanceIds.Malformed": Code(400, "InstanceIds must be a JSON array of at most {limit} instance ids."),
        "InvalidStatus.ValueNotSupported": Code(400, "The instance status {status!r} is not supported."),
        # System events
        "EventIdLimitExceeded": Code(403, "The amount of EventId specified exceeds limit {limit}."),
        # Maintenance attributes
        "InvalidInstanceId.NotFound": Code(404, "The specified instance {id} does not exist in region {region}."),
        "InstanceIdLimitExceeded": Code(403, "{count} instance ids were given; the limit is {limit}."),
        # Cloud Assistant settings
        "InvalidParameter.SettingType": Code(400, "The setting type {type!r} is not valid: {reason}"),
        "InvalidParameter.OssBucketName": Code(400, "The bucket name {name!r} is not valid: 3-63 of a-z, 0-9 and -, not at the ends."),
        "InvalidParameter.OssPrefix": Code(400, "The prefix is not valid: {reason}"),
        "InvalidOssBucketName.NotFound": Code(404, "The bucket {name!r} does not exist."),
        "InvalidOssBucketName.InOtherRegion": Code(400, "The bucket {name!r} is in {bucket_region}, not in {region}: no delivery across regions."),
        "InvalidParameter.SlsProjectName": Code(400, "The project name {name!r} is not valid: 3-63 of a-z, 0-9 and -, not at the ends."),
        "InvalidParameter.SlsLogstoreName": Code(400, "The logstore name {name!r} is not valid: 3-63 of a-z, 0-9, - and _, not - or _ at the ends."),
        "InvalidSlsProjectName.NotFound": Code(404, "The Log Service project {name!r} does not exist in {region}{detail}."),
        "InvalidSlsLogstoreName.NotFound": Code(404, "The logstore {name!r} does not exist in the project {project!r}."),
    }
)

#: The maintenance operations answer a bad value with 403 InvalidParameter (docs/wire.md §2), not the common 400.
MAINTENANCE_CODES = CODES.extend(
    {"InvalidParameter": Code(403, "The specified parameter {name} is not valid: {reason}")}
)

#: The documented defaults of PageNumber and PageSize, which answers paged by MaxResults / NextToken report too.
PAGE_NUMBER_DEFAULT = 1
PAGE_SIZE_DEFAULT = 10


def paged(ctx: Context, rows: Rows, *, max_size: int = 50, assistant: bool = False) -> tuple[list[Any], dict[str, Any]]:
    """One page of `rows` (`service.page`), with the paging fields of the ECS answer models: NextToken (paging by
    MaxResults / NextToken), PageNumber, PageSize and TotalCount, never MaxResults, which none of them has. Paged
    by MaxResults, an answer still reports PageNumber and PageSize: the request's, else the documented defaults.

    A Cloud Assistant listing (`assistant`) refuses a PageSize outside 1..max_size with InvalidParam.PageSize and a
    PageNumber below 1 with InvalidParam.PageNumber, as its API reference lists them; the other listings keep the
    common InvalidParameter. MaxResults out of range stays InvalidParameter everywhere."""
    if assistant:
        _check_page_fields(ctx, max_size)
    chunk, paging = page(ctx, rows, default_size=PAGE_SIZE_DEFAULT, max_size=max_size)
    paging.pop("MaxResults", None)
    paging.setdefault("PageNumber", ctx.params.integer("PageNumber", default=PAGE_NUMBER_DEFAULT))
    paging.setdefault("PageSize", ctx.params.integer("PageSize", default=PAGE_SIZE_DEFAULT))
    return chunk, paging


def _check_page_fields(ctx: Context, max_size: int) -> None:
    size = ctx.params.integer("PageSize")
    if size is not None and not 1 <= size <= max_size:
        raise CODES.error("InvalidParam.PageSize")
    number = ctx.params.integer("PageNumber")
    if number is not None and number < 1:
        raise CODES.error("InvalidParam.PageNumber")
