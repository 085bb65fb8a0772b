"""Where the SDK-level fidelity tests (tests/emulator/test_shapes.py) send their calls: the emulator, or a real
Alibaba Cloud account — the same scenarios either way, like moto's `aws_verified`.

By default the `target` fixture is the session's emulator (reset to the default world). With
`ECSOPS_VERIFY_CLOUD=1` it is the real service of the account whose key pair is in
`ALIBABA_CLOUD_ACCESS_KEY_ID` / `ALIBABA_CLOUD_ACCESS_KEY_SECRET`, in the region `ECSOPS_VERIFY_REGION` (else
`ALIBABA_CLOUD_REGION_ID`, else cn-hangzhou), through the SDKs' own regional endpoints.

On the cloud the scenarios create only objects named `ecsops-verify-*` (commands, event rules and their
targets), and delete them in the fixture's teardown, which runs whatever the test did. Operations that need an
instance use the one named by `ECSOPS_VERIFY_INSTANCE` (a Linux instance with the Cloud Assistant agent: the
commands run `echo hi` there, a scheduled task is stopped at once, it carries a tag `ecsops-verify` for the time
of a test, and its maintenance attributes are written back unchanged) and are skipped without it. Operations
that change account-wide settings, and set-up only the emulator can make (system events), are skipped on the
cloud.

tests/conftest.py removes `ALIBABA_CLOUD_*` from the environment at start (the suite is hermetic); with
`ECSOPS_VERIFY_CLOUD=1` it first copies the key pair (and region) to `ECSOPS_VERIFY_ACCESS_KEY_ID` /
`ECSOPS_VERIFY_ACCESS_KEY_SECRET` (`ECSOPS_VERIFY_REGION`), which it keeps, so xdist's workers see them too:
`make verify-cloud`, or `ECSOPS_VERIFY_CLOUD=1 python -m pytest tests/emulator/test_shapes.py [-n 2]`. This
module, imported first as a plugin (`-p tests.support.verify`), also keeps what it finds.

The oracle is the SDK's models, and `model_schema` reads their fields with the SDK's own code rather than
by parsing it: a model's `from_map` is fed a probe — a dict that answers every `get(key)` with a further
probe, iterates as a one-element list of probes and is never empty — so it fills every field, instantiating
the nested model classes it names, one element for each list; then the model's `to_map` writes the result
back under the wire names. Nested classes and lists come out as the SDK reads them, and a leaf's type is the
annotation of the `__init__` parameter its probe was stored in (`str`, `int`, `bool`, `List[str]`...).
"""

from __future__ import annotations

import inspect
import os
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import pytest
from darabonba.model import DaraModel

#: Read when this module is first imported: as a `-p` plugin, that is before tests/conftest.py clears them.
_ENVIRONMENT = {name: os.environ.get(name) for name in (
    "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_REGION_ID")}

CLOUD = os.environ.get("ECSOPS_VERIFY_CLOUD", "") == "1"
PREFIX = "ecsops-verify-"
#: The tag a scenario puts on the account's instance for the time of a test.
INSTANCE_TAG = "ecsops-verify"
DEFAULT_REGION = "cn-hangzhou"


def _setting(*names: str) -> str | None:
    for name in names:
        value = os.environ.get(name) or _ENVIRONMENT.get(name)
        if value:
            return value
    return None


# -- What the SDK's models say ---------------------------------------------------------------------------------

Schema = Any  # a leaf's annotation ("str", "List[str]", ...), an object ({wire name: Schema}) or a list ([Schema])


class Probe(dict):
    """What a model's `from_map` reads as a complete answer: every key is there, every list has an element."""

    def __init__(self) -> None:
        super().__init__()

    def get(self, key: Any, default: Any = None) -> "Probe":
        return Probe()

    def __iter__(self) -> Iterator["Probe"]:  # type: ignore[override]
        return iter([Probe()])

    def __bool__(self) -> bool:
        return True

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)


def _annotations(model: DaraModel, found: dict[int, str]) -> None:
    """Probe id -> the annotation of the `__init__` parameter holding it, for `model` and the models it holds."""
    parameters = inspect.signature(type(model).__init__).parameters
    for name, value in vars(model).items():
        for item in value if isinstance(value, list) and not isinstance(value, Probe) else [value]:
            if isinstance(item, Probe):
                annotation = parameters[name].annotation if name in parameters else "Any"
                found[id(item)] = annotation if isinstance(annotation, str) else "Any"
            elif isinstance(item, DaraModel):
                _annotations(item, found)


def _schema(value: Any, annotations: dict[int, str]) -> Schema:
    if isinstance(value, Probe):
        return annotations.get(id(value), "Any")
    if isinstance(value, dict):
        return {key: _schema(item, annotations) for key, item in value.items()}
    if isinstance(value, list):
        return [_schema(value[0], annotations) if value else "Any"]
    return "Any"


def model_schema(model_class: type) -> dict[str, Schema]:
    """The fields of a model, by wire name, as its own from_map / to_map read and write them (module doc)."""
    model = model_class().from_map(Probe())
    annotations: dict[int, str] = {}
    _annotations(model, annotations)
    return _schema(model.to_map(), annotations)


# -- The target ------------------------------------------------------------------------------------------------

@dataclass
class Answer:
    """One answer of the target: the operation, whether it was an error, the body exactly as received."""

    action: str
    error: bool
    body: dict[str, Any]


@dataclass
class Target:
    """Official SDK clients of one target, what they answered, and what to delete afterwards."""

    cloud: bool
    region: str
    ecs: Any
    cms: Any
    #: A Linux instance with the agent (the emulator's i-demo-linux-1; on the cloud ECSOPS_VERIFY_INSTANCE).
    instance: str | None
    #: An instance with local disks (the emulator's; on the cloud the same instance as `instance`).
    local_disk_instance: str | None
    admin: Any = None
    #: An official OSS client (alibabacloud_oss_v2), and a bucket of the target it may write `ecsops-verify-*`
    #: objects to (the emulator's ecsops-demo-records; on the cloud ECSOPS_VERIFY_BUCKET).
    oss: Any = None
    bucket: str | None = None
    answers: list[Answer] = field(default_factory=list)
    #: The OSS answers (tests/support/oss_shapes.py).
    oss_answers: list[Any] = field(default_factory=list)
    _cleanups: list[Callable[[], Any]] = field(default_factory=list)

    def name(self, kind: str) -> str:
        """A fresh name for an object this test creates: `ecsops-verify-<kind>-<8 hex digits>`."""
        return f"{PREFIX}{kind}-{uuid.uuid4().hex[:8]}"

    def later(self, cleanup: Callable[[], Any]) -> None:
        """Runs `cleanup` when the test ends, however it ends (last registered, first run)."""
        self._cleanups.append(cleanup)

    def need_instance(self) -> str:
        """The instance to work on; skips the test on the cloud when ECSOPS_VERIFY_INSTANCE is not set."""
        if self.instance is None:
            pytest.skip("needs an instance of the account: set ECSOPS_VERIFY_INSTANCE")
        return self.instance

    def need_bucket(self) -> str:
        """The bucket to write objects to; skips the test on the cloud when ECSOPS_VERIFY_BUCKET is not set."""
        if self.bucket is None:
            pytest.skip("needs a bucket of the account: set ECSOPS_VERIFY_BUCKET")
        return self.bucket

    def emulator_only(self, why: str) -> None:
        if self.cloud:
            pytest.skip(f"not run on the cloud: {why}")

    def clean_up(self) -> None:
        """Every cleanup, each tried once; the first failure is raised after all were tried."""
        failures: list[BaseException] = []
        while self._cleanups:
            try:
                self._cleanups.pop()()
            except Exception as failure:  # noqa: BLE001 - the others still run; the first is raised below
                failures.append(failure)
        if failures:
            raise failures[0]


def record_answers(client: Any, answers: list[Answer]) -> Any:
    """Makes `client` append every answer body (errors too) to `answers`. Every typed method of the SDK
    (`create_command`, ...) goes through `call_api`, so the bodies are the raw JSON, before any model drops
    a field it does not know."""
    original = client.call_api

    def call_api(params: Any, request: Any, runtime: Any) -> Any:
        try:
            response = original(params, request, runtime)
        except Exception as error:
            data = getattr(error, "data", None)
            if isinstance(data, dict):  # the body; the SDK adds the HTTP status to it as `statusCode`
                answers.append(Answer(params.action, True, {k: v for k, v in data.items() if k != "statusCode"}))
            raise
        answers.append(Answer(params.action, False, response.get("body") or {}))
        return response

    client.call_api = call_api
    return client


def cloud_target() -> Target:
    """Clients of the real service, from the environment (pytest.fail when the key pair is missing)."""
    from alibabacloud_cms20190101.client import Client as CmsClient
    from alibabacloud_ecs20140526.client import Client as EcsClient
    from alibabacloud_tea_openapi import models as openapi_models

    key_id = _setting("ALIBABA_CLOUD_ACCESS_KEY_ID", "ECSOPS_VERIFY_ACCESS_KEY_ID")
    secret = _setting("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ECSOPS_VERIFY_ACCESS_KEY_SECRET")
    if not key_id or not secret:
        pytest.fail("ECSOPS_VERIFY_CLOUD=1 needs a key pair: ALIBABA_CLOUD_ACCESS_KEY_ID and _SECRET, read by "
                    "`-p tests.support.verify` (make verify-cloud), or ECSOPS_VERIFY_ACCESS_KEY_ID and _SECRET")
    region = _setting("ECSOPS_VERIFY_REGION", "ALIBABA_CLOUD_REGION_ID") or DEFAULT_REGION

    def config() -> Any:
        return openapi_models.Config(access_key_id=key_id, access_key_secret=secret, region_id=region)

    instance = os.environ.get("ECSOPS_VERIFY_INSTANCE") or None
    return Target(cloud=True, region=region, ecs=EcsClient(config()), cms=CmsClient(config()), instance=instance,
                  local_disk_instance=instance, oss=oss_client(region, key_id, secret),
                  bucket=os.environ.get("ECSOPS_VERIFY_BUCKET") or None)


def oss_client(region: str, key_id: str, secret: str, endpoint: str | None = None) -> Any:
    """An official OSS client (the region's public endpoint, or `endpoint`)."""
    import alibabacloud_oss_v2 as oss

    config = oss.config.load_default()
    config.credentials_provider = oss.credentials.StaticCredentialsProvider(key_id, secret)
    config.region = region
    if endpoint is not None:
        config.endpoint = endpoint
    return oss.Client(config)


def emulator_target(endpoint: str) -> Target:
    from tests.support.emulator import ACCESS_KEY_ID, ACCESS_KEY_SECRET, REGION, Admin, cms_client, ecs_client

    return Target(cloud=False, region=REGION, ecs=ecs_client(endpoint), cms=cms_client(endpoint),
                  instance="i-demo-linux-1", local_disk_instance="i-demo-localdisk-1", admin=Admin(endpoint),
                  oss=oss_client(REGION, ACCESS_KEY_ID, ACCESS_KEY_SECRET, endpoint), bucket="ecsops-demo-records")


@pytest.fixture
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    """The emulator (reset), or with ECSOPS_VERIFY_CLOUD=1 the real account; objects made are deleted after."""
    chosen = cloud_target() if CLOUD else emulator_target(request.getfixturevalue("emulator").endpoint)
    record_answers(chosen.ecs, chosen.answers)
    record_answers(chosen.cms, chosen.answers)
    from tests.support.oss_shapes import record_answers as record_oss_answers

    record_oss_answers(chosen.oss, chosen.oss_answers)
    try:
        yield chosen
    finally:
        chosen.clean_up()
