"""CloudMonitor errors: HTTP errors for malformed requests, `Success: false` answers for refused content.

CloudMonitor answers most refusals with HTTP 200 and `{"Code": "<code>", "Success": false, "Message"}`,
which the SDK does not raise: callers must look at `Success`. The emulator splits them so:

- HTTP errors (`ServiceError`, the usual error body): the request is malformed - a required parameter is
  missing (`MissingParameter`: RuleName, EventPattern, EventPattern.N.Product, RuleNames, Ids), a value is
  not of its type (`InvalidParameter`: SilenceTime, PageNumber, PageSize, IsEnable; paging out of range),
  an unknown `RegionId` (`InvalidRegionId.NotFound`).
- `Failure` (HTTP 200, `Success: false`): the content is refused - `ParameterInvalid` (rule name, event
  type, level, state, status, target fields, too many list entries), `LimitExceeded` (more than 5 targets
  of one type on a rule), `ResourceNotFound` (unknown rule, contact group, Log Service project or
  logstore), `FilterNotSupported` (a SQL filter outside the subset the emulator evaluates).

Either way nothing is written: the request's transaction is rolled back.
"""

from __future__ import annotations

from typing import Any

from ecsops.emulator.errors import ServiceError

FAILURES = {
    "ParameterInvalid": "The parameter {name} is invalid: {reason}",
    "LimitExceeded": "Rule {rule} would have {count} {kind} targets; a rule takes at most {limit} of each type.",
    "ResourceNotFound": "The {kind} {name!r} does not exist.",
    "FilterNotSupported": "{name} is not supported by the emulator: {reason}",
}


class Failure(ServiceError):
    """A refusal answered with HTTP 200 and `Success: false`; rolls the request back like any error."""

    def __init__(self, code: str, message: str):
        super().__init__(code, 200, message)

    def body(self) -> dict[str, Any]:
        return {"Code": self.code, "Success": False, "Message": self.message}


def failure(code: str, **fields: Any) -> Failure:
    return Failure(code, FAILURES[code].format(**fields))


def invalid(name: str, reason: str) -> Failure:
    return failure("ParameterInvalid", name=name, reason=reason)
