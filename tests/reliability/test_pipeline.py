"""The pipeline, played end to end: three working folders stand for three fresh CI runners (a pull-request job,
a merge job, a nightly job) sharing one state on OSS (the emulator's, through the official SDK).

- the PR runner plans with `--out`; a console edit lands (through the SDK); the merge runner's `apply PLAN` is
  refused naming the command; a new plan, applied, converges; the nightly drift finds nothing;
- two runners applying at once: the second fails at once naming the holder;
- a runner SIGKILLed mid-apply whose folder is then deleted: another runner breaks the dead lock on purpose
  and its apply finishes the interrupted creates from the intents in the remote state — no duplicate.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from collections import Counter

import pytest

from tests.support.cli import ecsops, running, wait_until
from tests.support.emulator import REGION, models

STACK = """\
name: web
region: cn-hangzhou
resources:
  disk-check:
    type: ecsops:Command
    properties:
      name: disk-check
      type: RunShellScript
      content: df -h
      timeout: {timeout}
{extra}"""
EXTRA = "".join(f"  probe-{n}: {{type: ecsops:Command, properties: {{name: probe-{n}, type: RunShellScript, "
                f"content: 'echo {n}'}}}}\n" for n in range(6))


@pytest.fixture
def bucket(state_bucket) -> str:
    return state_bucket


@pytest.fixture
def runners(tmp_path, emulator, bucket, monkeypatch):
    """Three clones of the repository; every job's environment names the backend and the shared state."""
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv("ECSOPS_BACKEND", "emulator")
    monkeypatch.setenv("ECSOPS_ENDPOINT", emulator.endpoint)
    monkeypatch.setenv("ECSOPS_STATE", f"oss://{bucket}/stacks")
    folders = {}
    for job in ("pr", "merge", "nightly"):
        folder = tmp_path / job
        (folder / ".git").mkdir(parents=True)
        folders[job] = folder
    return folders


def commit(runners, *, timeout: int, extra: str = "") -> None:
    """The same commit checked out on every runner."""
    for folder in runners.values():
        (folder / "web.yaml").write_text(STACK.format(timeout=timeout, extra=extra))


def in_folder(folder, *argv):
    """`ecsops ARGV` run from `folder`, as a CI job runs from its checkout."""
    previous = os.getcwd()
    os.chdir(folder)
    try:
        return ecsops(*argv)
    finally:
        os.chdir(previous)


def commands_named(ecs) -> Counter:
    answer = ecs.describe_commands(models.DescribeCommandsRequest(region_id=REGION, max_results=50)).body
    return Counter(command.name for command in answer.commands.command)


def test_reviewed_plans_console_edits_and_nightly_drift(runners, ecs, admin) -> None:
    commit(runners, timeout=120)
    assert in_folder(runners["merge"], "apply", "--yes", "web.yaml").code == 0
    commit(runners, timeout=300)
    reviewed = in_folder(runners["pr"], "plan", "web.yaml", "--out", "web.plan")
    assert reviewed.code == 0 and "timeout: 120 -> 300" in reviewed.out
    shutil.copy(runners["pr"] / "web.plan", runners["merge"] / "web.plan")  # the job's artifact

    [command] = ecs.describe_commands(models.DescribeCommandsRequest(region_id=REGION, name="disk-check")).body \
        .commands.command
    ecs.modify_command(models.ModifyCommandRequest(region_id=REGION, command_id=command.command_id,
                                                   description="hotfix from the console"))
    refused = in_folder(runners["merge"], "apply", "web.plan")
    assert refused.code == 1
    assert 'error: resource "disk-check": changed in the cloud since the plan was made (description)' in refused.err

    again = in_folder(runners["pr"], "plan", "web.yaml", "--out", "web.plan")
    assert again.code == 0 and "hotfix from the console" in again.out  # the reviewer now sees the revert too
    shutil.copy(runners["pr"] / "web.plan", runners["merge"] / "web.plan")
    applied = in_folder(runners["merge"], "apply", "web.plan")
    assert applied.code == 0, applied.err
    nightly = in_folder(runners["nightly"], "drift", "web.yaml")
    assert nightly.code == 0, nightly.out
    assert commands_named(ecs)["disk-check"] == 1
    for folder in runners.values():
        assert not (folder / ".ecsops").exists()  # no runner kept state (or an emulator) on its disk


def test_two_runners_applying_at_once_the_second_fails_naming_the_holder(runners, admin) -> None:
    commit(runners, timeout=120, extra=EXTRA)
    admin.faults(holdWrites=True)
    try:
        with running("apply", "--yes", "web.yaml", cwd=runners["merge"]) as first:
            wait_until(lambda: admin.holding() > 0 or first.poll() is not None, "the first apply was held")
            assert first.poll() is None, first.communicate()
            second = in_folder(runners["pr"], "apply", "--yes", "web.yaml")
            assert second.code == 1
            assert "error: stack 'web' is locked by " in second.err
            assert f"(pid {first.pid}, `ecsops apply`" in second.err
            assert "ecsops state unlock web.yaml " in second.err
            admin.clear_faults()
            _, err = first.communicate(timeout=120)
        assert first.returncode == 0, err
    finally:
        admin.clear_faults()
    assert in_folder(runners["nightly"], "plan", "--detailed-exitcode", "web.yaml").code == 0


def test_a_runner_killed_mid_apply_whose_disk_is_lost_is_recovered_elsewhere_without_duplicates(
        runners, ecs, admin, bucket) -> None:
    commit(runners, timeout=120)
    assert in_folder(runners["merge"], "apply", "--yes", "web.yaml").code == 0
    commit(runners, timeout=120, extra=EXTRA)
    # Two creates go through; the third is made in the cloud but its answer never reaches the runner.
    admin.faults(holdWrites=True, holdAfter=2, holdPhase="after")
    try:
        with running("apply", "--yes", "--parallelism", "1", "web.yaml", cwd=runners["merge"]) as doomed:
            wait_until(lambda: admin.holding() > 0 or doomed.poll() is not None, "the apply was held mid-way")
            assert doomed.poll() is None, doomed.communicate()
            doomed.send_signal(signal.SIGKILL)
            doomed.wait(timeout=30)
    finally:
        admin.clear_faults()
    shutil.rmtree(runners["merge"])  # the runner is gone, and its disk with it

    blocked = in_folder(runners["pr"], "apply", "--yes", "web.yaml")
    assert blocked.code == 1 and "break its lock with `ecsops state unlock web.yaml " in blocked.err
    lock_id = blocked.err.split("ecsops state unlock web.yaml ")[1].split("`")[0]
    assert in_folder(runners["pr"], "state", "unlock", "web.yaml", lock_id).code == 0
    recovered = in_folder(runners["pr"], "apply", "--yes", "web.yaml")
    assert recovered.code == 0, recovered.err
    assert "(an interrupted create, recovered)" in recovered.out
    named = commands_named(ecs)
    assert all(named[f"probe-{n}"] == 1 for n in range(6)), named  # every declared object, none twice
    assert named["disk-check"] == 1
    listed = json.loads(in_folder(runners["nightly"], "state", "list", "--json", "web.yaml").out)
    assert sorted(entry["name"] for entry in listed) == ["disk-check", *(f"probe-{n}" for n in range(6))]
    assert in_folder(runners["nightly"], "drift", "web.yaml").code == 0


def test_a_cancelled_job_finishes_its_steps_in_flight_saves_and_releases_the_lock(runners, ecs, admin) -> None:
    """CI cancels a job with SIGTERM: the steps in flight end and are recorded, the lock is released — the next
    job needs no `state unlock` — and nothing is made twice."""
    commit(runners, timeout=120, extra=EXTRA)
    admin.faults(holdWrites=True, holdAfter=2)
    try:
        with running("apply", "--yes", "--parallelism", "2", "web.yaml", cwd=runners["merge"]) as cancelled:
            wait_until(lambda: admin.holding() > 0 or cancelled.poll() is not None, "the apply was held mid-way")
            assert cancelled.poll() is None, cancelled.communicate()
            cancelled.send_signal(signal.SIGTERM)
            time.sleep(0.2)  # the signal lands while the held steps still wait
            admin.clear_faults()
            _, err = cancelled.communicate(timeout=60)
        assert cancelled.returncode == 1 and "interrupted" in err
    finally:
        admin.clear_faults()
    finished = in_folder(runners["pr"], "apply", "--yes", "web.yaml")
    assert finished.code == 0, finished.err  # not locked
    named = commands_named(ecs)
    assert all(named[f"probe-{n}"] == 1 for n in range(6)) and named["disk-check"] == 1, named
