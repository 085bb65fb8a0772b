"""What an event alert rule declares: the pattern of system events it matches and the targets it notifies.

Every field, nested ones included, declares its API parameter (`wire=`), how it travels (`codec=`) and where
the answers report it (`read=`): the PutEventRule and PutEventRuleTargets requests and the read-back are built
from these declarations (engine/wire.py).

Every target has an id, stable across changes: given, or `<type>-<position>` (webhook-1, contact-2...). A
target changes in place under its id, a new id is added, and an id no longer declared is deleted from the
cloud (DeleteEventRuleTargets), which the Terraform provider never does.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Mapping, Union
from urllib.parse import ParseResult, urlparse

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

from ecsops.engine.kind import Problem, Spec
from ecsops.engine.policy import FieldPolicy, in_place, replace
from ecsops.engine.scalars import STRICT_NUMBER, Flag
from ecsops.engine.values import SecretValue, secret_or_text
from ecsops.engine.wire import NUMBER, NUMBER_TEXT, OPTIONAL_TEXT, Nested, SkipEmpty, Switch
from ecsops.resources.event_alert_rule.catalog import STATES, closest_event, documented
from ecsops.resources.names import log_project, logstore, region_id

MAX_PER_TYPE = 5
RULE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}\Z")
EVENT_NAME = re.compile(r"^[A-Z][A-Za-z]*:[A-Za-z][A-Za-z0-9.]*(:[A-Z][A-Za-z]*)?\Z")
TARGET_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}\Z")

EventType = Literal["StatusNotification", "Exception", "Maintenance", "*"]
Level = Literal["CRITICAL", "WARN", "INFO", "*"]
State = Literal["Inquiring", "Scheduled", "Executing", "Executed", "Avoided", "Failed", "Canceled", "*"]


class _Part(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)


def wrapped_list(wire: str) -> FieldPolicy:
    """A list of a pattern: sent as `wire`, reported wrapped in an object of the same name."""
    return in_place(wire=wire, read=f"{wire}.{wire}")


class EventPattern(_Part):
    """Which events: a product, and any of event types, levels, names, states and a SQL filter."""

    product: Annotated[str, in_place(wire="Product"), Field(min_length=1)] = "ecs"
    event_types: Annotated[list[EventType], wrapped_list("EventTypeList")] = []
    levels: Annotated[list[Level], wrapped_list("LevelList")] = []
    names: Annotated[list[str], wrapped_list("NameList")] = []
    statuses: Annotated[list[State], wrapped_list("StatusList")] = []
    sql_filter: Annotated[str, in_place(wire="SQLFilter", codec=SkipEmpty(unset=""))] = ""

    @field_validator("event_types", "levels", "names", "statuses")
    @classmethod
    def _listed_once(cls, items: list[str]) -> list[str]:
        """A value listed twice matches nothing more; CloudMonitor keeps both, and every later read would
        compare them with a list the user may have fixed meanwhile."""
        repeated = sorted({item for item in items if items.count(item) > 1})
        if repeated:
            raise ValueError(f"{', '.join(map(repr, repeated))} listed more than once")
        return items

    @field_validator("names")
    @classmethod
    def _names_shaped(cls, names: list[str]) -> list[str]:
        for name in names:
            if not EVENT_NAME.match(name):
                raise ValueError(f"{name!r} is not an event name: write <Resource>:<Event>[:<State>], "
                                 "e.g. Instance:SystemMaintenance.Reboot:Executed")
        return names

    @model_validator(mode="after")
    def _not_empty(self) -> "EventPattern":
        if not (self.event_types or self.levels or self.names or self.statuses or self.sql_filter):
            raise ValueError("an empty pattern: give at least one of eventTypes, levels, names, statuses, "
                             "sqlFilter (use eventTypes: ['*'] to match every event)")
        return self


def target_text(wire: str) -> FieldPolicy:
    """A target's text parameter (the API answers "" for what a target does not have: read back as None)."""
    return in_place(wire=wire, codec=OPTIONAL_TEXT)


class Target(_Part):
    id: Annotated[str | None, target_text("Id"), Field(
        description="Stable id of the target (default: its type and position).")] = None

    @field_validator("id")
    @classmethod
    def _id_shaped(cls, id_: str | None) -> str | None:
        if id_ is not None and not TARGET_ID.match(id_):
            raise ValueError(f"{id_!r}: a target id uses 1-64 letters, digits, '_', '-' or '.'")
        return id_


class Contact(Target):
    group: Annotated[str, target_text("ContactGroupName"), Field(
        min_length=1, description="A CloudMonitor contact group.")]
    level: Annotated[Literal[2, 3, 4], in_place(wire="Level", codec=NUMBER_TEXT), Field(
        description="2: phone, SMS, DingTalk, email; 3: SMS, DingTalk, email; 4: DingTalk, email.")] = 3


def webhook_url(url: str) -> str:
    """`url` if it is an http(s) URL with a valid port; raises ValueError otherwise."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValueError(f"{url!r} is not an http or https URL")
    if not _port_valid(parsed):
        raise ValueError(f"{url!r}: the port must be a number from 1 to 65535")
    return url


class Webhook(Target):
    url: Annotated[Union[str, SecretValue], target_text("Url"), secret_or_text(
        webhook_url, what="an http or https URL"), Field(
        description="An http or https URL that receives the notification; write {secret: URL} when it carries "
                    "a token (it is then never shown or stored in plain text).")]
    method: Annotated[Literal["POST", "GET"], target_text("Method")] = "POST"


def _port_valid(parsed: ParseResult) -> bool:
    """False for a port outside 1-65535, or not a number (`parsed.port` raises for those)."""
    try:
        return parsed.port is None or parsed.port > 0
    except ValueError:
        return False


class Regional(Target):
    """A target reached in one region (a queue, a function, a logstore)."""

    region: Annotated[str, target_text("Region"), Field(min_length=1, description="A region id, e.g. cn-hangzhou.")]

    @field_validator("region")
    @classmethod
    def _region_id(cls, region: str) -> str:
        return region_id(region)


class Mns(Regional):
    queue: Annotated[str | None, target_text("Queue"), Field(min_length=1)] = None
    topic: Annotated[str | None, target_text("Topic"), Field(min_length=1)] = None

    @model_validator(mode="after")
    def _queue_or_topic(self) -> "Mns":
        if (self.queue is None) == (self.topic is None):
            raise ValueError("give exactly one of queue and topic")
        return self


class Function(Regional):
    service: Annotated[str, target_text("ServiceName"), Field(min_length=1)]
    function: Annotated[str, target_text("FunctionName"), Field(min_length=1)]


class Logstore(Regional):
    project: Annotated[str, target_text("Project"), Field(min_length=1)]
    logstore: Annotated[str, target_text("LogStore"), Field(min_length=1)]

    @field_validator("project")
    @classmethod
    def _project_named(cls, project: str) -> str:
        return log_project(project)

    @field_validator("logstore")
    @classmethod
    def _logstore_named(cls, name: str) -> str:
        return logstore(name)


#: targets field -> (model, id prefix)
TARGET_TYPES: dict[str, tuple[type[Target], str]] = {
    "contacts": (Contact, "contact"), "webhooks": (Webhook, "webhook"), "mns": (Mns, "mns"),
    "functions": (Function, "function"), "logstores": (Logstore, "logstore"),
}


def targets_of(model: type[Target], parameter: str, element: str) -> FieldPolicy:
    """One type of targets: PutEventRuleTargets' `parameter` list; DescribeEventRuleTargetList reports it as
    `parameter.element`."""
    return in_place(wire=parameter, codec=Nested(model), read=f"{parameter}.{element}")


class Targets(_Part):
    # One list per type, as PutEventRuleTargets takes them (a docstring here would show in the schema).
    contacts: Annotated[list[Contact], targets_of(Contact, "ContactParameters", "ContactParameter"),
                        Field(max_length=MAX_PER_TYPE)] = []
    webhooks: Annotated[list[Webhook], targets_of(Webhook, "WebhookParameters", "WebhookParameter"),
                        Field(max_length=MAX_PER_TYPE)] = []
    mns: Annotated[list[Mns], targets_of(Mns, "MnsParameters", "MnsParameter"), Field(max_length=MAX_PER_TYPE)] = []
    functions: Annotated[list[Function], targets_of(Function, "FcParameters", "FCParameter"),
                         Field(max_length=MAX_PER_TYPE)] = []
    logstores: Annotated[list[Logstore], targets_of(Logstore, "SlsParameters", "SlsParameter"),
                         Field(max_length=MAX_PER_TYPE)] = []

    @model_validator(mode="before")
    @classmethod
    def _ids_by_position(cls, values: Any) -> Any:
        """Targets without an id get `<type>-<position>`, so every target is identified before any diff."""
        if not isinstance(values, dict):
            return values
        filled = dict(values)
        for field, (_, prefix) in TARGET_TYPES.items():
            items = filled.get(field)
            if isinstance(items, list):
                filled[field] = [{"id": f"{prefix}-{n}", **item} if isinstance(item, dict) and item.get("id") is None
                                 else item for n, item in enumerate(items, start=1)]
        return filled

    @model_validator(mode="after")
    def _ids_unique(self) -> "Targets":
        ids = [target.id for field in TARGET_TYPES for target in getattr(self, field)]
        repeated = sorted({id_ for id_ in ids if ids.count(id_) > 1 and id_ is not None})
        if repeated:
            raise ValueError(f"target ids must be unique across all targets of a rule: {', '.join(repeated)}")
        return self


REPLACE_REASON = "the rule name is its identity"


def sorted_pattern(pattern: dict[str, Any]) -> dict[str, Any]:
    """A pattern compared as sets: the order of its lists does not matter."""
    return {key: sorted(value) if isinstance(value, list) else value for key, value in pattern.items()}


def sorted_targets(targets: dict[str, Any]) -> dict[str, Any]:
    """Targets compared by id: the order they are listed in does not matter."""
    return {field: sorted(items or [], key=lambda item: str(item.get("id"))) for field, items in targets.items()}


class EventAlertRuleSpec(Spec):
    """A CloudMonitor event-triggered alert rule for ECS system events."""

    name: Annotated[str, replace(wire="RuleName", read="Name", reason=REPLACE_REASON), Field(
        description="The rule's name (its identity): 1-64 letters, digits, '_', '-', '.'.")]
    description: Annotated[str, in_place(wire="Description"), Field(max_length=256)] = ""
    enabled: Annotated[Flag, in_place(wire="State", codec=Switch(on="ENABLED", off="DISABLED"))] = True
    silence_time: Annotated[int, in_place(wire="SilenceTime", codec=NUMBER), Field(
        ge=0, le=86_400, description="Seconds during which a repeat of an event for a resource is not sent again."),
        STRICT_NUMBER] = 86_400
    group_id: Annotated[str | None, in_place(wire="GroupId", codec=SkipEmpty())] = None
    event_pattern: Annotated[EventPattern, in_place(
        wire="EventPattern", codec=Nested(EventPattern, many=False), read="EventPattern.EventPattern",
        normalise=sorted_pattern)]
    # Sent by PutEventRuleTargets and read from DescribeEventRuleTargetList (lifecycle.py), by Targets' fields.
    targets: Annotated[Targets, in_place(wire="Targets", sent=False, normalise=sorted_targets)] = Targets()

    @field_validator("name")
    @classmethod
    def _name_shaped(cls, name: str) -> str:
        if not RULE_NAME.match(name):
            raise ValueError(f"{name!r}: a rule name uses 1-64 letters, digits, '_', '-' or '.'")
        return name


def advice(values: Mapping[str, Any]) -> list[Problem]:
    """A warning for each event name the guide does not document, with the one it most probably stands for."""
    names = (values.get("eventPattern") or {}).get("names") or []
    return [("eventPattern.names", f"{name!r} is not an event the ECS documentation lists (states: "
                                   f"{', '.join(STATES)}){_meant(name)}")
            for name in names if not documented(name)]


def _meant(name: str) -> str:
    meant = closest_event(name)
    return f": did you mean {meant!r}?" if meant else "; check the spelling"
