"""From field declarations to API requests and back: one declaration per field drives the wire.

A spec field declares its API parameter once — `in_place(wire="Timeout")` — and, where the API does not carry
the value as it is, a codec: `codec=BASE64` (text sent Base64-encoded, read back as plain text), `codec=TAGS`
(a tag map as the `Tag` list, read from `Tags.Tag`), `codec=JSON_OBJECT` (a map sent as JSON text, secrets
revealed only on the wire), `codec=FLAG` (a boolean the API may report as anything truthy), `codec=OPTIONAL_TEXT`
(an optional text the API reports as "" when unset), `Switch(on, off)` (a boolean as one of two words), `NUMBER` /
`NUMBER_TEXT` (a whole number the API may report, or take, as text), `SkipEmpty(unset)` (text not sent when
empty), `Nested(model)` (nested models whose own fields are declared the same way), `SORTED` (a set of ids,
sent sorted), `Record(model)` (one nested model as an object, every part sent) and `ListOfOne(codec)` (one
object the API carries as a list of one, unset sent as empty parts to clear it). `read=` names where
a Describe answer reports it when that is not the parameter's own name (a dotted path).

- `create_request(spec)`: every declared field of the spec, encoded, in one request (fields whose value is None
  are left out: the API's default applies);
- `modify_request(spec, changed)`: the changed in-place fields a Modify call carries (tags are not: the API
  changes them through TagResources / UntagResources, `cloud.tags`);
- `read_values(spec_type, item)`: a Describe answer's item in spec terms, for every field the cloud reports
  (`observed=False` fields are compared with the last applied value instead, so they are not read).

So adding a field is one declaration (plus the emulator's support): the request, the read-back and the diff
follow from it, and no list of fields is written anywhere but the spec.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Protocol

from pydantic import BaseModel

from ecsops.engine.policy import FieldPolicy, Update, policies
from ecsops.engine.values import reveal


class Codec(Protocol):
    """How a field's value travels: `encode` makes the request parameter of a spec value (wire form, as in
    `Spec.wire_values()`), `decode` the spec value of what a Describe answer reports (None: not reported)."""

    def encode(self, value: Any) -> Any: ...
    def decode(self, reported: Any) -> Any: ...


@dataclass(frozen=True)
class Plain:
    def encode(self, value: Any) -> Any:
        return value

    def decode(self, reported: Any) -> Any:
        return reported


@dataclass(frozen=True)
class Base64Text:
    """Scripts: sent Base64-encoded (with ContentEncoding=Base64), read back as plain text (the lifecycle asks
    for ContentEncoding=PlainText)."""

    def encode(self, value: Any) -> Any:
        return None if value is None else base64.b64encode(str(value).encode()).decode()

    def decode(self, reported: Any) -> Any:
        return reported


@dataclass(frozen=True)
class TagMap:
    """Tags: a map in the spec; the `Tag` list sorted by key on the wire (a create replayed with its ClientToken
    must be the identical request); `{"Tag": [{"TagKey", "TagValue"}]}` in answers."""

    def encode(self, value: Any) -> Any:
        return None if value is None else tag_list(value)

    def decode(self, reported: Any) -> Any:
        tags = (reported or {}).get("Tag", []) if isinstance(reported, Mapping) else reported or []
        return {tag["TagKey"]: tag.get("TagValue", "") for tag in tags}


@dataclass(frozen=True)
class JsonObject:
    """A map sent as JSON text with sorted keys (identical on a replay), secrets revealed only here; an empty
    map is not sent. Answers carry the JSON text."""

    def encode(self, value: Any) -> Any:
        return json.dumps(dict(sorted(reveal(value).items()))) if value else None

    def decode(self, reported: Any) -> Any:
        return json.loads(reported) if isinstance(reported, str) and reported else dict(reported or {})


@dataclass(frozen=True)
class JsonParam:
    """A map for a parameter the operation lists in `json_params` (a task's `Parameters`): sent as the map,
    keys sorted (identical on a replay), secrets revealed only here, for the cloud layer to write as JSON
    text the way the SDK does; an empty map is not sent. Answers carry the JSON text."""

    def encode(self, value: Any) -> Any:
        return dict(sorted(reveal(value).items())) if value else None

    def decode(self, reported: Any) -> Any:
        return json.loads(reported) if isinstance(reported, str) and reported else dict(reported or {})


JSON_PARAM = JsonParam()


@dataclass(frozen=True)
class OptionalText:
    """Text the API reports as "" when it was never set (an optional id): read back as None, as declared."""

    def encode(self, value: Any) -> Any:
        return value

    def decode(self, reported: Any) -> Any:
        return reported or None


@dataclass(frozen=True)
class Truthy:
    def encode(self, value: Any) -> Any:
        return value

    def decode(self, reported: Any) -> Any:
        return bool(reported)


@dataclass(frozen=True)
class SortedList:
    """A list whose order means nothing (a set of instance ids): sent sorted, so the request is the same however
    the stack orders it; read back sorted. An answer about one item alone (an instance's own attributes) names
    it as a single value: read as a list of one."""

    def encode(self, value: Any) -> Any:
        return None if value is None else sorted(value)

    def decode(self, reported: Any) -> Any:
        return sorted(reported) if isinstance(reported, list) else [reported]


@dataclass(frozen=True)
class Record:
    """A nested model sent as one object (not a list: see `Nested`) of the parameters its own fields declare,
    every part present, one without a value as "" (a Modify of the object clears what is unset): a delivery
    config `{"Enabled", "BucketName", "Prefix"}`. Read back with `read_values`; a part the answer reports as
    null takes the model's default, as one it leaves out does."""

    model: type[BaseModel]

    def encode(self, value: Any) -> Any:
        if value is None:
            return None
        return {**{str(policy.wire): "" for policy in declared(self.model).values()},
                **model_request(self.model, value)}

    def decode(self, reported: Any) -> Any:
        return read_values(self.model, {key: part for key, part in (reported or {}).items() if part is not None})


@dataclass(frozen=True)
class ListOfOne:
    """One object the API carries as a list of one (`MaintenanceWindow.1.StartTime`), through the codec `item`
    (a `Record`). Unlike `Nested(model, many=False)`, unset (None) is sent, as one object of empty parts: the
    API keeps an object simply left out, so that clears it. Read back from the list's first item; an empty
    list is None."""

    item: Codec

    def encode(self, value: Any) -> Any:
        return [self.item.encode({} if value is None else value)]

    def decode(self, reported: Any) -> Any:
        return self.item.decode(reported[0]) if reported else None


PLAIN, BASE64, TAGS, JSON_OBJECT, FLAG, OPTIONAL_TEXT = (Plain(), Base64Text(), TagMap(), JsonObject(), Truthy(),
                                                         OptionalText())
SORTED = SortedList()
MISSING = object()


@dataclass(frozen=True)
class Switch:
    """A boolean the API carries as one of two words (an event rule's State: ENABLED / DISABLED)."""

    on: str
    off: str

    def encode(self, value: Any) -> Any:
        return None if value is None else self.on if value else self.off

    def decode(self, reported: Any) -> Any:
        return reported == self.on


@dataclass(frozen=True)
class Number:
    """A whole number the API may report as text: read back as an int ("" as None). `text=True`: sent as text
    too (a parameter the API types as a string, such as a contact's Level)."""

    text: bool = False

    def encode(self, value: Any) -> Any:
        return None if value is None else str(value) if self.text else value

    def decode(self, reported: Any) -> Any:
        return None if reported is None or reported == "" else int(reported)


NUMBER, NUMBER_TEXT = Number(), Number(text=True)


@dataclass(frozen=True)
class SkipEmpty:
    """Text left out of the request when empty (the API's own default, "", applies) and reported as "" when
    unset: read back as `unset` (None for an optional id, "" for a text that defaults to empty)."""

    unset: Any = None

    def encode(self, value: Any) -> Any:
        return value or None

    def decode(self, reported: Any) -> Any:
        return reported or self.unset


@dataclass(frozen=True)
class Nested:
    """A nested model whose own fields declare their `wire=` names, codecs and `read=` paths (as a spec's do):
    a list of such models is sent as the list of their requests (an empty list is not sent), and read from the
    reported list item by item. `many=False`: one model, sent as a one-item list (PutEventRule's EventPattern)
    and read from the reported list's first item."""

    model: type[BaseModel]
    many: bool = True

    def encode(self, value: Any) -> Any:
        items = (value or []) if self.many else [] if value is None else [value]
        return [model_request(self.model, item) for item in items] or None

    def decode(self, reported: Any) -> Any:
        listed = reported if isinstance(reported, list) else [reported] if isinstance(reported, Mapping) else []
        items = [read_values(self.model, item) for item in listed if isinstance(item, Mapping)]
        if self.many:
            return items
        return items[0] if items else read_values(self.model, {})


def tag_list(tags: Mapping[str, str]) -> list[dict[str, str]]:
    """Tags as the API's `Tag` list, sorted by key."""
    return [{"Key": key, "Value": tags[key]} for key in sorted(tags)]


def codec_of(policy: FieldPolicy) -> Codec:
    codec: Codec = policy.codec or PLAIN
    return codec


def declared(spec_type: type[BaseModel]) -> dict[str, FieldPolicy]:
    """The spec's fields that travel (those with a wire name), by their wire-form name (camelCase)."""
    return {name: policy for name, policy in policies(spec_type).items() if policy.wire}


def create_request(spec: Any, *, exclude: Iterable[str] = ()) -> dict[str, Any]:
    """Every declared field of `spec`, encoded, by its API parameter; None values left out. `exclude` names
    fields the lifecycle sends its own way."""
    return model_request(type(spec), spec.wire_values(), exclude=exclude)


def model_request(model: type[BaseModel], values: Mapping[str, Any], *,
                  exclude: Iterable[str] = ()) -> dict[str, Any]:
    """`values` (a `model`'s wire form: a spec's, or a nested part's) as request parameters: every declared
    field, encoded, by its API parameter; None values left out."""
    skipped = set(exclude)
    request: dict[str, Any] = {}
    for name, policy in declared(model).items():
        if name in skipped or not policy.sent:
            continue
        encoded = codec_of(policy).encode(values.get(name))
        if encoded is not None:
            request[str(policy.wire)] = encoded
    return request


def modify_request(spec: Any, changed: Iterable[str]) -> dict[str, Any]:
    """The changed in-place fields, encoded, by API parameter — what one Modify call carries. Tags are left
    to TagResources / UntagResources; a field set back to None is sent as its empty value."""
    values = spec.wire_values()
    wanted = set(changed)
    request: dict[str, Any] = {}
    for name, policy in declared(type(spec)).items():
        if name not in wanted or policy.update is not Update.IN_PLACE or isinstance(codec_of(policy), TagMap):
            continue
        encoded = codec_of(policy).encode(values.get(name))
        request[str(policy.wire)] = "" if encoded is None else encoded
    return request


def read_values(spec_type: type[BaseModel], item: Mapping[str, Any]) -> dict[str, Any]:
    """`item` (one object of a Describe answer) as spec values, for every field the cloud reports. A field the
    answer leaves out takes the spec's default."""
    values: dict[str, Any] = {}
    fields = {info.alias or name: info for name, info in spec_type.model_fields.items()}
    for name, policy in declared(spec_type).items():
        if not policy.observed:
            continue
        reported = _at(item, policy.read or str(policy.wire))
        if reported is MISSING:
            values[name] = _default(fields[name])
        else:
            values[name] = codec_of(policy).decode(reported)
    return values


def _at(item: Mapping[str, Any], path: str) -> Any:
    found: Any = item
    for part in path.split("."):
        if not isinstance(found, Mapping) or part not in found:
            return MISSING
        found = found[part]
    return found


def _default(info: Any) -> Any:
    """A field's default in wire form (a model's default dumped as JSON, as `Spec.wire_values()` has it); None for
    a required field the answer leaves out (what the cloud reports is then "nothing", and the diff shows it)."""
    if info.is_required():
        return None
    default = info.get_default(call_default_factory=True)
    if isinstance(default, BaseModel):
        return default.model_dump(by_alias=True, mode="json")
    return default
