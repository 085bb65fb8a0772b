"""License Manager error codes (docs/wire.md §5), with the HTTP statuses ecsops chose for them.

The product has no public API, so these codes are ecsops's own, shaped like ECS's: malformed values 400,
an unknown license type or task 404, quotas and limits 403.
"""

from ecsops.emulator.errors import COMMON, Code

CODES = COMMON.extend(
    {
        "InvalidRegionId.NotSupported": Code(400, "License Manager is not available in region {region}: use {supported}."),
        "InvalidName.Malformed": Code(400, "The name is not valid: 2 to 128 letters, digits, '.', '_', '-' and ':', starting with a letter."),
        "InvalidDescription.Malformed": Code(400, "The description is not valid: 2 to 256 characters."),
        "InvalidLicenseType.NotFound": Code(404, "The license type {type!r} does not exist: use Instance or vCPU."),
        "InvalidLicenseLimit.OutOfRange": Code(400, "The license limit {limit} is out of range: use 1 to {maximum}."),
        "DiscoveryRule.Duplicate": Code(400, "The discovery rule {rule} is given twice or already exists; rules are add-only."),
        "DiscoveryRule.ExceedLimit": Code(403, "The task would have {count} discovery rules; the limit is {limit}."),
        "LicenseTask.ExceedQuota": Code(403, "Region {region} has reached its quota of {quota} license management tasks."),
        "InvalidLicenseTaskId.NotFound": Code(404, "The license management task {id} does not exist in region {region}."),
    }
)
