"""Who may call the emulated OSS: requests signed by one of the world's key pairs, by the OSS V4 or V1 scheme.

The same key pairs as the RPC APIs (auth.key_pairs, read per request). Signatures are recomputed from the
request as received, following the OSS documentation; nothing here imports the SDK.

- V4, `Authorization: OSS4-HMAC-SHA256 Credential=AK/DATE/REGION/oss/aliyun_v4_request[,AdditionalHeaders=
  h1;h2],Signature=hex`. The canonical request is `METHOD \\n URI \\n QUERY \\n HEADERS \\n ADDITIONAL \\n
  x-oss-content-sha256`: URI is `/bucket/key` (`/bucket/` for a bucket) percent-encoded except `/`; QUERY is
  every query parameter, name and value percent-encoded (RFC 3986), sorted, `name=value` or a bare `name` for
  an empty value, joined by `&`; HEADERS is `name:value\\n` for every `x-oss-*` header, `content-type`,
  `content-md5` and each additional header, lower-case names, sorted. The string to sign is
  `OSS4-HMAC-SHA256 \\n x-oss-date \\n DATE/REGION/oss/aliyun_v4_request \\n hex(SHA-256(canonical request))`,
  signed with the key derived by HMAC-SHA256 from `"aliyun_v4" + secret` over DATE, REGION, `oss` and
  `aliyun_v4_request` in turn. The payload is not signed (`x-oss-content-sha256: UNSIGNED-PAYLOAD`, the only
  value OSS takes); Content-MD5, when sent, covers it (checked by the API).
- V1, `Authorization: OSS AK:base64(HMAC-SHA1(secret, METHOD \\n Content-MD5 \\n Content-Type \\n Date \\n
  OSS-HEADERS RESOURCE))`, where OSS-HEADERS is `name:value\\n` for every `x-oss-*` header, sorted, and
  RESOURCE is `/bucket/key` unencoded, followed by the sub-resource parameters the scheme signs
  (`?continuation-token=...`), sorted.

Guarantees: signatures are compared in constant time; no answer carries a secret or the string the server
signed; a request dated (`x-oss-date`, or V1's `Date`) more than 15 minutes from the real wall clock (never
the virtual one) is refused with `RequestTimeTooSkewed`, after its signature is found right, so only a key
holder learns about the skew.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Mapping
from urllib.parse import quote

from werkzeug.wrappers import Request

from ecsops.emulator.oss.errors import OssError, error

V4_ALGORITHM = "OSS4-HMAC-SHA256"
V4_TERMINATOR = "aliyun_v4_request"
PRODUCT = "oss"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
V4_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
MAX_SKEW = timedelta(minutes=15)
#: The query parameters V1 signs as part of the resource (the documented sub-resources).
V1_SUBRESOURCES = frozenset({
    "acl", "append", "bucketInfo", "callback", "callback-var", "cloudboxes", "comp", "continuation-token", "cors",
    "delete", "endTime", "img", "lifecycle", "live", "location", "logging", "objectMeta", "partNumber", "position",
    "qos", "referer", "regionList", "replication", "replicationLocation", "replicationProgress", "resourceGroup",
    "response-cache-control", "response-content-disposition", "response-content-encoding",
    "response-content-language", "response-content-type", "response-expires", "restore", "security-token",
    "sequential", "startTime", "stat", "status", "style", "styleName", "symlink", "tagging", "uploadId", "uploads",
    "versionId", "versioning", "versions", "vod", "website", "x-oss-process",
})

KeyPairs = Mapping[str, str]


@dataclass(frozen=True)
class Signer:
    """Who signed a verified request, and the region a V4 signature names (None for V1, which names none)."""

    access_key_id: str
    region: str | None


def verify(request: Request, bucket: str, key: str | None, keys: KeyPairs, *, now: datetime) -> Signer:
    """Raises OssError unless one of `keys` signed `request` (addressed to `bucket` / `key`) by V4 or V1 at most
    15 minutes from `now` (the real time, UTC)."""
    authorization = request.headers.get("Authorization", "").strip()
    if not authorization:
        raise error("AccessDenied", reason="Anonymous access is forbidden: the emulated OSS needs an Authorization "
                                           "header signed by a key pair of the world (presigned URLs are not "
                                           "supported).")
    scheme, _, rest = authorization.partition(" ")
    if scheme == V4_ALGORITHM:
        return _verify_v4(request, rest, _resource(bucket, key), keys, now)
    if scheme == "OSS":
        return _verify_v1(request, rest, _resource(bucket, key), keys, now)
    raise error("InvalidArgument", reason=f"Authorization header is invalid: the emulated OSS verifies "
                                          f"{V4_ALGORITHM} and OSS (V1) signatures, not {scheme!r}.")


def _resource(bucket: str, key: str | None) -> str:
    return f"/{bucket}/{key or ''}"


def _secret(keys: KeyPairs, access_key_id: str) -> str:
    secret = keys.get(access_key_id)
    if secret is None:
        raise error("InvalidAccessKeyId", {"OSSAccessKeyId": access_key_id})
    return secret


def _check_signature(expected: str, given: str) -> None:
    if not hmac.compare_digest(expected.encode(), given.encode()):
        raise error("SignatureDoesNotMatch")


def _check_fresh(sent: datetime, now: datetime) -> None:
    if abs(now - sent) > MAX_SKEW:
        raise error("RequestTimeTooSkewed", {"RequestTime": _iso(sent), "ServerTime": _iso(now)})


def _iso(instant: datetime) -> str:
    return instant.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


# --- V4 -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _V4Authorization:
    access_key_id: str
    date: str
    region: str
    product: str
    terminator: str
    additional_headers: tuple[str, ...]
    signature: str

    @property
    def scope(self) -> str:
        return f"{self.date}/{self.region}/{self.product}/{self.terminator}"


def _verify_v4(request: Request, fields_text: str, resource: str, keys: KeyPairs, now: datetime) -> Signer:
    authorization = _parse_v4(fields_text)
    secret = _secret(keys, authorization.access_key_id)
    stamp, sent = _v4_date(request)
    _check_scope(authorization, stamp)
    payload = request.headers.get("x-oss-content-sha256")
    if payload != UNSIGNED_PAYLOAD:
        raise error("InvalidArgument", reason=f"x-oss-content-sha256 must be {UNSIGNED_PAYLOAD} with a V4 "
                                              f"signature, not {payload!r}.")
    canonical = _canonical_request(request, resource, authorization.additional_headers, payload)
    string_to_sign = "\n".join((V4_ALGORITHM, stamp, authorization.scope,
                                hashlib.sha256(canonical.encode()).hexdigest()))
    signing_key = f"aliyun_v4{secret}".encode()
    for part in (authorization.date, authorization.region, authorization.product, authorization.terminator):
        signing_key = hmac.new(signing_key, part.encode(), hashlib.sha256).digest()
    _check_signature(hmac.new(signing_key, string_to_sign.encode(), hashlib.sha256).hexdigest(),
                     authorization.signature)
    _check_fresh(sent, now)
    return Signer(authorization.access_key_id, authorization.region)


def _parse_v4(fields_text: str) -> _V4Authorization:
    fields = {name.strip(): value.strip() for name, _, value in
              (part.partition("=") for part in fields_text.split(","))}
    credential, signature = fields.get("Credential", ""), fields.get("Signature", "")
    parts = credential.rsplit("/", 4)
    if len(parts) != 5 or not all(parts) or not signature:
        raise error("InvalidArgument", reason="Authorization header is invalid: it needs Credential=AccessKeyId/"
                                              "Date/Region/oss/aliyun_v4_request and Signature.")
    additional = tuple(sorted(name.strip().lower() for name in fields.get("AdditionalHeaders", "").split(";")
                              if name.strip()))
    access_key_id, date, region, product, terminator = parts
    return _V4Authorization(access_key_id, date, region, product, terminator, additional, signature)


def _v4_date(request: Request) -> tuple[str, datetime]:
    stamp = request.headers.get("x-oss-date", "")
    if not stamp:
        raise error("AccessDenied", reason="A V4 signature needs the x-oss-date header.")
    try:
        return stamp, datetime.strptime(stamp, V4_DATE_FORMAT).replace(tzinfo=timezone.utc)
    except ValueError:
        raise error("InvalidArgument", reason=f"x-oss-date {stamp!r} is not a date like 20250101T000000Z.") from None


def _check_scope(authorization: _V4Authorization, stamp: str) -> None:
    """The scope must name the request's own day, the OSS product and the V4 terminator."""
    if authorization.date != stamp[:8]:
        raise error("InvalidArgument", reason="Invalid signing date in Authorization header: it must be the day "
                                              "of x-oss-date.")
    if authorization.product != PRODUCT or authorization.terminator != V4_TERMINATOR:
        raise error("InvalidArgument", reason=f"Invalid signing scope in Authorization header: it must end with "
                                              f"/{PRODUCT}/{V4_TERMINATOR}.")


def _canonical_request(request: Request, resource: str, additional: tuple[str, ...], payload: str) -> str:
    pairs = sorted((_encode(name), _encode(value)) for name, value in request.args.items(multi=True))
    query = "&".join(f"{name}={value}" if value else name for name, value in pairs)
    signed = {name.lower(): value.strip() for name, value in request.headers.items()
              if _signed_by_default(name.lower()) or name.lower() in additional}
    headers = "".join(f"{name}:{signed[name]}\n" for name in sorted(signed))
    return "\n".join((request.method, quote(resource, safe="/"), query, headers, ";".join(additional), payload))


def _signed_by_default(name: str) -> bool:
    return name.startswith("x-oss-") or name in ("content-type", "content-md5")


def _encode(text: str) -> str:
    """RFC 3986 percent-encoding: letters, digits and `-_.~` stay, everything else (`/` too) is encoded."""
    return quote(text, safe="")


# --- V1 -------------------------------------------------------------------------------------------------


def _verify_v1(request: Request, credentials: str, resource: str, keys: KeyPairs, now: datetime) -> Signer:
    access_key_id, colon, signature = credentials.strip().rpartition(":")
    if not colon or not access_key_id or not signature:
        raise error("InvalidArgument", reason="Authorization header is invalid: a V1 signature is "
                                              "OSS AccessKeyId:Signature.")
    secret = _secret(keys, access_key_id)
    date = request.headers.get("x-oss-date") or request.headers.get("Date", "")
    headers = sorted((name.lower(), value.strip()) for name, value in request.headers.items()
                     if name.lower().startswith("x-oss-"))
    subresources = sorted((name, value) for name, value in request.args.items(multi=True) if name in V1_SUBRESOURCES)
    query = "&".join(f"{name}={value}" if value else name for name, value in subresources)
    string_to_sign = "\n".join((request.method, request.headers.get("Content-MD5", ""),
                                request.headers.get("Content-Type", ""), date,
                                "".join(f"{name}:{value}\n" for name, value in headers)
                                + resource + (f"?{query}" if query else "")))
    digest = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha1).digest()
    _check_signature(base64.b64encode(digest).decode(), signature)
    _check_fresh(_http_date(date), now)
    return Signer(access_key_id, None)


def _http_date(text: str) -> datetime:
    try:
        sent = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        raise error("AccessDenied", reason=f"A V1 signature needs a Date header like 'Mon, 01 Jan 2025 00:00:00 "
                                           f"GMT', not {text!r}.") from None
    return sent if sent.tzinfo else sent.replace(tzinfo=timezone.utc)


__all__ = ["OssError", "Signer", "verify"]
