"""Environments through `ecsops`: `--env` (or ECSOPS_ENV) takes an environment's config values and its own
state, so dev and prod of one stack make and manage their own objects; a saved plan remembers its environment,
and its values — the environment file's, secrets read from the environment — are checked again at apply."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from ecsops.engine.state import StateStore
from tests.support.cli import ecsops
from tests.support.emulator import REGION, models

STACK = textwrap.dedent("""\
    name: web
    region: cn-hangzhou
    config:
      prefix: {type: string}
      timeout: {type: integer, default: 120}
      instances: {type: list, default: [i-demo-linux-1]}
      token: {type: string, secret: true, default: placeholder}
    resources:
      check:
        type: ecsops:Command
        properties:
          name: ${config.prefix}-check
          type: RunShellScript
          content: echo {{token}}
          enableParameter: true
          timeout: ${config.timeout}
      nightly:
        type: ecsops:ScheduledInvocation
        properties:
          commandId: ${check.commandId}
          instanceIds: ${config.instances}
          frequency: rate(1h)
          parameters: {token: "${config.token}"}
    outputs:
      commandId: ${check.commandId}
    """)
ENVIRONMENTS = {
    "dev": "config:\n  prefix: dev\n  timeout: 60\n",
    "prod": "config:\n  prefix: prod\n  instances: [i-demo-linux-1, i-demo-linux-2]\n"
            "  token: {secret: {env: ECSOPS_TEST_PROD_TOKEN}}\n",
}


@pytest.fixture
def stack(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("ECSOPS_TEST_PROD_TOKEN", "prod-token-1")
    monkeypatch.delenv("ECSOPS_ENV", raising=False)
    path = tmp_path / "stack.yaml"
    path.write_text(STACK)
    for name, text in ENVIRONMENTS.items():
        (tmp_path / f"stack.{name}.yaml").write_text(text)
    return path


def commands(ecs) -> dict[str, object]:
    answer = ecs.describe_commands(models.DescribeCommandsRequest(region_id=REGION, max_results=50)).body
    return {command.name: command for command in answer.commands.command}


def state(stack: Path, name: str):
    return StateStore(stack.parent, name).load()


def test_dev_and_prod_make_their_own_objects_with_their_own_values_and_never_see_each_other(stack, cli, ecs) -> None:
    dev = cli("apply", "--yes", "--env", "dev", stack)
    assert dev.code == 0, dev.err
    assert dev.out.startswith("Stack web.dev on ") and "Apply complete" in dev.out
    prod = cli("apply", "--yes", "--env", "prod", stack)
    assert prod.code == 0, prod.err
    assert "Plan: 2 to create, 0 to update, 0 to replace, 0 to delete." in prod.out   # nothing of dev's touched
    made = commands(ecs)
    assert (made["dev-check"].timeout, made["prod-check"].timeout) == (60, 120)
    dev_state, prod_state = state(stack, "web.dev"), state(stack, "web.prod")
    assert dev_state.resources["check"].id == made["dev-check"].command_id
    assert prod_state.resources["check"].id == made["prod-check"].command_id
    assert not (stack.parent / ".ecsops" / "web.state.json").exists()
    for environment in ("dev", "prod"):
        again = cli("plan", "--detailed-exitcode", "--env", environment, stack)
        assert again.code == 0 and "No changes" in again.out, again.out
    gone = cli("destroy", "--yes", "--env", "dev", stack)
    assert gone.code == 0 and "Plan: 0 to create, 0 to update, 0 to replace, 2 to delete." in gone.out
    assert set(commands(ecs)) == {"prod-check"}   # prod's untouched


def test_ecsops_env_chooses_the_environment_and_env_wins_over_it(stack, cli, monkeypatch) -> None:
    monkeypatch.setenv("ECSOPS_ENV", "prod")
    assert cli("plan", stack).out.startswith("Stack web.prod on ")
    assert cli("plan", "--env", "dev", stack).out.startswith("Stack web.dev on ")


def test_without_an_environment_a_value_with_no_default_is_an_error_naming_it(stack, cli, admin) -> None:
    refused = cli("plan", stack)
    assert refused.code == 1
    assert refused.err.splitlines() == [
        f"error: {stack}:4:3: field \"config.prefix\": config value 'prefix' has no value: give it a default, or "
        "choose an environment that sets it (--env ENV reads stack.ENV.yaml beside the stack)"]
    assert admin.writes() == []


def test_an_unknown_environment_is_refused_before_anything_is_read(stack, cli) -> None:
    refused = cli("apply", "--yes", "--env", "prdo", stack)
    assert refused.code == 1
    assert f"there is no {stack.parent}/stack.prdo.yaml beside the stack (did you mean 'prod'?" in refused.err
    assert not (stack.parent / ".ecsops" / "web.prdo.state.json").exists()


def test_state_commands_read_the_environment_s_state(stack, cli) -> None:
    assert cli("apply", "--yes", "--env", "prod", stack).code == 0
    listed = ecsops("state", "list", "--json", "--env", "prod", stack)
    assert sorted(item["name"] for item in json.loads(listed.out)) == ["check", "nightly"]
    assert ecsops("state", "list", "--env", "dev", stack).out == "Stack web.dev: its state manages no resources.\n"


# -- saved plans --------------------------------------------------------------------------------------------


@pytest.fixture
def planned(stack, cli, tmp_path) -> Path:
    """prod applied, then its timeout changed in its environment file and planned with --out."""
    assert cli("apply", "--yes", "--env", "prod", stack).code == 0
    (stack.parent / "stack.prod.yaml").write_text(ENVIRONMENTS["prod"] + "  timeout: 300\n")
    made = cli("plan", "--env", "prod", stack, "--out", tmp_path / "prod.plan")
    assert made.code == 0 and "timeout: 120 -> 300" in made.out, made.out
    return tmp_path / "prod.plan"


def test_a_plan_made_with_env_is_applied_to_that_environment_without_naming_it_again(planned, stack, cli,
                                                                                     ecs) -> None:
    shown = ecsops("show", planned)
    assert f"from {stack} --env prod (state " in shown.out
    done = cli("apply", planned)
    assert done.code == 0, done.err
    assert "to stack web.prod on" in done.out and "Apply complete" in done.out
    assert commands(ecs)["prod-check"].timeout == 300


def test_a_plan_made_with_env_is_refused_for_another_environment(planned, cli) -> None:
    refused = cli("apply", planned, "--env", "dev")
    assert refused.code == 1
    assert "was made for environment 'prod', this apply is for environment 'dev' (--env or ECSOPS_ENV): refused" in \
        refused.err


@pytest.mark.parametrize("change", ["environment file", "secret from the environment"])
def test_a_value_changed_outside_the_stack_file_since_the_plan_is_refused_naming_the_resource(planned, stack, cli,
                                                                                             ecs, admin, monkeypatch,
                                                                                             change) -> None:
    if change == "environment file":
        (stack.parent / "stack.prod.yaml").write_text(ENVIRONMENTS["prod"] + "  timeout: 400\n")
        resource = "check"
    else:
        monkeypatch.setenv("ECSOPS_TEST_PROD_TOKEN", "prod-token-2")
        resource = "nightly"
    mark = admin.requests()[-1]["seq"]
    refused = cli("apply", planned)
    assert refused.code == 1
    assert f'resource "{resource}": its values changed since the plan was made' in refused.err, refused.err
    assert admin.requests(since=mark, kind="write") == []
    assert commands(ecs)["prod-check"].timeout == 120


def test_on_oss_each_environment_has_its_own_folder_of_versions(stack, emulator, state_bucket) -> None:
    from ecsops.cloud.backend import Backend, KeyPair
    from ecsops.cloud.objects import Bucket, OssObjects
    from tests.support.emulator import ACCESS_KEY_ID, ACCESS_KEY_SECRET

    location = ["--endpoint", emulator.endpoint, "--state", f"oss://{state_bucket}/stacks"]
    for environment in ("dev", "prod"):
        done = ecsops("apply", "--yes", "--env", environment, stack, *location)
        assert done.code == 0, done.err
    backend = Backend("endpoint", REGION, endpoint=emulator.endpoint, keys=KeyPair(ACCESS_KEY_ID, ACCESS_KEY_SECRET))
    keys = OssObjects(Bucket(state_bucket, REGION, emulator.endpoint), backend).keys("stacks/")
    assert {key.split("/")[1] for key in keys} == {"web.dev", "web.prod"}
    listed = ecsops("state", "list", "--json", "--env", "dev", stack, *location)
    assert sorted(item["name"] for item in json.loads(listed.out)) == ["check", "nightly"]
    assert ecsops("output", "--env", "prod", stack, "commandId", *location).code == 0
