"""Stack state in an S3-compatible store (moto's server standing in): the same create-only versions and lock as
on OSS, through boto3's `If-None-Match: *` (412 when the key exists)."""

from __future__ import annotations

import uuid

import boto3
import pytest

from ecsops.cloud.objects import Bucket, S3Objects
from ecsops.engine.remote_state import RemoteStateError, RemoteStateStore
from ecsops.engine.state import LockError
from tests.support.cli import ecsops, write_stack

COMMAND = """\
  probe:
    type: ecsops:Command
    properties: {name: probe-s3, type: RunShellScript, content: uptime}
"""


@pytest.fixture
def s3_bucket(s3_endpoint, monkeypatch) -> str:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    name = f"state-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", region_name="us-east-1", endpoint_url=s3_endpoint).create_bucket(Bucket=name)
    return name


@pytest.fixture
def objects(s3_endpoint, s3_bucket) -> S3Objects:
    return S3Objects(Bucket(s3_bucket, "us-east-1", s3_endpoint))


def clone(folder):
    """A runner's checkout of the repository holding the stack."""
    (folder / ".git").mkdir(parents=True)
    return write_stack(folder, COMMAND)


def test_apply_keeps_its_state_in_the_bucket_and_a_fresh_folder_sees_it(emulator, s3_endpoint, s3_bucket, objects,
                                                                        tmp_path) -> None:
    state = f"s3://{s3_bucket}/stacks?region=us-east-1&endpoint={s3_endpoint}"
    first, second = (clone(tmp_path / name) for name in ("one", "two"))
    assert ecsops("apply", "--yes", first, "--endpoint", emulator.endpoint, "--state", state).code == 0
    assert any(key.startswith("stacks/demo/0") for key in objects.keys("stacks/"))
    assert not (tmp_path / "one" / ".ecsops" / "demo.state.json").exists()
    assert ecsops("plan", "--detailed-exitcode", second, "--endpoint", emulator.endpoint, "--state", state).code == 0


def test_versions_and_the_lock_are_create_only(objects) -> None:
    one, two = RemoteStateStore(objects, "p/", "demo"), RemoteStateStore(objects, "p/", "demo")
    mine, theirs = one.load(), two.load()
    two.save(theirs)
    with pytest.raises(RemoteStateError, match="changed since it was read"):
        one.save(mine)
    with one.lock("apply"):
        with pytest.raises(LockError, match="is locked by"):
            with two.lock("apply"):
                pass
    with two.lock("apply"):  # released
        pass
