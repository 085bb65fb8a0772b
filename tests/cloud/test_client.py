"""The cloud client against the emulator: wire names in, wire answers out; retries only where a repeat is
safe; the retry-after hint honoured; the rate limit shared."""

from __future__ import annotations

import pytest

from ecsops.cloud import errors, operations as ops
from ecsops.cloud.backend import Backend, KeyPair
from ecsops.cloud.client import Cloud
from ecsops.cloud.operations import ECS, Operation, Retry
from ecsops.cloud.ratelimit import RateLimiter

CONTENT = "ZWNobyBoaQ=="  # echo hi


class Sleeps:
    """Records the waits instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def cloud(emulator):
    backend = Backend("endpoint", "cn-hangzhou", endpoint=emulator.endpoint,
                      keys=KeyPair("ecsops-local", "ecsops-local-secret"))
    return Cloud(backend, sleep=Sleeps())


def new_command(**extra):
    return {"Name": "n", "Type": "RunShellScript", "CommandContent": CONTENT, **extra}


def test_calls_take_and_return_wire_names(cloud) -> None:
    created = cloud.call(ops.CREATE_COMMAND, new_command(
        Tag=[{"Key": "team", "Value": "sre"}], ClientToken="t-1"))
    body = cloud.call(ops.DESCRIBE_COMMANDS, {"CommandId": created["CommandId"]})
    [command] = body["Commands"]["Command"]
    assert command["Tags"]["Tag"] == [{"TagKey": "team", "TagValue": "sre"}]
    assert cloud.stats["calls"] == 2


def test_the_region_defaults_to_the_backends_and_can_be_named(cloud) -> None:
    cloud.call(ops.CREATE_COMMAND, new_command(ClientToken="a"), region="cn-beijing")
    assert cloud.call(ops.DESCRIBE_COMMANDS, {})["TotalCount"] == 0
    assert cloud.call(ops.DESCRIBE_COMMANDS, {}, region="cn-beijing")["TotalCount"] == 1



def test_a_region_view_calls_its_region_through_the_same_client(cloud) -> None:
    beijing = cloud.in_region("cn-beijing")
    assert cloud.in_region(None) is cloud and cloud.in_region("cn-hangzhou") is cloud
    assert cloud.in_region("cn-beijing") is beijing and beijing.region == "cn-beijing"
    assert beijing.stats is cloud.stats and beijing.backend.region == "cn-beijing"
    assert beijing.backend.account_key == cloud.backend.account_key and beijing.backend.keys == cloud.backend.keys
    # the cloud throttles per account and region: each region its own budget, shared by its views and calls
    assert beijing.limiter is not cloud.limiter and beijing.in_region("cn-beijing").limiter is beijing.limiter
    assert cloud._limiter("cn-beijing") is beijing.limiter and cloud._limiter("cn-hangzhou") is cloud.limiter
    beijing.call(ops.CREATE_COMMAND, new_command(ClientToken="b"))
    assert cloud.call(ops.DESCRIBE_COMMANDS, {})["TotalCount"] == 0
    assert beijing.call(ops.DESCRIBE_COMMANDS, {})["TotalCount"] == 1
    assert beijing.call(ops.DESCRIBE_COMMANDS, {}, region="cn-hangzhou")["TotalCount"] == 0  # a named region wins
    assert cloud.stats["calls"] == 4 and cloud.region == "cn-hangzhou"

def test_errors_arrive_typed(cloud) -> None:
    with pytest.raises(errors.NotFound) as raised:
        cloud.call(ops.DELETE_COMMAND, {"CommandId": "c-none"})
    assert raised.value.parameter == "CommandId"


def test_a_throttled_read_is_retried_after_the_servers_hint(cloud, admin) -> None:
    admin.faults(seed=3, throttleRate=0.5, retryAfterMs=700, actions=["DescribeCommands"])
    for _ in range(6):
        assert cloud.call(ops.DESCRIBE_COMMANDS, {})["TotalCount"] == 0
    assert cloud.stats["throttled"] >= 1
    assert cloud._sleep.waits and all(wait == pytest.approx(0.7) for wait in cloud._sleep.waits)


def test_a_create_with_client_token_survives_a_lost_reply_without_duplicating(cloud, admin) -> None:
    admin.faults(seed=1, dropRate=1.0, actions=["CreateCommand"])
    cloud.attempts = 2
    with pytest.raises(errors.ServiceError):
        cloud.call(ops.CREATE_COMMAND, new_command(ClientToken="same"))
    admin.clear_faults()
    assert cloud.call(ops.DESCRIBE_COMMANDS, {})["TotalCount"] == 1   # committed despite the lost replies
    again = cloud.call(ops.CREATE_COMMAND, new_command(ClientToken="same"))
    assert cloud.call(ops.DESCRIBE_COMMANDS, {})["Commands"]["Command"][0]["CommandId"] == again["CommandId"]


def test_server_errors_on_a_safe_call_are_retried_until_it_succeeds(cloud, admin) -> None:
    admin.faults(seed=11, errorRate=0.6)
    created = cloud.call(ops.CREATE_COMMAND, new_command(ClientToken="retry-me"))
    admin.clear_faults()
    assert cloud.stats["retries"] >= 1
    assert [c["CommandId"] for c in cloud.call(ops.DESCRIBE_COMMANDS, {})["Commands"]["Command"]] == [
        created["CommandId"]]


def test_calls_that_are_not_safe_to_repeat_are_not_retried(cloud, admin) -> None:
    unsafe = Operation(ECS, "CreateCommand", Retry.NEVER)
    admin.faults(errorRate=1.0)
    with pytest.raises(errors.ServiceError):
        cloud.call(unsafe, new_command())
    assert cloud.stats["calls"] == 1


def test_input_errors_are_not_retried(cloud) -> None:
    with pytest.raises(errors.InvalidInput):
        cloud.call(ops.CREATE_COMMAND, new_command(Type="Python", ClientToken="x"))
    assert cloud.stats["calls"] == 1


def test_a_create_without_client_token_is_refused_before_any_call(cloud) -> None:
    with pytest.raises(ValueError, match="ClientToken"):
        cloud.call(ops.CREATE_COMMAND, new_command())
    assert cloud.stats["calls"] == 0


def test_retries_stop_after_the_attempt_budget(cloud, admin) -> None:
    admin.faults(errorRate=1.0, actions=["DescribeCommands"])
    cloud.attempts = 3
    with pytest.raises(errors.ServiceError):
        cloud.call(ops.DESCRIBE_COMMANDS, {})
    assert cloud.stats["calls"] == 3


def test_an_unreachable_endpoint_is_a_service_error_naming_the_action() -> None:
    cloud = Cloud(Backend("endpoint", "cn-hangzhou", endpoint="http://127.0.0.1:9",
                          keys=KeyPair("a", "b")), attempts=1)
    with pytest.raises(errors.ServiceError) as raised:
        cloud.call(ops.DESCRIBE_COMMANDS, {})
    assert raised.value.action == "DescribeCommands"


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_the_rate_limit_spaces_calls_after_the_burst() -> None:
    clock = FakeClock()
    limiter = RateLimiter(10, burst=5, clock=clock, sleep=clock.sleep)
    for _ in range(25):
        limiter.acquire()
    assert clock.now == pytest.approx(2.0)  # 5 free, then 20 at 10 per second


def test_the_rate_limit_refills_while_idle() -> None:
    clock = FakeClock()
    limiter = RateLimiter(10, burst=5, clock=clock, sleep=clock.sleep)
    for _ in range(5):
        limiter.acquire()
    clock.now += 10
    limiter.acquire()
    assert clock.now == pytest.approx(10.0)


def test_no_rate_limit_never_waits() -> None:
    clock = FakeClock()
    limiter = RateLimiter(None, clock=clock, sleep=clock.sleep)
    for _ in range(1000):
        limiter.acquire()
    assert clock.now == 0


@pytest.mark.parametrize(("page_size", "calls"), [
    pytest.param(4, 2, id="ends-on-a-short-page"),
    pytest.param(3, 2, id="ends-at-total-count-without-an-empty-page"),
    pytest.param(100, 1, id="one-page"),
])
def test_numbered_listings_are_read_page_after_page(cloud, page_size, calls) -> None:
    """The default world has six instances in cn-hangzhou: every one is listed once, in as few calls as paging allows."""
    items = cloud.fetch_all_numbered(ops.DESCRIBE_INSTANCE_MAINTENANCE_ATTRIBUTES, {},
                                ("MaintenanceAttributes", "MaintenanceAttribute"), page_size=page_size)
    ids = [item["InstanceId"] for item in items]
    assert len(ids) == len(set(ids)) == 6 and "i-demo-linux-1" in ids
    assert cloud.stats["calls"] == calls


@pytest.mark.parametrize(("product", "sdk", "endpoint"), [
    pytest.param(ops.ECS, "alibabacloud_ecs20140526.client", "ecs.cn-shanghai.aliyuncs.com", id="ecs"),
    pytest.param(ops.CMS, "alibabacloud_cms20190101.client", "metrics.cn-shanghai.aliyuncs.com", id="cms"),
])
def test_on_the_real_cloud_the_product_client_finds_the_endpoint(product, sdk, endpoint) -> None:
    """No call is made: the client that would carry one is the product's own, with its endpoint rules."""
    from ecsops.cloud.client import _sdk_client

    client = _sdk_client(product, Backend("cloud", "cn-shanghai", keys=KeyPair("a", "b")), "cn-shanghai")
    assert (type(client).__module__, client._endpoint) == (sdk, endpoint)


def test_with_an_endpoint_the_generic_client_goes_there() -> None:
    from ecsops.cloud.client import _sdk_client

    backend = Backend("endpoint", "cn-hangzhou", endpoint="http://127.0.0.1:9", keys=KeyPair("a", "b"))
    client = _sdk_client(ops.ECS, backend, "cn-hangzhou")
    assert (type(client).__module__, client._endpoint) == ("alibabacloud_tea_openapi.client", "127.0.0.1:9")
