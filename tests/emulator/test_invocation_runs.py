"""The runs of invocations in the emulator, through the official SDK and a virtual clock: schedules,
rendering, the simulated execution, timeouts, failures of unreachable instances, stopping, restarts,
statuses over time, the retention horizon and record limit, and exactly-once runs across processes."""

from __future__ import annotations

import base64
import threading
from datetime import datetime

import pytest

from ecsops.emulator.ecs import runs
from ecsops.emulator.server import EmulatorServer
from tests.support.emulator import REGION, Admin, ecs_client, models

START = "2026-11-21T00:00:00Z"
LINUX = ["i-demo-linux-1", "i-demo-linux-2"]


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def create(ecs, content: str = "echo hi", **overrides) -> str:
    fields = dict(region_id=REGION, name="check", type="RunShellScript", command_content=b64(content))
    fields.update(overrides)
    return ecs.create_command(models.CreateCommandRequest(**fields)).body.command_id


def invoke(ecs, content: str = "echo hi", *, command: dict | None = None, **overrides) -> str:
    fields = dict(region_id=REGION, command_id=create(ecs, content, **(command or {})), instance_id=LINUX)
    fields.update(overrides)
    return ecs.invoke_command(models.InvokeCommandRequest(**fields)).body.invoke_id


def history(ecs, invoke_id: str, **filters) -> list:
    """Every run record of the task (all pages), newest first."""
    found, token = [], None
    while True:
        answer = ecs.describe_invocation_results(models.DescribeInvocationResultsRequest(
            region_id=REGION, invoke_id=invoke_id, include_history=True, max_results=50, next_token=token,
            content_encoding="PlainText", **filters)).body.invocation
        found += answer.invocation_results.invocation_result
        token = answer.next_token
        if not token:
            return found


def latest(ecs, invoke_id: str) -> dict:
    """The latest record per instance of the task."""
    answer = ecs.describe_invocation_results(models.DescribeInvocationResultsRequest(
        region_id=REGION, invoke_id=invoke_id, content_encoding="PlainText")).body.invocation
    return {record.instance_id: record for record in answer.invocation_results.invocation_result}


def task(ecs, invoke_id: str):
    [found] = ecs.describe_invocations(models.DescribeInvocationsRequest(
        region_id=REGION, invoke_id=invoke_id, include_output=True,
        content_encoding="PlainText")).body.invocations.invocation
    return found


def per_instance(ecs, invoke_id: str) -> dict:
    return {i.instance_id: i for i in task(ecs, invoke_id).invoke_instances.invoke_instance}


def stop(ecs, invoke_id: str, instance_id: list[str] | None = None) -> None:
    ecs.stop_invocation(models.StopInvocationRequest(region_id=REGION, invoke_id=invoke_id, instance_id=instance_id))


def count_by_instance(records) -> dict[str, int]:
    counts: dict[str, int] = {}
    for record in records:
        counts[record.instance_id] = counts.get(record.instance_id, 0) + 1
    return counts


@pytest.fixture
def clock(admin) -> Admin:
    admin.set_clock(START)
    return admin


# Schedules


def test_a_cron_task_runs_at_its_wall_clock_time_in_its_zone(ecs, clock) -> None:
    invoke_id = invoke(ecs, frequency="0 0 2 * * ? Asia/Shanghai")
    clock.advance("1d")
    records = history(ecs, invoke_id)
    assert sorted((r.instance_id, r.start_time) for r in records) == [
        ("i-demo-linux-1", "2026-11-21T18:00:00Z"), ("i-demo-linux-2", "2026-11-21T18:00:00Z")]


def test_a_rate_task_runs_one_interval_after_creation_at_a_fixed_cadence(ecs, clock) -> None:
    invoke_id = invoke(ecs, frequency="rate(5m)")
    clock.advance("1h")
    records = history(ecs, invoke_id)
    assert count_by_instance(records) == {"i-demo-linux-1": 12, "i-demo-linux-2": 12}
    starts = sorted({r.start_time for r in records})
    assert (starts[0], starts[-1]) == ("2026-11-21T00:05:00Z", "2026-11-21T01:00:00Z")
    assert sorted(r.repeats for r in records if r.instance_id == "i-demo-linux-1") == list(range(1, 13))


def test_advancing_in_small_steps_gives_the_same_runs_as_one_jump(ecs, clock) -> None:
    invoke_id = invoke(ecs, frequency="rate(5m)")
    for _ in range(12):
        clock.advance("299s")
    clock.advance("12s")
    assert count_by_instance(history(ecs, invoke_id)) == {"i-demo-linux-1": 12, "i-demo-linux-2": 12}


def test_an_at_task_runs_once_and_then_ends(ecs, clock) -> None:
    invoke_id = invoke(ecs, frequency="at(2026-11-21 09:30:00 Asia/Shanghai)")
    assert task(ecs, invoke_id).invocation_status == "Scheduled"
    clock.advance("1d")
    assert [r.start_time for r in history(ecs, invoke_id)] == ["2026-11-21T01:30:00Z"] * 2
    ended = task(ecs, invoke_id)
    assert (ended.invocation_status, ended.invoke_status, ended.timed) == ("Success", "Finished", False)


def test_a_once_task_runs_on_every_target_when_created(ecs, clock) -> None:
    invoke_id = invoke(ecs)
    assert {r.instance_id: r.start_time for r in history(ecs, invoke_id)} == dict.fromkeys(LINUX, START)


def test_legacy_timed_with_a_frequency_means_period(ecs, clock) -> None:
    invoke_id = invoke(ecs, timed=True, frequency="rate(1h)")
    assert task(ecs, invoke_id).repeat_mode == "Period"


# Unreachable instances


@pytest.mark.parametrize(
    ("instance_id", "error_code"),
    [
        pytest.param("i-demo-stopped-1", "InstanceNotRunning", id="stopped"),
        pytest.param("i-demo-noagent-1", "ClientNotRunning", id="no-agent"),
    ],
)
@pytest.mark.parametrize("frequency", [None, "rate(5m)"], ids=["once", "period"])
def test_runs_on_unreachable_instances_fail_with_the_reason(ecs, clock, instance_id, error_code, frequency) -> None:
    invoke_id = invoke(ecs, instance_id=[instance_id], frequency=frequency)
    clock.advance("5m")
    record = latest(ecs, invoke_id)[instance_id]
    assert (record.invocation_status, record.error_code, record.output) == ("Failed", error_code, "")
    assert record.error_info


def test_a_run_on_a_released_instance_fails_with_instance_not_exists(ecs, clock, emulator) -> None:
    invoke_id = invoke(ecs, instance_id=["i-demo-linux-1"], frequency="rate(5m)")
    with emulator.database.transaction() as tx:
        tx.execute("DELETE FROM instances WHERE id = 'i-demo-linux-1'")
    clock.advance("5m")
    record = latest(ecs, invoke_id)["i-demo-linux-1"]
    assert (record.invocation_status, record.error_code) == ("Failed", "InstanceNotExists")


# What a run does


def test_built_in_and_custom_parameters_are_rendered_in_the_output(ecs, clock) -> None:
    content = ("echo {{ACS::InstanceId}} {{ACS::InstanceName}} {{ACS::RegionId}} {{ACS::AccountId}}\n"
               "echo {{ACS::InvokeId}} {{ACS::CommandId}}\n"
               'echo "{{ Greeting }}, {{name}}!"\n'
               "echo {{oos:db-host}} {{oos-secret:db-password}}\n")
    invoke_id = invoke(ecs, content, command={"enable_parameter": True}, instance_id=["i-demo-linux-2"],
                       parameters={"greeting": "Hello", "NAME": "Jack"})
    command_id = task(ecs, invoke_id).command_id
    clock.advance("1m")
    assert latest(ecs, invoke_id)["i-demo-linux-2"].output == (
        f"i-demo-linux-2 demo-linux-2 {REGION} 1234567890123456\n"
        f"{invoke_id} {command_id}\n"
        "Hello, Jack!\n"
        "{{oos:db-host}} {{oos-secret:db-password}}\n")


def test_without_enable_parameter_placeholders_are_left_as_text(ecs, clock) -> None:
    invoke_id = invoke(ecs, "echo {{ACS::InstanceId}} {{name}}", instance_id=["i-demo-linux-1"])
    clock.advance("1m")
    assert latest(ecs, invoke_id)["i-demo-linux-1"].output == "{{ACS::InstanceId}} {{name}}\n"


@pytest.mark.parametrize(
    ("content", "command_type", "instance_id", "status", "exit_code", "error_code", "output"),
    [
        pytest.param("echo 'done'", "RunShellScript", "i-demo-linux-1", "Success", 0, "", "done\n", id="success"),
        pytest.param("echo fail\nexit 3", "RunShellScript", "i-demo-linux-1", "Failed", 3, "ExitCodeNonzero",
                     "fail\n", id="exit-3"),
        pytest.param("exit 0\necho never", "RunShellScript", "i-demo-linux-1", "Success", 0, "", "",
                     id="exit-ends-the-script"),
        pytest.param("echo off\nexit /b 5", "RunBatScript", "i-demo-windows-1", "Failed", 5, "ExitCodeNonzero",
                     "off\n", id="bat-exit-b-5"),
    ],
)
def test_the_exit_code_decides_success(ecs, clock, content, command_type, instance_id, status, exit_code,
                                       error_code, output) -> None:
    invoke_id = invoke(ecs, content, command={"type": command_type}, instance_id=[instance_id])
    clock.advance("1m")
    record = latest(ecs, invoke_id)[instance_id]
    assert (record.invocation_status, record.exit_code, record.error_code, record.output) == (
        status, exit_code, error_code, output)


def test_a_run_is_running_until_its_sleeps_are_over(ecs, clock) -> None:
    invoke_id = invoke(ecs, "echo start\nsleep 30\necho end", instance_id=["i-demo-linux-1"])
    clock.advance("10s")
    running = latest(ecs, invoke_id)["i-demo-linux-1"]
    assert (running.invocation_status, running.invoke_record_status, running.finished_time) == (
        "Running", "Running", "")
    assert (task(ecs, invoke_id).invocation_status, task(ecs, invoke_id).invoke_status) == ("Running", "Running")
    clock.advance("20s")
    done = latest(ecs, invoke_id)["i-demo-linux-1"]
    assert (done.invocation_status, done.finished_time, done.output) == (
        "Success", "2026-11-21T00:00:30Z", "start\nend\n")


@pytest.mark.parametrize(
    ("timeout", "sleep", "status", "finished"),
    [
        pytest.param(30, 100, "Timeout", "2026-11-21T00:00:30Z", id="sleep-beyond-timeout"),
        pytest.param(5, 12, "Timeout", "2026-11-21T00:00:10Z", id="timeout-raised-to-10s"),
        pytest.param(5, 9, "Success", "2026-11-21T00:00:09Z", id="within-the-raised-timeout"),
    ],
)
def test_a_run_beyond_its_timeout_is_cut_off(ecs, clock, timeout, sleep, status, finished) -> None:
    invoke_id = invoke(ecs, f"echo before\nsleep {sleep}\necho after", instance_id=["i-demo-linux-1"],
                       timeout=timeout)
    clock.advance("2m")
    record = latest(ecs, invoke_id)["i-demo-linux-1"]
    assert (record.invocation_status, record.finished_time) == (status, finished)
    if status == "Timeout":
        assert (record.error_code, record.exit_code, record.output) == ("ExecutionTimeout", -1, "before\n")


def test_output_beyond_24kb_is_truncated_and_counted_as_dropped(ecs, clock) -> None:
    invoke_id = invoke(ecs, "echo {{x}}\necho {{x}}\necho {{x}}", command={"enable_parameter": True},
                       instance_id=["i-demo-linux-1"], parameters={"x": "y" * 10_000})
    clock.advance("1m")
    record = latest(ecs, invoke_id)["i-demo-linux-1"]
    assert (len(record.output), record.dropped) == (24 * 1024, 3 * 10_001 - 24 * 1024)


# Statuses over time


@pytest.mark.parametrize(
    ("instances", "status", "legacy"),
    [
        pytest.param(LINUX, "Success", "Finished", id="all-succeed"),
        pytest.param(["i-demo-stopped-1", "i-demo-noagent-1"], "Failed", "Failed", id="all-fail"),
        pytest.param(["i-demo-linux-1", "i-demo-stopped-1"], "PartialFailed", "PartialFailed", id="some-fail"),
    ],
)
def test_the_overall_status_of_a_one_time_task(ecs, clock, instances, status, legacy) -> None:
    invoke_id = invoke(ecs, instance_id=instances)
    clock.advance("1m")
    found = task(ecs, invoke_id)
    assert (found.invocation_status, found.invoke_status) == (status, legacy)


def test_a_period_task_is_scheduled_between_runs_and_running_during_one(ecs, clock) -> None:
    invoke_id = invoke(ecs, "sleep 30", frequency="rate(5m)", instance_id=["i-demo-linux-1"])
    assert task(ecs, invoke_id).invocation_status == "Scheduled"
    clock.advance("310s")
    during = task(ecs, invoke_id)
    assert (during.invocation_status, during.invoke_instances.invoke_instance[0].invocation_status) == (
        "Running", "Running")
    clock.advance("30s")
    after = task(ecs, invoke_id)
    assert (after.invocation_status, after.invoke_status) == ("Scheduled", "Running")
    assert after.invoke_instances.invoke_instance[0].repeats == 1


def test_without_include_history_only_the_latest_record_per_instance_is_returned(ecs, clock) -> None:
    invoke_id = invoke(ecs, frequency="rate(5m)")
    clock.advance("30m")
    records = latest(ecs, invoke_id)
    assert {(i, r.repeats, r.start_time) for i, r in records.items()} == {
        ("i-demo-linux-1", 6, "2026-11-21T00:30:00Z"), ("i-demo-linux-2", 6, "2026-11-21T00:30:00Z")}


# Stopping


def test_a_stopped_task_runs_no_more(ecs, clock) -> None:
    invoke_id = invoke(ecs, frequency="rate(5m)")
    clock.advance("12m")
    stop(ecs, invoke_id)
    clock.advance("1h")
    assert count_by_instance(history(ecs, invoke_id)) == {"i-demo-linux-1": 2, "i-demo-linux-2": 2}
    stopped = task(ecs, invoke_id)
    assert (stopped.invocation_status, stopped.invoke_status, stopped.timed) == ("Stopped", "Stopped", False)
    assert {(i.invocation_status, i.stop_time) for i in stopped.invoke_instances.invoke_instance} == {
        ("Stopped", "2026-11-21T00:12:00Z")}
    stop(ecs, invoke_id)
    assert task(ecs, invoke_id).invoke_instances.invoke_instance[0].stop_time == "2026-11-21T00:12:00Z"


def test_stopping_one_instance_leaves_the_others_running(ecs, clock) -> None:
    invoke_id = invoke(ecs, frequency="rate(5m)")
    clock.advance("6m")
    stop(ecs, invoke_id, ["i-demo-linux-1"])
    clock.advance("1h")
    assert count_by_instance(history(ecs, invoke_id)) == {"i-demo-linux-1": 1, "i-demo-linux-2": 13}
    instances = per_instance(ecs, invoke_id)
    assert (instances["i-demo-linux-1"].invocation_status, instances["i-demo-linux-2"].invocation_status) == (
        "Stopped", "Scheduled")
    assert task(ecs, invoke_id).invocation_status == "Scheduled"


def test_a_run_in_progress_finishes_after_a_stop(ecs, clock) -> None:
    invoke_id = invoke(ecs, "sleep 30\necho done", instance_id=["i-demo-linux-1"])
    clock.advance("10s")
    stop(ecs, invoke_id)
    assert task(ecs, invoke_id).invocation_status == "Stopped"
    clock.advance("1m")
    record = latest(ecs, invoke_id)["i-demo-linux-1"]
    assert (record.invocation_status, record.output, record.stop_time) == ("Success", "done\n", "2026-11-21T00:00:10Z")


def test_stopping_a_finished_task_changes_nothing(ecs, clock) -> None:
    invoke_id = invoke(ecs)
    clock.advance("1m")
    stop(ecs, invoke_id)
    assert task(ecs, invoke_id).invocation_status == "Success"


# Restarts


def restart(emulator: EmulatorServer, instance_id: str, at: str) -> None:
    with emulator.database.transaction() as tx:
        runs.run_on_restart(tx, instance_id, datetime.fromisoformat(at.replace("Z", "+00:00")))


def test_reboot_tasks_wait_for_a_restart(ecs, clock, emulator) -> None:
    every = invoke(ecs, repeat_mode="EveryReboot", instance_id=["i-demo-linux-1"])
    next_only = invoke(ecs, repeat_mode="NextRebootOnly", instance_id=["i-demo-linux-1"])
    periodic = invoke(ecs, frequency="rate(1h)", instance_id=["i-demo-linux-1"])
    clock.advance("10m")
    assert [task(ecs, t).invocation_status for t in (every, next_only)] == ["Scheduled", "Scheduled"]
    assert history(ecs, every) == history(ecs, next_only) == []
    restart(emulator, "i-demo-linux-1", "2026-11-21T00:10:00Z")
    restart(emulator, "i-demo-linux-1", "2026-11-21T00:10:00Z")
    clock.advance("10m")
    restart(emulator, "i-demo-linux-1", "2026-11-21T00:20:00Z")
    clock.advance("10m")
    assert [r.start_time for r in history(ecs, every)] == ["2026-11-21T00:20:00Z", "2026-11-21T00:10:00Z"]
    assert [r.start_time for r in history(ecs, next_only)] == ["2026-11-21T00:10:00Z"]
    assert history(ecs, periodic) == []
    assert (task(ecs, every).invocation_status, task(ecs, next_only).invocation_status) == ("Scheduled", "Success")


def test_a_stopped_reboot_task_does_not_run_on_restart(ecs, clock, emulator) -> None:
    every = invoke(ecs, repeat_mode="EveryReboot", instance_id=["i-demo-linux-1"])
    stop(ecs, every)
    restart(emulator, "i-demo-linux-1", "2026-11-21T00:10:00Z")
    assert history(ecs, every) == []
    assert task(ecs, every).invocation_status == "Stopped"


# Retention


def test_records_older_than_30_days_are_not_returned(ecs, clock) -> None:
    once = invoke(ecs, instance_id=["i-demo-linux-1"])
    daily = invoke(ecs, frequency="rate(1d)", instance_id=["i-demo-linux-1"])
    for _ in range(8):
        clock.advance("5d")
    starts = [r.start_time for r in history(ecs, daily)]
    assert (len(starts), starts[-1], starts[0]) == (31, "2026-12-01T00:00:00Z", "2026-12-31T00:00:00Z")
    assert history(ecs, once) == []
    assert latest(ecs, daily)["i-demo-linux-1"].repeats == 40


def test_a_region_keeps_at_most_10000_records(ecs, admin, clock) -> None:
    fleet = [f"i-fleet-{n:03d}" for n in range(100)]
    admin.world({"instances": [{"id": instance_id, "region": REGION} for instance_id in fleet]})
    invoke_id = invoke(ecs, frequency="rate(1m)", timeout=30, instance_id=fleet)
    clock.advance("101m")
    answer = ecs.describe_invocation_results(models.DescribeInvocationResultsRequest(
        region_id=REGION, invoke_id=invoke_id, include_history=True)).body.invocation
    assert answer.total_count == runs.RECORD_LIMIT
    oldest = ecs.describe_invocation_results(models.DescribeInvocationResultsRequest(
        region_id=REGION, invoke_id=invoke_id, include_history=True, page_number=200, page_size=50)).body.invocation
    assert {r.repeats for r in oldest.invocation_results.invocation_result} == {2}


# Exactly once across processes


def test_two_servers_over_one_database_run_each_instant_exactly_once(tmp_path) -> None:
    path = tmp_path / "shared.db"
    with EmulatorServer(path) as first, EmulatorServer(path) as second:
        Admin(first.endpoint).set_clock(START)
        clients = [ecs_client(first.endpoint), ecs_client(second.endpoint)]
        invoke_id = invoke(clients[1], frequency="rate(1m)", timeout=30)
        failures: list[BaseException] = []
        done = threading.Event()

        def advance() -> None:
            admins = [Admin(first.endpoint), Admin(second.endpoint)]
            try:
                for minute in range(60):
                    admins[minute % 2].advance("1m")
            except BaseException as error:  # reported below: a thread's failure must fail the test
                failures.append(error)
            finally:
                done.set()

        def read(client) -> None:
            try:
                while not done.is_set():
                    client.describe_invocation_results(models.DescribeInvocationResultsRequest(
                        region_id=REGION, invoke_id=invoke_id, include_history=True))
            except BaseException as error:  # reported below: a thread's failure must fail the test
                failures.append(error)

        threads = [threading.Thread(target=advance)] + [threading.Thread(target=read, args=(c,)) for c in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert failures == []
        records = history(clients[0], invoke_id)
        assert count_by_instance(records) == {"i-demo-linux-1": 60, "i-demo-linux-2": 60}
        assert len({(r.instance_id, r.start_time) for r in records}) == 120
