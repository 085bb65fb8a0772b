"""`ecsops emulator serve` and the admin subcommands."""

from __future__ import annotations

import json
import signal

from tests.support.cli import ecsops, running
from tests.support.emulator import REGION, ecs_client, models


def test_serve_prints_its_endpoint_first_and_serves_the_sdk_until_interrupted(tmp_path) -> None:
    with running("emulator", "serve", "--db", tmp_path / "world.db", "--port", "0") as process:
        first = process.stdout.readline().strip()
        assert first.startswith("endpoint: http://127.0.0.1:")
        endpoint = first.split(" ", 1)[1]
        answer = ecs_client(endpoint).describe_instances(models.DescribeInstancesRequest(region_id=REGION))
        assert answer.body.total_count == 6
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    assert (tmp_path / "world.db").exists()


def test_serve_takes_a_world_file_and_a_key_pair(tmp_path) -> None:
    world = tmp_path / "world.yaml"
    world.write_text("instances:\n  - {id: i-extra-1, region: cn-hangzhou, cpu: 32}\n")
    with running("emulator", "serve", "--db", tmp_path / "w.db", "--world", world,
                 "--access-key-id", "team-key", "--access-key-secret", "team-secret") as process:
        endpoint = process.stdout.readline().strip().split(" ", 1)[1]
        client = ecs_client(endpoint, access_key_id="team-key", access_key_secret="team-secret")
        ids = json.dumps(["i-extra-1"])
        [instance] = client.describe_instances(models.DescribeInstancesRequest(
            region_id=REGION, instance_ids=ids)).body.instances.instance
        assert instance.cpu == 32


def test_admin_subcommands_drive_the_running_emulator(emulator, tmp_path) -> None:
    endpoint = ("--endpoint", emulator.endpoint)
    assert ecsops("emulator", "clock", "--set", "2026-03-01T00:00:00Z", *endpoint).json()["now"] == "2026-03-01T00:00:00Z"
    assert ecsops("emulator", "clock", "--advance", "2h", *endpoint).json()["now"] == "2026-03-01T02:00:00Z"
    world = tmp_path / "more.yaml"
    world.write_text("contactGroups: [{name: night-shift}]\n")
    merged = ecsops("emulator", "world", world, *endpoint).json()
    assert {group["name"] for group in merged["contactGroups"]} == {"ops-oncall", "night-shift"}
    faults = ecsops("emulator", "faults", "--error-rate", "0.25", "--seed", "4", *endpoint).json()
    assert (faults["errorRate"], faults["seed"]) == (0.25, 4)
    assert ecsops("emulator", "faults", "--hold-writes", *endpoint).json()["holdWrites"] is True
    assert ecsops("emulator", "faults", "--clear", *endpoint).json()["errorRate"] == 0
    assert ecsops("emulator", "requests", "--writes", *endpoint).json() == {"requests": []}
    assert ecsops("emulator", "reset", *endpoint).json() == {"ok": True}


def test_admin_subcommands_need_an_endpoint() -> None:
    refused = ecsops("emulator", "reset")
    assert refused.code == 1 and "no emulator endpoint" in refused.err


def test_the_served_emulator_answers_the_documented_codes(tmp_path) -> None:
    import base64

    import pytest
    from alibabacloud_tea_openapi.exceptions import ClientException

    with running("emulator", "serve", "--db", tmp_path / "codes.db") as process:
        ecs = ecs_client(process.stdout.readline().strip().split(" ", 1)[1])

        def create(**fields):
            request = {"region_id": REGION, "name": "n", "type": "RunShellScript",
                       "command_content": base64.b64encode(b"echo").decode(), **fields}
            return ecs.create_command(models.CreateCommandRequest(**request)).body.command_id

        def code_of(call) -> tuple[str, int]:
            with pytest.raises(ClientException) as raised:
                call()
            return raised.value.code, raised.value.status_code

        parameters = base64.b64encode(" ".join(f"{{{{p{i}}}}}" for i in range(21)).encode()).decode()
        assert code_of(lambda: create(type="RunPerlScript")) == ("InvalidCmdType.NotFound", 404)
        assert code_of(lambda: create(command_content=base64.b64encode(b"x" * 18_500).decode())) == (
            "CmdContent.ExceedLimit", 403)
        assert code_of(lambda: create(command_content=parameters, enable_parameter=True)) == (
            "CmdParamCount.ExceedLimit", 403)
        assert code_of(lambda: create(command_content=base64.b64encode(b"{{a!}}").decode(),
                                      enable_parameter=True)) == ("CmdParam.InvalidParamName", 400)
        create(client_token="reused")
        assert code_of(lambda: create(client_token="reused", name="other")) == ("IdempotentParameterMismatch", 403)
        for index in range(99):
            create(name=f"c{index}")
        assert code_of(lambda: create(name="the-101st")) == ("CmdCount.ExceedQuota", 403)
        assert code_of(lambda: ecs.delete_command(models.DeleteCommandRequest(
            region_id=REGION, command_id="c-unknown"))) == ("InvalidCmdId.NotFound", 404)
        assert ecs.describe_commands(models.DescribeCommandsRequest(
            region_id=REGION, command_id="c-unknown")).body.commands.command == []
