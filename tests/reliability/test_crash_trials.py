"""Crash safety: `ecsops apply` killed with SIGKILL at random moments — mid-create, mid-update, mid-replace,
mid-delete, with calls in flight on several workers — always recovers with the next apply to exactly the
declared objects: nothing duplicated, nothing orphaned, nothing lost.

Trials alternate between two versions of a 40-resource stack of all six kinds (B drops, changes and
replaces parts of A), so every kind of step gets interrupted. The moment is drawn from a seeded generator
within the apply's run, after its first write reached the emulator.
"""

from __future__ import annotations

import copy
import random
import signal
import time
from collections import Counter
from typing import Any

import yaml

from bench.fleet import mix, stack_document, world_document
from ecsops.engine.state import StateStore
from tests.support.cli import ecsops, running
from tests.support.inventory import mismatches, sdk_cloud

TRIALS = 20
SEED = 20261121
SIZE = 40
LATENCY_MS = 25   # stretches an apply to about a second, so a random moment lands inside it
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
    interrupted = seen = 0
    for trial in range(TRIALS):
        document = versions[trial % 2]
        stack.write_text(yaml.safe_dump(document, sort_keys=False))
        admin.faults(latencyMs=LATENCY_MS)
        last = max((entry["seq"] for entry in admin.requests(since=seen)), default=seen)
        seen = last
        with running("apply", "--yes", stack, "--endpoint", emulator.endpoint) as process:
            deadline = time.monotonic() + 30
            while (not admin.requests(since=last, kind="write") and process.poll() is None
                   and time.monotonic() < deadline):
                time.sleep(0.02)
            time.sleep(draw.uniform(0, 0.8))
            interrupted += process.poll() is None
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
    assert interrupted >= TRIALS * 3 // 4, f"only {interrupted} of {TRIALS} kills landed inside an apply"
