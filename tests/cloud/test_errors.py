"""SDK exceptions become a few typed errors, each knowing the API parameter it is about."""

from __future__ import annotations

import pytest

from ecsops.cloud import errors


class FakeSdkError(Exception):
    """Shaped like the SDK's ClientException / ServerException / ThrottlingException."""

    def __init__(self, code: str, status: int, message: str = "text", retry_after: int | None = None):
        super().__init__(f"Error: {code} code: {status}, {message} request id: R1")
        self.code = code
        self.status_code = status
        self.message = f"code: {status}, {message} request id: R1"
        self.data = {"RequestId": "R1", "Code": code, "Message": message}
        self.request_id = "R1"
        self.retry_after = retry_after


@pytest.mark.parametrize(
    ("code", "status", "kind", "parameter"),
    [
        pytest.param("InvalidCmdId.NotFound", 404, errors.NotFound, "CommandId", id="command-gone"),
        pytest.param("InvalidCmdType.NotFound", 404, errors.InvalidInput, "Type", id="bad-type-is-input"),
        pytest.param("CmdContent.ExceedLimit", 403, errors.InvalidInput, "CommandContent", id="content"),
        pytest.param("CmdCount.ExceedQuota", 403, errors.QuotaExceeded, None, id="quota"),
        pytest.param("IdempotentParameterMismatch", 403, errors.Conflict, "ClientToken", id="token-mismatch"),
        pytest.param("Throttling.User", 400, errors.Throttled, None, id="throttled"),
        pytest.param("Throttling", 400, errors.Throttled, None, id="throttled-plain"),
        pytest.param("Rejected.Throttling", 400, errors.Throttled, None, id="rejected-throttling"),
        pytest.param("ServiceUnavailable", 503, errors.ServiceError, None, id="unavailable"),
        pytest.param("SomethingNew", 502, errors.ServiceError, None, id="any-5xx"),
        pytest.param("InvalidParameter.WorkingDir", 400, errors.InvalidInput, "WorkingDir", id="invalid-parameter"),
        pytest.param("MissingParameter", 400, errors.InvalidInput, None, id="missing"),
        pytest.param("SignatureDoesNotMatch", 400, errors.AccessDenied, None, id="signature"),
        pytest.param("InvalidAction.NotFound", 404, errors.NoPublicApi, None, id="no-such-api"),
        pytest.param("Whatever.Else", 400, errors.InvalidInput, None, id="unknown-4xx"),
    ],
)
def test_codes_map_to_typed_errors(code, status, kind, parameter) -> None:
    mapped = errors.from_sdk(FakeSdkError(code, status), "CreateCommand")
    assert type(mapped) is kind
    assert (mapped.code, mapped.parameter, mapped.status, mapped.request_id) == (code, parameter, status, "R1")
    assert str(mapped) == f"CreateCommand: text ({code})"


def test_only_throttling_and_service_errors_are_retryable() -> None:
    retryable = {kind for kind in vars(errors).values()
                 if isinstance(kind, type) and issubclass(kind, errors.CloudError) and kind.retryable}
    assert retryable == {errors.Throttled, errors.ServiceError}


def test_the_retry_after_hint_is_kept_in_seconds() -> None:
    mapped = errors.from_sdk(FakeSdkError("Throttling.User", 400, retry_after=1500), "DescribeCommands")
    assert mapped.retry_after_s == 1.5


class FakeUnretryable(Exception):
    """Shaped like darabonba's UnretryableException around a requests failure."""

    code = None
    inner_exception = ("{'message': 'HTTPConnectionPool(host=\\'127.0.0.1\\', port=1): Max retries exceeded with "
                       "url: /?RegionId=x (Caused by NewConnectionError(\"HTTPConnection(host=\\'127.0.0.1\\', "
                       "port=1): Failed to establish a new connection: [Errno 111] Connection refused\"))'}")


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        pytest.param(FakeUnretryable(), "connection refused", id="refused"),
        pytest.param(ConnectionResetError("Connection reset by peer"), "connection reset by peer", id="reset"),
        pytest.param(TimeoutError("HTTPConnectionPool: Read timed out. (read timeout=30)"), "read timed out",
                     id="timeout"),
    ],
)
def test_a_network_failure_is_a_retryable_service_error_in_few_words(error, reason) -> None:
    mapped = errors.from_sdk(error, "CreateCommand", where="http://127.0.0.1:1")
    assert isinstance(mapped, errors.ServiceError) and mapped.retryable
    assert str(mapped) == f"CreateCommand: no answer from http://127.0.0.1:1: {reason}"


def test_a_cloudmonitor_failure_answer_is_an_error() -> None:
    mapped = errors.from_answer({"Code": "400", "Success": False, "Message": "bad rule", "RequestId": "R"}, "PutEventRule")
    assert isinstance(mapped, errors.InvalidInput) and str(mapped) == "PutEventRule: bad rule (400)"
