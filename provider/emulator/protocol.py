"""The RPC wire protocol of the Alibaba Cloud APIs, server side (docs/wire.md §1).

Decoding: the action comes from the `x-acs-action` header (V3 signature, the SDK default) or the `Action`
parameter (legacy V2); query string and form body are merged; flattened structures (`Tag.1.Key`,
`EventPattern.1.LevelList.2`) are rebuilt into lists and objects; JSON-string parameters are decoded on
request by the handler that knows them. Booleans are `true` / `false` in any case and nothing else: every
documented boolean parameter of an operation (BOOLEAN_PARAMETERS) is checked when the request is decoded,
including those the emulator does not act on (`Latest=yes` is 400 InvalidParameter naming `Latest`), and a
handler reading one through `Params.boolean` is held to the same rule.

Encoding: JSON bodies, every answer carrying `RequestId`; errors as `{RequestId, HostId, Code, Message,
Recommend}` with the code's HTTP status. A request with `Format=XML` (the V2 parameter, any case; the legacy
SDKs and the aliyun CLI can send it) gets the same answer as an XML document instead (`in_requested_format`):
`<ActionResponse>` holding one element per field, a list as its element repeated (`{"Commands": {"Command":
[a, b]}}` is `<Commands><Command>a</Command><Command>b</Command></Commands>`), and an error as `<Error>` with
RequestId, HostId, Code, Message and Recommend, with the same HTTP status and headers. `Format=JSON`, another
value, or none (the V3 SDKs send none) answers JSON.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from typing import Any, Iterator, Mapping
from xml.sax.saxutils import escape

from werkzeug.wrappers import Request, Response

from ecsops.emulator.errors import COMMON, ServiceError

#: Parameters of the legacy V2 signature scheme: transport, not part of any operation.
SIGNATURE_PARAMS = frozenset(
    {
        "Action", "Version", "Format", "Timestamp", "SignatureNonce", "SignatureMethod", "SignatureVersion",
        "SignatureType", "AccessKeyId", "Signature", "SecurityToken", "BearerToken",
    }
)

#: The boolean parameters of each operation, (version, action) -> wire names, from the official SDKs' request
#: models: checked on decoding whether or not the operation acts on them (docs/wire.md §1.3). Left out:
#: BOOLEANS_OF_THE_HANDLERS, which their operation refuses with a status of its own.
BOOLEAN_PARAMETERS: dict[tuple[str, str], tuple[str, ...]] = {
    ("2014-05-26", "CreateCommand"): ("EnableParameter",),
    ("2014-05-26", "DescribeCommands"): ("Latest",),
    ("2014-05-26", "DescribeInstances"): ("DeviceAvailable", "DryRun", "IoOptimized", "NeedSaleCycle"),
    ("2014-05-26", "DescribeInvocationResults"): ("IncludeHistory",),
    ("2014-05-26", "DescribeInvocations"): ("IncludeOutput", "Timed"),
    ("2014-05-26", "InvokeCommand"): ("Timed",),
    ("2014-05-26", "UntagResources"): ("All",),
    ("2019-01-01", "DescribeEventRuleList"): ("IsEnable",),
}
#: Booleans refused by their operation's handler instead, with the status that API documents for its
#: InvalidParameter (ModifyInstanceMaintenanceAttributes: 403).
BOOLEANS_OF_THE_HANDLERS: dict[tuple[str, str], tuple[str, ...]] = {
    ("2014-05-26", "ModifyInstanceMaintenanceAttributes"): ("NotifyOnMaintenance",),
}


@dataclass(frozen=True)
class ApiRequest:
    """One decoded API call."""

    version: str
    action: str
    params: "Params"
    access_key_id: str | None
    request_id: str


def decode_request(request: Request) -> ApiRequest:
    """Decodes an HTTP request into action, version and parameters; raises ServiceError when unusable."""
    flat: dict[str, str] = {}
    for source in (request.args, request.form):
        for key in source:
            flat[key] = source.get(key, "")
    action = request.headers.get("x-acs-action") or flat.get("Action")
    version = request.headers.get("x-acs-version") or flat.get("Version")
    if not action:
        raise COMMON.error("MissingParameter", name="Action")
    if not version:
        raise COMMON.error("MissingParameter", name="Version")
    params = Params({k: v for k, v in flat.items() if k not in SIGNATURE_PARAMS})
    for name in BOOLEAN_PARAMETERS.get((version, action), ()):
        params.boolean(name)
    return ApiRequest(
        version=version,
        action=action,
        params=params,
        access_key_id=_access_key_id(request, flat),
        request_id=str(uuid.uuid4()).upper(),
    )


def _access_key_id(request: Request, flat: Mapping[str, str]) -> str | None:
    authorization = request.headers.get("Authorization", "")
    marker = "Credential="
    if marker in authorization:
        return authorization.split(marker, 1)[1].split(",", 1)[0].strip()
    return flat.get("AccessKeyId")


#: The most dot-separated parts of a parameter name (the deepest any API takes, `EventPattern.1.LevelList.2`, has 4):
#: more is refused before anything is rebuilt from it.
MAX_NAME_PARTS = 8


def unflatten(flat: Mapping[str, str]) -> dict[str, Any]:
    """Rebuilds `Tag.1.Key=a&Tag.2.Key=b&InstanceId.1=i` into `{"Tag": [{"Key": "a"}, {"Key": "b"}], ...}`.

    Numbered segments become lists ordered by their number (gaps are closed); everything else stays a
    string. The result never depends on the order of the query string. A name that starts with a number, or
    has more than MAX_NAME_PARTS parts, is refused (InvalidParameter).
    """
    tree: dict[str, Any] = {}
    for key, value in flat.items():
        node: dict[Any, Any] = tree
        parts = [int(p) if p.isdigit() else p for p in key.split(".", MAX_NAME_PARTS)]
        if len(parts) > MAX_NAME_PARTS or isinstance(parts[0], int):
            raise COMMON.error("InvalidParameter", name=key[:64],
                               reason=f"a parameter name is a word followed by at most {MAX_NAME_PARTS - 1} parts")
        for part, following in zip(parts, parts[1:]):
            node = node.setdefault(part, {})
            if not isinstance(node, dict):  # `A=x` and `A.1=y` both sent: keep the structured one
                node = {}
        node.setdefault(parts[-1], value)
    return _lists_from_numbered(tree)


def _lists_from_numbered(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    converted = {key: _lists_from_numbered(child) for key, child in node.items()}
    if converted and all(isinstance(key, int) for key in converted):
        return [converted[key] for key in sorted(converted)]
    return {str(key): child for key, child in converted.items()}


class Params:
    """Typed access to one request's parameters; every getter raises the documented error on bad input.

    Names are the wire names of docs/wire.md (`CommandContent`, `InstanceId` for `InstanceId.N`).
    """

    def __init__(self, flat: Mapping[str, str]):
        self._flat = dict(flat)
        self._tree = unflatten(flat)

    def has(self, name: str) -> bool:
        return name in self._tree

    def text(self, name: str, *, required: bool = False, default: str | None = None) -> str | None:
        value = self._tree.get(name)
        missing = value is None or (required and value == "")
        if missing and required:
            raise COMMON.error("MissingParameter", name=name)
        if missing:
            return default
        if not isinstance(value, str):
            raise COMMON.error("InvalidParameter", name=name, reason="expected a single value")
        return value

    def integer(self, name: str, *, required: bool = False, default: int | None = None) -> int | None:
        value = self.text(name, required=required)
        if value is None:
            return default
        try:
            return int(value)
        except ValueError:
            raise COMMON.error("InvalidParameter", name=name, reason=f"{value!r} is not an integer") from None

    def boolean(self, name: str, *, default: bool | None = False) -> bool | None:
        value = self.text(name)
        if value is None:
            return default
        lowered = value.lower()
        if lowered not in ("true", "false"):
            raise COMMON.error("InvalidParameter", name=name, reason=f"{value!r} is not true or false")
        return lowered == "true"

    def strings(self, name: str) -> list[str]:
        """A repeated simple parameter `Name.N`, in N order."""
        value = self._tree.get(name)
        if value is None:
            return []
        if isinstance(value, str):
            return [value]
        if not all(isinstance(item, str) for item in value):
            raise COMMON.error("InvalidParameter", name=name, reason="expected a list of values")
        return list(value)

    def objects(self, name: str) -> list[dict[str, Any]]:
        """A repeated structured parameter `Name.N.Field`, in N order."""
        value = self._tree.get(name)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise COMMON.error("InvalidParameter", name=name, reason="expected a list of objects")
        return value

    def json(self, name: str) -> Any:
        """A parameter carrying a JSON document as a string (`Parameters`, `InstanceIds`)."""
        value = self.text(name)
        if value is None:
            return None
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            raise COMMON.error("InvalidParameter", name=name, reason="not valid JSON") from None

    def fingerprint(self, *, exclude: frozenset[str] = frozenset({"ClientToken"})) -> str:
        """A digest of every parameter but `exclude`: equal digests mean an identical request."""
        kept = sorted((k, v) for k, v in self._flat.items() if k.split(".", 1)[0] not in exclude)
        return hashlib.sha256(json.dumps(kept).encode()).hexdigest()

    def items(self) -> list[tuple[str, str]]:
        """The flat parameters as sent, for the request log."""
        return sorted(self._flat.items())


def json_response(body: Mapping[str, Any], request_id: str, *, status: int = 200) -> Response:
    payload = {"RequestId": request_id, **body}
    return Response(json.dumps(payload), status=status, content_type="application/json;charset=utf-8")


def error_response(error: ServiceError, request_id: str, host: str) -> Response:
    body = {
        "RequestId": request_id,
        "HostId": host,
        "Code": error.code,
        "Message": error.message,
        "Recommend": f"https://api.aliyun.com/troubleshoot?q={error.code}&requestId={request_id}",
    }
    response = Response(json.dumps(body), status=error.status, content_type="application/json;charset=utf-8")
    for name, value in error.headers.items():
        response.headers[name] = value
    return response


# --- Format=XML ----------------------------------------------------------------------------------------

XML_DECLARATION = "<?xml version='1.0' encoding='UTF-8'?>"
XML_CONTENT_TYPE = "text/xml;charset=utf-8"
#: Characters XML 1.0 cannot carry, not even as references: replaced so that every answer parses.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def wants_xml(request: Request) -> bool:
    """Whether the request asks for XML answers (`Format=XML` in the query string or the form body)."""
    return request.values.get("Format", "").upper() == "XML"


def in_requested_format(request: Request, response: Response) -> Response:
    """`response` (a JSON answer of this module) re-encoded as XML when the request asked for it
    (`wants_xml`); status and headers stay. Anything else is returned as it is."""
    if not wants_xml(request) or response.mimetype != "application/json":
        return response
    body = json.loads(response.get_data())
    if response.status_code >= 300:
        document = _xml_error(body)
    else:
        action = request.headers.get("x-acs-action") or request.values.get("Action", "")
        document = "".join(_xml_elements(f"{action}Response", body))
    response.set_data(XML_DECLARATION + document)
    response.content_type = XML_CONTENT_TYPE
    return response


def _xml_error(body: Mapping[str, Any]) -> str:
    """The cloud's error document: Message and Recommend as CDATA sections."""
    parts = []
    for name in ("RequestId", "HostId", "Code", "Message", "Recommend"):
        value = _NOT_XML.sub("\ufffd", str(body.get(name, "")))
        text = f"<![CDATA[{value.replace(']]>', ']]]]><![CDATA[>')}]]>" if name in ("Message", "Recommend") \
            else escape(value)
        parts.append(f"<{name}>{text}</{name}>")
    return f"<Error>{''.join(parts)}</Error>"


def _xml_elements(name: str, value: Any) -> Iterator[str]:
    """`value` as elements named `name`: an object's fields as children, a list as `name` repeated."""
    if isinstance(value, list):
        for item in value:
            yield from _xml_elements(name, item)
        return
    yield f"<{name}>"
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _xml_elements(key, child)
    else:
        yield _xml_text(value)
    yield f"</{name}>"


def _xml_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return escape(_NOT_XML.sub("\ufffd", str(value)))
