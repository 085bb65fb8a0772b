"""Calls to the emulator's License Manager (2022-07-07), a product no SDK knows (docs/wire.md §5): through the
official generic client, signed and flattened exactly as a product SDK's `*_with_options` method does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from alibabacloud_tea_openapi import models as openapi_models
from alibabacloud_tea_openapi import utils_models
from alibabacloud_tea_openapi.client import Client as OpenApiClient
from alibabacloud_tea_openapi.utils import Utils
from darabonba.runtime import RuntimeOptions

from tests.support.emulator import ACCESS_KEY_ID, ACCESS_KEY_SECRET, REGION

VERSION = "2022-07-07"


def license_client(endpoint: str) -> OpenApiClient:
    scheme, _, host = endpoint.partition("://")
    return OpenApiClient(openapi_models.Config(access_key_id=ACCESS_KEY_ID, access_key_secret=ACCESS_KEY_SECRET,
                                               region_id=REGION, endpoint=host, protocol=scheme))


def license_call(endpoint: str, action: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """The answer body of `action`; lists and lists of objects in `params` go out as `Name.N` / `Name.N.Field`.

    Raises the SDK's exception (`ClientException` for 4xx) on an error answer.
    """
    request = utils_models.OpenApiRequest(query=Utils.query(dict(params)))
    call = utils_models.Params(action=action, version=VERSION, protocol="HTTP", pathname="/", method="POST",
                               auth_type="AK", style="RPC", req_body_type="formData", body_type="json")
    return license_client(endpoint).call_api(call, request, RuntimeOptions())["body"]


@dataclass(frozen=True)
class LicenseApi:
    """`api(action, **params)`: one call in `region` unless the params name another RegionId; the answer body."""

    endpoint: str
    region: str = REGION

    def __call__(self, action: str, **params: Any) -> dict[str, Any]:
        return license_call(self.endpoint, action, {"RegionId": self.region, **params})
