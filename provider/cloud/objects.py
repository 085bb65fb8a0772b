"""Objects in an OSS bucket, through the official client (`alibabacloud-oss-v2`): what remote state needs.

Four operations, each one call: `put` (optionally create-only: PutObject with `x-oss-forbid-overwrite`, which
OSS refuses with 409 FileAlreadyExists when the key exists — the primitive that makes the state lock and the
no-lost-update writes), `get`, `delete` and `keys` (ListObjectsV2, every page). The client signs with OSS V4
(the SDK's own signer) and retries throttling and network errors itself; failures become ObjectStoreError
naming the bucket, key and the service's code, and never carry the credentials.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from ecsops.cloud.backend import Backend

FORBIDDEN_OVERWRITE = "FileAlreadyExists"


class ObjectStoreError(RuntimeError):
    """A call to the object store failed; the message names the operation, bucket, key and the cause."""

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.code = code


class ObjectExists(ObjectStoreError):
    """A create-only put found the key taken."""


@dataclass(frozen=True)
class Bucket:
    """Where the objects are: a bucket in a region, reached at `endpoint` (None: the region's public one)."""

    name: str
    region: str
    endpoint: str | None = None


class OssObjects:
    """The objects of one bucket, over the official OSS client. Thread-safe (the client is)."""

    def __init__(self, bucket: Bucket, backend: Backend):
        self.bucket = bucket
        self._client = _client(bucket, backend)

    def put(self, key: str, data: bytes, *, create_only: bool = False) -> None:
        """Writes `key`. With `create_only`, raises ObjectExists if the key is already there (nothing is
        written), so two writers of the same key cannot both succeed."""
        import alibabacloud_oss_v2 as oss

        request = oss.PutObjectRequest(bucket=self.bucket.name, key=key, body=data,
                                       content_type="application/json",
                                       forbid_overwrite="true" if create_only else None)
        self._call("PutObject", key, self._client.put_object, request)

    def get(self, key: str) -> bytes | None:
        """The object's bytes, or None when there is no such key."""
        import alibabacloud_oss_v2 as oss

        try:
            answer = self._call("GetObject", key, self._client.get_object,
                                oss.GetObjectRequest(bucket=self.bucket.name, key=key))
        except ObjectStoreError as error:
            if error.code == "NoSuchKey":
                return None
            raise
        with answer.body as body:
            return bytes(body.read())

    def delete(self, key: str) -> None:
        """Removes `key` (no error when it is already gone)."""
        import alibabacloud_oss_v2 as oss

        self._call("DeleteObject", key, self._client.delete_object,
                   oss.DeleteObjectRequest(bucket=self.bucket.name, key=key))

    def keys(self, prefix: str) -> list[str]:
        """Every key that starts with `prefix`, in key order (all pages)."""
        import alibabacloud_oss_v2 as oss

        found: list[str] = []
        token: str | None = None
        while True:
            answer = self._call("ListObjectsV2", prefix, self._client.list_objects_v2,
                                oss.ListObjectsV2Request(bucket=self.bucket.name, prefix=prefix, max_keys=1000,
                                                         continuation_token=token))
            found.extend(item.key for item in answer.contents or [])
            token = answer.next_continuation_token
            if not answer.is_truncated or not token:
                return found

    def describe(self, key: str = "") -> str:
        return f"oss://{self.bucket.name}/{key}"

    def _call(self, operation: str, key: str, method: Any, request: Any) -> Any:
        """One SDK call; its failure as ObjectStoreError (ObjectExists for a refused create-only put)."""
        import alibabacloud_oss_v2 as oss

        try:
            return method(request)
        except oss.exceptions.BaseError as error:
            service = _service_error(error)
            where = self.describe(key)
            if service is None:
                raise ObjectStoreError(f"{operation} {where} failed: {_short(error)}") from None
            if service.code == FORBIDDEN_OVERWRITE:
                raise ObjectExists(f"{where} already exists", service.code) from None
            raise ObjectStoreError(f"{operation} {where} failed: {service.code} (HTTP {service.status_code}): "
                                   f"{service.message}", service.code) from None


def _service_error(error: BaseException) -> Any:
    """The service's answer inside the SDK's OperationError, if the call reached the service."""
    import alibabacloud_oss_v2 as oss

    inner: Any = error
    while inner is not None:
        if isinstance(inner, oss.exceptions.ServiceError):
            return inner
        unwrap = getattr(inner, "unwrap", None)
        inner = unwrap() if unwrap is not None else None
    return None


def _short(error: BaseException) -> str:
    """The innermost cause of an SDK error, on one line (a refused connection, a timeout)."""
    inner: BaseException = error
    while hasattr(inner, "unwrap") and inner.unwrap() is not None:
        inner = inner.unwrap()
    return " ".join(str(inner).split()) or type(inner).__name__


def _client(bucket: Bucket, backend: Backend) -> Any:
    """The official OSS client for `bucket` with the backend's credentials (its key pair, or the official
    credential chain). An explicit endpoint (an emulator) is addressed path-style, as OSS does for IPs."""
    import alibabacloud_oss_v2 as oss

    logging.getLogger("alibabacloud_oss_v2").setLevel(logging.CRITICAL)
    config = oss.config.load_default()
    config.region = bucket.region
    config.retry_max_attempts = 4
    if bucket.endpoint:
        config.endpoint = bucket.endpoint
        config.use_path_style = True
        config.disable_ssl = bucket.endpoint.startswith("http://")
    if backend.keys is not None:
        config.credentials_provider = oss.credentials.StaticCredentialsProvider(
            backend.keys.access_key_id, backend.keys.access_key_secret)
    else:
        config.credentials_provider = oss.credentials.CredentialsProviderFunc(_chain_credentials())
    return oss.Client(config)


def _chain_credentials() -> Any:
    """A function giving the official default credential chain's current credentials to the OSS client."""
    import alibabacloud_oss_v2 as oss
    from alibabacloud_credentials.client import Client as CredentialClient

    chain = CredentialClient()

    def current() -> Any:
        found = chain.get_credential()
        return oss.credentials.Credentials(access_key_id=found.get_access_key_id(),
                                           access_key_secret=found.get_access_key_secret(),
                                           security_token=found.get_security_token())

    return current


class S3Objects:
    """The objects of one bucket of an S3-compatible store, over boto3 (the `s3` extra) and its own credential
    chain. Create-only puts carry `If-None-Match: *`, which S3 (since 2024), MinIO and moto refuse with 412
    when the key exists. The same four operations and errors as OssObjects."""

    def __init__(self, bucket: Bucket):
        self.bucket = bucket
        try:
            import boto3
            from botocore.config import Config
        except ImportError:
            raise ObjectStoreError("state on s3:// needs boto3: pip install 'ecsops[s3]'") from None
        self._client = boto3.client("s3", region_name=bucket.region or None, endpoint_url=bucket.endpoint,
                                    config=Config(retries={"max_attempts": 4, "mode": "standard"}))

    def put(self, key: str, data: bytes, *, create_only: bool = False) -> None:
        extra = {"IfNoneMatch": "*"} if create_only else {}
        self._call("PutObject", key, lambda: self._client.put_object(
            Bucket=self.bucket.name, Key=key, Body=data, ContentType="application/json", **extra))

    def get(self, key: str) -> bytes | None:
        try:
            answer = self._call("GetObject", key, lambda: self._client.get_object(Bucket=self.bucket.name, Key=key))
        except ObjectStoreError as error:
            if error.code == "NoSuchKey":
                return None
            raise
        return bytes(answer["Body"].read())

    def delete(self, key: str) -> None:
        self._call("DeleteObject", key, lambda: self._client.delete_object(Bucket=self.bucket.name, Key=key))

    def keys(self, prefix: str) -> list[str]:
        found: list[str] = []
        token: str | None = None
        while True:
            options = {"ContinuationToken": token} if token else {}
            answer = self._call("ListObjectsV2", prefix, lambda: self._client.list_objects_v2(
                Bucket=self.bucket.name, Prefix=prefix, MaxKeys=1000, **options))
            found.extend(item["Key"] for item in answer.get("Contents", []))
            token = answer.get("NextContinuationToken")
            if not answer.get("IsTruncated") or not token:
                return found

    def describe(self, key: str = "") -> str:
        return f"s3://{self.bucket.name}/{key}"

    def _call(self, operation: str, key: str, call: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        where = self.describe(key)
        try:
            return call()
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code == "PreconditionFailed" or status == 412:
                raise ObjectExists(f"{where} already exists", code) from None
            if code in ("NoSuchKey", "404") and operation == "GetObject":
                raise ObjectStoreError(f"{where} does not exist", "NoSuchKey") from None
            message = error.response.get("Error", {}).get("Message", "")
            raise ObjectStoreError(f"{operation} {where} failed: {code} (HTTP {status}): {message}", code) from None
        except BotoCoreError as error:
            raise ObjectStoreError(f"{operation} {where} failed: {error}") from None
