"""The admin API under `/_emulator/`: world seeding, clock, request log, faults, reset. JSON in and out.

| route | does |
|---|---|
| `GET /_emulator/health` | `{"ok": true}` |
| `POST /_emulator/reset` | wipes everything, reseeds the default world, real clock, no faults |
| `GET /_emulator/world`, `POST /_emulator/world` | the world document; merge one (JSON or YAML body) |
| `GET /_emulator/clock`, `POST /_emulator/clock` | `{"set": ISO}`, `{"advance": "90m"}` or `{"real": true}` |
| `GET /_emulator/requests?since=SEQ&action=A&kind=write`, `DELETE` | the API call log (secrets masked) |
| `GET /_emulator/faults`, `POST`, `DELETE` | fault injection settings (see faults.FaultConfig) |
| `POST /_emulator/events`, `GET ?resource=ID` | inject a system event (events.injection); list them |
| `GET /_emulator/events/<id>`, `POST` | one event; `{"status": "Avoided"}` moves it by hand |
| `GET /_emulator/notifications?since=SEQ&rule=NAME&status=S` | every delivery of a notification to a target |
| `GET /_emulator/deliveries?since=SEQ&kind=oss` (or sls) | every delivered Cloud Assistant record (delivery.stores) |
| `GET /_emulator/oss?bucket=B&prefix=P` | the objects the emulated OSS keeps (no S3 endpoint in the world) |
| `GET /_emulator/logs?project=P&logstore=L` | the entries of an emulated logstore |

Every route but `GET /_emulator/health` (left open: it is how a client recognises an emulator) needs HTTP
Basic authentication with one of the world's key pairs, `AccessKeyId:secret`; without it the answer is 401
with `{"error": ...}` and a `WWW-Authenticate` challenge, whatever the route (unknown ones included). A
world document may replace the key pairs but not remove them all, which would lock every client out.

The world's `oss` (`{"endpoint", "accessKeyId", "accessKeySecret", "region"?}`, world.Oss) sends the emulated
OSS's objects to an S3-compatible endpoint; `{"endpoint": null}` keeps them in the emulator again. After every
admin call, the webhook deliveries it caused are handed to the dispatcher (cms.delivery).
"""

from __future__ import annotations

import json
import sys
import time
import traceback
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Sequence

import yaml
from pydantic import ValidationError
from werkzeug.wrappers import Request, Response

from ecsops.emulator import auth, clock, events, models, simulation, world
from ecsops.emulator.cms import delivery
from ecsops.emulator.delivery import stores
from ecsops.emulator.events import injection
from ecsops.emulator.faults import FaultConfig, as_document
from ecsops.emulator.store import get_meta, set_meta

if TYPE_CHECKING:
    from ecsops.emulator.app import EmulatorApp

PREFIX = "/_emulator/"
OPEN_ROUTES = frozenset({("GET", "health")})
CHALLENGE = 'Basic realm="ecsops emulator admin API", charset="UTF-8"'


class AdminError(ValueError):
    """A bad admin request: answered 400 with the message."""


def handle(app: "EmulatorApp", request: Request) -> Response:
    path = request.path[len(PREFIX):].strip("/")
    if (request.method, path) not in OPEN_ROUTES:
        try:
            auth.verify_basic(request, app.key_pairs())
        except auth.Unauthorized as refusal:
            answer = _json({"error": str(refusal)}, 401)
            answer.headers["WWW-Authenticate"] = CHALLENGE
            return answer
    route = _route(request.method, path)
    if route is None:
        return _json({"error": f"no admin route {request.method} {request.path}"}, 404)
    try:
        answer = _json(route(app, request))
    except (AdminError, world.WorldError, events.EventError) as error:
        return _json({"error": str(error)}, 400)
    except Exception as error:  # a bug of the emulator: still a JSON answer, never an HTML page
        traceback.print_exc(file=sys.stderr)
        return _json({"error": f"internal error ({type(error).__name__}: {error})"}, 500)
    app.deliveries.kick()
    return answer


def _route(method: str, path: str) -> Callable[["EmulatorApp", Request], Any] | None:
    """The route of `path`, or of its parent followed by `<id>` (`events/e-...` -> `events/<id>`)."""
    route = ROUTES.get((method, path))
    if route is None and "/" in path:
        route = ROUTES.get((method, path.rsplit("/", 1)[0] + "/<id>"))
    return route


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body, indent=1), status=status, content_type="application/json")


def _body(request: Request) -> dict[str, Any]:
    """The request's body: a JSON (or YAML) object; anything else is an AdminError (400)."""
    text = request.get_data(as_text=True)
    if not text.strip():
        return {}
    try:
        document = yaml.safe_load(text) if "yaml" in (request.content_type or "") else json.loads(text)
    except (ValueError, yaml.YAMLError, RecursionError) as error:
        raise AdminError(f"the body is not valid JSON or YAML: {error}") from None
    if not isinstance(document, dict):
        raise AdminError(f"the body must be an object, not {type(document).__name__}")
    return document


def health(app: "EmulatorApp", request: Request) -> dict[str, Any]:
    """Open to anyone who can reach the emulator: says it is one, and nothing about where it keeps its world."""
    return {"ok": True}


def reset(app: "EmulatorApp", request: Request) -> dict[str, Any]:
    with app.db.transaction() as tx:
        models.wipe(tx)
        world.seed_if_new(tx)
    return {"ok": True}


def get_world(app: "EmulatorApp", request: Request) -> dict[str, Any]:
    with app.db.read() as tx:
        return world.dump(tx)


def post_world(app: "EmulatorApp", request: Request) -> dict[str, Any]:
    document = world.parse(_body(request))
    if document.account is not None and document.account.access_keys == []:
        raise AdminError("account.accessKeys: an empty list would lock every client out, this admin API included")
    with app.db.transaction() as tx:
        events.announce(tx, world.merge(tx, document), clock.now(tx))  # the merge records, the route announces
        return world.dump(tx)


def get_clock(app: "EmulatorApp", request: Request) -> dict[str, Any]:
    with app.db.read() as tx:
        return clock.describe(tx)


def post_clock(app: "EmulatorApp", request: Request) -> dict[str, Any]:
    body = _body(request)
    with app.db.transaction() as tx:
        try:
            if "set" in body:
                clock.set_virtual(tx, datetime.fromisoformat(str(body["set"]).replace("Z", "+00:00")))
            elif "advance" in body:
                clock.advance(tx, clock.parse_duration(body["advance"]))
            elif body.get("real"):
                clock.use_real(tx)
            else:
                raise AdminError('give {"set": ISO time}, {"advance": "90m"} or {"real": true}')
        except (ValueError, OverflowError, TypeError) as error:  # a date out of range, a value of another type
            raise AdminError(f"clock: {error}") from None
        simulation.catch_up(tx, clock.now(tx))
        return clock.describe(tx)


def get_requests(app: "EmulatorApp", request: Request) -> dict[str, Any]:
    since = _since(request, "request")
    filters = {name: request.args[name] for name in ("action", "kind", "product") if request.args.get(name)}
    with app.db.read() as tx:
        rows = models.logged_requests(tx, since, filters)
    return {"requests": [
        {"seq": row["seq"], "time": row["time"], "product": row["product"], "action": row["action"],
         "kind": row["kind"], "params": json.loads(row["params"]), "status": row["status"], "code": row["code"],
         "requestId": row["request_id"]}
        for row in rows
    ]}


def clear_requests(app: "EmulatorApp", request: Request) -> dict[str, Any]:
    with app.db.transaction() as tx:
        models.clear_request_log(tx)
    return {"ok": True}


def get_faults(app: "EmulatorApp", request: Request) -> dict[str, Any]:
    """The settings, what this process injected under them (`injected`: calls per outcome), and how many
    of its calls are held right now (`holding`)."""
    with app.db.read() as tx:
        config = as_document(FaultConfig.model_validate(get_meta(tx, "faults", {})))
    return {**config, "injected": dict(app.injector.injected), "holding": app.injector.holding}


def post_faults(app: "EmulatorApp", request: Request) -> dict[str, Any]:
    try:
        config = FaultConfig.model_validate(_body(request))
    except ValidationError as error:
        raise AdminError(f"faults: {error.errors()[0]['loc']}: {error.errors()[0]['msg']}") from None
    return _store_faults(app, config)


def clear_faults(app: "EmulatorApp", request: Request) -> dict[str, Any]:
    return _store_faults(app, FaultConfig())


def _store_faults(app: "EmulatorApp", config: FaultConfig) -> dict[str, Any]:
    stored = config.model_copy(update={"generation": time.time_ns()})
    with app.db.transaction() as tx:
        set_meta(tx, "faults", as_document(stored))
    return as_document(stored)


def post_event(app: "EmulatorApp", request: Request) -> dict[str, Any]:
    """Injects a system event, after catching up and before catching up again (a past notBefore starts it)."""
    body = _body(request)
    with app.db.transaction() as tx:
        now = clock.now(tx)
        simulation.catch_up(tx, now)
        event_id = injection.inject(tx, body, now)
        simulation.catch_up(tx, now)
        return injection.describe(tx, event_id)


def get_events(app: "EmulatorApp", request: Request) -> dict[str, Any]:
    with app.db.read() as tx:
        return {"events": injection.listing(tx, request.args.get("resource"))}


def get_event(app: "EmulatorApp", request: Request) -> dict[str, Any]:
    with app.db.read() as tx:
        return injection.describe(tx, _last_segment(request))


def post_event_status(app: "EmulatorApp", request: Request) -> dict[str, Any]:
    body = _body(request)
    with app.db.transaction() as tx:
        now = clock.now(tx)
        simulation.catch_up(tx, now)
        injection.move(tx, _last_segment(request), body, now)
        return injection.describe(tx, _last_segment(request))


def _last_segment(request: Request) -> str:
    return request.path.rstrip("/").rsplit("/", 1)[1]


def get_notifications(app: "EmulatorApp", request: Request) -> dict[str, Any]:
    since, status = _since(request, "delivery"), _choice(request, "status", delivery.STATUSES)
    with app.db.read() as tx:
        return {"notifications": delivery.listing(tx, since=since, rule=request.args.get("rule"), status=status)}


def get_deliveries(app: "EmulatorApp", request: Request) -> dict[str, Any]:
    since, kind = _since(request, "delivery"), _choice(request, "kind", stores.KINDS)
    with app.db.read() as tx:
        return {"deliveries": stores.listing(tx, since=since, kind=kind)}


def _since(request: Request, what: str) -> int:
    """`?since=SEQ`: a sequence number of the log read (0 when absent)."""
    since = request.args.get("since", "0")
    if not (since.isascii() and since.isdigit() and len(since) <= 18):  # '²' is a digit; SQLite takes 63 bits
        raise AdminError(f"since must be a {what} sequence number")
    return int(since)


def _choice(request: Request, name: str, allowed: Sequence[str]) -> str | None:
    """An optional query argument that must be one of `allowed`."""
    value = request.args.get(name)
    if value and value not in allowed:
        raise AdminError(f"{name} must be one of {', '.join(allowed)}")
    return value or None


def get_objects(app: "EmulatorApp", request: Request) -> dict[str, Any]:
    bucket = request.args.get("bucket")
    if not bucket:
        raise AdminError("give the bucket: oss?bucket=NAME (and &prefix=...)")
    with app.db.read() as tx:
        return {"objects": stores.objects(tx, bucket, request.args.get("prefix", ""))}


def get_logs(app: "EmulatorApp", request: Request) -> dict[str, Any]:
    project, logstore = request.args.get("project"), request.args.get("logstore")
    if not project or not logstore:
        raise AdminError("give the logstore: logs?project=NAME&logstore=NAME")
    with app.db.read() as tx:
        return {"logs": stores.logs(tx, project, logstore)}


ROUTES: dict[tuple[str, str], Callable[["EmulatorApp", Request], Any]] = {
    ("GET", "health"): health,
    ("POST", "reset"): reset,
    ("GET", "world"): get_world,
    ("POST", "world"): post_world,
    ("GET", "clock"): get_clock,
    ("POST", "clock"): post_clock,
    ("GET", "requests"): get_requests,
    ("DELETE", "requests"): clear_requests,
    ("GET", "faults"): get_faults,
    ("POST", "faults"): post_faults,
    ("DELETE", "faults"): clear_faults,
    ("POST", "events"): post_event,
    ("GET", "events"): get_events,
    ("GET", "events/<id>"): get_event,
    ("POST", "events/<id>"): post_event_status,
    ("GET", "notifications"): get_notifications,
    ("GET", "deliveries"): get_deliveries,
    ("GET", "oss"): get_objects,
    ("GET", "logs"): get_logs,
}
