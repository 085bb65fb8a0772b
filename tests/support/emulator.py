"""Test access to a running emulator: its admin API, and official SDK clients pointed at it."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any, Mapping

from alibabacloud_ecs20140526 import models as ecs_models
from alibabacloud_ecs20140526.client import Client as EcsClient
from alibabacloud_tea_openapi import models as openapi_models
from alibabacloud_tea_openapi.utils import Utils

ACCESS_KEY_ID = "ecsops-local"
ACCESS_KEY_SECRET = "ecsops-local-secret"
REGION = "cn-hangzhou"


@dataclass
class Admin:
    """The admin API, authenticated with a key pair of the world (HTTP Basic; the default pair unless given)."""

    endpoint: str
    access_key_id: str = ACCESS_KEY_ID
    access_key_secret: str = ACCESS_KEY_SECRET

    def call(self, method: str, route: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.endpoint}/_emulator/{route}", data=data, method=method,
                                         headers={"Content-Type": "application/json",
                                                  "Authorization": basic_authorization(self.access_key_id,
                                                                                       self.access_key_secret)})
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

    def holding(self) -> int:
        """How many calls the emulator process holds right now (`holdWrites`)."""
        return self.call("GET", "faults")["holding"]

    def injected(self) -> dict[str, int]:
        """Calls per fault outcome ("ok", "throttle", "error", "drop", "rate-limited") under the settings."""
        return self.call("GET", "faults")["injected"]


def basic_authorization(access_key_id: str, access_key_secret: str) -> str:
    return "Basic " + base64.b64encode(f"{access_key_id}:{access_key_secret}".encode()).decode()


def v2_signature(params: Mapping[str, str], *, access_key_id: str = ACCESS_KEY_ID,
                 access_key_secret: str = ACCESS_KEY_SECRET, timestamp: str | None = None,
                 method: str = "POST") -> dict[str, str]:
    """The parameters that sign a raw request carrying `params` (query and form together) by the legacy V2
    scheme, at `timestamp` (default: now); the signature is the SDK's own (`Utils.get_rpcsignature`)."""
    added = {"AccessKeyId": access_key_id, "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
             "SignatureNonce": uuid.uuid4().hex, "Timestamp": timestamp or Utils.get_timestamp()}
    return {**added, "Signature": Utils.get_rpcsignature({**params, **added}, method, access_key_secret)}


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


def sdk_config(endpoint: str, *, access_key_id: str = ACCESS_KEY_ID, access_key_secret: str = ACCESS_KEY_SECRET,
               signature_algorithm: str | None = None) -> openapi_models.Config:
    """The SDK configuration of a client of the emulator at `endpoint`; `signature_algorithm="v2"` signs the
    legacy way (V3 ACS3-HMAC-SHA256 otherwise)."""
    scheme, _, host = endpoint.partition("://")
    config = openapi_models.Config(access_key_id=access_key_id, access_key_secret=access_key_secret,
                                   region_id=REGION, endpoint=host, protocol=scheme)
    if signature_algorithm:
        config.signature_algorithm = signature_algorithm
    return config


def ecs_client(endpoint: str, **config: Any) -> EcsClient:
    """An official ECS client; `config` as `sdk_config` takes it (another key pair, the V2 signature)."""
    return EcsClient(sdk_config(endpoint, **config))


def cms_client(endpoint: str, **config: Any) -> Any:
    """An official CloudMonitor client; `config` as `sdk_config` takes it."""
    from alibabacloud_cms20190101.client import Client as CmsClient

    return CmsClient(sdk_config(endpoint, **config))


models = ecs_models
