"""Fleet drift: a folder of 20 stacks of mixed kinds, applied, then drifted in every way a night can find it —
edited and deleted in the console, edited in the repository and not applied, objects made by hand — and
one run of `ecsops drift FOLDER` reports each correctly, in every format, with the exit code the causes
call for; shards cover every stack once and their merged report is the whole run's."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from bench.fleet import mix, partition, stack_document, world_document
from ecsops.emulator.server import EmulatorServer
from tests.support.cli import ecsops
from tests.support.emulator import Admin, ecs_client, models

STACKS = 20
TEAMS = ("payments", "search", "platform")
CONSOLE_EDITED = "fleet-003"      # a command's timeout changed in the console
CONSOLE_DELETED = "fleet-007"     # a command deleted in the console
EDITED_IN_GIT = "fleet-010"       # a command's content changed in the file, not applied
GROWN_IN_GIT = "fleet-012"        # a resource added to the file, not applied


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorServer]:
    """An emulator of the module's own: the fleet is applied once and read by every test."""
    running = EmulatorServer(tmp_path_factory.mktemp("fleet-emulator") / "emulator.db").start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def fleet(server: EmulatorServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The fleet, applied, then drifted: returns its folder, endpoint and what was done to which stack."""
    counts = mix(STACKS * 10)
    Admin(server.endpoint).world(world_document(counts))
    root = tmp_path_factory.mktemp("fleet") / "stacks"
    paths: dict[str, Path] = {}
    for index, document in enumerate(partition(stack_document("whole", counts), STACKS)):
        folder = root / TEAMS[index % len(TEAMS)]
        folder.mkdir(parents=True, exist_ok=True)
        paths[document["name"]] = folder / f"{document['name']}.yaml"
        paths[document["name"]].write_text(yaml.safe_dump(document, sort_keys=False))
        applied = ecsops("apply", "--yes", paths[document["name"]], "--endpoint", server.endpoint)
        assert applied.code == 0, applied.err
    (root / "notes.yaml").write_text("owner: sre\n")   # YAML that is not a stack: passed over
    drifted = _drift_it(server.endpoint, paths, root)
    return {"root": root, "endpoint": server.endpoint, "paths": paths, **drifted}


def _drift_it(endpoint: str, paths: dict[str, Path], root: Path) -> dict[str, Any]:
    client = ecs_client(endpoint)
    edited = _first_command(paths[CONSOLE_EDITED], endpoint)
    client.modify_command(models.ModifyCommandRequest(region_id="cn-hangzhou", command_id=edited, timeout=999))
    deleted = _first_command(paths[CONSOLE_DELETED], endpoint)
    client.delete_command(models.DeleteCommandRequest(region_id="cn-hangzhou", command_id=deleted))
    document = yaml.safe_load(paths[EDITED_IN_GIT].read_text())
    name = next(n for n, r in document["resources"].items() if r["type"] == "ecsops:Command")
    document["resources"][name]["properties"]["content"] += "\necho edited in git"
    paths[EDITED_IN_GIT].write_text(yaml.safe_dump(document, sort_keys=False))
    document = yaml.safe_load(paths[GROWN_IN_GIT].read_text())
    document["resources"]["added"] = {"type": "ecsops:Command", "properties": {
        "name": "added-in-git", "type": "RunShellScript", "content": "echo new"}}
    paths[GROWN_IN_GIT].write_text(yaml.safe_dump(document, sort_keys=False))
    console = {}
    for name in ("console-debug", "scratch-1", "scratch-2"):
        made = client.create_command(models.CreateCommandRequest(
            region_id="cn-hangzhou", name=name, type="RunShellScript", command_content="ZWNobyBoaQ=="))
        console[name] = made.body.command_id
    (root / ".ecsopsignore").write_text("# throwaway commands people make by hand\necsops:Command/*/scratch-*\n"
                                        "!ecsops:Command/*/scratch-2\n")
    return {"edited": edited, "deleted": deleted, "console": console}


def _first_command(path: Path, endpoint: str) -> str:
    listed = ecsops("state", "list", path, "--json", "--endpoint", endpoint).json()
    return next(entry["id"] for entry in listed if entry["type"] == "ecsops:Command")


def drift(fleet: dict[str, Any], *options: str | Path) -> Any:
    return ecsops("drift", fleet["root"], *options, "--endpoint", fleet["endpoint"])


def by_stack(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["stack"]: entry for entry in report["stacks"]}


# -- one run, every stack ------------------------------------------------------------------------------


def test_one_run_reports_every_stack_with_its_cause(fleet) -> None:
    result = drift(fleet, "--json")
    report = result.json()
    assert result.code == 2 and report["exit_code"] == 2
    stacks = by_stack(report)
    assert len(stacks) == STACKS and report["summary"]["stacks"] == STACKS  # notes.yaml is not a stack
    assert (stacks[CONSOLE_EDITED]["outside"], stacks[CONSOLE_EDITED]["unapplied"]) == (True, False)
    assert (stacks[CONSOLE_DELETED]["outside"], stacks[CONSOLE_DELETED]["unapplied"]) == (True, False)
    assert (stacks[EDITED_IN_GIT]["outside"], stacks[EDITED_IN_GIT]["unapplied"]) == (False, True)
    assert (stacks[GROWN_IN_GIT]["outside"], stacks[GROWN_IN_GIT]["unapplied"]) == (False, True)
    drifted = {name for name, entry in stacks.items() if entry["status"] == "drifted"}
    assert drifted == {CONSOLE_EDITED, CONSOLE_DELETED, EDITED_IN_GIT, GROWN_IN_GIT}
    assert report["summary"]["in_sync"] == STACKS - 4 and report["summary"]["drifted"] == 4

    edited = {r["id"]: r for r in stacks[CONSOLE_EDITED]["report"]["resources"]}[fleet["edited"]]
    assert edited["causes"] == ["outside"] and edited["action"] == "drifted"
    assert [(c["field"], c["old"], c["new"], c["causes"]) for c in edited["changes"]] == [
        ("timeout", 999, 120, ["outside"])]
    deleted = {r["id"]: r for r in stacks[CONSOLE_DELETED]["report"]["resources"]}[fleet["deleted"]]
    assert deleted["action"] == "missing" and deleted["causes"] == ["outside"]
    added = {r["name"]: r for r in stacks[GROWN_IN_GIT]["report"]["resources"]}["added"]
    assert added["action"] == "not-applied" and added["causes"] == ["unapplied"]


@pytest.mark.parametrize(("fail_on", "code"), [
    pytest.param("any", 2, id="any-drift-fails"),
    pytest.param("outside", 0, id="unapplied-changes-pass-when-only-outside-fails"),
    pytest.param("unapplied", 2, id="unapplied-changes-fail"),
])
def test_fail_on_chooses_which_cause_fails_the_run(fleet, fail_on, code) -> None:
    chosen = [fleet["paths"][name] for name in (EDITED_IN_GIT, GROWN_IN_GIT, "fleet-001")]
    result = ecsops("drift", *chosen, "--fail-on", fail_on, "--json", "--endpoint", fleet["endpoint"])
    assert result.code == code, result.err
    assert result.json()["summary"]["unapplied"] == 2 and result.json()["summary"]["outside"] == 0


def test_a_broken_stack_fails_the_run_and_the_others_still_report(fleet, tmp_path) -> None:
    broken = fleet["root"] / "broken"
    broken.mkdir()
    (broken / "broken.yaml").write_text("name: broken\nregion: cn-hangzhou\nresources:\n"
                                        "  x: {type: ecsops:Comand, properties: {}}\n")
    try:
        result = drift(fleet, "--json")
    finally:
        shutil.rmtree(broken)
    stacks = by_stack(result.json())
    assert result.code == 1 and stacks["broken"]["status"] == "error"
    problem = stacks["broken"]["errors"][0]
    assert problem["line"] == 4 and "did you mean 'ecsops:Command'" in problem["message"]
    assert len(stacks) == STACKS + 1 and stacks[CONSOLE_EDITED]["status"] == "drifted"
    assert sum(entry["status"] == "in-sync" for entry in stacks.values()) == STACKS - 4


# -- unmanaged objects -----------------------------------------------------------------------------------


def test_unmanaged_lists_what_no_stack_manages_minus_the_ignored(fleet) -> None:
    result = drift(fleet, "--unmanaged", "--json")
    report = result.json()
    commands = {item["name"]: item for item in report["unmanaged"] if item["type"] == "ecsops:Command"}
    # scratch-1 is ignored by a rule; scratch-2 is kept by the `!` rule after it
    assert set(commands) == {"console-debug", "scratch-2"} and report["ignored"] == 1
    debug = commands["console-debug"]
    assert debug["id"] == fleet["console"]["console-debug"] and debug["region"] == "cn-hangzhou"
    assert debug["import"].startswith(f"ecsops import STACK console-debug {debug['id']}")
    managed = {resource["id"] for entry in report["stacks"] for resource in entry["report"]["resources"]}
    assert not managed & {item["id"] for item in report["unmanaged"]}
    assert result.code == 2 and report["summary"]["unmanaged"] == len(report["unmanaged"])


# -- formats -----------------------------------------------------------------------------------------------


def test_text_has_a_table_of_every_stack_then_the_details(fleet) -> None:
    result = drift(fleet, "--unmanaged")
    assert result.code == 2
    for name in fleet["paths"]:
        assert name in result.out
    assert result.out.index(CONSOLE_EDITED) < result.out.index("timeout")  # the table first, then details
    assert "console-debug" in result.out and "ecsops import" in result.out


def test_junit_has_a_case_per_resource_and_a_failure_per_drifted_one(fleet) -> None:
    result = drift(fleet, "--format", "junit")
    suites = ElementTree.fromstring(result.out)
    assert result.code == 2 and len(suites.findall("testsuite")) == STACKS
    cases = suites.findall(".//testcase")
    assert len(cases) == STACKS * 10 + 1  # every resource, the one added in git included
    failures = {case.get("classname", "") + " " + case.get("name", ""): case.find("failure") for case in cases
                if case.find("failure") is not None}
    assert len(failures) == 4
    assert sorted(failure.get("type") for failure in failures.values()) == [
        "outside", "outside", "unapplied", "unapplied"]


def test_markdown_has_the_summary_and_the_drifted_stacks(fleet) -> None:
    result = drift(fleet, "--format", "markdown", "--unmanaged")
    assert result.code == 2 and len(result.out) < 65_536
    for name in (CONSOLE_EDITED, CONSOLE_DELETED, EDITED_IN_GIT, GROWN_IN_GIT, "console-debug"):
        assert name in result.out


# -- shards ------------------------------------------------------------------------------------------------


def test_shards_cover_every_stack_once_and_merge_into_the_whole_run(fleet, tmp_path) -> None:
    whole = drift(fleet, "--unmanaged", "--json").json()
    reports = []
    for index in (1, 2, 3):
        report = tmp_path / f"drift-{index}.json"
        shard = drift(fleet, "--unmanaged", "--shard", f"{index}/3", "--report", report, "--format", "junit")
        assert shard.code in (0, 2) and report.is_file()
        reports.append(report)
    shards = [json.loads(report.read_text()) for report in reports]
    names = [entry["stack"] for shard in shards for entry in shard["stacks"]]
    assert sorted(names) == sorted(by_stack(whole)) and all(shard["stacks"] for shard in shards)
    merged = ecsops("report", "merge", *reports, "--json")
    combined = merged.json()
    assert merged.code == whole["exit_code"] == 2
    assert combined["summary"] == whole["summary"]
    assert {e["stack"]: e["status"] for e in combined["stacks"]} == {e["stack"]: e["status"] for e in whole["stacks"]}
    assert sorted(item["id"] for item in combined["unmanaged"]) == sorted(item["id"] for item in whole["unmanaged"])
    assert [shard["shards"] for shard in shards] == [[{"index": i, "count": 3}] for i in (1, 2, 3)]


# -- reads shared ---------------------------------------------------------------------------------------


def test_one_run_reads_less_than_a_run_per_stack(fleet) -> None:
    admin = Admin(fleet["endpoint"])
    start = _last_call(admin)
    assert drift(fleet, "--json").code == 2
    fleet_calls = len(admin.requests(since=start))
    start = _last_call(admin)
    for path in fleet["paths"].values():
        ecsops("drift", path, "--json", "--endpoint", fleet["endpoint"])
    one_by_one = len(admin.requests(since=start))
    assert fleet_calls * 2 < one_by_one, (fleet_calls, one_by_one)


def _last_call(admin: Admin) -> int:
    listed = admin.requests()
    return listed[-1]["seq"] if listed else 0
