"""The catch-up steps run in the order simulation.PHASES states — events, runs, deliveries — not in the order
their modules happen to be imported in (a fresh interpreter importing the delivery step first still runs it
last)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ecsops.emulator import simulation

ORDER = ["ecsops.emulator.events.lifecycle.advance_due", "ecsops.emulator.ecs.runs.run_due",
         "ecsops.emulator.ecs.record_delivery.deliver_finished_runs"]
PROBE = """
import importlib, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
from ecsops.emulator import simulation
print([f"{step.__module__}.{step.__name__}" for step in simulation.steps()])
"""


@pytest.mark.parametrize("imports", [
    pytest.param(["ecsops.emulator.app"], id="the-app"),
    pytest.param(["ecsops.emulator.ecs.record_delivery", "ecsops.emulator.ecs.runs", "ecsops.emulator.events"],
                 id="delivery-imported-first"),
])
def test_steps_run_phase_by_phase_whatever_the_import_order(imports) -> None:
    found = subprocess.run([sys.executable, "-c", PROBE, *imports], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == repr(ORDER)


def test_a_step_of_an_unknown_phase_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown catch-up phase 'later'"):
        simulation.step("later")
