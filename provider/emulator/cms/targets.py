"""Targets of rules: PutEventRuleTargets, DescribeEventRuleTargetList, DeleteEventRuleTargets.

A target is where a rule's notifications go: a contact group, a URL callback (webhook), a Message Service
queue or topic, a Function Compute function, or a Log Service logstore. Targets are upserted by their
caller-chosen Id, unique within a rule across types (an Id given again with another type moves over).
A rule takes at most `PER_TYPE_LIMIT` targets of each type, counting those it already has. Contact groups
and Log Service projects / logstores must exist in the world; webhooks take http(s) URLs only (the SDK
also documents the protocols telnet and ping, which the emulator does not emulate). Deleting Ids a rule
does not have succeeds. API callback targets (`OpenApiParameters`) are not emulated.

A put is all or nothing: a target refused refuses the call (`Success: false`) and nothing is written, so a
successful answer lists no failed targets - `FailedParameterCount` "0" and the empty lists
`FailedContactParameters`, `FailedMnsParameters`, `FailedFcParameters` of the SDK's answer model (which has
no such list for webhooks or Log Service targets).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import urlsplit

from ecsops.emulator import world
from ecsops.emulator.cms import models
from ecsops.emulator.cms.errors import failure, invalid
from ecsops.emulator.cms.product import PRODUCT, answer, listing
from ecsops.emulator.cms.rules import find_rule, listed
from ecsops.emulator.service import Context

PER_TYPE_LIMIT = 5
CONTACT_LEVELS = ("2", "3", "4")
WEBHOOK_PROTOCOLS = ("http", "https")
WEBHOOK_METHODS = ("GET", "POST")


@dataclass(frozen=True)
class Kind:
    """One type of target: its wire names, how it is checked, and where its deliveries go."""

    type: str  # as deliveries record it
    parameter: str  # the request's list and the answer's wrapper: ContactParameters
    element: str  # the answer's element: ContactParameter
    check: Callable[[sqlite3.Connection, str, dict[str, Any]], dict[str, str]]
    destination: Callable[[dict[str, str], str], str]  # (target, user id) -> address, for the record


def _required(where: str, raw: dict[str, Any], *names: str) -> dict[str, str]:
    values = {}
    for name in names:
        value = raw.get(name)
        if not isinstance(value, str) or not value:
            raise invalid(f"{where}.{name}", "is required")
        values[name] = value
    return values


def _region(tx: sqlite3.Connection, where: str, raw: dict[str, Any]) -> str:
    region = _required(where, raw, "Region")["Region"]
    if region not in world.regions(tx):
        raise invalid(f"{where}.Region", f"unknown region {region!r}")
    return region


def _contact(tx: sqlite3.Connection, where: str, raw: dict[str, Any]) -> dict[str, str]:
    target = _required(where, raw, "Id", "ContactGroupName")
    if not models.contact_group_exists(tx, target["ContactGroupName"]):
        raise failure("ResourceNotFound", kind="contact group", name=target["ContactGroupName"])
    level = raw.get("Level") or ""
    if level and level not in CONTACT_LEVELS:
        raise invalid(f"{where}.Level", f"{level!r} is not one of {', '.join(CONTACT_LEVELS)}")
    return {**target, "Level": level}


def _webhook(tx: sqlite3.Connection, where: str, raw: dict[str, Any]) -> dict[str, str]:
    target = _required(where, raw, "Id", "Url")
    url = urlsplit(target["Url"])
    if url.scheme not in ("http", "https") or not url.hostname:
        raise invalid(f"{where}.Url", f"{target['Url']!r} is not an http or https URL")
    protocol = str(raw.get("Protocol") or "http").lower()
    if protocol not in WEBHOOK_PROTOCOLS:
        raise invalid(f"{where}.Protocol", f"{protocol!r} is not emulated: use {' or '.join(WEBHOOK_PROTOCOLS)}")
    method = str(raw.get("Method") or "POST").upper()
    if method not in WEBHOOK_METHODS:
        raise invalid(f"{where}.Method", f"{method!r} is not GET or POST")
    return {**target, "Protocol": protocol, "Method": method}


def _mns(tx: sqlite3.Connection, where: str, raw: dict[str, Any]) -> dict[str, str]:
    target = {**_required(where, raw, "Id"), "Region": _region(tx, where, raw)}
    queue, topic = raw.get("Queue") or "", raw.get("Topic") or ""
    if not queue and not topic:
        raise invalid(f"{where}.Queue", "give a Queue or a Topic")
    return {**target, "Queue": queue, "Topic": topic}


def _fc(tx: sqlite3.Connection, where: str, raw: dict[str, Any]) -> dict[str, str]:
    return {**_required(where, raw, "Id", "ServiceName", "FunctionName"), "Region": _region(tx, where, raw)}


def _sls(tx: sqlite3.Connection, where: str, raw: dict[str, Any]) -> dict[str, str]:
    target = {**_required(where, raw, "Id", "Project", "LogStore"), "Region": _region(tx, where, raw)}
    if not models.log_project_exists(tx, target["Project"], target["Region"]):
        raise failure("ResourceNotFound", kind=f"Log Service project in {target['Region']}", name=target["Project"])
    if not models.logstore_exists(tx, target["Project"], target["LogStore"]):
        raise failure("ResourceNotFound", kind=f"logstore of {target['Project']}", name=target["LogStore"])
    return target


def _mns_arn(target: dict[str, str], user_id: str) -> str:
    path = f"/queues/{target['Queue']}" if target["Queue"] else f"/topics/{target['Topic']}"
    return f"acs:mns:{target['Region']}:{user_id}:{path}/messages"


KINDS = (
    Kind("contact", "ContactParameters", "ContactParameter", _contact, lambda t, _: t["ContactGroupName"]),
    Kind("webhook", "WebhookParameters", "WebhookParameter", _webhook, lambda t, _: t["Url"]),
    Kind("mns", "MnsParameters", "MnsParameter", _mns, _mns_arn),
    Kind("fc", "FcParameters", "FCParameter", _fc,
         lambda t, user: f"acs:fc:{t['Region']}:{user}:services/{t['ServiceName']}/functions/{t['FunctionName']}"),
    Kind("sls", "SlsParameters", "SlsParameter", _sls,
         lambda t, user: f"acs:log:{t['Region']}:{user}:project/{t['Project']}/logstore/{t['LogStore']}"),
)
KIND_OF = {kind.type: kind for kind in KINDS}
#: PutEventRuleTargets' lists of targets that failed (wrapper -> element), as its answer model has them.
FAILED_LISTS = {"FailedContactParameters": "ContactParameter", "FailedMnsParameters": "MnsParameter",
                "FailedFcParameters": "FcParameter"}


def targets_of(tx: sqlite3.Connection, rule_seq: int) -> list[tuple[Kind, dict[str, str]]]:
    """The rule's targets, in the order they were first put."""
    return [(KIND_OF[stored.type], stored.config) for stored in models.targets_of_rule(tx, rule_seq)]


@PRODUCT.operation("PutEventRuleTargets", writes=True, masked=("WebhookParameters",))  # URLs carry tokens
def put_event_rule_targets(ctx: Context) -> dict[str, Any]:
    rule = find_rule(ctx, ctx.params.text("RuleName", required=True))
    if ctx.params.has("OpenApiParameters"):
        raise invalid("OpenApiParameters", "API callback targets are not emulated")
    incoming = [(kind, kind.check(ctx.tx, f"{kind.parameter}.{index}", raw))
                for kind in KINDS for index, raw in enumerate(ctx.params.objects(kind.parameter), start=1)]
    if not incoming:
        raise invalid("Parameters", f"give at least one target: {', '.join(kind.parameter for kind in KINDS)}")
    ids = [target["Id"] for _, target in incoming]
    if len(set(ids)) < len(ids):
        raise invalid("Id", "each target Id may be given once")
    for kind, target in incoming:
        models.upsert_target(ctx.tx, rule.seq, kind.type, target)
    for kind in KINDS:
        count = models.count_targets(ctx.tx, rule.seq, kind.type)
        if count > PER_TYPE_LIMIT:
            raise failure("LimitExceeded", rule=rule.name, count=count, kind=kind.type, limit=PER_TYPE_LIMIT)
    return answer(FailedParameterCount="0", **{wrapper: {element: []} for wrapper, element in FAILED_LISTS.items()})


@PRODUCT.operation("DescribeEventRuleTargetList", writes=False)
def describe_event_rule_target_list(ctx: Context) -> dict[str, Any]:
    rule = find_rule(ctx, ctx.params.text("RuleName", required=True))
    user_id = world.account(ctx.tx)["userId"]
    lists: dict[str, Any] = {kind.parameter: {kind.element: []} for kind in KINDS}
    for kind, target in targets_of(ctx.tx, rule.seq):
        view = {**target, "Arn": kind.destination(target, user_id)} if kind.type in ("mns", "fc", "sls") else target
        lists[kind.parameter][kind.element].append(view)
    return listing(**lists, OpenApiParameters={"OpenApiParameters": []})


@PRODUCT.operation("DeleteEventRuleTargets", writes=True)
def delete_event_rule_targets(ctx: Context) -> dict[str, Any]:
    rule = find_rule(ctx, ctx.params.text("RuleName", required=True))
    models.delete_targets(ctx.tx, rule.seq, listed(ctx, "Ids"))
    return answer()
