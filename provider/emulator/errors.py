"""Service errors of the emulator, as data.

Every error the emulated services return is one `ServiceError`: a code, the documented HTTP status, and a
message. Products keep their codes in tables (`Codes`), so a handler raises `codes.error("CmdName.ExceedLimit",
limit=128)` and the status and message template come from one place, as moto does with one exception class
per code, without the hundred one-line classes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping


class ServiceError(Exception):
    """An error answer: becomes `{RequestId, HostId, Code, Message, Recommend}` with `status`."""

    def __init__(self, code: str, status: int, message: str, *, headers: Mapping[str, str] | None = None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.status = status
        self.message = message
        self.headers = dict(headers or {})


@dataclass(frozen=True)
class Code:
    """One documented error code: its HTTP status and a message template (str.format fields)."""

    status: int
    template: str


class Codes:
    """A product's table of error codes; `error()` builds the exception for one of them."""

    def __init__(self, table: Mapping[str, Code]):
        self._table = dict(table)

    def error(self, code: str, **fields: Any) -> ServiceError:
        spec = self._table[code]
        return ServiceError(code, spec.status, spec.template.format(**fields))

    def extend(self, table: Mapping[str, Code]) -> "Codes":
        return Codes({**self._table, **table})

    def __contains__(self, code: str) -> bool:
        return code in self._table


COMMON = Codes(
    {
        "MissingParameter": Code(400, "The input parameter {name} that is mandatory for processing this request is not supplied."),
        "InvalidParameter": Code(400, "The specified parameter {name} is not valid: {reason}"),
        "InvalidAction.NotFound": Code(404, "The specified action {action} of version {version} is not found."),
        "InvalidVersion.NotFound": Code(404, "The specified API version {version} is not supported."),
        "InvalidRegionId.NotFound": Code(404, "The specified region {region} does not exist."),
        "RegionId.ApiNotSupported": Code(400, "The API {action} is not supported in region {region}."),
        "InvalidClientToken.Malformed": Code(400, "The specified ClientToken is not valid: it must be ASCII and at most 64 characters."),
        "IdempotentParameterMismatch": Code(403, "The request uses the same client token as a previous, but non-identical request."),
        "IdempotentProcessing": Code(403, "The previous idempotent request is being processed; try again later."),
        "InvalidNextToken": Code(400, "The specified NextToken is not valid."),
        "Throttling.User": Code(400, "Request was denied due to user flow control."),
        "InternalError": Code(500, "The request processing has failed due to some unknown error."),
        "ServiceUnavailable": Code(503, "The request has failed due to a temporary failure of the server."),
        # Credentials (auth.py): checked before anything else a request asks for.
        "MissingSignature": Code(400, "The request is not signed: send an ACS3-HMAC-SHA256 Authorization header, "
                                      "or the Signature, AccessKeyId, SignatureMethod, SignatureVersion and "
                                      "Timestamp parameters of the V2 scheme."),
        "IncompleteSignature": Code(400, "The request signature does not conform to Aliyun standards: {reason}."),
        "InvalidAccessKeyId.NotFound": Code(404, "Specified access key is not found."),
        # The cloud's words: SDKs find the string to sign after the colon (aliyunsdkcore: InvalidAccessKeySecret).
        "SignatureDoesNotMatch": Code(400, "Specified signature is not matched with our calculation. "
                                           "server string to sign is:{string_to_sign}"),
        "SignatureNonceUsed": Code(400, "Specified signature nonce was used already."),
        "InvalidTimeStamp.Format": Code(400, "Specified time stamp or date value {value!r} is not well formatted "
                                             "(yyyy-MM-ddTHH:mm:ssZ, UTC)."),
        "InvalidTimeStamp.Expired": Code(400, "Specified time stamp or date value {value} is expired: it is more "
                                              "than 15 minutes from the server's time {now}."),
    }
)
