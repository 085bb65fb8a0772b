"""The emulated OSS API: one request -> operation (wire) -> signature (signature) -> one transaction in which the
handler works on the buckets and objects (objects) and the call is logged -> the answer (wire, documents).

Each handler is small: it reads its parameters, calls objects, formats. Like an RPC call (app.py), every
request first catches up the simulation (a record delivery due by now is in the bucket it lists), runs in one
`BEGIN IMMEDIATE` transaction, and is logged in it (product `oss`, the operation as action, its bucket, key and
query parameters as params, never a body); a failed call is rolled back and logged in a transaction of its
own, a call refused for its credentials is logged too, and a request for an operation the emulator does not
serve is answered and not logged. After the commit, webhook deliveries the catch-up caused are handed to the
dispatcher, as after any API call.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import sqlite3
import sys
import traceback
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Callable

from werkzeug.datastructures import Headers
from werkzeug.wrappers import Request, Response

from ecsops.emulator import clock, models, simulation, world
from ecsops.emulator.oss import documents, objects, signature, wire
from ecsops.emulator.oss.errors import OssError, error
from ecsops.emulator.store import Database

if TYPE_CHECKING:
    from ecsops.emulator.app import EmulatorApp

PRODUCT = "oss"
DEFAULT_CONTENT_TYPE = "application/octet-stream"
DEFAULT_MAX_KEYS, MAX_KEYS = 100, 1000
#: Request headers that change what an operation does, logged with its parameters.
LOGGED_HEADERS = ("x-oss-forbid-overwrite",)


@dataclass(frozen=True)
class Context:
    """What a handler works with: the transaction, the clock's reading, the call, who signed it, its body."""

    tx: sqlite3.Connection
    now: datetime
    call: wire.Call
    signer: signature.Signer
    headers: Headers
    body: bytes
    request_id: str

    @property
    def key(self) -> str:
        assert self.call.key is not None  # wire.parse routes only /bucket/key to object operations
        return self.call.key


Handler = Callable[[Context], Response]
HANDLERS: dict[str, Handler] = {}


def operation(action: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        HANDLERS[action] = handler
        return handler

    return register


def handle(app: "EmulatorApp", request: Request) -> Response:
    """Serves one OSS request over the app's database, with the world's key pairs."""
    request_id = wire.new_request_id()
    body = wire.read_body(request)  # first: whatever the answer, the connection must stay in step
    try:
        call = wire.parse(request)
    except OssError as failure:
        return wire.error_response(failure, request_id, request)
    try:
        signer = signature.verify(request, call.bucket, call.key, app.key_pairs(), now=datetime.now(timezone.utc))
        checked = _checked_body(request, body)
    except OssError as failure:
        _log_failure(app.db, call, request, request_id, failure)
        return wire.error_response(failure, request_id, request)
    try:
        with app.db.transaction() as tx:
            now = clock.now(tx)
            simulation.catch_up(tx, now)
            response = HANDLERS[call.action](Context(tx, now, call, signer, request.headers, checked, request_id))
            _log(tx, call, request, request_id, response.status_code, None)
    except OssError as failure:
        _log_failure(app.db, call, request, request_id, failure)
        return wire.error_response(failure, request_id, request)
    except Exception:  # a bug in the emulator: answer like the cloud does, and say where it broke
        traceback.print_exc(file=sys.stderr)
        internal = error("InternalError")
        _log_failure(app.db, call, request, request_id, internal)
        return wire.error_response(internal, request_id, request)
    app.deliveries.kick()
    return response


def _checked_body(request: Request, body: bytes | None) -> bytes:
    """The body, if within the size the emulator takes and matching its Content-MD5 when one is sent."""
    if body is None:
        raise error("EntityTooLarge")
    given = request.headers.get("Content-MD5")
    if given is None:
        return body
    try:
        digest = base64.b64decode(given, validate=True)
    except (binascii.Error, ValueError):
        digest = b""
    if len(digest) != 16:
        raise error("InvalidDigest", reason="it is not the base64 encoding of an MD5 digest")
    if digest != hashlib.md5(body).digest():
        raise error("InvalidDigest", reason="it does not match the MD5 of the body received")
    return body


# --- buckets --------------------------------------------------------------------------------------------


@operation("PutBucket")
def put_bucket(ctx: Context) -> Response:
    """Creates the bucket in the region the request is signed for (V1 names none: the world's first region)."""
    region = ctx.signer.region or world.regions(ctx.tx)[0]
    objects.create_bucket(ctx.tx, ctx.call.bucket, region)
    return wire.empty_response(ctx.request_id, headers={"Location": f"/{ctx.call.bucket}"})


@operation("GetBucketAcl")
def get_bucket_acl(ctx: Context) -> Response:
    """Every bucket is private: the SDK's `is_bucket_exist` asks this and only looks for NoSuchBucket."""
    objects.require_bucket(ctx.tx, ctx.call.bucket)
    return wire.xml_response(documents.access_control_policy(objects.owner(ctx.tx)), ctx.request_id)


@operation("ListObjects")
def list_objects(ctx: Context) -> Response:
    echo = _echo(ctx, owner=objects.owner(ctx.tx), marker=ctx.call.args.get("marker", ""))
    page = _page(ctx, echo, after=echo.marker or "")
    return wire.xml_response(documents.list_objects(echo, page), ctx.request_id)


@operation("ListObjectsV2")
def list_objects_v2(ctx: Context) -> Response:
    """Continuation tokens are the last key or prefix shown, base64url-encoded: opaque, and unchanged by the
    URL decoding the SDK applies to them."""
    args = ctx.call.args
    fetch_owner = args.get("fetch-owner", "").lower() == "true"
    echo = _echo(ctx, owner=objects.owner(ctx.tx) if fetch_owner else None, start_after=args.get("start-after"),
                 continuation_token=args.get("continuation-token"))
    after = _token_key(echo.continuation_token) if echo.continuation_token else echo.start_after or ""
    page = _page(ctx, echo, after=after)
    next_token = base64.urlsafe_b64encode(page.last.encode()).decode() if page.last is not None else None
    return wire.xml_response(documents.list_objects_v2(echo, page, next_token), ctx.request_id)


def _echo(ctx: Context, *, owner: str | None, marker: str | None = None, start_after: str | None = None,
          continuation_token: str | None = None) -> documents.ListingEcho:
    args = ctx.call.args
    encoding = args.get("encoding-type")
    if encoding not in (None, "url"):
        raise error("InvalidArgument", reason=f"encoding-type must be url, not {encoding!r}.")
    return documents.ListingEcho(bucket=ctx.call.bucket, prefix=args.get("prefix", ""),
                                 delimiter=args.get("delimiter", ""), max_keys=_max_keys(args.get("max-keys")),
                                 url_encoded=encoding == "url", owner=owner, marker=marker, start_after=start_after,
                                 continuation_token=continuation_token)


def _page(ctx: Context, echo: documents.ListingEcho, *, after: str) -> objects.Page:
    return objects.listing(ctx.tx, ctx.call.bucket, prefix=echo.prefix, after=after, delimiter=echo.delimiter,
                           max_keys=echo.max_keys)


def _max_keys(text: str | None) -> int:
    if text is None:
        return DEFAULT_MAX_KEYS
    if not (text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_KEYS):
        raise error("InvalidArgument", reason=f"max-keys must be an integer from 1 to {MAX_KEYS}, not {text!r}.")
    return int(text)


def _token_key(token: str) -> str:
    try:
        return base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, ValueError):
        raise error("InvalidArgument", reason="The continuation token provided is incorrect.") from None


# --- objects --------------------------------------------------------------------------------------------


@operation("PutObject")
def put_object(ctx: Context) -> Response:
    """With `x-oss-forbid-overwrite: true`, an existing key is refused (FileAlreadyExists) and left as it was."""
    forbid = ctx.headers.get("x-oss-forbid-overwrite", "").lower() == "true"
    content_type = ctx.headers.get("Content-Type") or DEFAULT_CONTENT_TYPE
    stored = objects.put(ctx.tx, ctx.call.bucket, ctx.key, ctx.body, content_type, ctx.now, forbid_overwrite=forbid)
    headers = {"ETag": stored.etag, "x-oss-hash-crc64ecma": stored.crc64,
               "Content-MD5": base64.b64encode(hashlib.md5(stored.data).digest()).decode()}
    return wire.empty_response(ctx.request_id, headers=headers)


@operation("GetObject")
def get_object(ctx: Context) -> Response:
    stored = objects.get(ctx.tx, ctx.call.bucket, ctx.key)
    response = Response(stored.data, content_type=stored.content_type, headers=documents.object_headers(stored))
    response.headers["x-oss-request-id"] = ctx.request_id
    return response


@operation("HeadObject")
def head_object(ctx: Context) -> Response:
    stored = objects.get(ctx.tx, ctx.call.bucket, ctx.key)
    headers = {**documents.object_headers(stored), "Content-Type": stored.content_type,
               "Content-Length": str(stored.size)}
    return wire.empty_response(ctx.request_id, headers=headers)


@operation("GetObjectMeta")
def get_object_meta(ctx: Context) -> Response:
    """HEAD ?objectMeta, which the SDK's `is_object_exist` sends: the object's size, ETag, time and CRC-64."""
    stored = objects.get(ctx.tx, ctx.call.bucket, ctx.key)
    headers = {"ETag": stored.etag, "Last-Modified": documents.http_date(stored.last_modified),
               "x-oss-hash-crc64ecma": stored.crc64, "Content-Length": str(stored.size)}
    return wire.empty_response(ctx.request_id, headers=headers)


@operation("DeleteObject")
def delete_object(ctx: Context) -> Response:
    objects.delete(ctx.tx, ctx.call.bucket, ctx.key)
    return wire.empty_response(ctx.request_id, status=204)


# --- the request log ------------------------------------------------------------------------------------


def _log(tx: sqlite3.Connection, call: wire.Call, request: Request, request_id: str, status: int,
         code: str | None) -> None:
    params = {"bucket": call.bucket, **({"key": call.key} if call.key is not None else {}),
              **{name: ",".join(call.args.getlist(name)) for name in call.args},
              **{name: request.headers[name] for name in LOGGED_HEADERS if name in request.headers}}
    models.log_request(tx, time=clock.iso(clock.now(tx)), product=PRODUCT, action=call.action,
                       kind="write" if call.writes else "read", params=json.dumps(params), status=status, code=code,
                       request_id=request_id)


def _log_failure(db: Database, call: wire.Call, request: Request, request_id: str, failure: OssError) -> None:
    with db.transaction() as tx:
        _log(tx, call, request, request_id, failure.status, failure.code)
