"""Who may call the emulator: signatures of API calls, HTTP Basic credentials of the admin API.

Both are checked against the world's key pairs (`account.accessKeys`, read per request, so a pair merged
through `POST /_emulator/world` works on the next call and a removed one stops working).

API calls (docs/wire.md §1) are verified by recomputing what the official SDK signs, from the request as
received, with the secret of the AccessKeyId the request names; nothing here imports the SDK.

- V3, `Authorization: ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=h1;h2,Signature=hex`: the canonical
  request is `METHOD \\n PATH \\n QUERY \\n HEADERS \\n SIGNED-HEADER-NAMES \\n x-acs-content-sha256`, where
  QUERY is every received query parameter sorted by name, `name=percent-encoded value` joined by `&` (the
  name as it is: the SDK does not encode names, which are letters, digits and dots in every API), and
  HEADERS is `name:value\\n` for each signed header, sorted; the string to sign is `ACS3-HMAC-SHA256 \\n
  hex(SHA-256(canonical request))` and the signature `hex(HMAC-SHA256(secret, string to sign))`.
  The body is covered through the last line of the canonical request, which the server takes from the body
  received (the SHA-256 the client sends in `x-acs-content-sha256` is signed among the headers): a body
  changed on the way, or a header that is not its digest, makes a different string to sign.
  `host`, `content-type` and every `x-acs-*` header sent must be signed (they choose what runs).
- V2 (`signature_algorithm='v2'`): `AccessKeyId`, `SignatureMethod=HMAC-SHA1`, `SignatureVersion=1.0`,
  `Timestamp` and `Signature` among the query / form parameters; the string to sign is
  `METHOD&%2F&percent-encode(sorted "name=value" pairs of every parameter but Signature, joined by &)`
  and the signature `base64(HMAC-SHA1(secret + "&", string to sign))`. The SDK also sends unsigned
  `x-acs-action` / `x-acs-version` headers, which the decoder prefers: they must equal the signed
  `Action` / `Version`.

A wrong signature is answered as the cloud words it, `SignatureDoesNotMatch` with the message `Specified
signature is not matched with our calculation. server string to sign is:<the string the server signed>`: a
client compares that string with its own to tell a wrong secret (same string; the legacy Python SDK,
aliyunsdkcore, then raises `InvalidAccessKeySecret`, other SDKs do likewise) from a request changed on the
way (another string). The string to sign holds no secret (V2: the method and the parameters as sent,
AccessKeyId included; V3: the algorithm and a SHA-256 digest); like the cloud, it repeats what the caller sent.

Guarantees: signatures are compared in constant time (`hmac.compare_digest`); no answer ever contains a
secret; a request whose `x-acs-date` / `Timestamp` is more than 15 minutes from the real wall clock (never the
virtual one) is refused, so a captured request stops working after that; within those 15 minutes a
request replayed with its signature nonce (`x-acs-signature-nonce`, or V2's `SignatureNonce`) is refused
with `SignatureNonceUsed`, as the cloud does (`remember_nonce`, in the database, so every process sharing
it refuses the replay).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Mapping
from urllib.parse import quote

from werkzeug.wrappers import Request

from ecsops.emulator import models, world
from ecsops.emulator.errors import COMMON, ServiceError

V3_ALGORITHM = "ACS3-HMAC-SHA256"
MAX_SKEW = timedelta(minutes=15)
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
#: Where the V2 scheme puts the action and version in the signed parameters, and where the SDK repeats them.
V2_ROUTING = (("Action", "x-acs-action"), ("Version", "x-acs-version"))

#: AccessKeyId -> secret.
KeyPairs = Mapping[str, str]


class Unauthorized(Exception):
    """An admin request without valid HTTP Basic credentials; the message says what is wrong."""


def key_pairs(tx: sqlite3.Connection) -> dict[str, str]:
    """The world's key pairs, AccessKeyId -> secret."""
    return {key["id"]: key["secret"] for key in world.account(tx)["accessKeys"]}


def verify_api_request(request: Request, keys: KeyPairs, *, now: datetime) -> None:
    """Raises ServiceError unless one of `keys` signed `request`, by either scheme, at most 15 minutes from
    `now` (the real time, UTC). An Authorization header means V3, else a Signature parameter means V2."""
    authorization = request.headers.get("Authorization")
    if authorization:
        _verify_v3(request, authorization, keys, now)
    elif "Signature" in request.args or "Signature" in request.form:
        _verify_v2(request, keys, now)
    else:
        raise COMMON.error("MissingSignature")


def signature_nonce(request: Request) -> str:
    """The nonce a signed request carries (every SDK sends one; a request without is refused by the check)."""
    return request.headers.get("x-acs-signature-nonce") or request.values.get("SignatureNonce") or ""


def remember_nonce(tx: sqlite3.Connection, nonce: str, *, now: datetime) -> None:
    """Records a verified request's nonce; raises SignatureNonceUsed if it was seen within MAX_SKEW (older
    ones are forgotten: their requests are refused as expired anyway)."""
    seen = now.timestamp()
    models.forget_nonces_before(tx, seen - MAX_SKEW.total_seconds())
    if not models.remember_nonce(tx, nonce, seen):
        raise COMMON.error("SignatureNonceUsed")


def verify_basic(request: Request, keys: KeyPairs) -> None:
    """Raises Unauthorized unless the request carries HTTP Basic `AccessKeyId:secret` of a known pair."""
    credentials = request.authorization
    if credentials is None or credentials.type != "basic":
        raise Unauthorized("the admin API needs HTTP Basic authentication with a key pair of the world "
                           "(AccessKeyId:secret)")
    secret = keys.get(credentials.username or "")
    if secret is None or not _same(secret, credentials.password or ""):
        raise Unauthorized("unknown AccessKeyId or wrong secret")


def _secret(keys: KeyPairs, access_key_id: str) -> str:
    secret = keys.get(access_key_id)
    if secret is None:
        raise COMMON.error("InvalidAccessKeyId.NotFound")
    return secret


def _encode(text: str) -> str:
    """Percent-encoding as both schemes sign: RFC 3986 unreserved characters stay, `~` included."""
    return quote(text, safe="~", encoding="utf-8")


# --- V3: ACS3-HMAC-SHA256 ------------------------------------------------------------------------------


@dataclass(frozen=True)
class V3Authorization:
    access_key_id: str
    signed_headers: tuple[str, ...]
    signature: str


def _verify_v3(request: Request, header: str, keys: KeyPairs, now: datetime) -> None:
    authorization = _parse_authorization(header)
    secret = _secret(keys, authorization.access_key_id)
    _require_signed_headers(request, authorization.signed_headers)
    string_to_sign = f"{V3_ALGORITHM}\n{_sha256_hex(_canonical_request(request, authorization).encode())}"
    expected = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()
    if not _same(expected, authorization.signature):
        raise _mismatch(string_to_sign)
    _check_fresh(request.headers["x-acs-date"], now)


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _parse_authorization(header: str) -> V3Authorization:
    algorithm, _, rest = header.strip().partition(" ")
    if algorithm != V3_ALGORITHM:
        raise COMMON.error("IncompleteSignature", reason=f"the emulator verifies {V3_ALGORITHM} (or the V2 "
                                                         f"Signature parameter), not {algorithm!r}")
    fields = dict(part.strip().partition("=")[::2] for part in rest.split(","))
    credential, signed, signature = fields.get("Credential"), fields.get("SignedHeaders"), fields.get("Signature")
    if not (credential and signed and signature):
        raise COMMON.error("IncompleteSignature", reason="the Authorization header needs Credential, "
                                                         "SignedHeaders and Signature")
    return V3Authorization(credential, tuple(sorted(name.lower() for name in signed.split(";"))), signature)


def _require_signed_headers(request: Request, signed: tuple[str, ...]) -> None:
    """Every header that decides what runs must be signed; the date and body digest must be there."""
    for name in ("x-acs-date", "x-acs-content-sha256"):
        if name not in request.headers:
            raise COMMON.error("IncompleteSignature", reason=f"the {name} header is missing")
    for name, _ in request.headers.items():
        lowered = name.lower()
        if (lowered in ("host", "content-type") or lowered.startswith("x-acs-")) and lowered not in signed:
            raise COMMON.error("IncompleteSignature", reason=f"the {lowered} header is sent but not signed")


def _canonical_request(request: Request, authorization: V3Authorization) -> str:
    """What the SDK hashes, with the digest of the body as received where it puts x-acs-content-sha256."""
    query = "&".join(f"{name}={_encode(value)}" for name, value in sorted(request.args.items(multi=True)))
    headers = "".join(f"{name}:{_header_value(request, name)}\n" for name in authorization.signed_headers)
    return "\n".join((request.method, request.path, query, headers, ";".join(authorization.signed_headers),
                      _sha256_hex(request.get_data())))


def _header_value(request: Request, name: str) -> str:
    return ",".join(sorted(value.strip() for value in request.headers.getlist(name)))


# --- V2: HMAC-SHA1 over the parameters -----------------------------------------------------------------


def _verify_v2(request: Request, keys: KeyPairs, now: datetime) -> None:
    params = [*request.args.items(multi=True), *request.form.items(multi=True)]
    given = dict(params)
    for name in ("AccessKeyId", "SignatureMethod", "SignatureVersion", "Timestamp"):
        if not given.get(name):
            raise COMMON.error("MissingParameter", name=name)
    if (given["SignatureMethod"], given["SignatureVersion"]) != ("HMAC-SHA1", "1.0"):
        raise COMMON.error("IncompleteSignature", reason="V2 requests are signed with SignatureMethod=HMAC-SHA1 "
                                                         "and SignatureVersion=1.0")
    secret = _secret(keys, given["AccessKeyId"])
    signed = sorted((name, value) for name, value in params if name != "Signature")
    canonical = "&".join(f"{_encode(name)}={_encode(value)}" for name, value in signed)
    string_to_sign = f"{request.method}&{_encode('/')}&{_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    if not _same(base64.b64encode(digest).decode(), given["Signature"]):
        raise _mismatch(string_to_sign)
    _require_signed_routing(request, given)
    _check_fresh(given["Timestamp"], now)


def _require_signed_routing(request: Request, given: Mapping[str, str]) -> None:
    """The unsigned x-acs-action / x-acs-version headers, when sent, must say what the signature covers."""
    for param, header in V2_ROUTING:
        value = request.headers.get(header)
        if value is not None and value != given.get(param):
            raise COMMON.error("IncompleteSignature", reason=f"the {header} header {value!r} differs from the "
                                                             f"signed {param} {given.get(param)!r}")


# --- both ----------------------------------------------------------------------------------------------


def _same(expected: str, given: str) -> bool:
    """Constant-time comparison; as bytes, so any text a client sends compares (and simply differs)."""
    return hmac.compare_digest(expected.encode(), given.encode())


def _mismatch(string_to_sign: str) -> ServiceError:
    """The answer to a wrong signature: the string the server signed, as the cloud puts it in the message (the
    client tells a wrong secret from a changed request by comparing it with its own). Never the secret."""
    return COMMON.error("SignatureDoesNotMatch", string_to_sign=string_to_sign)


def _check_fresh(stamp: str, now: datetime) -> None:
    try:
        sent = datetime.strptime(stamp, TIMESTAMP_FORMAT).replace(tzinfo=timezone.utc)
    except ValueError:
        raise COMMON.error("InvalidTimeStamp.Format", value=stamp) from None
    if abs(now - sent) > MAX_SKEW:
        raise COMMON.error("InvalidTimeStamp.Expired", value=stamp, now=now.strftime(TIMESTAMP_FORMAT))
