"""`ecsops plan PATH...`: what apply would do to every stack of a folder, in one run and one report."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from tests.support.emulator import Admin

COMMAND = ("  {name}: {{type: ecsops:Command, properties: {{name: {name}, type: RunShellScript, "
           "content: '{content}'}}}}\n")


def write(folder: Path, name: str, content: str = "uptime") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(f"name: {name}\nregion: cn-hangzhou\nresources:\n" + COMMAND.format(name=name, content=content))
    return path


@pytest.fixture
def folder(cli, tmp_path) -> Path:
    """Twelve applied stacks; then one edited (a replace: a command's content), one new, never applied."""
    stacks = tmp_path / "stacks"
    for index in range(12):
        assert cli("apply", "--yes", write(stacks / f"team-{index % 3}", f"s{index:02d}")).code == 0
    write(stacks / "team-0", "s00", content="df -h")
    write(stacks / "team-1", "fresh")
    return stacks


def test_one_run_plans_every_stack(cli, folder) -> None:
    result = cli("plan", folder, "--json")
    report = result.json()
    statuses = {entry["stack"]: entry["status"] for entry in report["stacks"]}
    assert result.code == 0 and report["command"] == "plan" and len(statuses) == 13
    assert {name for name, status in statuses.items() if status == "changes"} == {"s00", "fresh"}
    plans = {entry["stack"]: entry["report"] for entry in report["stacks"]}
    assert plans["s00"]["summary"]["replace"] == 1 and plans["fresh"]["summary"]["create"] == 1
    assert report["summary"]["changes"] == 2 and report["summary"]["no_changes"] == 11


def test_detailed_exitcode_exits_2_on_changes_anywhere(cli, folder) -> None:
    assert cli("plan", folder, "--detailed-exitcode").code == 2
    assert cli("plan", folder / "team-2", "--detailed-exitcode").code == 0  # only unchanged stacks there


def test_junit_fails_each_resource_that_changes_with_its_action(cli, folder) -> None:
    result = cli("plan", folder, "--format", "junit", "--detailed-exitcode")
    suites = ElementTree.fromstring(result.out)
    failures = sorted(failure.get("type") for failure in suites.iter("failure"))
    assert result.code == 2 and failures == ["create", "replace"] and len(list(suites.iter("testcase"))) == 13


def test_junit_skips_changes_when_they_do_not_fail_the_run(cli, folder) -> None:
    result = cli("plan", folder, "--format", "junit")
    suites = ElementTree.fromstring(result.out)
    assert result.code == 0 and list(suites.iter("failure")) == [] and len(list(suites.iter("skipped"))) == 2


def test_a_saved_plan_is_of_one_stack(cli, folder, tmp_path) -> None:
    result = cli("plan", folder, "--out", tmp_path / "all.plan")
    assert result.code == 1 and result.err.strip() == ("error: --out saves the plan of one stack file: give one stack "
                                                       "file, not a folder, a glob or several files")
    assert not (tmp_path / "all.plan").exists()


def test_one_run_reads_less_than_a_run_per_stack(cli, folder, emulator) -> None:
    admin = Admin(emulator.endpoint)
    admin.call("DELETE", "requests")
    assert cli("plan", folder).code == 0
    together = len(admin.requests())
    admin.call("DELETE", "requests")
    for path in sorted(folder.rglob("*.yaml")):
        assert cli("plan", path).code == 0
    assert together < len(admin.requests()) / 3, (together, len(admin.requests()))
