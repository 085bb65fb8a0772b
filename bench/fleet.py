"""A fleet's O&M settings as one stack of any size: the mixed stack the benchmarks and the reliability
tests apply (commands and their schedules, maintenance policies, delivery settings, event rules and
license tasks), with the emulator world it needs."""

from __future__ import annotations

import json
import re
from typing import Any

REGION = "cn-hangzhou"
LICENSE_TASKS_PER_REGION = 22   # the quota is 25 per region
EVENT_RULES = 3                 # each costs one target listing per read: no API lists many rules' targets


def mix(n: int) -> dict[str, int]:
    """How many resources of each kind a stack of `n` holds: mostly commands and their schedules (what a
    fleet has thousands of), a maintenance policy per ~14 resources, both delivery settings, a few event
    rules and license tasks. Commands and invocations fill whole pages so reads are easy to count."""
    fixed = {"delivery": 2, "event": EVENT_RULES, "license": min(LICENSE_TASKS_PER_REGION, n // 20)}
    maintenance = max(1, n * 73 // 1000)
    rest = n - maintenance - sum(fixed.values())
    return {"command": rest - rest // 2, "invocation": rest // 2, "maintenance": maintenance, **fixed}


def instances_for(counts: dict[str, int]) -> list[str]:
    return [f"i-bench-{index:05d}" for index in range(max(counts["maintenance"], 1))]


def stack_document(name: str, counts: dict[str, int]) -> dict[str, Any]:
    instances = instances_for(counts)
    resources: dict[str, Any] = {}
    for index in range(counts["command"]):
        resources[f"cmd-{index:05d}"] = {"type": "ecsops:Command", "properties": {
            "name": f"bench-{index:05d}", "type": "RunShellScript", "content": f"echo check {index} {{{{target}}}}",
            "enableParameter": True, "timeout": 120, "tags": {"team": "sre", "bench": "yes"}}}
    for index in range(counts["invocation"]):
        command = f"cmd-{index % max(counts['command'], 1):05d}"
        resources[f"run-{index:05d}"] = {"type": "ecsops:ScheduledInvocation", "properties": {
            "commandId": f"${{{command}.commandId}}", "instanceIds": [instances[index % len(instances)]],
            "frequency": "rate(1d)", "parameters": {"target": f"/data/{index}"}, "tags": {"team": "sre"}}}
    for index in range(counts["maintenance"]):
        resources[f"maint-{index:05d}"] = {"type": "ecsops:MaintenanceAttributes", "properties": {
            "instanceIds": [instances[index]], "action": ["AutoRecover", "Stop"][index % 2],
            "notify": True, "window": {"start": "02:00:00", "end": "05:00:00"}}}
    for index, setting_type in enumerate(["InvocationDelivery", "SessionManagerDelivery"][:counts["delivery"]]):
        resources[f"delivery-{index}"] = {"type": "ecsops:DeliverySettings", "properties": {
            "region": REGION, "settingType": setting_type,
            "oss": {"enabled": True, "bucket": "bench-records", "prefix": f"audit-{index}"}}}
    for index in range(counts["event"]):
        resources[f"rule-{index}"] = {"type": "ecsops:EventAlertRule", "properties": {
            "name": f"bench-rule-{index}", "eventPattern": {"eventTypes": ["Maintenance"], "levels": ["CRITICAL"]},
            "targets": {"contacts": [{"group": "ops-oncall", "level": 3}]}}}
    for index in range(counts["license"]):
        resources[f"license-{index:02d}"] = {"type": "ecsops:LicenseTask", "properties": {
            "name": f"bench-license-{index:02d}", "description": "bench", "licenseType": "vCPU", "limit": 64,
            "discoveryRules": [{"product": f"Product {index}"}]}}
    return {"name": name, "region": REGION, "resources": resources}


REFERENCE = re.compile(r"\$\{([A-Za-z][A-Za-z0-9_-]*)\.")   # ${name.attribute}: another resource's field


def partition(document: dict[str, Any], stacks: int, prefix: str = "fleet") -> list[dict[str, Any]]:
    """The resources of one stack `document` dealt into `stacks` stack documents of equal size, as a fleet of
    teams' stacks would hold the same objects: each named `<prefix>-NNN` (its own state), in the same region; a
    resource and every resource it references (or that references it) in the same stack — a scheduled
    invocation with its command; and the groups spread so each stack mixes the kinds (largest groups first,
    each into the stack with the most room left). Resources keep the document's order within a stack."""
    resources = document["resources"]
    if not stacks or len(resources) % stacks:
        raise ValueError(f"{len(resources)} resources do not make {stacks} stacks of equal size")
    size = len(resources) // stacks
    parent = {name: name for name in resources}

    def root(name: str) -> str:
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    for name, entry in resources.items():
        for target in REFERENCE.findall(json.dumps(entry)):
            if target in resources:  # not ${config.X}
                parent[root(name)] = root(target)
    groups: dict[str, list[str]] = {}
    for name in resources:
        groups.setdefault(root(name), []).append(name)
    members: list[list[str]] = [[] for _ in range(stacks)]
    for group in sorted(groups.values(), key=len, reverse=True):   # stable: document order among equals
        emptiest = max(range(stacks), key=lambda index: (size - len(members[index]), -index))
        if len(members[emptiest]) + len(group) > size:
            raise ValueError(f"cannot deal {len(resources)} resources into {stacks} stacks of {size}: "
                             f"a group of {len(group)} ({group[0]}, ...) fits in none")
        members[emptiest].extend(group)
    order = {name: index for index, name in enumerate(resources)}
    return [{"name": f"{prefix}-{index:03d}", "region": document["region"],
             "resources": {name: resources[name] for name in sorted(names, key=order.__getitem__)}}
            for index, names in enumerate(members)]


def world_document(counts: dict[str, int]) -> dict[str, Any]:
    return {
        "quotas": {"max-axt-command-count": counts["command"] + 100},
        "instances": [{"id": instance, "region": REGION} for instance in instances_for(counts)],
        "buckets": [{"name": "bench-records", "region": REGION}],
        "contactGroups": [{"name": "ops-oncall"}],
    }


