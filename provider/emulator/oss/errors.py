"""The error codes of the emulated OSS API, as data: code -> HTTP status and message.

OSS answers errors as XML (`<Error><Code/><Message/><RequestId/><HostId/>...</Error>`) and adds fields that
depend on the code (`BucketName`, `Key`, `RequestTime` / `ServerTime`); an `OssError` carries them in
`details`, which `wire.error_response` writes after the four common fields. The statuses and messages are
the ones OSS documents for each code, so a client's error handling (the SDK's `ServiceError.code`, its
retry of `RequestTimeTooSkewed`) meets what it meets in the cloud.
"""

from __future__ import annotations

from typing import Mapping

from ecsops.emulator.errors import Code, ServiceError


class OssError(ServiceError):
    """An OSS error answer: code, status, message, and the code's own XML fields (`details`)."""

    def __init__(self, code: str, status: int, message: str, details: Mapping[str, str] | None = None):
        super().__init__(code, status, message)
        self.details = dict(details or {})


CODES: dict[str, Code] = {
    # Credentials (signature.py): checked before anything else.
    "AccessDenied": Code(403, "{reason}"),
    "InvalidAccessKeyId": Code(403, "The OSS Access Key Id you provided does not exist in our records."),
    "SignatureDoesNotMatch": Code(403, "The request signature we calculated does not match the signature you "
                                       "provided. Check your key and signing method."),
    "RequestTimeTooSkewed": Code(403, "The difference between the request time and the current time is too "
                                      "large."),
    # The request itself.
    "InvalidArgument": Code(400, "{reason}"),
    "InvalidDigest": Code(400, "The Content-MD5 you specified is not valid: {reason}."),
    "InvalidBucketName": Code(400, "The specified bucket is not valid."),
    "InvalidObjectName": Code(400, "The specified object is not valid: {reason}."),
    "EntityTooLarge": Code(400, "Your proposed upload exceeds the maximum allowed size."),
    "NotImplemented": Code(501, "The emulated OSS does not implement {what}."),
    # What it is about.
    "NoSuchBucket": Code(404, "The specified bucket does not exist."),
    "NoSuchKey": Code(404, "The specified key does not exist."),
    "FileAlreadyExists": Code(409, "The object you specified already exists and can not be overwritten."),
    "BucketAlreadyExists": Code(409, "The requested bucket name is not available. The bucket namespace is shared "
                                     "by all users of the system. Please select a different name and try again."),
    "InternalError": Code(500, "We encountered an internal error. Please try again."),
}


def error(code: str, details: Mapping[str, str] | None = None, **fields: str) -> OssError:
    """The OssError of `code`, its message filled from `fields`, with the code's XML fields `details`."""
    spec = CODES[code]
    return OssError(code, spec.status, spec.template.format(**fields), details)
