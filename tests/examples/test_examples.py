"""Every example runs: the YAML quickstart as `make demo` runs it, the Pulumi program through a real
provider server; both on the embedded emulator, their default backend with no endpoint and no credentials."""

from __future__ import annotations

import runpy
import shutil

import pytest

from tests.conftest import ROOT
from tests.support.cli import ecsops_process
from tests.support.pulumi_engine import ProviderServer, Registration, registrations
from tests.support.worlds import commands_in


def resolved(output):
    from pulumi.runtime.sync_await import _sync_await

    return _sync_await(output.future())


def run(*argv, cwd) -> tuple[int, str, str]:
    process = ecsops_process(*argv, cwd=cwd)
    out, err = process.communicate(timeout=120)
    return process.returncode, out, err


@pytest.fixture
def quickstart(tmp_path):
    return shutil.copytree(ROOT / "examples" / "quickstart", tmp_path / "quickstart",
                           ignore=shutil.ignore_patterns(".ecsops"))


def test_the_quickstart_stack_applies_on_the_embedded_emulator_and_then_plans_no_changes(quickstart) -> None:
    code, out, err = run("apply", "--yes", "stack.yaml", cwd=quickstart)
    assert code == 0, err
    assert "embedded emulator over" in out and "Apply complete: 2 changed." in out
    code, out, _ = run("plan", "--detailed-exitcode", "stack.yaml", cwd=quickstart)
    assert code == 0 and "No changes" in out
    commands = commands_in(quickstart / ".ecsops" / "emulator.db")
    assert set(commands) == {"disk-check", "uptime"}
    assert commands["disk-check"].parameter_names.parameter_name == ["mount"]


def test_the_pulumi_quickstart_program_runs_through_the_provider(tmp_path) -> None:
    project = shutil.copytree(ROOT / "examples" / "pulumi-quickstart", tmp_path / "project")
    server = ProviderServer(project)
    try:
        server.configure({"ecsops:region": "cn-hangzhou"})  # no endpoint: the embedded emulator

        def create(registration: Registration) -> tuple[str, dict]:
            checked, failures = server.check(registration.type, registration.name, {}, registration.inputs)
            assert failures == []
            return server.create(registration.type, registration.name, checked)

        program: dict[str, object] = {}
        registered = registrations(lambda: program.update(runpy.run_path(str(project / "__main__.py"))),
                                   forward=create)
    finally:
        server.stop()
    assert sorted((r.type, r.name) for r in registered) == [("pulumi-python:dynamic/ecsops:Command", "disk-check"),
                                                             ("pulumi-python:dynamic/ecsops:Command", "uptime")]
    commands = commands_in(project / ".ecsops" / "emulator.db")
    assert set(commands) == {"disk-check", "uptime"}
    assert commands["disk-check"].tags.tag[0].tag_key == "team"
    # The program's outputs resolve to what the provider created.
    assert resolved(program["disk_check"].command_id) == commands["disk-check"].command_id
    assert resolved(program["disk_check"].parameter_names) == ["mount"]
    assert resolved(program["uptime"].timeout) == 30
