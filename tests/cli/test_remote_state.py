"""Stack state on OSS (the emulator's, through the official SDK): shared by every runner, written create-only
(no lost update), locked across machines, batched, and holding no secret in clear."""

from __future__ import annotations

import json
import re
import shlex
import textwrap

import pytest

from ecsops.cloud.backend import Backend, KeyPair
from ecsops.cloud.objects import Bucket, OssObjects
from ecsops.engine.remote_state import RemoteStateError, RemoteStateStore
from ecsops.engine.state import LockError, StateStore
from tests.support.cli import ecsops, write_stack
from tests.support.emulator import ACCESS_KEY_ID, ACCESS_KEY_SECRET, REGION

CANARY = "canary-0b9e4f21-not-to-be-seen"
COMMAND = """\
  {name}:
    type: ecsops:Command
    properties:
      name: {name}
      type: RunShellScript
      content: echo {{{{token}}}}
      enableParameter: true
"""
TASK = textwrap.indent(textwrap.dedent(f"""\
    nightly:
      type: ecsops:ScheduledInvocation
      properties:
        commandId: ${{probe.commandId}}
        instanceIds: [i-demo-linux-1]
        frequency: "0 0 3 * * ?"
        parameters: {{token: {{secret: {CANARY}}}}}
"""), "  ")


@pytest.fixture
def bucket(state_bucket) -> str:
    return state_bucket


@pytest.fixture
def objects(emulator, bucket) -> OssObjects:
    backend = Backend("endpoint", REGION, endpoint=emulator.endpoint, keys=KeyPair(ACCESS_KEY_ID, ACCESS_KEY_SECRET))
    return OssObjects(Bucket(bucket, REGION, emulator.endpoint), backend)


@pytest.fixture
def cli(emulator, bucket):
    def run(*argv):
        return ecsops(*argv, "--endpoint", emulator.endpoint, "--state", f"oss://{bucket}/stacks")
    return run


def runner(tmp_path, name: str, resources: str):
    """A runner's working folder: a fresh clone holding the stack file."""
    folder = tmp_path / name
    (folder / ".git").mkdir(parents=True)
    return write_stack(folder, resources)


def test_state_on_oss_is_shared_by_runners_and_never_on_their_disks(cli, tmp_path, objects) -> None:
    first = runner(tmp_path, "pr", COMMAND.format(name="probe") + TASK)
    assert cli("apply", "--yes", first).code == 0
    keys = objects.keys("stacks/")
    assert any(re.fullmatch(r"stacks/demo/\d{12}\.json", key) for key in keys), keys
    assert not (first.parent / ".ecsops" / "demo.state.json").exists()
    assert all(CANARY not in objects.get(key).decode() for key in keys)  # secrets only as scrypt digests
    second = runner(tmp_path, "merge", COMMAND.format(name="probe") + TASK)
    fresh = cli("plan", "--detailed-exitcode", second)
    assert fresh.code == 0, fresh.out + fresh.err  # a fresh runner sees what the first one made
    listed = cli("state", "list", second)
    assert listed.code == 0 and "probe" in listed.out and "nightly" in listed.out


def test_a_run_on_another_machine_fails_at_once_naming_the_holder_and_how_to_unlock(cli, tmp_path, objects,
                                                                                     admin) -> None:
    stack = runner(tmp_path, "merge", COMMAND.format(name="probe"))
    holder = RemoteStateStore(objects, "stacks/", "demo")
    with holder.lock("apply"):
        lock = json.loads(objects.get("stacks/demo/lock.json"))
        mark = admin.requests()[-1]["seq"]
        blocked = cli("apply", "--yes", stack)
        assert blocked.code == 1
        assert f"error: stack 'demo' is locked by {lock['who']}@{lock['host']} (pid {lock['pid']}, `ecsops apply`" in \
            blocked.err
        printed = blocked.err.split("break its lock with `", 1)[1].split("`", 1)[0]
        assert printed.startswith(f"ecsops state unlock {stack} {lock['id']} ")
        assert [call for call in admin.requests(since=mark, kind="write") if call["action"] != "PutObject"] == []
        wrong = cli("state", "unlock", stack, "0000")
        assert wrong.code == 1 and f"with lock id '{lock['id']}', not '0000': nothing was unlocked" in wrong.err
        broken = ecsops(*shlex.split(printed)[1:])  # run as printed: the same --state and --endpoint
        assert broken.code == 0 and f"removed the lock {lock['id']}" in broken.out
        assert objects.get("stacks/demo/lock.json") is None
    assert cli("apply", "--yes", stack).code == 0


def test_a_state_write_replaces_only_the_version_it_read(objects) -> None:
    one, two = RemoteStateStore(objects, "p/", "demo"), RemoteStateStore(objects, "p/", "demo")
    first, second = one.load(), two.load()
    one.save(first)
    with pytest.raises(RemoteStateError, match="changed since it was read .* nothing was overwritten"):
        two.save(second)
    assert one.load().serial == first.serial


def test_the_lock_excludes_a_second_holder_and_is_released(objects) -> None:
    store = RemoteStateStore(objects, "p/", "demo")
    with store.lock("apply"):
        with pytest.raises(LockError, match="is locked by"):
            with RemoteStateStore(objects, "p/", "demo").lock("destroy"):
                pass
    with store.lock("apply"):  # released at the end of the block
        pass


def test_concurrent_steps_share_one_state_write(cli, tmp_path, admin) -> None:
    """30 independent creates, 10 at a time: intents and results are journalled per batch of steps in flight,
    not per step. One by one that is 63 writes (the lock, two snapshots, an intent and a result per create);
    batched, about 2 per wave of 10 (measured: 10-11 in all)."""
    stack = runner(tmp_path, "merge", "".join(COMMAND.format(name=f"c{i:02d}") for i in range(30)))
    mark = admin.requests()[-1]["seq"]
    applied = cli("apply", "--yes", "--parallelism", "10", stack)
    assert applied.code == 0, applied.err
    puts = [call for call in admin.requests(since=mark) if call["action"] == "PutObject"]
    creates = [call for call in admin.requests(since=mark, kind="write") if call["action"] == "CreateCommand"]
    assert len(creates) == 30
    waves = 30 // 10
    assert len(puts) <= 1 + 2 + 3 * waves, len(puts)


def test_a_local_state_and_the_same_stack_on_oss_are_two_states(emulator, bucket, tmp_path) -> None:
    stack = write_stack(tmp_path, COMMAND.format(name="probe"))
    assert ecsops("apply", "--yes", stack, "--endpoint", emulator.endpoint).code == 0
    remote = ecsops("plan", stack, "--endpoint", emulator.endpoint, "--state", f"oss://{bucket}/x")
    assert "Plan: 1 to create" in remote.out  # a state is where it is told, never merged from elsewhere
    assert StateStore(tmp_path, "demo").load().resources["probe"]
