"""A few typed errors for everything the APIs (or the network) can answer, mapped from SDK exceptions.

Callers branch on the type, never on codes: `NotFound` (the object is gone), `InvalidInput` (the request is
wrong; `parameter` names the API parameter when known), `QuotaExceeded`, `Conflict`, `AccessDenied`, and
the retryable `Throttled` and `ServiceError`. The code table is data: one line per code worth knowing.
"""

from __future__ import annotations

import re
from typing import Any


class CloudError(Exception):
    """An API call that did not succeed. `retryable` errors may succeed if the same call is repeated."""

    retryable = False

    def __init__(self, message: str, *, code: str = "", action: str = "", parameter: str | None = None,
                 status: int | None = None, request_id: str | None = None, retry_after_s: float | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.action = action
        self.parameter = parameter
        self.status = status
        self.request_id = request_id
        self.retry_after_s = retry_after_s

    def __str__(self) -> str:
        code = f" ({self.code})" if self.code else ""
        action = f"{self.action}: " if self.action else ""
        return f"{action}{self.message}{code}"


class NotFound(CloudError):
    pass


class InvalidInput(CloudError):
    pass


class QuotaExceeded(CloudError):
    pass


class Conflict(CloudError):
    pass


class AccessDenied(CloudError):
    pass


class Throttled(CloudError):
    retryable = True


class ServiceError(CloudError):
    retryable = True


class NoPublicApi(CloudError):
    """The product exists only in the ecsops emulator (License Manager has no public API)."""


def refused(error: CloudError) -> bool:
    """True when the service turned a create down as a whole, so it certainly made nothing (a NotFound
    answer to a create means something it refers to is missing).

    Throttling, server and network errors are not refusals: the change may have been made.
    """
    return isinstance(error, (InvalidInput, QuotaExceeded, AccessDenied, NoPublicApi, NotFound))


#: code -> (error type, API parameter it is about). Codes not listed fall back to rules in `classify`.
CODES: dict[str, tuple[type[CloudError], str | None]] = {
    # Cloud Assistant commands
    "InvalidCmdId.NotFound": (NotFound, "CommandId"),
    "InvalidCmdType.NotFound": (InvalidInput, "Type"),
    "CmdContent.ExceedLimit": (InvalidInput, "CommandContent"),
    "CmdContent.DecodeError": (InvalidInput, "CommandContent"),
    "CmdParam.EmptyKey": (InvalidInput, "CommandContent"),
    "CmdParam.InvalidParamName": (InvalidInput, "CommandContent"),
    "CmdParamCount.ExceedLimit": (InvalidInput, "CommandContent"),
    "CmdParamName.ExceedLimit": (InvalidInput, "CommandContent"),
    "CmdName.ExceedLimit": (InvalidInput, "Name"),
    "CmdDesc.ExceedLimit": (InvalidInput, "Description"),
    "InvalidParameter.WorkingDir": (InvalidInput, "WorkingDir"),
    "InvalidTimeout.ExceedLimit": (InvalidInput, "Timeout"),
    "InvalidLauncher.LengthLimitExceeded": (InvalidInput, "Launcher"),
    "CmdCount.ExceedQuota": (QuotaExceeded, None),
    "InvalidTagKey.Malformed": (InvalidInput, "Tag"),
    "InvalidTagValue.Malformed": (InvalidInput, "Tag"),
    "InvalidTagCount": (InvalidInput, "Tag"),
    "InvalidTagKey.Duplicate": (InvalidInput, "Tag"),
    # Invocations
    "InvalidInvokeId.NotFound": (NotFound, "InvokeId"),
    "MissingParam.InstanceId": (InvalidInput, "InstanceId"),
    "InvalidInstance.NotFound": (InvalidInput, "InstanceId"),
    "InvalidInstance.NotMatch": (InvalidInput, "InstanceId"),
    "InstanceIds.ExceedLimit": (InvalidInput, "InstanceId"),
    "MissingParam.Frequency": (InvalidInput, "Frequency"),
    "InvalidParam.Frequency": (InvalidInput, "Frequency"),
    "InvalidRepeatMode.NotFound": (InvalidInput, "RepeatMode"),
    "Parameter.MissingValue": (InvalidInput, "Parameters"),
    "Parameter.Disabled": (InvalidInput, "Parameters"),
    "Parameter.NotMatched": (InvalidInput, "Parameters"),
    "ParameterCount.ExceedLimit": (InvalidInput, "Parameters"),
    "ParameterKey.Duplicate": (InvalidInput, "Parameters"),
    "InvalidParameter.Parameters": (InvalidInput, "Parameters"),
    "Invocation.ExceedQuota": (QuotaExceeded, None),
    # Maintenance attributes
    "InvalidInstanceId.NotFound": (InvalidInput, "InstanceId"),
    "InstanceIdLimitExceeded": (InvalidInput, "InstanceId"),
    # Cloud Assistant settings (delivery)
    "InvalidParameter.SettingType": (InvalidInput, "SettingType"),
    "InvalidParameter.OssBucketName": (InvalidInput, "OssDeliveryConfig"),
    "InvalidParameter.OssPrefix": (InvalidInput, "OssDeliveryConfig"),
    "InvalidOssBucketName.NotFound": (InvalidInput, "OssDeliveryConfig"),
    "InvalidOssBucketName.InOtherRegion": (InvalidInput, "OssDeliveryConfig"),
    "InvalidParameter.SlsProjectName": (InvalidInput, "SlsDeliveryConfig"),
    "InvalidParameter.SlsLogstoreName": (InvalidInput, "SlsDeliveryConfig"),
    "InvalidSlsProjectName.NotFound": (InvalidInput, "SlsDeliveryConfig"),
    "InvalidSlsLogstoreName.NotFound": (InvalidInput, "SlsDeliveryConfig"),
    # License Manager (emulator-defined)
    "InvalidLicenseTaskId.NotFound": (NotFound, "LicenseTaskId"),
    "InvalidName.Malformed": (InvalidInput, "Name"),
    "InvalidDescription.Malformed": (InvalidInput, "Description"),
    "InvalidLicenseLimit.OutOfRange": (InvalidInput, "LicenseLimit"),
    "InvalidLicenseType.NotFound": (InvalidInput, "LicenseType"),
    "DiscoveryRule.Duplicate": (InvalidInput, "DiscoveryRule"),
    "InvalidRegionId.NotSupported": (InvalidInput, "RegionId"),
    "LicenseTask.ExceedQuota": (QuotaExceeded, None),
    # Common
    "InvalidRegionId.NotFound": (InvalidInput, "RegionId"),
    "RegionId.ApiNotSupported": (InvalidInput, "RegionId"),
    "InvalidClientToken.Malformed": (InvalidInput, "ClientToken"),
    "IdempotentParameterMismatch": (Conflict, "ClientToken"),
    "IdempotentProcessing": (Throttled, None),
    "Operation.Forbidden": (AccessDenied, None),
    "Forbidden.RAM": (AccessDenied, None),
    "InvalidAccessKeyId.NotFound": (AccessDenied, None),
    "SignatureDoesNotMatch": (AccessDenied, None),
    "InvalidAction.NotFound": (NoPublicApi, None),
    "InvalidVersion.NotFound": (NoPublicApi, None),
}


def classify(code: str, status: int | None) -> tuple[type[CloudError], str | None]:
    """The error type and parameter for an error code (table first, then the documented patterns)."""
    if code in CODES:
        return CODES[code]
    if code.startswith("Throttling") or code == "Rejected.Throttling":
        return Throttled, None
    if code in ("ServiceUnavailable", "InternalError") or (status or 0) >= 500:
        return ServiceError, None
    if code.endswith("ExceedQuota") or code.startswith("QuotaExceed"):
        return QuotaExceeded, None
    if code.startswith("MissingParameter") or code.startswith("InvalidParameter"):
        return InvalidInput, code.split(".", 1)[1] if "." in code else None
    return InvalidInput, None


def from_sdk(error: Exception, action: str, *, where: str = "the service") -> CloudError:
    """Maps an exception raised by an official SDK client (or the network under it) to a CloudError."""
    code = str(getattr(error, "code", "") or "")
    if not code:
        return ServiceError(f"no answer from {where}: {network_reason(error)}", action=action)
    status = getattr(error, "status_code", None)
    data: dict[str, Any] = getattr(error, "data", None) or {}
    message = str(getattr(error, "message", "") or data.get("Message") or code)
    message = message.split(" request id:", 1)[0].removeprefix(f"code: {status}, ").strip()
    error_type, parameter = classify(code, status)
    retry_after = getattr(error, "retry_after", None)
    return error_type(message, code=code, action=action, parameter=parameter, status=status,
                      request_id=getattr(error, "request_id", None) or data.get("RequestId"),
                      retry_after_s=retry_after / 1000 if retry_after else None)


def from_answer(body: dict[str, Any], action: str) -> CloudError:
    """CloudMonitor answers failures with HTTP 200 and `Success: false`: that is an error too."""
    code = str(body.get("Code") or "Failed")
    error_type, parameter = classify(code, None)
    return error_type(str(body.get("Message") or "the service reported a failure"), code=code, action=action,
                      parameter=parameter, request_id=body.get("RequestId"))


_NETWORK_REASONS = (
    re.compile(r"\[Errno -?\d+\] ([^'\"()\]]+)"),
    re.compile(r"(Read timed out|Connect timeout|Remote end closed connection without response|Connection aborted"
               r"|Connection reset by peer|Connection refused)", re.IGNORECASE),
)


def network_reason(error: BaseException) -> str:
    """The useful words of a network failure buried in the SDK's wrapping ("connection refused")."""
    text = str(getattr(error, "inner_exception", None) or error)
    for pattern in _NETWORK_REASONS:
        match = pattern.search(text)
        if match:
            return match.group(1).strip().lower()
    first = text.strip().splitlines()[0] if text.strip() else type(error).__name__
    return first[:200]
