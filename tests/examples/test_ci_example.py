"""examples/ci: the worked pipelines run as written. Each job's `ecsops` lines are played in a fresh folder
(a runner's checkout), the plan file passed on as the job's artifact, against the emulator and a state on its
OSS — the workflows' own environment with only the backend's endpoint swapped (they name the real cloud)."""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT
from tests.support.cli import running

EXAMPLE = ROOT / "examples" / "ci"
#: Each CI system's jobs in the order a merged change meets them, and how to read a job's shell lines.
PIPELINES = {
    "github-actions.yml": (("plan", "apply", "drift"),
                           lambda document, job: [step["run"] for step in document["jobs"][job]["steps"]
                                                  if "run" in step]),
    "gitlab-ci.yml": (("plan", "apply", "drift"), lambda document, job: document[job]["script"]),
}


def ecsops_lines(document: dict[str, Any], job: str, lines) -> list[list[str]]:
    return [shlex.split(line)[1:] for line in lines(document, job) if line.startswith("ecsops ")]


def environment_of(name: str, document: dict[str, Any]) -> dict[str, str]:
    return dict(document["env"] if name.endswith("actions.yml") else document["variables"])


@pytest.fixture
def bucket(state_bucket) -> str:
    return state_bucket


@pytest.mark.parametrize("pipeline", sorted(PIPELINES))
def test_the_worked_pipeline_plans_applies_the_reviewed_plan_and_finds_no_drift(pipeline, tmp_path: Path, emulator,
                                                                                 bucket) -> None:
    document = yaml.safe_load((EXAMPLE / pipeline).read_text())
    declared = environment_of(pipeline, document)
    assert declared["ECSOPS_BACKEND"] == "cloud" and declared["ECSOPS_STATE"].startswith("oss://")
    environment = {"CI": "true", "ECSOPS_BACKEND": "emulator", "ECSOPS_ENDPOINT": emulator.endpoint,
                   "ECSOPS_STATE": f"oss://{bucket}/prod"}
    jobs, lines = PIPELINES[pipeline]
    artifact: Path | None = None
    for job in jobs:
        checkout = shutil.copytree(EXAMPLE, tmp_path / job, ignore=shutil.ignore_patterns(".ecsops"))
        (checkout / ".git").mkdir()
        if artifact is not None:
            shutil.copy(artifact, checkout / artifact.name)
        for argv in ecsops_lines(document, job, lines):
            with running(*argv, cwd=checkout, env=environment) as process:
                out, err = process.communicate(timeout=120)
            assert process.returncode == 0, f"{job}: ecsops {' '.join(argv)}\n{out}\n{err}"
            assert not (checkout / ".ecsops").exists()  # nothing kept on the runner
        for plan in checkout.glob("*.plan"):
            artifact = plan
    assert artifact is not None
