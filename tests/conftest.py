"""Fixtures shared by every test: a hermetic environment, a running emulator, SDK clients against it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest

# Verifying against a real account (tests/support/verify.py): its key pair is kept under names the suite does
# not strip, before it strips the others, so that pytest-xdist's workers (started after this) still see it.
if os.environ.get("ECSOPS_VERIFY_CLOUD") == "1":
    for _kept, _given in (("ECSOPS_VERIFY_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_ID"),
                          ("ECSOPS_VERIFY_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_ACCESS_KEY_SECRET"),
                          ("ECSOPS_VERIFY_REGION", "ALIBABA_CLOUD_REGION_ID")):
        if os.environ.get(_given) and not os.environ.get(_kept):
            os.environ[_kept] = os.environ[_given]

# Hermetic: no real credentials, no instance-metadata probing, no endpoint, backend or state from the developer's
# shell, and not the CI runner's `CI` (tests that need it set it themselves).
for _name in ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN",
              "ECSOPS_ENDPOINT", "ECSOPS_ACCESS_KEY_ID", "ECSOPS_ACCESS_KEY_SECRET", "ECSOPS_REGION",
              "ALIBABA_CLOUD_PROFILE", "ALIBABA_CLOUD_CREDENTIALS_FILE", "ALIBABA_CLOUD_CREDENTIALS_URI",
              "ALIBABA_CLOUD_ROLE_ARN", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
              "ALIBABA_CLOUD_ECS_METADATA", "ECSOPS_BACKEND", "ECSOPS_STATE", "ECSOPS_ENV", "CI"):
    os.environ.pop(_name, None)
os.environ["ALIBABA_CLOUD_ECS_METADATA_DISABLED"] = "true"
os.environ["NO_COLOR"] = "1"

from ecsops.emulator.server import EmulatorServer  # noqa: E402
from tests.support.emulator import Admin, ecs_client  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def emulator_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorServer]:
    server = EmulatorServer(tmp_path_factory.mktemp("emulator") / "emulator.db").start()
    yield server
    server.stop()


@pytest.fixture
def emulator(emulator_server: EmulatorServer) -> EmulatorServer:
    """The session's emulator, reset to the default world, real clock and no faults."""
    Admin(emulator_server.endpoint).reset()
    return emulator_server


@pytest.fixture
def admin(emulator: EmulatorServer) -> Admin:
    return Admin(emulator.endpoint)


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """moto's S3-compatible server, in this process (OSS is S3-compatible)."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def state_bucket(emulator: EmulatorServer) -> str:
    """A fresh bucket of the emulator's OSS, made through the official OSS SDK (for state on OSS)."""
    import uuid

    import alibabacloud_oss_v2 as oss

    from tests.support.emulator import ACCESS_KEY_ID, ACCESS_KEY_SECRET, REGION

    name = f"state-{uuid.uuid4().hex[:12]}"
    config = oss.config.load_default()
    config.credentials_provider = oss.credentials.StaticCredentialsProvider(ACCESS_KEY_ID, ACCESS_KEY_SECRET)
    config.region, config.endpoint = REGION, emulator.endpoint
    oss.Client(config).put_bucket(oss.PutBucketRequest(bucket=name))
    return name


@pytest.fixture
def ecs(emulator: EmulatorServer):
    return ecs_client(emulator.endpoint)
