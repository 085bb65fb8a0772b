"""Batched reads answer exactly what reads one by one answer, in far fewer calls; a shared listing serves
several readers and never reports an object newer than itself as gone."""

from __future__ import annotations

import pytest

from ecsops.cloud.backend import Backend, KeyPair
from ecsops.cloud.client import Cloud
from ecsops.engine.listing import ListingCache
from ecsops.engine.validate import validate
from ecsops.resources import command, delivery_settings, event_alert_rule, license_task, maintenance_attributes
from ecsops.resources import scheduled_invocation

COUNT = 12


@pytest.fixture
def cloud(emulator, admin):
    admin.world({"quotas": {"max-axt-command-count": 500},
                 "instances": [{"id": f"i-batch-{n}", "region": "cn-hangzhou"} for n in range(COUNT)]})
    return Cloud(Backend("endpoint", "cn-hangzhou", endpoint=emulator.endpoint,
                         keys=KeyPair("ecsops-local", "ecsops-local-secret")))


def make(cloud, kind, values: dict) -> str:
    spec = validate(kind, values).spec
    assert spec is not None
    return kind.lifecycle.create(cloud, spec, token=f"t-{hash(str(values)) & 0xffffffff}").id


def population(cloud, name: str) -> tuple[object, dict[str, dict]]:
    """COUNT objects of one kind, made through its lifecycle; -> (kind, {id: prior values})."""
    if name == "command":
        kind = command.KIND
        values = [{"name": f"c{n}", "type": "RunShellScript", "content": f"echo {n}"} for n in range(COUNT)]
    elif name == "invocation":
        kind = scheduled_invocation.KIND
        target = make(cloud, command.KIND, {"name": "t", "type": "RunShellScript", "content": "echo"})
        values = [{"commandId": target, "instanceIds": [f"i-batch-{n}"], "frequency": "rate(5m)"}
                  for n in range(COUNT)]
    elif name == "rule":
        kind = event_alert_rule.KIND
        values = [{"name": f"rule-{n}", "eventPattern": {"eventTypes": ["Maintenance"], "statuses": ["Executed"]},
                   "targets": {"contacts": [{"group": "ops-oncall"}]}} for n in range(COUNT)]
    elif name == "maintenance":
        kind = maintenance_attributes.KIND
        values = [{"instanceIds": [f"i-batch-{n}"], "action": "Stop"} for n in range(COUNT)]
    elif name == "delivery":
        kind = delivery_settings.KIND
        values = [{"region": region, "settingType": kind_} for region in ("cn-hangzhou", "cn-beijing")
                  for kind_ in ("InvocationDelivery", "SessionManagerDelivery")]
    else:
        kind = license_task.KIND
        values = [{"name": f"task-{n}", "description": "some task", "licenseType": "Instance", "limit": 1,
                   "discoveryRules": [{"product": "Windows Server"}]} for n in range(COUNT)]
    made = {make(cloud, kind, item): validate(kind, item).declared for item in values}
    return kind, made


KINDS = ["command", "invocation", "rule", "maintenance", "delivery", "license"]


@pytest.mark.parametrize("name", KINDS)
def test_read_many_answers_as_reads_one_by_one(cloud, name) -> None:
    kind, made = population(cloud, name)
    priors = {**made, "gone-id": None} if name in ("command", "invocation", "rule", "license") else made
    before = cloud.stats["calls"]
    batched = kind.lifecycle.read_many(cloud, priors)
    batched_calls = cloud.stats["calls"] - before
    singly = {id_: kind.lifecycle.read(cloud, id_, prior=prior) for id_, prior in priors.items()}
    assert batched == singly
    assert batched.get("gone-id", None) is None
    if name != "rule":  # the targets of a rule are listed one rule at a time by the API
        assert batched_calls <= 3 < len(made)


def test_a_shared_listing_serves_many_readers(cloud) -> None:
    kind, made = population(cloud, "command")
    cache = ListingCache(ttl_s=60)
    before = cloud.stats["calls"]
    for id_, prior in made.items():
        assert kind.lifecycle.read_many(cloud, {id_: prior}, cache=cache)[id_] is not None
    assert cloud.stats["calls"] - before == 1


def test_an_object_newer_than_a_shared_listing_is_read_alone(cloud) -> None:
    kind, made = population(cloud, "command")
    cache = ListingCache(ttl_s=60)
    kind.lifecycle.read_many(cloud, made, cache=cache)
    newer = make(cloud, kind, {"name": "newer", "type": "RunShellScript", "content": "echo new"})
    assert kind.lifecycle.read_many(cloud, {newer: None}, cache=cache)[newer].id == newer


def state_of(kind, made: dict[str, dict], prefix: str, count: int):
    from ecsops.engine.state import ResourceState, StackState

    state = StackState(stack="s")
    for index, (id_, values) in enumerate(list(made.items())[:count]):
        state.resources[f"{prefix}{index}"] = ResourceState(kind.type_name, id_, values, {})
    return state


@pytest.mark.parametrize("name, count, calls", [
    pytest.param("maintenance", 2, 1, id="two-sets-asked-by-id-in-one-call"),
    pytest.param("license", 2, 1, id="two-tasks-asked-by-id-in-one-call"),
    pytest.param("command", 2, 2, id="two-commands-read-alone-rather-than-listing-the-region"),
    pytest.param("command", 12, 1, id="twelve-commands-in-one-listing-page"),
])
def test_observe_batches_as_soon_as_it_is_cheaper(cloud, name, count, calls) -> None:
    from ecsops.engine.observe import observe

    kind, made = population(cloud, name)
    state = state_of(kind, made, name, count)
    before = cloud.stats["calls"]
    seen = observe(state, cloud)
    assert cloud.stats["calls"] - before == calls
    assert sorted(observed.id for observed in seen.values()) == sorted(list(made)[:count])
    before = cloud.stats["calls"]
    assert observe(state, cloud, batch=False) == seen
    assert cloud.stats["calls"] - before == count
