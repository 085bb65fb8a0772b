"""The provider server runs the engine's calls on four worker threads: Create, Update and Read of many
resources of several kinds at once must give exactly what the same calls give one at a time — the same
outputs, one object per resource, nothing crossed between resources (shared SDK clients, shared listings)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

import pytest

from tests.pulumi.conftest import COMMAND, LICENSE, RULE, SCHEDULED
from tests.support.inventory import sdk_cloud
from tests.support.inventory import inventory

COUNT = 12
WORKERS = 4   # the server's pool (pulumi.dynamic)
INSTANCE = "i-demo-linux-1"
IDS = ("commandId", "invokeId", "licenseTaskId")


def run(provider, providers, prefix: str, workers: int) -> dict[str, Any]:
    """Creates, updates, then reads COUNT groups (command + its task, rule, license task); -> every answer,
    ids replaced by the group's name so two runs compare."""
    def each(job: Callable[[int], dict[str, Any]]) -> list[dict[str, Any]]:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(job, range(COUNT)))

    def create(index: int) -> dict[str, Any]:
        name = f"{prefix}{index}"
        made = {}
        command = {"__provider": providers[COMMAND], "name": name, "type": "RunShellScript",
                   "content": "echo {{what}}", "enableParameter": True, "tags": {"n": str(index)}}
        made["command"] = made_with(provider, COMMAND, name, command)
        task = {"__provider": providers[SCHEDULED], "commandId": made["command"][0], "instanceIds": [INSTANCE],
                "frequency": f"rate({index + 5}m)", "parameters": {"what": name}}
        made["task"] = made_with(provider, SCHEDULED, name, task)
        rule = {"__provider": providers[RULE], "name": name, "eventPattern": {"eventTypes": ["Maintenance"]},
                "targets": {"contacts": [{"group": "ops-oncall", "level": 3}]}}
        made["rule"] = made_with(provider, RULE, name, rule)
        task = {"__provider": providers[LICENSE], "name": name, "description": "per vCPU", "licenseType": "vCPU",
                "limit": index + 1, "discoveryRules": [{"product": f"P{index}"}]}
        made["license"] = made_with(provider, LICENSE, name, task)
        return made

    def update(index: int) -> dict[str, Any]:
        group = groups[index]
        changes = {"command": {"timeout": 300, "tags": {"n": str(index), "v": "2"}}, "task": {"tags": {"v": "2"}},
                   "rule": {"description": f"v2 {index}"}, "license": {"limit": index + 100}}
        answers = {}
        for part, type_ in (("command", COMMAND), ("task", SCHEDULED), ("rule", RULE), ("license", LICENSE)):
            id_, checked, outputs = group[part]
            news, _ = provider.check(type_, f"{prefix}{index}", checked, {**checked, **changes[part]})
            answers[part] = (id_, news, provider.update(type_, f"{prefix}{index}", id_, outputs, news))
        return answers

    def read(index: int) -> dict[str, Any]:
        group = updated[index]
        return {part: provider.read(type_, f"{prefix}{index}", group[part][0], group[part][2], group[part][1])[1]
                for part, type_ in (("command", COMMAND), ("task", SCHEDULED), ("rule", RULE), ("license", LICENSE))}

    groups = each(create)
    updated = each(update)
    reads = each(read)
    answers = {"created": [{part: made[2] for part, made in group.items()} for group in groups],
               "updated": [{part: made[2] for part, made in group.items()} for group in updated],
               "read": reads}
    return anonymised(answers, prefix)


def made_with(provider, type_: str, name: str, inputs: dict[str, Any]) -> tuple[str, dict, dict]:
    checked, failures = provider.check(type_, name, {}, inputs)
    assert failures == [], (name, failures)
    id_, outputs = provider.create(type_, name, checked)
    return id_, checked, outputs


def anonymised(value: Any, prefix: str) -> Any:
    """Ids and run times differ between runs by nature; the prefix of names by design."""
    if isinstance(value, dict):
        return {key: "<id>" if key in IDS or key == "nextRuns" else anonymised(item, prefix)
                for key, item in value.items() if key != "__provider"}
    if isinstance(value, list):
        return [anonymised(item, prefix) for item in value]
    if isinstance(value, str):
        return value.replace(prefix, "<name>")
    return value


@pytest.mark.slow
def test_four_threads_at_once_answer_exactly_as_one_at_a_time(provider, providers, emulator) -> None:
    serial = run(provider, providers, "serial-", 1)
    parallel = run(provider, providers, "parallel-", WORKERS)
    assert parallel == serial
    assert serial["read"][3]["command"]["timeout"] == 300 and serial["read"][3]["license"]["limit"] == 103
    held = inventory(sdk_cloud(emulator.endpoint))
    assert len(held["ecsops:Command"]) == len(set(held["ecsops:Command"])) == 2 * COUNT
    assert len(held["ecsops:ScheduledInvocation"]) == 2 * COUNT
    assert sorted(held["ecsops:EventAlertRule"]) == sorted(f"{p}{i}" for p in ("serial-", "parallel-")
                                                           for i in range(COUNT))
    assert len(held["ecsops:LicenseTask"]) == 2 * COUNT
