"""examples/ci: the worked pipelines run as written. Each job's `ecsops` lines are played in a fresh folder
(a runner's checkout), the plan file passed on as the job's artifact, against the emulator and a state on its
OSS — the workflows' own environment with only the backend's endpoint swapped (they name the real cloud). A line's
`> FILE` writes its output to FILE in the checkout, as the shell would (the pull request's comment)."""

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


def redirected(argv: list[str]) -> tuple[list[str], str | None]:
    """The arguments of a played line and the file its `> FILE` sends stdout to (None: none)."""
    if ">" not in argv:
        return argv, None
    at = argv.index(">")
    assert at == len(argv) - 2, f"only a final `> FILE` is played: {argv}"
    return argv[:at], argv[at + 1]


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
        for line in ecsops_lines(document, job, lines):
            argv, output = redirected(line)
            with running(*argv, cwd=checkout, env=environment) as process:
                out, err = process.communicate(timeout=120)
            assert process.returncode == 0, f"{job}: ecsops {' '.join(line)}\n{out}\n{err}"
            assert not (checkout / ".ecsops").exists()  # nothing kept on the runner
            if output is not None:
                (checkout / output).write_text(out)
        for plan in checkout.glob("*.plan"):
            artifact = plan
        if pipeline == "github-actions.yml" and job == "plan":
            comment_is_the_markdown_plan(checkout / "comment.md")
    assert artifact is not None


def comment_is_the_markdown_plan(comment: Path) -> None:
    """The pull request's comment: the plan of the stack's two new resources, as markdown."""
    text = comment.read_text()
    assert text.startswith("### ecsops plan: stack <code>web</code>\n")
    assert "**Plan:** 2 to create, 0 to update, 0 to replace, 0 to delete — on endpoint" in text
    assert "| `+` create | <code>disk-check</code> | <code>ecsops:Command</code> |" in text
    assert "| `+` create | <code>nightly</code> | <code>ecsops:ScheduledInvocation</code> |" in text
    assert text.count("<details>") == 2 and text.count("```diff") == 2
    assert "+ commandId: (known after apply)" in text and "+ content: \"df -h {{mount}}\\n\"" in text
    assert len(text) <= 65_536 and "left out" not in text


def test_the_github_plan_job_comments_its_markdown_plan_on_the_pull_request() -> None:
    plan = yaml.safe_load((EXAMPLE / "github-actions.yml").read_text())["jobs"]["plan"]
    runs = [step["run"] for step in plan["steps"] if "run" in step]
    assert any(run.startswith("ecsops plan ") and "--format markdown > comment.md" in run for run in runs)
    [post] = [step for step in plan["steps"] if "--body-file comment.md" in step.get("run", "")]
    assert post["run"].startswith("gh pr comment ") and post["if"] == "github.event_name == 'pull_request'"
    assert post["env"]["GH_TOKEN"] == "${{ github.token }}" and plan["permissions"]["pull-requests"] == "write"
