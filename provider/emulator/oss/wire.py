"""The OSS REST protocol, server side: which operation a request is, and the answers' common form.

Addressing is path-style only (`/bucket` for a bucket, `/bucket/key` for an object): the SDK uses it by
itself for an endpoint that is an IP address, as the emulator's is (`http://127.0.0.1:PORT`). The operation
follows from the method, the level (bucket or object) and the sub-resource in the query; a parameter the
operation does not take means an operation the emulator does not implement, answered `NotImplemented` (501)
rather than silently served as another one.

Every answer carries `x-oss-request-id`. Errors are OSS's XML document with the code's HTTP status; a HEAD
answer has no body, so its error document travels base64-encoded in the `x-oss-err` header, where the SDK
reads the code from.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from typing import Mapping
from xml.etree import ElementTree as ET

from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Request, Response

from ecsops.emulator.oss.errors import OssError, error

#: The operations served, each with the query parameters it takes.
PARAMETERS: dict[str, frozenset[str]] = {
    "PutBucket": frozenset(),
    "GetBucketAcl": frozenset({"acl"}),
    "ListObjects": frozenset({"prefix", "marker", "max-keys", "delimiter", "encoding-type"}),
    "ListObjectsV2": frozenset({"list-type", "prefix", "start-after", "continuation-token", "max-keys", "delimiter",
                                "encoding-type", "fetch-owner"}),
    "PutObject": frozenset(),
    "GetObject": frozenset(),
    "HeadObject": frozenset(),
    "GetObjectMeta": frozenset({"objectMeta"}),
    "DeleteObject": frozenset(),
}
WRITES = frozenset({"PutBucket", "PutObject", "DeleteObject"})
#: The largest body PutObject takes (OSS takes 5 GB; the emulator keeps objects in its SQLite file).
MAX_OBJECT_BYTES = 64 * 1024 * 1024
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


@dataclass(frozen=True)
class Call:
    """One decoded OSS request: the operation, what it addresses, and its query parameters."""

    action: str
    bucket: str
    key: str | None
    args: MultiDict[str, str]

    @property
    def writes(self) -> bool:
        return self.action in WRITES


def parse(request: Request) -> Call:
    """The operation `request` asks for; raises NotImplemented (501) for one the emulator does not serve."""
    bucket, _, key = request.path.lstrip("/").partition("/")
    level = "/bucket/key" if key else "/bucket"
    action = _action(request.method, bool(key), request.args)
    if action is None:
        raise error("NotImplemented", what=f"{request.method} {level}")
    for name in request.args:
        if name not in PARAMETERS[action]:
            raise error("NotImplemented", what=f"{request.method} {level}?{name} (only {action} is served there, "
                                               f"which takes no {name!r} parameter)")
    return Call(action, bucket, key or None, request.args)


def _action(method: str, on_object: bool, args: Mapping[str, str]) -> str | None:
    if on_object:
        if method == "HEAD":
            return "GetObjectMeta" if "objectMeta" in args else "HeadObject"
        return {"PUT": "PutObject", "GET": "GetObject", "DELETE": "DeleteObject"}.get(method)
    if method == "GET":
        if "acl" in args:
            return "GetBucketAcl"
        return "ListObjectsV2" if args.get("list-type") == "2" else "ListObjects"
    return "PutBucket" if method == "PUT" else None


def read_body(request: Request) -> bytes | None:
    """The request's body, read whole so that a keep-alive connection stays in step whatever the answer; None
    when it is larger than MAX_OBJECT_BYTES (left unread: the answer then closes the connection)."""
    if (request.content_length or 0) > MAX_OBJECT_BYTES:
        return None
    return request.get_data(cache=True)


def new_request_id() -> str:
    """An id shaped like OSS's: 24 upper-case hexadecimal digits."""
    return uuid.uuid4().hex[:24].upper()


def empty_response(request_id: str, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    """An answer without a body (and without a Content-Type, as OSS sends none); for HEAD, `headers` may say the
    Content-Length of the object, which is set after the (empty) body so that it stays."""
    response = Response(b"", status=status)
    del response.headers["Content-Type"]
    response.headers.update(headers or {})
    response.headers["x-oss-request-id"] = request_id
    return response


def xml_response(document: ET.Element, request_id: str, status: int = 200) -> Response:
    body = XML_DECLARATION + ET.tostring(document, encoding="unicode").encode()
    response = Response(body, status=status, content_type="application/xml")
    response.headers["x-oss-request-id"] = request_id
    return response


def error_response(failure: OssError, request_id: str, request: Request) -> Response:
    """The error document with its status; for HEAD no body, the document in `x-oss-err` instead."""
    document = ET.Element("Error")
    fields = {"Code": failure.code, "Message": failure.message, "RequestId": request_id,
              "HostId": request.host or "localhost", **failure.details}
    for name, value in fields.items():
        ET.SubElement(document, name).text = value
    response = xml_response(document, request_id, failure.status)
    if request.method == "HEAD":
        encoded = base64.b64encode(response.get_data()).decode()
        response = empty_response(request_id, failure.status, {"x-oss-err": encoded})
    if failure.code == "EntityTooLarge":
        response.headers["Connection"] = "close"  # the body was left unread
    return response
