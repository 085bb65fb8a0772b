"""An S3-compatible endpoint (moto's server) standing in for OSS, which is S3-compatible."""

from __future__ import annotations

import urllib.request
from typing import Any

import boto3

from tests.support.emulator import Admin

S3_KEY_ID, S3_SECRET = "moto-key", "moto-secret-never-shown"


def fresh_bucket(endpoint: str, bucket: str) -> Any:
    """A boto3 client of the endpoint, emptied, holding `bucket` only."""
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=10).close()
    client = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=S3_KEY_ID,
                          aws_secret_access_key=S3_SECRET, region_name="us-east-1")
    client.create_bucket(Bucket=bucket)
    return client


def use_endpoint(admin: Admin, endpoint: str) -> None:
    """Makes the emulator's OSS write through the endpoint."""
    admin.world({"oss": {"endpoint": endpoint, "accessKeyId": S3_KEY_ID, "accessKeySecret": S3_SECRET}})
