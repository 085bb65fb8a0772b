"""What an event alert rule declares: the pattern of system events it matches and the targets it notifies.

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
from ecsops.engine.policy import in_place, replace
from ecsops.engine.scalars import STRICT_NUMBER, Flag
from ecsops.engine.values import SecretValue, secret_or_text
from ecsops.resources.event_alert_rule.catalog import STATES, documented
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


class EventPattern(_Part):
    """Which events: a product, and any of event types, levels, names, states and a SQL filter."""

    product: str = Field("ecs", min_length=1)
    event_types: list[EventType] = []
    levels: list[Level] = []
    names: list[str] = []
    statuses: list[State] = []
    sql_filter: str = ""

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


class Target(_Part):
    id: str | None = Field(None, description="Stable id of the target (default: its type and position).")

    @field_validator("id")
    @classmethod
    def _id_shaped(cls, id_: str | None) -> str | None:
        if id_ is not None and not TARGET_ID.match(id_):
            raise ValueError(f"{id_!r}: a target id uses 1-64 letters, digits, '_', '-' or '.'")
        return id_


class Contact(Target):
    group: str = Field(min_length=1, description="A CloudMonitor contact group.")
    level: Literal[2, 3, 4] = Field(3, description="2: phone, SMS, DingTalk, email; 3: SMS, DingTalk, email; "
                                                   "4: DingTalk, email.")


def webhook_url(url: str) -> str:
    """`url` if it is an http(s) URL with a valid port; raises ValueError otherwise."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValueError(f"{url!r} is not an http or https URL")
    if not _port_valid(parsed):
        raise ValueError(f"{url!r}: the port must be a number from 1 to 65535")
    return url


class Webhook(Target):
    url: Annotated[Union[str, SecretValue], secret_or_text(webhook_url, what="an http or https URL"), Field(
        description="An http or https URL that receives the notification; write {secret: URL} when it carries "
                    "a token (it is then never shown or stored in plain text).")]
    method: Literal["POST", "GET"] = "POST"


def _port_valid(parsed: ParseResult) -> bool:
    """False for a port outside 1-65535, or not a number (`parsed.port` raises for those)."""
    try:
        return parsed.port is None or parsed.port > 0
    except ValueError:
        return False


class Regional(Target):
    """A target reached in one region (a queue, a function, a logstore)."""

    region: str = Field(min_length=1, description="A region id, e.g. cn-hangzhou.")

    @field_validator("region")
    @classmethod
    def _region_id(cls, region: str) -> str:
        return region_id(region)


class Mns(Regional):
    queue: str | None = Field(None, min_length=1)
    topic: str | None = Field(None, min_length=1)

    @model_validator(mode="after")
    def _queue_or_topic(self) -> "Mns":
        if (self.queue is None) == (self.topic is None):
            raise ValueError("give exactly one of queue and topic")
        return self


class Function(Regional):
    service: str = Field(min_length=1)
    function: str = Field(min_length=1)


class Logstore(Regional):
    project: str = Field(min_length=1)
    logstore: str = Field(min_length=1)

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


class Targets(_Part):
    contacts: list[Contact] = Field([], max_length=MAX_PER_TYPE)
    webhooks: list[Webhook] = Field([], max_length=MAX_PER_TYPE)
    mns: list[Mns] = Field([], max_length=MAX_PER_TYPE)
    functions: list[Function] = Field([], max_length=MAX_PER_TYPE)
    logstores: list[Logstore] = Field([], max_length=MAX_PER_TYPE)

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

    name: Annotated[str, replace(wire="RuleName", reason=REPLACE_REASON), Field(
        description="The rule's name (its identity): 1-64 letters, digits, '_', '-', '.'.")]
    description: Annotated[str, in_place(wire="Description"), Field(max_length=256)] = ""
    enabled: Annotated[Flag, in_place(wire="State")] = True
    silence_time: Annotated[int, in_place(wire="SilenceTime"), Field(
        ge=0, le=86_400, description="Seconds during which a repeat of an event for a resource is not sent again."),
        STRICT_NUMBER] = 86_400
    group_id: Annotated[str | None, in_place(wire="GroupId")] = None
    event_pattern: Annotated[EventPattern, in_place(wire="EventPattern", normalise=sorted_pattern)]
    targets: Annotated[Targets, in_place(wire="Targets", normalise=sorted_targets)] = Targets()

    @field_validator("name")
    @classmethod
    def _name_shaped(cls, name: str) -> str:
        if not RULE_NAME.match(name):
            raise ValueError(f"{name!r}: a rule name uses 1-64 letters, digits, '_', '-' or '.'")
        return name


def advice(values: Mapping[str, Any]) -> list[Problem]:
    """A warning for each event name the guide does not document."""
    names = (values.get("eventPattern") or {}).get("names") or []
    return [("eventPattern.names", f"{name!r} is not an event the ECS documentation lists (states: "
                                   f"{', '.join(STATES)}); check the spelling")
            for name in names if not documented(name)]
