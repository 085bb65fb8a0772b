"""ECS error codes (API.md section 2), with their documented HTTP statuses."""

from ecsops.emulator.errors import COMMON, Code

CODES = COMMON.extend(
    {
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
    }
)
