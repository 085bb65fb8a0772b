"""Discovery rules: which installed products a task looks for (the ECS guide 6.1-6.3), and AddLicenseDiscoveryRules.

A rule is a product name and an optional version (`""`: every version). Both compare exactly, case
included, with the products the world says an instance has installed. A task has 1 to `RULE_LIMIT` rules.

Rules are add-only, as in the console: there is no operation that changes or removes one (delete the task
and create another). A rule equal to one the task has, or given twice in one request, is
`DiscoveryRule.Duplicate`. Only equal rules are duplicates: a rule for every version of a product and
one for a single version of it may stand side by side (the second changes nothing that is discovered).

Guarantees: every rule of a request is checked before any is written, so a refused request adds none;
rules keep the order they were added in.
"""

from __future__ import annotations

import sqlite3
from typing import Any, Mapping

from ecsops.emulator.errors import COMMON
from ecsops.emulator.license import models
from ecsops.emulator.license.errors import CODES
from ecsops.emulator.license.models import Rule
from ecsops.emulator.license.product import PRODUCT, find_task, region
from ecsops.emulator.service import Context

RULE_LIMIT = 20
PRODUCT_LIMIT = 128
VERSION_LIMIT = 64


def requested(ctx: Context) -> list[Rule]:
    """The request's `DiscoveryRule.N.{Product, Version}`: at least one, each valid, none given twice."""
    entries = ctx.params.objects("DiscoveryRule")
    if not entries:
        raise COMMON.error("MissingParameter", name="DiscoveryRule.1.Product")
    rules = [_rule(number, entry) for number, entry in enumerate(entries, start=1)]
    for index, rule in enumerate(rules):
        if rule in rules[:index]:
            raise CODES.error("DiscoveryRule.Duplicate", rule=rule)
    return rules


def _rule(number: int, entry: Mapping[str, Any]) -> Rule:
    product = _field(number, entry, "Product", PRODUCT_LIMIT)
    if not product:
        raise COMMON.error("MissingParameter", name=f"DiscoveryRule.{number}.Product")
    return Rule(product, _field(number, entry, "Version", VERSION_LIMIT))


def _field(number: int, entry: Mapping[str, Any], name: str, limit: int) -> str:
    value = entry.get(name, "")
    wire_name = f"DiscoveryRule.{number}.{name}"
    if not isinstance(value, str):
        raise COMMON.error("InvalidParameter", name=wire_name, reason="expected a single value")
    if len(value) > limit:
        raise COMMON.error("InvalidParameter", name=wire_name, reason=f"longer than {limit} characters")
    return value


def add_rules(tx: sqlite3.Connection, task_id: str, new: list[Rule]) -> None:
    """Appends `new` (already free of duplicates among themselves) after the task's rules, or refuses all."""
    existing = models.rules_of(tx, task_id)
    for rule in new:
        if rule in existing:
            raise CODES.error("DiscoveryRule.Duplicate", rule=rule)
    if len(existing) + len(new) > RULE_LIMIT:
        raise CODES.error("DiscoveryRule.ExceedLimit", count=len(existing) + len(new), limit=RULE_LIMIT)
    models.append_rules(tx, task_id, new, first_position=len(existing))


@PRODUCT.operation("AddLicenseDiscoveryRules", writes=True)
def add_license_discovery_rules(ctx: Context) -> dict[str, Any]:
    task = find_task(ctx, region(ctx))
    add_rules(ctx.tx, task.id, requested(ctx))
    return {}
