"""The Pulumi provider chooses its backend by the CLI's rule, through stack config (`ecsops:backend`): asked
for the cloud without usable credentials, or under CI with nothing chosen, it refuses with a message saying
why — never a create on a throwaway emulator."""

from __future__ import annotations

import grpc
import pytest

from tests.pulumi.conftest import COMMAND
from tests.support.pulumi_engine import ProviderServer


@pytest.fixture
def inputs(command_provider):
    return {"__provider": command_provider, "name": "disk-check", "type": "RunShellScript", "content": "df -h",
            "timeout": 120}


@pytest.mark.parametrize(
    ("config", "env", "fragment"),
    [
        pytest.param({"ecsops:backend": "cloud"}, {}, "no usable Alibaba Cloud credentials (ECSOPS_BACKEND)",
                     id="cloud-without-credentials"),
        pytest.param({}, {"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI-typo"}, "accessKeySecret cannot be empty",
                     id="half-set-credentials"),
        pytest.param({}, {"CI": "true"}, "CI is set and no backend was chosen", id="ci-without-a-choice"),
        pytest.param({"ecsops:backend": "emulater"}, {}, "'emulater': expected one of emulator, cloud (stack config "
                     "ecsops:backend)", id="unknown-backend"),
    ],
)
def test_create_refuses_rather_than_use_a_backend_nobody_chose(tmp_path, inputs, config, env, fragment) -> None:
    home = tmp_path / "home"
    home.mkdir()
    server = ProviderServer(tmp_path, env={"HOME": str(home), **env})
    try:
        server.configure({"ecsops:region": "cn-hangzhou", **config})
        with pytest.raises(grpc.RpcError) as refused:  # at check (a bad config) or create (no credentials)
            checked, failures = server.check(COMMAND, "disk", {}, inputs)
            assert failures == []
            server.create(COMMAND, "disk", checked)
        assert fragment in refused.value.details()
    finally:
        server.stop()
    assert not (tmp_path / ".ecsops").exists()  # no embedded emulator was started
