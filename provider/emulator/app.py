"""The emulator's WSGI application: RPC API calls (`/`) to the products, `/_emulator/...` to the admin API,
every other path (`/bucket`, `/bucket/key`) to the emulated OSS (oss.handle).

Each API call: credentials (auth: signed by one of the world's key pairs, before anything else) -> decode
(protocol) -> find product and operation -> a hold, injected faults, the rate limit -> one transaction in which
the signature nonce is remembered (a replay is refused), the handler runs and the call is logged -> JSON
answer (XML when the request says `Format=XML`, protocol.in_requested_format). A failed call is rolled back
and logged in a transaction of its own, so the request log shows every call and never a write that did not
happen. A call refused for its credentials is logged too, with its code, when it names a known operation (its parameters
masked as usual); a request that does not even name one is answered and not logged, as before.
After a call commits, the webhook deliveries it caused are handed to the dispatcher (cms.delivery).
"""

from __future__ import annotations

import json
import socket
import sys
import time
import traceback
import uuid
from datetime import datetime, timezone
from typing import Any, Iterable

from werkzeug.wrappers import Request, Response

from ecsops.emulator import admin, auth, clock, cms, ecs, license, models, oss, simulation, world
from ecsops.emulator.errors import COMMON, ServiceError
from ecsops.emulator.faults import Decision, FaultConfig, Injector
from ecsops.emulator.protocol import ApiRequest, decode_request, error_response, in_requested_format, json_response
from ecsops.emulator.service import Context, Operation, Product
from ecsops.emulator.store import Database, get_meta

PRODUCTS: dict[str, Product] = {product.version: product for product in (ecs.PRODUCT, cms.PRODUCT, license.PRODUCT)}
MASK = "****"


class EmulatorApp:
    """The whole emulated cloud over one database file."""

    def __init__(self, database: Database):
        self.db = database
        self.injector = Injector()
        self.deliveries = cms.Dispatcher(database)
        with self.db.transaction() as tx:
            world.seed_if_new(tx)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        if request.path.startswith(admin.PREFIX):
            response = admin.handle(self, request)
        elif request.path == "/":
            response = in_requested_format(request, self.handle_api(request))
        else:
            response = oss.handle(self, request)
        return response(environ, start_response)

    def handle_api(self, request: Request) -> Response:
        host = request.host or "localhost"
        keys, faults = self._settings()
        try:
            auth.verify_api_request(request, keys, now=datetime.now(timezone.utc))
        except ServiceError as error:
            return self._refuse(request, error, host)
        try:
            api = decode_request(request)
            operation = self._operation(api)
        except ServiceError as error:
            return error_response(error, str(uuid.uuid4()).upper(), host)
        decision = self.injector.decide(faults, api.action)
        held = self.injector.holds(faults, api.action, writes=operation.writes)
        if held and faults.hold_phase == "before":
            self.injector.hold(faults, self._holding_writes)
        if decision.latency_s:
            time.sleep(decision.latency_s)
        if decision.outcome in ("throttle", "error"):
            injected = _injected_error(decision)
            self._log_failure(api, operation, injected)
            return error_response(injected, api.request_id, host)
        try:
            with self.db.transaction() as tx:
                nonce = auth.signature_nonce(request)
                if nonce:
                    auth.remember_nonce(tx, nonce, now=datetime.now(timezone.utc))
                context = Context(tx=tx, now=clock.now(tx), request=api)
                simulation.catch_up(tx, context.now)
                body = operation.handler(context)
                _log(tx, api, operation, context.timestamp, 200, None)
        except ServiceError as error:
            self._log_failure(api, operation, error)
            return _error_answer(error, api.request_id, host)
        except Exception:  # a bug in the emulator: answer like the cloud does, and say where it broke
            traceback.print_exc(file=sys.stderr)
            internal = COMMON.error("InternalError")
            self._log_failure(api, operation, internal)
            return error_response(internal, api.request_id, host)
        self.deliveries.kick()
        if held and faults.hold_phase == "after":
            self.injector.hold(faults, self._holding_writes)
        if decision.reply_delay_s:
            time.sleep(decision.reply_delay_s)
        if decision.outcome == "drop":
            _drop_connection(request)
        return json_response(body, api.request_id)

    def _operation(self, api: ApiRequest) -> Operation:
        product = PRODUCTS.get(api.version)
        if product is None:
            raise COMMON.error("InvalidVersion.NotFound", version=api.version)
        operation = product.operations.get(api.action)
        if operation is None:
            raise COMMON.error("InvalidAction.NotFound", action=api.action, version=api.version)
        return operation

    def key_pairs(self) -> dict[str, str]:
        """The world's key pairs (AccessKeyId -> secret), as of now."""
        with self.db.read() as tx:
            return auth.key_pairs(tx)

    def _settings(self) -> tuple[dict[str, str], FaultConfig]:
        """Key pairs and fault settings, read per call: every process sharing the file sees changes at once."""
        with self.db.read() as tx:
            return auth.key_pairs(tx), FaultConfig.model_validate(get_meta(tx, "faults", {}))

    def _holding_writes(self) -> bool:
        return self._settings()[1].hold_writes

    def _refuse(self, request: Request, error: ServiceError, host: str) -> Response:
        """Answers a call refused for its credentials; logs it when it names a known operation."""
        try:
            api = decode_request(request)
            operation = self._operation(api)
        except ServiceError:
            return error_response(error, str(uuid.uuid4()).upper(), host)
        self._log_failure(api, operation, error)
        return error_response(error, api.request_id, host)

    def _log_failure(self, api: ApiRequest, operation: Operation, error: ServiceError) -> None:
        with self.db.transaction() as tx:
            _log(tx, api, operation, clock.iso(clock.now(tx)), error.status, error.code)


def product_name(version: str) -> str:
    product = PRODUCTS.get(version)
    return product.name if product else "unknown"


def _log(tx: Any, api: ApiRequest, operation: Operation, at: str, status: int, code: str | None) -> None:
    params = {name: _masked(name, value, operation.masked) for name, value in api.params.items()}
    models.log_request(tx, time=at, product=product_name(api.version), action=api.action,
                       kind="write" if operation.writes else "read", params=json.dumps(params), status=status,
                       code=code, request_id=api.request_id)


def _masked(name: str, value: str, masked: frozenset[str]) -> str:
    """Hides the value of a masked parameter; a JSON object keeps its keys and loses its values."""
    if name.split(".", 1)[0] not in masked:
        return value
    try:
        document = json.loads(value)
    except json.JSONDecodeError:
        return MASK
    if isinstance(document, dict):
        return json.dumps({key: MASK for key in document})
    return MASK


def _error_answer(error: ServiceError, request_id: str, host: str) -> Response:
    """The error body with its HTTP status; a CloudMonitor `Failure` is HTTP 200 with `Success: false`."""
    if isinstance(error, cms.Failure):
        return json_response(error.body(), request_id, status=error.status)
    return error_response(error, request_id, host)


def _injected_error(decision: Decision) -> ServiceError:
    if decision.outcome == "throttle":
        error = COMMON.error("Throttling.User")
        error.headers["x-acs-retry-after"] = str(decision.retry_after_ms)
        return error
    return COMMON.error("ServiceUnavailable")


def _drop_connection(request: Request) -> None:
    """Closes the client's connection after the change committed: the reply is lost on the way."""
    connection = request.environ.get("werkzeug.socket")
    if isinstance(connection, socket.socket):
        try:
            connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
