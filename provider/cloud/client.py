"""`Cloud`: the one way ecsops reaches an API — official SDK clients, retries, rate limit, error mapping.

`cloud.call(CREATE_COMMAND, {"Name": ..., "Tag": [{"Key": ..., "Value": ...}]})` takes the wire parameter
names (docs/wire.md), serialises them as the product SDKs do — nested values flattened (`Tag.1.Key`), the
operation's `json_params` as JSON text, both by the SDK's own `Utils` — and sends the RPC call through the
official OpenAPI client's `call_api`, the very method every product SDK method ends in: signing, transport
and error types are the SDK's. It returns the answer body as a dict in wire form.

Why not the product clients' typed methods: importing `alibabacloud_ecs20140526` loads some 1,700 model
modules (about 0.2 s of every command's start) to build request objects that `call_api` turns straight
back into this query. The product client is still what finds a product's endpoint in a region of the real
cloud (its endpoint rules are SDK data, not ours), so it is imported there, and only there; with an
explicit endpoint (an emulator) the generic client is all that is needed. tests/cloud checks that every
operation's request is parameter for parameter the one the product SDK sends. Guarantees:

- errors arrive as `ecsops.cloud.errors.CloudError` subclasses, never SDK exception types, and an answer
  with `Success: false` (CloudMonitor's way, on HTTP 200) is an error too;
- only operations declared safe to repeat are retried (throttling, 5xx, network), honouring the server's
  retry-after hint, with jittered exponential backoff;
- every attempt passes the rate limit of its region first (one budget per account and region, as the cloud
  throttles: a `Cloud` is one account);
- SDK clients are created lazily, once per product and region, and shared by threads.
"""

from __future__ import annotations

import copy
import importlib
import json
import logging
import os
import random
import threading
import time
from collections import Counter
from dataclasses import replace
from typing import Any, Callable, Mapping

from tenacity import Retrying, RetryCallState, retry_if_exception, stop_after_attempt, stop_after_delay

from ecsops.cloud import errors
from ecsops.cloud.backend import Backend
from ecsops.cloud.operations import Operation, Product, Retry
from ecsops.cloud.ratelimit import DEFAULT_RATE, RateLimiter, parsed_rate

LOG = logging.getLogger("ecsops.cloud")
DEFAULT_ATTEMPTS = 8
DEFAULT_RETRY_BUDGET_S = 120.0
CONNECT_TIMEOUT_MS = 5_000
READ_TIMEOUT_MS = 30_000
BACKOFF_FIRST_S = 0.2
BACKOFF_MAX_S = 5.0


def rate_from_environment() -> float | None:
    """The client-side rate limit: $ECSOPS_RATE calls per second (0: none), else DEFAULT_RATE."""
    text = os.environ.get("ECSOPS_RATE", "").strip()
    if not text:
        return DEFAULT_RATE
    value = parsed_rate(text)
    if value is None:
        raise errors.InvalidInput(f"ECSOPS_RATE={text!r} is not a rate (calls per second, 0 for no limit)",
                                  parameter="ECSOPS_RATE")
    return value or None


class Cloud:
    """API access for one backend; `region` is the default RegionId of calls that do not name one."""

    def __init__(self, backend: Backend, *, rate: float | None = DEFAULT_RATE, attempts: int = DEFAULT_ATTEMPTS,
                 retry_budget_s: float = DEFAULT_RETRY_BUDGET_S, sleep: Callable[[float], None] | None = None):
        self.backend = backend
        self.region = backend.region
        self.rate = rate
        self.limiter = RateLimiter(rate)  # this region's budget; every other region has its own (`in_region`)
        self._limiters: dict[str, RateLimiter] = {self.region: self.limiter}
        self.attempts = attempts
        self.retry_budget_s = retry_budget_s
        self._sleep = sleep
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()
        self._emulator: bool | None = None
        self._views: dict[str, Cloud] = {}
        self.stats: Counter[str] = Counter()

    def in_region(self, region: str | None) -> "Cloud":
        """This client with another default region: the same SDK clients, rate limit, credentials and counts;
        calls that name no region go to `region` (None or this client's region: this client itself). The
        engine gives each resource's lifecycle the view of the resource's region."""
        if region is None or region == self.region:
            return self
        with self._lock:
            view = self._views.get(region)
            if view is None:
                view = self._views[region] = copy.copy(self)  # shares _clients, _limiters, _lock, stats, _views
                view.region = region
                view.backend = replace(self.backend, region=region)  # its identity is that region's
                view.limiter = self._limiters.setdefault(region, RateLimiter(self.rate))
            return view

    def call(self, operation: Operation, params: Mapping[str, Any], *, region: str | None = None) -> dict[str, Any]:
        """Runs one operation (with retries when it is safe to repeat); returns the answer body."""
        if operation.retry is Retry.TOKEN and not params.get("ClientToken"):
            raise ValueError(f"{operation.action} is retried only with a ClientToken")
        region = region or str(params.get("RegionId") or self.region)
        request = {"RegionId": region, **params} if operation.product.regional else dict(params)
        if operation.retry is Retry.NEVER:
            return self._attempt(operation, request, region)
        pacing: dict[str, Any] = {"sleep": self._sleep} if self._sleep else {}
        retrying = Retrying(
            retry=retry_if_exception(lambda error: isinstance(error, errors.CloudError) and error.retryable),
            stop=stop_after_attempt(self.attempts) | stop_after_delay(self.retry_budget_s),
            wait=_wait,
            reraise=True,
            before_sleep=lambda state: self._count("retries"),
            **pacing,
        )
        return retrying(self._attempt, operation, request, region)

    def _attempt(self, operation: Operation, request: dict[str, Any], region: str) -> dict[str, Any]:
        started = time.monotonic()
        try:
            body = self._send(operation, request, region)
        except errors.CloudError as error:
            LOG.debug("%s %s (%s) -> %s after %.0f ms", operation.action, region, _names(request),
                      error.code or type(error).__name__, 1000 * (time.monotonic() - started))
            raise
        LOG.debug("%s %s (%s) -> ok in %.0f ms", operation.action, region, _names(request),
                  1000 * (time.monotonic() - started))
        return body

    def _send(self, operation: Operation, request: dict[str, Any], region: str) -> dict[str, Any]:
        self._limiter(region).acquire()
        self._count(f"calls:{operation.action}")
        self._count("calls")
        if not operation.product.public and not self.is_emulator():
            raise errors.NoPublicApi(f"{operation.product.name} has no public API: it exists only in the ecsops "
                                     "emulator", action=operation.action)
        client = self._client(operation, region)
        try:
            body = _rpc_call(client, operation, request)
        except Exception as error:  # the SDK raises its own types and the network's: map them all
            mapped = errors.from_sdk(error, operation.action, where=self.backend.endpoint or "the cloud")
            if isinstance(mapped, errors.Throttled):
                self._count("throttled")
            raise mapped from error
        if body.get("Success") is False:  # CloudMonitor answers some failures with HTTP 200
            raise errors.from_answer(body, operation.action)
        return body

    def fetch_all(self, operation: Operation, params: Mapping[str, Any], path: tuple[str, ...], *,
                  page_size: int = 50, region: str | None = None) -> list[dict[str, Any]]:
        """Every item of a MaxResults/NextToken listing, page after page (`path` leads to the items)."""
        items: list[dict[str, Any]] = []
        token = ""
        while True:
            body = self.call(operation, {**params, "MaxResults": page_size, **({"NextToken": token} if token else {})},
                             region=region)
            items.extend(_items(body, path))
            token = body.get("NextToken") or ""
            if not token:
                return items

    def fetch_all_numbered(self, operation: Operation, params: Mapping[str, Any], path: tuple[str, ...], *,
                           page_size: int, region: str | None = None) -> list[dict[str, Any]]:
        """Every item of an older PageNumber/PageSize listing: pages until a short one, or until the answer's
        TotalCount items (when it gives one) are in hand."""
        items: list[dict[str, Any]] = []
        number = 1
        while True:
            body = self.call(operation, {**params, "PageNumber": number, "PageSize": page_size}, region=region)
            found = _items(body, path)
            items.extend(found)
            total = body.get("TotalCount")
            if len(found) < page_size or (total is not None and len(items) >= int(total)):
                return items
            number += 1

    def is_emulator(self) -> bool:
        """True when the backend is an ecsops emulator (embedded, or an endpoint answering its admin API)."""
        with self._lock:
            if self._emulator is None:
                self._emulator = self.backend.kind == "embedded" or (
                    self.backend.kind == "endpoint" and _answers_as_emulator(str(self.backend.endpoint)))
            return self._emulator

    def _limiter(self, region: str) -> RateLimiter:
        """The rate budget of `region`: the cloud throttles per account and region, so each region has its own,
        shared by every view and thread of this client (one account)."""
        with self._lock:
            return self._limiters.setdefault(region, RateLimiter(self.rate))

    def _client(self, operation: Operation, region: str) -> Any:
        key = (operation.product.name, region)
        with self._lock:
            if key not in self._clients:
                self._clients[key] = _sdk_client(operation.product, self.backend, region)
            return self._clients[key]

    def _count(self, name: str) -> None:
        with self._lock:
            self.stats[name] += 1


def _items(body: Mapping[str, Any], path: tuple[str, ...]) -> list[dict[str, Any]]:
    """The list at `path` in an answer (`("Commands", "Command")`), empty when the answer has none."""
    found: Any = body
    for key in path:
        found = (found or {}).get(key, {})
    return list(found or [])


def _wait(state: RetryCallState) -> float:
    """The server's retry-after hint when it gave one, else jittered exponential backoff (0.2 s .. 5 s)."""
    error = state.outcome.exception() if state.outcome else None
    hint = getattr(error, "retry_after_s", None)
    if hint:
        return max(float(hint), 0.05)
    return min(BACKOFF_MAX_S, BACKOFF_FIRST_S * 2.0 ** (state.attempt_number - 1)) + random.uniform(0, BACKOFF_FIRST_S)


def _answers_as_emulator(endpoint: str) -> bool:
    import urllib.request  # here, not at the top: only calls to emulator-only products ask (~20 ms of start-up)

    try:
        with urllib.request.urlopen(f"{endpoint}/_emulator/health", timeout=5) as answer:
            return bool(json.load(answer).get("ok"))
    except (OSError, ValueError):
        return False


def _rpc_call(client: Any, operation: Operation, request: Mapping[str, Any]) -> dict[str, Any]:
    """One RPC call through the official client's `call_api`, the request serialised by the SDK's `Utils`
    exactly as a product SDK method serialises it; returns the answer body."""
    from alibabacloud_tea_openapi import utils_models
    from alibabacloud_tea_openapi.utils import Utils

    query = {name: (Utils.array_to_string_with_specified_style(value, name, "json")
                    if name in operation.json_params else value)
             for name, value in request.items() if value is not None}
    params = utils_models.Params(action=operation.action, version=operation.product.version, protocol="HTTPS",
                                 pathname="/", method="POST", auth_type="AK", style="RPC",
                                 req_body_type="formData", body_type="json")
    answer = client.call_api(params, utils_models.OpenApiRequest(query=Utils.query(query)), _runtime())
    return answer.get("body") or {}


def _runtime() -> Any:
    from darabonba.runtime import RuntimeOptions

    return RuntimeOptions(autoretry=False, connect_timeout=CONNECT_TIMEOUT_MS, read_timeout=READ_TIMEOUT_MS)


def _sdk_client(product: Product, backend: Backend, region: str) -> Any:
    """The official client for `product` on `backend`, imported on first use: with an explicit endpoint the
    generic OpenAPI client; on the real cloud the product's own client, for its endpoint rules."""
    from alibabacloud_tea_openapi import models as openapi_models

    config = openapi_models.Config(region_id=region)
    if backend.provider is not None:  # a stack's named profile
        from alibabacloud_credentials.client import Client as CredentialClient

        config.credential = CredentialClient(provider=backend.provider)
    elif backend.keys is not None:
        config.access_key_id = backend.keys.access_key_id
        config.access_key_secret = backend.keys.access_key_secret
        config.security_token = backend.keys.security_token
    else:
        from alibabacloud_credentials.client import Client as CredentialClient

        config.credential = CredentialClient()
    if backend.endpoint is not None:
        from alibabacloud_tea_openapi.client import Client as GenericClient

        scheme, _, host = backend.endpoint.partition("://")
        config.endpoint = host
        config.protocol = scheme
        return GenericClient(config)
    if product.sdk is None:
        raise errors.NoPublicApi(f"{product.name} has no SDK client and no endpoint in the cloud")
    return importlib.import_module(product.sdk).Client(config)


def _names(request: Mapping[str, Any]) -> str:
    """The parameters' names only: values may be secrets (a task's parameters, a webhook's URL)."""
    return ", ".join(sorted(key for key, value in request.items() if value is not None))
