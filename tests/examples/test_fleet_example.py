"""examples/ci/fleet and the nightly fleet pipelines: the example fleet is valid and checks out in sync on the
emulator, its .ecsopsignore leaves out what it says, and every `ecsops` command the GitHub Actions matrix and
the Kubernetes Indexed Job run is one the command line accepts — then played: shards, then the merge."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
import yaml

import ecsops.resources  # noqa: F401  (registers every kind)
from ecsops.cli.arguments import parser
from ecsops.engine.stack import load_stack
from tests.conftest import ROOT
from tests.support.cli import ecsops
from tests.support.emulator import ecs_client, models

FLEET = ROOT / "examples" / "ci" / "fleet"
PIPELINES = (ROOT / "examples" / "ci" / "github-actions-fleet.yml",
             ROOT / "examples" / "ci" / "kubernetes-drift-cronjob.yaml")
#: What the pipelines' shell leaves to be filled in, as a run fills it.
FILLED = {"${{ matrix.shard }}": "1", "$SHARDS": "4", "$shard": "1", "$FAIL_ON": "any", "$out": "/reports/x",
          '"${reports[@]}"': "drift-1.json drift-2.json", "$night": "/reports/x", "$GITHUB_STEP_SUMMARY": "summary.md"}


def stacks() -> list[Path]:
    return sorted(path for path in FLEET.rglob("*.yaml"))


@pytest.mark.parametrize("path", stacks(), ids=lambda path: str(path.relative_to(FLEET)))
def test_every_example_stack_is_valid(path) -> None:
    load_stack(path).require_valid()


def scripts(node) -> list[str]:
    """The shell a pipeline runs: GitHub Actions steps' `run`, Kubernetes containers' `args` after `bash -c`."""
    if isinstance(node, dict):
        found = [node["run"]] if isinstance(node.get("run"), str) else []
        if node.get("command") == ["bash", "-c"]:
            found.extend(arg for arg in node.get("args") or () if isinstance(arg, str))
        return found + [script for value in node.values() for script in scripts(value)]
    if isinstance(node, list):
        return [script for item in node for script in scripts(item)]
    return []


def ecsops_commands(path: Path) -> list[list[str]]:
    """Every `ecsops ...` command a pipeline's shell runs, continuation lines joined, variables filled in,
    redirections and `|| ...` dropped."""
    commands = []
    for document in yaml.safe_load_all(path.read_text()):
        for script in scripts(document):
            for line in script.replace("\\\n", " ").splitlines():
                found = re.search(r"(?:^|[\s(])(ecsops \S.*)$", line.strip())
                if not found or line.lstrip().startswith("#"):
                    continue
                command = re.split(r"\s(?:\|\||>>|>|\|)\s", found.group(1))[0]
                for name, value in FILLED.items():
                    command = command.replace(name, value)
                commands.append(shlex.split(command)[1:])
    return commands


@pytest.mark.parametrize("pipeline", PIPELINES, ids=lambda path: path.name)
def test_every_command_of_the_pipelines_is_accepted(pipeline) -> None:
    documents = list(yaml.safe_load_all(pipeline.read_text()))
    assert documents and all(isinstance(document, dict) for document in documents)
    commands = ecsops_commands(pipeline)
    assert any(argv[:1] == ["drift"] and "--shard" in argv for argv in commands)
    assert any(argv[:2] == ["report", "merge"] for argv in commands)
    for argv in commands:
        parser().parse_args(argv)  # SystemExit (argparse's error) fails the test, naming the option


def test_the_example_fleet_sharded_and_merged_finds_what_the_console_made(emulator, tmp_path) -> None:
    state = tmp_path / "state"
    common = ["--endpoint", emulator.endpoint, "--state", state]
    for path in stacks():
        assert ecsops("apply", "--yes", path, *common).code == 0, path
    client = ecs_client(emulator.endpoint)
    for name in ("scratch-debug", "hotfix-by-hand"):   # the first is ignored by the fleet's .ecsopsignore
        client.create_command(models.CreateCommandRequest(region_id="cn-hangzhou", name=name, type="RunShellScript",
                                                          command_content="dXB0aW1l"))
    reports = []
    for shard in (1, 2):
        report = tmp_path / f"drift-{shard}.json"
        result = ecsops("drift", FLEET, "--shard", f"{shard}/2", "--unmanaged", "--report", report, *common)
        assert result.code in (0, 2), result.err
        reports.append(report)
    merged = ecsops("report", "merge", *reports, "--json")
    report = merged.json()
    assert merged.code == 2 and report["summary"]["stacks"] == len(stacks()) == report["summary"]["in_sync"]
    assert [item["name"] for item in report["unmanaged"]] == ["hotfix-by-hand"]
    assert report["ignored"] >= 1 and {shard["index"] for shard in report["shards"]} == {1, 2}
    assert json.loads(reports[0].read_text())["report"] == "ecsops-fleet"
