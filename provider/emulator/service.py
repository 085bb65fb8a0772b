"""How an emulated product declares its operations, and what a handler gets to work with.

A product (ECS, CloudMonitor, License Manager) is a `Product` with a wire version; each operation is a plain
function `handler(ctx) -> dict` registered with `@PRODUCT.operation("CreateCommand", writes=True)`. The
handler reads `ctx.params`, works on `ctx.tx` (already inside the request's transaction) and returns the
response body without `RequestId`. Raising `ServiceError` rolls the whole request back.
"""

from __future__ import annotations

import secrets
import sqlite3
import string
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Protocol, Sequence

from ecsops.emulator import clock, models, world
from ecsops.emulator.errors import COMMON
from ecsops.emulator.protocol import ApiRequest, Params

Handler = Callable[["Context"], dict[str, Any]]

#: The core models the products' handlers take from here: a listing with tag filters, and an object's tags.
Listing = models.Listing
tags_of = models.tags_of

_ID_ALPHABET = string.ascii_lowercase + string.digits
#: The two letters real ids carry for a region (c-hz01..., t-bj02...); others use the region's initials.
_REGION_CODES = {"cn-hangzhou": "hz", "cn-beijing": "bj", "cn-shanghai": "sh", "cn-shenzhen": "sz",
                 "cn-qingdao": "qd", "cn-zhangjiakou": "zb", "cn-hongkong": "hk", "us-west-1": "us",
                 "us-east-1": "ue", "eu-central-1": "eu", "ap-southeast-1": "sg", "ap-northeast-1": "jp"}


@dataclass(frozen=True)
class Operation:
    action: str
    handler: Handler
    writes: bool
    #: Parameters whose values never reach the request log (secret command parameters, for instance).
    masked: frozenset[str] = frozenset()


@dataclass
class Product:
    name: str
    version: str
    operations: dict[str, Operation] = field(default_factory=dict)

    def operation(self, action: str, *, writes: bool, masked: tuple[str, ...] = ()) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.operations[action] = Operation(action, handler, writes, frozenset(masked))
            return handler

        return register


@dataclass
class Context:
    """Everything one request may use: its transaction, the clock's reading, its parameters."""

    tx: sqlite3.Connection
    now: datetime
    request: ApiRequest

    @property
    def params(self) -> Params:
        return self.request.params

    @property
    def timestamp(self) -> str:
        return clock.iso(self.now)

    def region(self) -> str:
        """The request's `RegionId`, which every ECS operation requires and must be a known region."""
        region = self.params.text("RegionId", required=True)
        assert region is not None
        if region not in world.regions(self.tx):
            raise COMMON.error("InvalidRegionId.NotFound", region=region)
        return region


def new_id(prefix: str, region: str) -> str:
    """An id shaped like the cloud's: `c-hz01...`, with the region's two-letter code."""
    code = _REGION_CODES.get(region) or "".join(part[0] for part in region.split("-"))[:2]
    return f"{prefix}-{code}{''.join(secrets.choice(_ID_ALPHABET) for _ in range(16))}"


def idempotent(ctx: Context, token: str | None, perform: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Runs `perform` once per ClientToken: a repeat with the same parameters gets the first answer.

    A repeat with other parameters is `IdempotentParameterMismatch`. Requests are serialised by the
    database lock, so a repeat arriving while the first is in flight waits and then sees its answer.
    """
    if token is None:
        return perform()
    if not token or len(token) > 64 or not token.isascii():
        raise COMMON.error("InvalidClientToken.Malformed")
    region = ctx.params.text("RegionId") or ""
    fingerprint = ctx.params.fingerprint()
    earlier = models.idempotent_answer(ctx.tx, ctx.request.action, region, token)
    if earlier is not None:
        if earlier.fingerprint != fingerprint:
            raise COMMON.error("IdempotentParameterMismatch")
        return earlier.response
    body = perform()
    models.remember_answer(ctx.tx, ctx.request.action, region, token, fingerprint, body, ctx.timestamp)
    return body


class Rows(Protocol):
    """What `page` cuts a page from: a list, or a `Listing` window that fetches only the page's rows."""

    def __len__(self) -> int: ...

    def __getitem__(self, window: slice, /) -> Sequence[Any]: ...


def page(ctx: Context, rows: Rows, *, default_size: int = 10, max_size: int = 50) -> tuple[list[Any], dict[str, Any]]:
    """Cuts one page out of `rows` by MaxResults/NextToken (or the older PageNumber/PageSize).

    Returns the page and the paging fields of the answer. NextToken is the offset of the next page,
    opaque to callers; an empty NextToken means the last page.
    """
    params = ctx.params
    legacy = (params.has("PageNumber") or params.has("PageSize")) and not (
        params.has("MaxResults") or params.has("NextToken"))
    if not legacy:
        size = params.integer("MaxResults", default=default_size)
        assert size is not None
        if not 1 <= size <= max_size:
            raise COMMON.error("InvalidParameter", name="MaxResults", reason=f"must be between 1 and {max_size}")
        offset = _offset(params.text("NextToken"))
        chunk = list(rows[offset:offset + size])
        following = offset + size
        token = _token(following) if following < len(rows) else ""
        return chunk, {"NextToken": token, "TotalCount": len(rows), "MaxResults": size}
    number = params.integer("PageNumber", default=1)
    size = params.integer("PageSize", default=default_size)
    assert number is not None and size is not None
    if number < 1:
        raise COMMON.error("InvalidParameter", name="PageNumber", reason="must be 1 or more")
    if not 1 <= size <= max_size:
        raise COMMON.error("InvalidParameter", name="PageSize", reason=f"must be between 1 and {max_size}")
    start = (number - 1) * size
    return list(rows[start:start + size]), {"PageNumber": number, "PageSize": size, "TotalCount": len(rows)}


def _token(offset: int) -> str:
    return f"o{offset:x}"


def _offset(token: str | None) -> int:
    if not token:
        return 0
    try:
        if not token.startswith("o"):
            raise ValueError(token)
        return int(token[1:], 16)
    except ValueError:
        raise COMMON.error("InvalidNextToken") from None


def tag_list(tags: dict[str, str]) -> dict[str, Any]:
    """Tags as DescribeCommands / DescribeInstances answer them."""
    return {"Tag": [{"TagKey": key, "TagValue": value} for key, value in tags.items()]}


def matches_tags(tx: sqlite3.Connection, resource_type: str, resource_id: str, wanted: list[dict[str, Any]]) -> bool:
    """True when the resource carries every `Tag.N.Key` (and `Tag.N.Value`, when given) asked for."""
    if not wanted:
        return True
    have = tags_of(tx, resource_type, resource_id)
    for tag in wanted:
        key = tag.get("Key")
        if key not in have or ("Value" in tag and tag["Value"] != have[key]):
            return False
    return True
