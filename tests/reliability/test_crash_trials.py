"""Crash safety: `ecsops apply` killed with SIGKILL at random moments — mid-create, mid-update, mid-replace,
mid-delete, with calls in flight on several workers — always recovers with the next apply to exactly the
declared objects: nothing duplicated, nothing orphaned, nothing lost.

Trials alternate between two versions of a 40-resource stack of all six kinds (B drops, changes and
replaces parts of A), so every kind of step gets interrupted. The moment is drawn from a seeded generator
as a count, not a time: the emulator lets the first N writes of the apply through and holds the next ones
(N below the number of resources the plan changes, so the hold always lands inside the apply), either
before the held call does anything or after its change is committed and before the reply — and the
apply is killed while its calls are held. The same seed gives the same trials on any machine.
"""

from __future__ import annotations

import copy
import random
import signal
import time
from collections import Counter
from typing import Any

import pytest
import yaml

from bench.fleet import mix, stack_document, world_document
from ecsops.engine.state import StateStore
from tests.support.cli import ecsops, running
from tests.support.inventory import mismatches, sdk_cloud

TRIALS = 20
SEED = 20261121
SIZE = 40
KIND_OF = {"command": "ecsops:Command", "invocation": "ecsops:ScheduledInvocation",
           "event": "ecsops:EventAlertRule", "license": "ecsops:LicenseTask"}


def version_b(a: dict[str, Any]) -> dict[str, Any]:
    """A changed in every way apply can act: deletes, in-place updates, replaces (and the replaces they
    cascade to through references), settings changed and a rule dropped."""
    b = copy.deepcopy(a)
    resources = b["resources"]
    for name in ("cmd-00014", "cmd-00015", "run-00014", "rule-2"):
        del resources[name]
    for index in range(3):
        resources[f"cmd-{index:05d}"]["properties"]["content"] += " # v2"          # replace (and its runs)
        resources[f"cmd-{index + 3:05d}"]["properties"]["timeout"] = 300          # in place
    resources["maint-00000"]["properties"]["action"] = "Stop"
    resources["license-00"]["properties"]["limit"] = 128
    resources["delivery-0"]["properties"]["oss"]["prefix"] = "audit-v2"
    resources["run-00005"]["properties"]["frequency"] = "rate(12h)"                # a task cannot change: replace
    return b


def declared_counts(document: dict[str, Any]) -> Counter[str]:
    return Counter(entry["type"] for entry in document["resources"].values())


@pytest.mark.slow
def test_applies_killed_at_random_moments_always_recover_to_exactly_the_declared_objects(
        tmp_path, emulator, admin) -> None:
    counts = mix(SIZE)
    assert all(counts.values())
    admin.world(world_document(counts))
    versions = [stack_document("crash", counts)]
    versions.append(version_b(versions[0]))
    stack = tmp_path / "stack.yaml"
    cloud = sdk_cloud(emulator.endpoint)
    draw = random.Random(SEED)
    for trial in range(TRIALS):
        document = versions[trial % 2]
        stack.write_text(yaml.safe_dump(document, sort_keys=False))
        summary = ecsops("plan", "--json", stack, "--endpoint", emulator.endpoint).json()["summary"]
        changing = sum(count for action, count in summary.items() if action != "no-op")
        assert changing > 1, f"trial {trial}: nothing to interrupt"
        admin.faults(holdWrites=True, holdAfter=draw.randrange(changing), holdPhase=draw.choice(["before", "after"]))
        with running("apply", "--yes", stack, "--endpoint", emulator.endpoint) as process:
            deadline = time.monotonic() + 60
            while admin.holding() == 0:
                assert process.poll() is None, f"trial {trial}: the apply ended before its write was held"
                assert time.monotonic() < deadline, f"trial {trial}: no write was held"
                time.sleep(0.02)
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
        admin.clear_faults()

        recovery = ecsops("apply", "--yes", stack, "--endpoint", emulator.endpoint)
        assert recovery.code == 0, f"trial {trial}: {recovery.err[-2000:]}"
        plan = ecsops("plan", "--detailed-exitcode", stack, "--endpoint", emulator.endpoint)
        assert plan.code == 0, f"trial {trial}: the plan after recovery has changes:\n{plan.out[-2000:]}"
        state = StateStore(tmp_path, "crash").load()
        assert sorted(state.resources) == sorted(document["resources"]), f"trial {trial}"
        assert mismatches(cloud, state, declared_counts(document)) == {}, f"trial {trial}"
