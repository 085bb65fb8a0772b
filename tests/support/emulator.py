"""Test access to a running emulator: its admin API, and official SDK clients pointed at it."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from alibabacloud_ecs20140526 import models as ecs_models
from alibabacloud_ecs20140526.client import Client as EcsClient
from alibabacloud_tea_openapi import models as openapi_models

ACCESS_KEY_ID = "ecsops-local"
ACCESS_KEY_SECRET = "ecsops-local-secret"
REGION = "cn-hangzhou"


@dataclass
class Admin:
    endpoint: str

    def call(self, method: str, route: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.endpoint}/_emulator/{route}", data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)

    def reset(self) -> None:
        self.call("POST", "reset")

    def world(self, document: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.call("POST", "world", document) if document is not None else self.call("GET", "world")

    def set_clock(self, instant: str) -> dict[str, Any]:
        return self.call("POST", "clock", {"set": instant})

    def advance(self, duration: str | int) -> dict[str, Any]:
        return self.call("POST", "clock", {"advance": duration})

    def requests(self, **filters: Any) -> list[dict[str, Any]]:
        query = "&".join(f"{key}={value}" for key, value in filters.items())
        return self.call("GET", f"requests?{query}")["requests"]

    def writes(self) -> list[dict[str, Any]]:
        return [entry for entry in self.requests(kind="write") if entry["status"] == 200]

    def faults(self, **config: Any) -> dict[str, Any]:
        return self.call("POST", "faults", config)

    def clear_faults(self) -> None:
        self.call("DELETE", "faults")


def admin_error(call: Any) -> tuple[int, str]:
    """Runs an admin call expected to fail; returns (HTTP status, error message), closing the response."""
    try:
        call()
    except urllib.error.HTTPError as error:
        try:
            return error.code, json.load(error).get("error", "")
        finally:
            error.close()
    raise AssertionError("the admin call succeeded")


def ecs_client(endpoint: str, *, access_key_id: str = ACCESS_KEY_ID, access_key_secret: str = ACCESS_KEY_SECRET,
               signature_algorithm: str | None = None) -> EcsClient:
    scheme, _, host = endpoint.partition("://")
    config = openapi_models.Config(access_key_id=access_key_id, access_key_secret=access_key_secret,
                                   region_id=REGION, endpoint=host, protocol=scheme)
    if signature_algorithm:
        config.signature_algorithm = signature_algorithm
    return EcsClient(config)


def cms_client(endpoint: str) -> Any:
    from alibabacloud_cms20190101.client import Client as CmsClient

    scheme, _, host = endpoint.partition("://")
    return CmsClient(openapi_models.Config(access_key_id=ACCESS_KEY_ID, access_key_secret=ACCESS_KEY_SECRET,
                                           region_id=REGION, endpoint=host, protocol=scheme))


models = ecs_models
