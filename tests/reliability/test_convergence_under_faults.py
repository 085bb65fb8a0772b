"""A 300-resource stack of all six kinds, applied while a fifth of the calls fail — throttled, 5xx, or
committed with the reply lost — converges by re-running apply, never by hand: afterwards a plan shows no
changes, drift finds nothing, and the emulator holds exactly the declared objects."""

from __future__ import annotations

from collections import Counter

import pytest
import yaml

from bench.fleet import mix, stack_document, world_document
from ecsops.engine.state import StateStore
from tests.support.cli import ecsops
from tests.support.inventory import mismatches, sdk_cloud

SIZE = 300
MAX_RUNS = 8
FAULTS = {"seed": 7, "throttleRate": 0.07, "errorRate": 0.07, "dropRate": 0.06, "retryAfterMs": 20}
KIND_OF = {"command": "ecsops:Command", "invocation": "ecsops:ScheduledInvocation",
           "event": "ecsops:EventAlertRule", "license": "ecsops:LicenseTask"}


@pytest.mark.slow
def test_a_fleet_applied_under_faults_converges_to_exactly_the_declared_objects(tmp_path, emulator, admin) -> None:
    counts = mix(SIZE)
    assert sum(counts.values()) == SIZE and all(counts.values())
    admin.world(world_document(counts))
    stack = tmp_path / "stack.yaml"
    stack.write_text(yaml.safe_dump(stack_document("fleet", counts), sort_keys=False))
    admin.faults(**FAULTS)

    runs = []
    for _ in range(MAX_RUNS):
        run = ecsops("apply", "--yes", stack, "--endpoint", emulator.endpoint)
        runs.append(run)
        if run.code == 0:
            break
        assert "Traceback" not in run.err, run.err
    assert runs[-1].code == 0, f"not converged after {MAX_RUNS} applies:\n{runs[-1].err[-3000:]}"
    injected = admin.injected()
    faults = injected.get("throttle", 0) + injected.get("error", 0) + injected.get("drop", 0)
    assert all(injected.get(kind, 0) > 0 for kind in ("throttle", "error", "drop")), injected
    assert faults >= 0.15 * sum(injected.values()), injected

    admin.clear_faults()
    assert ecsops("plan", "--detailed-exitcode", stack, "--endpoint", emulator.endpoint).code == 0
    assert ecsops("drift", stack, "--endpoint", emulator.endpoint).code == 0
    state = StateStore(tmp_path, "fleet").load()
    assert len(state.resources) == SIZE
    declared = Counter({KIND_OF[key]: count for key, count in counts.items() if key in KIND_OF})
    assert mismatches(sdk_cloud(emulator.endpoint), state, declared) == {}
