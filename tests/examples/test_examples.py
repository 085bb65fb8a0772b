"""Every example runs: YAML stacks as `make demo` runs them, Pulumi programs through a real provider server;
all on the embedded emulator, their default backend with no endpoint and no credentials."""

from __future__ import annotations

import json
import re
import runpy
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.support.cli import running
from tests.support.pulumi_engine import ProviderServer, Registration, registrations
from tests.support.worlds import commands_in, invocations_in, rules_in

EXAMPLES = ROOT / "examples"


def resolved(output):
    from pulumi.runtime.sync_await import _sync_await

    return _sync_await(output.future())


def run(*argv, cwd, env=None) -> tuple[int, str, str]:
    with running(*argv, cwd=cwd, env=env) as process:
        out, err = process.communicate(timeout=120)
    return process.returncode, out, err


def copy(example: str, tmp_path: Path) -> Path:
    return shutil.copytree(EXAMPLES / example, tmp_path / example, ignore=shutil.ignore_patterns(".ecsops"))


def apply_then_plan(directory: Path) -> str:
    code, out, err = run("apply", "--yes", "stack.yaml", cwd=directory)
    assert code == 0, err
    assert "embedded emulator over" in out
    code, again, _ = run("plan", "--detailed-exitcode", "stack.yaml", cwd=directory)
    assert code == 0 and "No changes" in again
    return out


def run_program(project: Path) -> tuple[list[Registration], dict[str, object]]:
    """Runs `project/__main__.py` with every resource created through a provider server (no endpoint)."""
    server = ProviderServer(project)
    try:
        server.configure({"ecsops:region": "cn-hangzhou"})

        def create(registration: Registration) -> tuple[str, dict]:
            checked, failures = server.check(registration.type, registration.name, {}, registration.inputs)
            assert failures == []
            return server.create(registration.type, registration.name, checked)

        program: dict[str, object] = {}
        registered = registrations(lambda: program.update(runpy.run_path(str(project / "__main__.py"))),
                                   forward=create)
    finally:
        server.stop()
    return registered, program


def test_quickstart_stack(tmp_path) -> None:
    directory = copy("quickstart", tmp_path)
    assert "Apply complete: 2 created, 0 updated, 0 replaced, 0 deleted in " in apply_then_plan(directory)
    commands = commands_in(directory / ".ecsops" / "emulator.db")
    assert set(commands) == {"disk-check", "uptime"}
    assert commands["disk-check"].parameter_names.parameter_name == ["mount"]


def test_quickstart_pulumi_program(tmp_path) -> None:
    project = copy("pulumi-quickstart", tmp_path)
    registered, program = run_program(project)
    assert sorted(r.name for r in registered) == ["disk-check", "uptime"]
    commands = commands_in(project / ".ecsops" / "emulator.db")
    assert commands["disk-check"].tags.tag[0].tag_key == "team"
    assert resolved(program["disk_check"].command_id) == commands["disk-check"].command_id
    assert resolved(program["disk_check"].parameter_names) == ["mount"]
    assert resolved(program["uptime"].timeout) == 30


def test_nightly_disk_check_stack(tmp_path) -> None:
    directory = copy("nightly-disk-check", tmp_path)
    out = apply_then_plan(directory)
    assert "nextRuns (after apply)" in out and "placeholder-not-a-secret" not in out   # a secret config value
    [task] = invocations_in(directory / ".ecsops" / "emulator.db")
    assert (task.frequency, task.invocation_status) == ("0 0 2 * * ? Asia/Shanghai", "Scheduled")
    assert sorted(i.instance_id for i in task.invoke_instances.invoke_instance) == ["i-demo-linux-1", "i-demo-linux-2"]
    assert json.loads(task.parameters)["token"] == "placeholder-not-a-secret"
    state = (directory / ".ecsops" / "nightly-disk-check.state.json").read_text()
    assert "placeholder-not-a-secret" not in state and "scrypt:" in state


def test_no_example_commits_a_secret() -> None:
    """Every `{secret: ...}` in a YAML example is read from where it lives, never written in the file."""
    written = [f"{path.relative_to(EXAMPLES)}: {line.strip()}" for path in sorted(EXAMPLES.rglob("*.y*ml"))
               for line in path.read_text().splitlines()
               if re.search(r"\{secret: (?!\{(env|file): )", line.split("#", 1)[0])]
    assert written == []


def test_environments_stack_dev_and_prod_keep_their_own_objects_and_states(tmp_path) -> None:
    directory = copy("environments", tmp_path)
    code, out, err = run("plan", "stack.yaml", cwd=directory)
    assert code == 1 and "config value 'prefix' has no value" in err   # meant to be run with an environment
    code, out, err = run("apply", "--yes", "--env", "dev", "stack.yaml", cwd=directory)
    assert code == 0, err
    assert "Outputs:" in out and "checked = [\"i-demo-linux-1\"]" in out
    token = "prod-token-from-the-ci-secret-store"
    code, out, err = run("apply", "--yes", "--env", "prod", "stack.yaml", cwd=directory,
                         env={"FLEET_CHECKS_TOKEN": token})
    assert code == 0, err
    assert token not in out + err
    for environment in ("dev", "prod"):
        code, again, _ = run("plan", "--detailed-exitcode", "--env", environment, "stack.yaml", cwd=directory,
                             env={"FLEET_CHECKS_TOKEN": token})
        assert code == 0 and "No changes" in again
    database = directory / ".ecsops" / "emulator.db"
    commands = commands_in(database)
    assert (commands["dev-disk-check"].timeout, commands["prod-disk-check"].timeout) == (60, 120)
    tasks = {task.command_id: task for task in invocations_in(database)}
    prod_task = tasks[commands["prod-disk-check"].command_id]
    assert (prod_task.frequency, json.loads(prod_task.parameters)) == ("0 30 3 * * ? Asia/Shanghai", {"token": token})
    states = {path.name: path.read_text() for path in (directory / ".ecsops").glob("*.state.json")}
    assert sorted(states) == ["fleet-checks.dev.state.json", "fleet-checks.prod.state.json"]
    assert all(token not in text for text in states.values())
    code, out, _ = run("output", "--env", "prod", "stack.yaml", "commandId", cwd=directory)
    assert (code, out) == (0, commands["prod-disk-check"].command_id + "\n")


def test_nightly_disk_check_pulumi_program(tmp_path) -> None:
    project = copy("nightly-disk-check", tmp_path) / "pulumi"
    registered, program = run_program(project)
    assert sorted(r.type.rsplit(":", 1)[1] for r in registered) == ["Command", "ScheduledInvocation"]
    [task] = invocations_in(project / ".ecsops" / "emulator.db")
    assert resolved(program["nightly"].invoke_id) == task.invoke_id
    assert len(resolved(program["nightly"].next_runs)) == 3
    assert task.command_id == resolved(program["disk_check"].command_id)


def test_maintenance_alerts_stack(tmp_path) -> None:
    directory = copy("maintenance-alerts", tmp_path)
    assert "Apply complete: 2 created, 0 updated, 0 replaced, 0 deleted in " in apply_then_plan(directory)
    assert sorted(rules_in(directory / ".ecsops" / "emulator.db")) == ["critical-maintenance", "system-failures"]


def test_maintenance_alerts_pulumi_program(tmp_path) -> None:
    project = copy("maintenance-alerts", tmp_path) / "pulumi"
    registered, program = run_program(project)
    assert len(registered) == 2
    assert sorted(rules_in(project / ".ecsops" / "emulator.db")) == ["critical-maintenance", "system-failures"]
    assert resolved(program["failures"].targets)["mns"] == [
        {"id": "automation", "region": "cn-hangzhou", "queue": "ecs-failures"}]


MAINTENANCE_IDS = ["cn-hangzhou:i-demo-linux-1", "cn-hangzhou:i-demo-linux-2", "cn-hangzhou:i-demo-localdisk-1"]


def test_maintenance_policy_stack(tmp_path) -> None:
    directory = copy("maintenance-policy", tmp_path)
    assert "Apply complete: 6 created, 0 updated, 0 replaced, 0 deleted in " in apply_then_plan(directory)
    state = (directory / ".ecsops" / "maintenance-policy.state.json").read_text()
    assert all(id_ in state for id_ in MAINTENANCE_IDS) and "cn-hangzhou:InvocationDelivery" in state


def test_maintenance_policy_pulumi_program(tmp_path) -> None:
    project = copy("maintenance-policy", tmp_path) / "pulumi"
    registered, program = run_program(project)
    assert len(registered) == 6
    assert sorted(resolved(output) for output in (program["web"].settings_id, program["batch"].settings_id,
                                                  program["cache"].settings_id)) == MAINTENANCE_IDS
    assert resolved(program["audit"].log_service)["logstore"] == "cloud-assistant"


def test_license_compliance_stack(tmp_path) -> None:
    directory = copy("license-compliance", tmp_path)
    assert "Apply complete: 2 created, 0 updated, 0 replaced, 0 deleted in " in apply_then_plan(directory)
    state = json.loads((directory / ".ecsops" / "license-compliance.state.json").read_text())["resources"]
    assert (state["windows-server"]["outputs"]["consumed"], state["sql-server-2017"]["outputs"]["trackedCount"]) == (
        4, 1)  # i-demo-windows-1: 4 vCPUs, SQL Server 2017


def test_license_compliance_pulumi_program(tmp_path) -> None:
    project = copy("license-compliance", tmp_path) / "pulumi"
    _, program = run_program(project)
    assert resolved(program["windows"].consumed) == 4 and resolved(program["sql"].tracked_count) == 1


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir()))
def test_every_example_is_tested_here(example) -> None:
    tested = {"quickstart", "pulumi-quickstart", "nightly-disk-check", "maintenance-alerts", "maintenance-policy",
              "license-compliance", "ci", "environments"}
    assert example in tested, f"examples/{example} has no test in tests/examples"


PROGRAMS = sorted(path.parent for path in EXAMPLES.rglob("Pulumi.yaml"))


@pytest.mark.parametrize("program", PROGRAMS, ids=[str(p.relative_to(EXAMPLES)) for p in PROGRAMS])
def test_every_pulumi_program_names_what_it_needs(program: Path) -> None:
    """`pulumi install` in the program's folder installs ecsops from this repository, pinned by its lock, and
    the Pulumi SDK ecsops pins (requirements are read relative to the folder pip runs in)."""
    tomllib = pytest.importorskip("tomllib")

    lines = [line.strip() for line in (program / "requirements.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    constraints = [line.split(None, 1)[1] for line in lines if line.startswith("-c ")]
    assert [(program / path).resolve() for path in constraints] == [ROOT / "constraints.txt"]
    [local] = [line for line in lines if line.startswith(".")]
    project = tomllib.loads(((program / local).resolve() / "pyproject.toml").read_text())["project"]
    assert project["name"] == "ecsops"
    pinned = [dependency for dependency in project["dependencies"] if dependency.startswith("pulumi")]
    assert [line for line in lines if line.startswith("pulumi")] == pinned
