"""Event-triggered alert rules: PutEventRule, DescribeEventRuleList, DeleteEventRules, EnableEventRules,
DisableEventRules (docs/wire.md §3).

PutEventRule is an upsert by name within the call's scope (product.py) and a full put: a field left out
takes its default (EventType SYSTEM, State ENABLED, SilenceTime 86400 s, GroupId and Description empty),
whatever the rule had before; the rule keeps its targets and its silence bookkeeping. Deleting rules
deletes their targets; names that do not exist are skipped (deleting twice succeeds). Enabling or
disabling an unknown rule is `ResourceNotFound` and changes nothing.
"""

from __future__ import annotations

import re
from typing import Any

from ecsops.emulator.cms import models, patterns
from ecsops.emulator.cms.errors import failure, invalid
from ecsops.emulator.cms.models import EventRule
from ecsops.emulator.cms.product import PRODUCT, answer, scope
from ecsops.emulator.errors import COMMON
from ecsops.emulator.service import Context

NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}\Z")
EVENT_TYPES = ("SYSTEM", "CUSTOM")
STATES = ("ENABLED", "DISABLED")
SILENCE_DEFAULT = 86_400
SILENCE_LIMIT = 86_400
NAMES_LIMIT = 20
PAGE_SIZE_DEFAULT = 10
PAGE_SIZE_LIMIT = 100


def find_rule(ctx: Context, name: str | None) -> EventRule:
    """The rule of the call's scope called `name`, or the `ResourceNotFound` failure."""
    rule = models.find_rule(ctx.tx, scope(ctx), name)
    if rule is None:
        raise failure("ResourceNotFound", kind="event rule", name=name)
    return rule


def listed(ctx: Context, name: str, limit: int = NAMES_LIMIT) -> list[str]:
    """A required repeated parameter (`RuleNames.N`, `Ids.N`) of at most `limit` values, duplicates dropped."""
    values = list(dict.fromkeys(ctx.params.strings(name)))
    if not values:
        raise COMMON.error("MissingParameter", name=name)
    if len(values) > limit:
        raise invalid(name, f"{len(values)} values were given; the limit is {limit}")
    return values


@PRODUCT.operation("PutEventRule", writes=True)
def put_event_rule(ctx: Context) -> dict[str, Any]:
    params = ctx.params
    name = params.text("RuleName", required=True)
    assert name is not None
    if not NAME.match(name):
        raise invalid("RuleName", "use 1 to 64 letters, digits, underscores, hyphens and periods")
    stored = patterns.validate(params.objects("EventPattern"))
    event_type = _choice(ctx, "EventType", EVENT_TYPES)
    state = _choice(ctx, "State", STATES)
    silence = params.integer("SilenceTime", default=SILENCE_DEFAULT)
    assert silence is not None
    if not 0 <= silence <= SILENCE_LIMIT:
        raise invalid("SilenceTime", f"{silence} is out of range: use 0 to {SILENCE_LIMIT} seconds")
    models.put_rule(ctx.tx, scope(ctx), name, group_id=params.text("GroupId", default="") or "",
                    event_type=event_type, state=state, description=params.text("Description", default="") or "",
                    silence_time=silence, patterns=stored)
    return answer(Data="1")


def _choice(ctx: Context, name: str, allowed: tuple[str, ...]) -> str:
    """An enumerated parameter; the first allowed value is its default."""
    value = ctx.params.text(name) or allowed[0]
    if value not in allowed:
        raise invalid(name, f"{value!r} is not one of {', '.join(allowed)}")
    return value


@PRODUCT.operation("DescribeEventRuleList", writes=False)
def describe_event_rule_list(ctx: Context) -> dict[str, Any]:
    """Rules of the call's scope, oldest first. NamePrefix matches names *containing* it, as the service
    does; IsEnable, when given, keeps only enabled (true) or disabled (false) rules."""
    params = ctx.params
    number = params.integer("PageNumber", default=1)
    size = params.integer("PageSize", default=PAGE_SIZE_DEFAULT)
    assert number is not None and size is not None
    if number < 1:
        raise COMMON.error("InvalidParameter", name="PageNumber", reason="must be 1 or more")
    if not 1 <= size <= PAGE_SIZE_LIMIT:
        raise COMMON.error("InvalidParameter", name="PageSize", reason=f"must be between 1 and {PAGE_SIZE_LIMIT}")
    rules = [rule for rule in models.rules_of_scope(ctx.tx, scope(ctx)) if _selected(ctx, rule)]
    chunk = rules[(number - 1) * size:number * size]
    return answer(Total=len(rules), EventRules={"EventRule": [_rule_view(rule) for rule in chunk]})


def _selected(ctx: Context, rule: EventRule) -> bool:
    prefix = ctx.params.text("NamePrefix")
    group = ctx.params.text("GroupId")
    enabled = ctx.params.boolean("IsEnable", default=None)
    return ((not prefix or prefix in rule.name) and (not group or group == rule.group_id)
            and (enabled is None or enabled == (rule.state == "ENABLED")))


def _rule_view(rule: EventRule) -> dict[str, Any]:
    return {
        "Name": rule.name,
        "GroupId": rule.group_id,
        "EventType": rule.event_type,
        "State": rule.state,
        "Description": rule.description,
        "SilenceTime": rule.silence_time,
        "EventPattern": {"EventPattern": [_pattern_view(pattern) for pattern in rule.patterns]},
    }


def _pattern_view(pattern: dict[str, Any]) -> dict[str, Any]:
    """A stored pattern as described (patterns.py): each list wrapped in an object of the same name, no
    StatusList, and the keyword filter PutEventRule cannot set, empty."""
    lists = {name: {name: pattern[name]} for name in patterns.DESCRIBED_LISTS}
    return {"Product": pattern["Product"], **lists, "SQLFilter": pattern["SQLFilter"],
            "CustomFilters": pattern.get("CustomFilters", ""),  # patterns stored before keywords have none
            "KeywordFilter": {"Keywords": {"Keywords": []}, "Relation": ""}}


@PRODUCT.operation("DeleteEventRules", writes=True)
def delete_event_rules(ctx: Context) -> dict[str, Any]:
    names = listed(ctx, "RuleNames")
    models.delete_rules(ctx.tx, scope(ctx), names)
    return answer()


@PRODUCT.operation("EnableEventRules", writes=True)
def enable_event_rules(ctx: Context) -> dict[str, Any]:
    return _set_state(ctx, "ENABLED")


@PRODUCT.operation("DisableEventRules", writes=True)
def disable_event_rules(ctx: Context) -> dict[str, Any]:
    return _set_state(ctx, "DISABLED")


def _set_state(ctx: Context, state: str) -> dict[str, Any]:
    rules = [find_rule(ctx, name) for name in listed(ctx, "RuleNames")]
    models.set_rule_states(ctx.tx, rules, state)
    return answer()
