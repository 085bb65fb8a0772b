"""The OSS side of tests/emulator/test_shapes.py: what the official `alibabacloud_oss_v2` SDK's models declare,
and the raw answers of an OSS client.

OSS answers are XML documents and headers, not JSON. A result model (`<Operation>Result`) declares both in its
`_attribute_map`: `{"tag": "output", "position": "header", "rename": "ETag"}` for a header, `{"tag": "xml",
"rename": "Contents", "type": "[ObjectProperties]"}` for an element of the document whose root `_xml_map`
names (nested models through `_dependency_map`). `result_schema` turns that into the schema form of
tests/support/verify.py (`{name: Schema}`, lists as `[Schema]`), with headers as `header:<Name>` and the
document under its root element's name; leaves are the SDK's type (`str`, `int`, `bool`, `datetime`,
`datetime,httptime`, `dict,usermeta`). `request_fields` gives a request model's parameters by wire name (the
query parameter or header; `bucket`, `key`, `body` for the others).

`record_answers` gives a client an HTTP client that keeps every answer's headers and XML body (an error
document too, which a HEAD answer carries base64-encoded in `x-oss-err`), under the operation the SDK was
invoking; `compare` lists an answer's differences from a schema as test_shapes does for JSON.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any
from xml.etree import ElementTree as ET

from alibabacloud_oss_v2 import transport

from tests.support.verify import Schema

HEADER = "header:"
#: The document's root of a model that names none.
ANY_ROOT = "*"
#: The prefix of user metadata headers, which the models declare as one field.
USER_METADATA = "x-oss-meta-"
#: Headers of every answer that no result model declares: HTTP's own, and the request id every result reads.
ENVELOPE_HEADERS = frozenset({"date", "server", "connection", "keep-alive", "transfer-encoding", "content-length",
                              "content-type", "x-oss-request-id", "x-oss-err"})
#: What the SDK reads from an error document (`_to_service_error`: Code, Message, RequestId, EC) and what OSS
#: sends with each (HostId, RecommendDoc).
ERROR_SCHEMA: dict[str, Schema] = {"Error": {name: "str" for name in (
    "Code", "Message", "RequestId", "HostId", "EC", "RecommendDoc")}}


@dataclass
class OssAnswer:
    """One OSS answer: the operation, whether it was an error, its headers and its XML document (if any)."""

    action: str
    error: bool
    headers: dict[str, str]
    document: bytes | None


# -- What the SDK's models say ---------------------------------------------------------------------------------

def _xml_schema(model: Any, kind: str) -> Schema:
    if kind.startswith("["):
        return [_xml_schema(model, kind[1:-1])]
    if kind.islower():
        return kind
    nested = model._dependency_map[kind]["new"]()
    return _xml_fields(nested)


def _xml_fields(model: Any) -> dict[str, Schema]:
    fields: dict[str, Schema] = {}
    for name, described in model._attribute_map.items():
        if described.get("tag") != "xml":
            continue
        *parents, leaf = described.get("rename", name).split("/")
        into = fields
        for parent in parents:  # `AccessControlList/Grant`
            into = into.setdefault(parent, {})
        into[leaf] = _xml_schema(model, str(described.get("type", "str")))
    return fields


def result_schema(model_class: type, root: str = ANY_ROOT) -> dict[str, Schema]:
    """The headers (`header:<Name>`) and the XML document (under its root's name) of a result model; a model
    that names no root (the SDK then takes any) has its document under `root`."""
    model: Any = model_class()
    schema: dict[str, Schema] = {
        f"{HEADER}{described['rename']}": str(described.get("type", "str"))
        for described in model._attribute_map.values()
        if described.get("tag") == "output" and described.get("position") == "header"}
    document = _xml_fields(model)
    if document:
        schema[getattr(model, "_xml_map", {}).get("name", root)] = document
    return schema


def request_fields(model_class: type) -> set[str]:
    """A request model's parameters by wire name: query parameter or header; `bucket`, `key`, or the body's."""
    return {described.get("rename", name) for name, described in model_class._attribute_map.items()  # type: ignore
            if described.get("tag") == "input"}


# -- Comparing answers ----------------------------------------------------------------------------------------

def _is_time(text: str, http: bool) -> bool:
    try:
        if http:
            parsedate_to_datetime(text)
        else:
            datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")
    except (TypeError, ValueError):
        return False
    return True


def fits(kind: str, text: str) -> bool:
    """Whether the SDK reads `text` as a `kind` (`int`, `bool`, `datetime[,httptime]`; anything as `str`)."""
    base, _, form = kind.partition(",")
    if base == "int":
        return re.fullmatch(r"-?[0-9]+", text) is not None
    if base == "bool":
        return text in ("true", "false")
    if base == "datetime":
        return _is_time(text, form == "httptime")
    return True


def _header_key(name: str, schema: dict[str, Schema]) -> str | None:
    """The schema's key of header `name` (headers match whatever their case), or None."""
    lower = name.lower()
    for key in schema:
        declared = key[len(HEADER):].lower()
        if key.startswith(HEADER) and (declared == lower or (declared == USER_METADATA and
                                                             lower.startswith(USER_METADATA))):
            return key
    return None


def compare_headers(headers: dict[str, str], schema: dict[str, Schema], seen: set[str],
                    found: set[tuple[str, str]], extra: str, mismatch: str) -> None:
    """Adds (path, extra|type) to `found` for the headers, the schema keys they carry to `seen`."""
    for name, text in headers.items():
        key = _header_key(name, schema)
        if key is None:
            if name.lower() not in ENVELOPE_HEADERS:
                found.add((f"{HEADER}{name}", extra))
            continue
        seen.add(key)
        if not fits(schema[key], text):
            found.add((key, mismatch))


def compare_element(element: ET.Element, schema: Schema, path: str, seen: set[str], found: set[tuple[str, str]],
                    kinds: tuple[str, str]) -> None:
    """Adds (path, extra|type) to `found` for the element's children, the paths they carry to `seen`."""
    extra, mismatch = kinds
    for child in element:
        where = f"{path}{child.tag}"
        if not isinstance(schema, dict) or child.tag not in schema:
            found.add((where, extra))
            continue
        item = schema[child.tag]
        if isinstance(item, list):
            seen.add(where)
            where, item = f"{where}[]", item[0]
        seen.add(where)
        if isinstance(item, dict):
            compare_element(child, item, f"{where}.", seen, found, kinds)
        elif len(child) or not fits(item, child.text or ""):
            found.add((where, mismatch))


def root_tag(answers: list[OssAnswer]) -> str:
    """The root element of the first successful answer's document (ANY_ROOT without one)."""
    for answer in answers:
        if not answer.error and answer.document is not None:
            return ET.fromstring(answer.document).tag
    return ANY_ROOT


def compare(answer: OssAnswer, schema: dict[str, Schema], seen: set[str], found: set[tuple[str, str]],
            kinds: tuple[str, str]) -> None:
    """The differences of one answer (headers, then its document's root and children) from `schema`."""
    if not answer.error:
        compare_headers(answer.headers, schema, seen, found, *kinds)
    if answer.document is None:
        return
    root = ET.fromstring(answer.document)
    if root.tag not in schema:
        found.add((root.tag, kinds[0]))
        return
    seen.add(root.tag)
    compare_element(root, schema[root.tag], f"{root.tag}.", seen, found, kinds)


# -- Recording answers -----------------------------------------------------------------------------------------

class RecordingHttpClient(transport.RequestsHttpClient):  # type: ignore[misc]
    """The SDK's HTTP client, keeping each answer's headers and XML document as the operation `current`'s."""

    def __init__(self, answers: list[OssAnswer]) -> None:
        super().__init__()
        self.answers = answers
        self.current = ""

    def send(self, request: Any, **kwargs: Any) -> Any:
        response = super().send(request, **kwargs)
        headers = dict(response.headers.items())
        document: bytes | None = None
        if "xml" in headers.get("Content-Type", ""):
            document = response.read()
        elif "x-oss-err" in headers:
            document = base64.b64decode(headers["x-oss-err"])
        self.answers.append(OssAnswer(self.current, response.status_code >= 300, headers, document))
        return response


def record_answers(client: Any, answers: list[OssAnswer]) -> Any:
    """Makes the OSS `client` append every answer (errors too) to `answers`, before the SDK parses it."""
    recorder = RecordingHttpClient(answers)
    inner = client._client
    inner._options.http_client = recorder
    invoke = inner.invoke_operation

    def invoke_operation(op_input: Any, **kwargs: Any) -> Any:
        recorder.current = op_input.op_name
        return invoke(op_input, **kwargs)

    inner.invoke_operation = invoke_operation
    return client
