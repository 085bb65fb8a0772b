"""A fleet run where things go wrong: two stacks claiming one object, a stack failing after its state was read,
a report that cannot be written, an empty shard option, environments in a mixed fleet."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

COMMAND = "  {name}: {{type: ecsops:Command, properties: {{name: {name}, type: RunShellScript, content: uptime}}}}\n"
RULE = ("  alerts: {type: ecsops:EventAlertRule, properties: {name: fleet-alerts, eventPattern: {eventTypes: "
        "[Maintenance]}, targets: {contacts: [{group: ops-oncall, level: 3}]}}}\n")


def write(folder: Path, name: str, body: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(f"name: {name}\nregion: cn-hangzhou\nresources:\n" + (body or COMMAND.format(name=name)))
    return path


def test_two_stacks_managing_one_object_both_fail_naming_each_other(cli, tmp_path) -> None:
    first = write(tmp_path / "a", "first")
    assert cli("apply", "--yes", first).code == 0
    command = cli("state", "list", first, "--json").json()[0]["id"]
    second = write(tmp_path / "b", "second", COMMAND.format(name="first"))
    assert cli("import", second, "first", command).code == 0
    write(tmp_path / "c", "third")
    report = cli("drift", tmp_path, "--json").json()
    stacks = {entry["stack"]: entry for entry in report["stacks"]}
    assert report["exit_code"] == 1 and stacks["first"]["status"] == stacks["second"]["status"] == "error"
    assert f"{command} is also managed by {second}" in stacks["first"]["errors"][0]["message"]
    assert f"{command} is also managed by {first}" in stacks["second"]["errors"][0]["message"]
    assert stacks["third"]["status"] == "drifted"  # the others still run (never applied)


def test_stacks_failing_after_their_states_were_read_still_manage_their_objects(cli, tmp_path, admin) -> None:
    admin.world({"contactGroups": [{"name": "ops-oncall"}]})
    alerts = write(tmp_path / "a", "alerts", RULE)
    assert cli("apply", "--yes", alerts).code == 0
    copy = write(tmp_path / "b", "copy", RULE)
    assert cli("import", copy, "alerts", "fleet-alerts").code == 0   # both fail: one object, two stacks
    report = cli("drift", tmp_path, "--unmanaged", "--json").json()
    stacks = {entry["stack"]: entry for entry in report["stacks"]}
    assert stacks["alerts"]["status"] == stacks["copy"]["status"] == "error"
    assert report["unmanaged"] == []
    assert stacks["alerts"]["managed"] == [{"type": "ecsops:EventAlertRule", "region": "cn-hangzhou",
                                            "id": "fleet-alerts"}]


def test_a_report_that_cannot_be_written_fails_the_run_and_says_so(cli, tmp_path) -> None:
    write(tmp_path / "stacks", "one")
    result = cli("drift", tmp_path / "stacks", "--report", tmp_path / "missing" / "r.json", "--json")
    report = result.json()
    assert result.code == 1 and report["exit_code"] == 1
    assert report["errors"][0]["message"].startswith(f"--report {tmp_path / 'missing' / 'r.json'}: cannot write it")


@pytest.mark.parametrize("shard", ["", " ", "1", "2/1"])
def test_a_bad_or_empty_shard_stops_the_run(cli, tmp_path, admin, shard) -> None:
    write(tmp_path, "one")
    result = cli("drift", tmp_path, "--shard", shard)
    assert result.code == 1 and result.err.startswith("error: --shard") and admin.requests() == []


def test_an_environment_applies_to_the_stacks_that_have_it(cli, tmp_path) -> None:
    with_envs = write(tmp_path, "web", "  web: {type: ecsops:Command, properties: {name: '${config.prefix}-web', "
                                       "type: RunShellScript, content: uptime}}\n")
    with_envs.write_text(with_envs.read_text().replace("resources:", "config:\n  prefix: {type: string}\nresources:"))
    (tmp_path / "web.prod.yaml").write_text("config:\n  prefix: prod\n")
    write(tmp_path, "plain")
    report = cli("plan", tmp_path, "--env", "prod", "--json").json()
    stacks = {entry["stack"]: entry for entry in report["stacks"]}
    assert set(stacks) == {"web.prod", "plain"} and report["exit_code"] == 0
    created = stacks["web.prod"]["report"]["resources"][0]["changes"]
    assert {"field": "name", "new": "prod-web"}.items() <= next(c for c in created if c["field"] == "name").items()


def test_plan_out_names_what_it_does_not_go_with(cli, tmp_path) -> None:
    stack = write(tmp_path, "one")
    result = cli("plan", stack, "--out", tmp_path / "p", "--format", "junit")
    assert result.code == 1
    assert "--out saves the plan of one stack file: it does not go with --format junit" in result.err
    assert json.loads(cli("plan", stack, "--json").out)["stack"] == "one"  # one file alone: the single report
